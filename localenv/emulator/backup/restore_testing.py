"""AWS Backup restore testing (moto 5.2 has none): plans and selections, checked like AWS.

CreateRestoreTestingPlan, GetRestoreTestingPlan, ListRestoreTestingPlans, UpdateRestoreTestingPlan,
DeleteRestoreTestingPlan (refused while the plan has selections), and CreateRestoreTestingSelection,
GetRestoreTestingSelection, ListRestoreTestingSelections, UpdateRestoreTestingSelection,
DeleteRestoreTestingSelection. Only the configuration is kept: no restore job is ever scheduled.
"""

import copy
import json
import re

from moto.backup.exceptions import AlreadyExistsException
from moto.moto_api._internal import mock_random

from localenv.emulator.backup.common import (
    InvalidParameterValueException,
    InvalidRequestException,
    ResourceNotFound,
    add_methods,
    add_routes,
    body,
    now,
    page,
    uri,
)
from localenv.emulator.backup.plans import CRON
from localenv.emulator.backup.selections import ROLE_ARN, RESOURCE_ARN

PLAN_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,49}$")
RATE = re.compile(r"^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$")
VAULT = re.compile(r"^(\*|arn:aws[a-z-]*:backup:([a-z0-9-]+|\*):(\d{12}|\*):backup-vault:[a-zA-Z0-9\-_*]{1,50})$")
ALGORITHMS = ("LATEST_WITHIN_WINDOW", "RANDOM_WITHIN_WINDOW")
POINT_TYPES = ("CONTINUOUS", "SNAPSHOT")
RESOURCE_TYPES = ("Aurora", "DocumentDB", "DynamoDB", "EBS", "EC2", "EFS", "FSx", "Neptune", "RDS", "S3")
PLAN_UPDATABLE = ("RecoveryPointSelection", "ScheduleExpression", "ScheduleExpressionTimezone", "StartWindowHours")
SELECTION_UPDATABLE = ("IamRoleArn", "ProtectedResourceArns", "ProtectedResourceConditions", "RestoreMetadataOverrides",
                       "ValidationWindowHours")


def plans(backend):
    if not hasattr(backend, "restore_testing_plans"):
        backend.restore_testing_plans = {}
    return backend.restore_testing_plans


def _plan_or_404(backend, name):
    found = plans(backend).get(name)
    if found is None:
        raise ResourceNotFound("Restore testing plan %s does not exist" % name)
    return found


def _check_plan(plan):
    schedule = plan.get("ScheduleExpression") or ""
    if not (CRON.match(schedule) or RATE.match(schedule)):
        raise InvalidParameterValueException("Invalid ScheduleExpression %r: expected cron(...) or rate(...)" % schedule)
    hours = plan.get("StartWindowHours", 24)
    if not isinstance(hours, int) or not 1 <= hours <= 168:
        raise InvalidParameterValueException("StartWindowHours must be between 1 and 168, got %r" % hours)
    selection = plan.get("RecoveryPointSelection")
    if not isinstance(selection, dict):
        raise InvalidParameterValueException("RecoveryPointSelection is required")
    if selection.get("Algorithm") not in ALGORITHMS:
        raise InvalidParameterValueException("RecoveryPointSelection.Algorithm must be one of %s" % ", ".join(ALGORITHMS))
    types = selection.get("RecoveryPointTypes") or []
    if not types or any(kind not in POINT_TYPES for kind in types):
        raise InvalidParameterValueException("RecoveryPointSelection.RecoveryPointTypes must be a non-empty list of %s" % ", ".join(POINT_TYPES))
    if not selection.get("IncludeVaults"):
        raise InvalidParameterValueException("RecoveryPointSelection.IncludeVaults is required (vault ARNs or *)")
    for key in ("IncludeVaults", "ExcludeVaults"):
        for vault in selection.get(key) or []:
            if not VAULT.match(vault):
                raise InvalidParameterValueException("Invalid vault %r in RecoveryPointSelection.%s" % (vault, key))
    days = selection.get("SelectionWindowDays", 30)
    if not isinstance(days, int) or not 1 <= days <= 365:
        raise InvalidParameterValueException("RecoveryPointSelection.SelectionWindowDays must be between 1 and 365, got %r" % days)


def _full_plan(plan):
    result = copy.deepcopy(plan)
    result.setdefault("StartWindowHours", 24)
    result.setdefault("ScheduleExpressionTimezone", "Etc/UTC")
    result["RecoveryPointSelection"].setdefault("SelectionWindowDays", 30)
    return result


def _create_restore_testing_plan(self):
    backend = self.backup_backend
    params = body(self)
    plan = params.get("RestoreTestingPlan")
    if not isinstance(plan, dict):
        raise InvalidParameterValueException("RestoreTestingPlan is required")
    name = plan.get("RestoreTestingPlanName") or ""
    if not PLAN_NAME.match(name):
        raise InvalidParameterValueException(
            "Invalid RestoreTestingPlanName %r: 1 to 50 letters, digits and underscores, starting with a letter" % name)
    if name in plans(backend):
        raise AlreadyExistsException("Restore testing plan %s already exists" % name)
    _check_plan(plan)
    arn = "arn:aws:backup:%s:%s:restore-testing-plan:%s-%s" % (backend.region_name, backend.account_id, name, mock_random.get_random_hex(6))
    record = dict(_full_plan(plan), RestoreTestingPlanArn=arn, CreationTime=now(), CreatorRequestId=params.get("CreatorRequestId"),
                  Tags=params.get("Tags") or {}, Selections={})
    plans(backend)[name] = record
    if record["Tags"]:  # ListTags / TagResource / UntagResource see the creation tags, as in AWS
        backend.tag_resource(arn, record["Tags"])
    return json.dumps(dict(CreationTime=record["CreationTime"], RestoreTestingPlanArn=arn, RestoreTestingPlanName=name))


def _plan_view(record):
    return dict((key, value) for key, value in record.items() if key not in ("Tags", "Selections") and value is not None)


def _get_restore_testing_plan(self):
    record = _plan_or_404(self.backup_backend, uri(self, "RestoreTestingPlanName"))
    return json.dumps({"RestoreTestingPlan": _plan_view(record)})


def _list_restore_testing_plans(self):
    keys = ("CreationTime", "LastExecutionTime", "LastUpdateTime", "RestoreTestingPlanArn", "RestoreTestingPlanName",
            "ScheduleExpression", "ScheduleExpressionTimezone", "StartWindowHours")
    items = [dict((key, record[key]) for key in keys if record.get(key) is not None)
             for record in sorted(plans(self.backup_backend).values(), key=lambda r: r["CreationTime"])]
    items, token = page(self, items)
    result = {"RestoreTestingPlans": items}
    if token:
        result["NextToken"] = token
    return json.dumps(result)


def _update_restore_testing_plan(self):
    record = _plan_or_404(self.backup_backend, uri(self, "RestoreTestingPlanName"))
    changes = body(self).get("RestoreTestingPlan")
    if not isinstance(changes, dict):
        raise InvalidParameterValueException("RestoreTestingPlan is required")
    unknown = set(changes) - set(PLAN_UPDATABLE)
    if unknown:
        raise InvalidParameterValueException("RestoreTestingPlan cannot change %s" % ", ".join(sorted(unknown)))
    updated = copy.deepcopy(record)
    for key, value in changes.items():
        if key == "RecoveryPointSelection":
            updated[key] = dict(updated[key], **value)
        else:
            updated[key] = value
    _check_plan(updated)
    updated["LastUpdateTime"] = now()
    record.update(updated)
    return json.dumps(dict(CreationTime=record["CreationTime"], RestoreTestingPlanArn=record["RestoreTestingPlanArn"],
                           RestoreTestingPlanName=record["RestoreTestingPlanName"], UpdateTime=record["LastUpdateTime"]))


def _delete_restore_testing_plan(self):
    name = uri(self, "RestoreTestingPlanName")
    record = _plan_or_404(self.backup_backend, name)
    if record["Selections"]:
        raise InvalidRequestException("Restore testing plan %s still has selections; delete them first" % name)
    del plans(self.backup_backend)[name]
    self.backup_backend.tagger.delete_all_tags_for_resource(record["RestoreTestingPlanArn"])
    return 204, {}, ""


def _check_selection(selection):
    if not ROLE_ARN.match(selection.get("IamRoleArn") or ""):
        raise InvalidParameterValueException("Invalid IamRoleArn %r: expected the ARN of an IAM role" % selection.get("IamRoleArn"))
    if selection.get("ProtectedResourceType") not in RESOURCE_TYPES:
        raise InvalidParameterValueException("ProtectedResourceType must be one of %s" % ", ".join(RESOURCE_TYPES))
    arns = selection.get("ProtectedResourceArns") or []
    conditions = selection.get("ProtectedResourceConditions") or {}
    # AWS: specific ARNs, or the wildcard ["*"] optionally narrowed by tag conditions.
    if arns and arns != ["*"] and any(conditions.get(kind) for kind in ("StringEquals", "StringNotEquals")):
        raise InvalidParameterValueException("Give ProtectedResourceArns or ProtectedResourceConditions, not both")
    for arn in arns:
        if not RESOURCE_ARN.match(arn):
            raise InvalidParameterValueException("Invalid ARN %r in ProtectedResourceArns" % arn)
    hours = selection.get("ValidationWindowHours", 0)
    if not isinstance(hours, int) or not 0 <= hours <= 168:
        raise InvalidParameterValueException("ValidationWindowHours must be between 0 and 168, got %r" % hours)


def _selection_or_404(record, name):
    found = record["Selections"].get(name)
    if found is None:
        raise ResourceNotFound("Restore testing selection %s of plan %s does not exist" % (name, record["RestoreTestingPlanName"]))
    return found


def _create_restore_testing_selection(self):
    record = _plan_or_404(self.backup_backend, uri(self, "RestoreTestingPlanName"))
    params = body(self)
    selection = params.get("RestoreTestingSelection")
    if not isinstance(selection, dict):
        raise InvalidParameterValueException("RestoreTestingSelection is required")
    name = selection.get("RestoreTestingSelectionName") or ""
    if not PLAN_NAME.match(name):
        raise InvalidParameterValueException("Invalid RestoreTestingSelectionName %r" % name)
    if name in record["Selections"]:
        raise AlreadyExistsException("Restore testing selection %s already exists" % name)
    _check_selection(selection)
    stored = copy.deepcopy(selection)
    stored.setdefault("ValidationWindowHours", 0)
    stored.update(CreationTime=now(), CreatorRequestId=params.get("CreatorRequestId"),
                  RestoreTestingPlanName=record["RestoreTestingPlanName"])
    record["Selections"][name] = stored
    return json.dumps(dict(CreationTime=stored["CreationTime"], RestoreTestingPlanArn=record["RestoreTestingPlanArn"],
                           RestoreTestingPlanName=record["RestoreTestingPlanName"], RestoreTestingSelectionName=name))


def _get_restore_testing_selection(self):
    record = _plan_or_404(self.backup_backend, uri(self, "RestoreTestingPlanName"))
    selection = _selection_or_404(record, uri(self, "RestoreTestingSelectionName"))
    return json.dumps({"RestoreTestingSelection": dict((k, v) for k, v in selection.items() if v is not None)})


def _list_restore_testing_selections(self):
    record = _plan_or_404(self.backup_backend, uri(self, "RestoreTestingPlanName"))
    keys = ("CreationTime", "IamRoleArn", "ProtectedResourceType", "RestoreTestingPlanName", "RestoreTestingSelectionName",
            "ValidationWindowHours")
    items = [dict((key, selection[key]) for key in keys if selection.get(key) is not None)
             for selection in sorted(record["Selections"].values(), key=lambda s: s["CreationTime"])]
    items, token = page(self, items)
    result = {"RestoreTestingSelections": items}
    if token:
        result["NextToken"] = token
    return json.dumps(result)


def _update_restore_testing_selection(self):
    record = _plan_or_404(self.backup_backend, uri(self, "RestoreTestingPlanName"))
    name = uri(self, "RestoreTestingSelectionName")
    selection = _selection_or_404(record, name)
    changes = body(self).get("RestoreTestingSelection") or {}
    unknown = set(changes) - set(SELECTION_UPDATABLE)
    if unknown:
        raise InvalidParameterValueException("RestoreTestingSelection cannot change %s" % ", ".join(sorted(unknown)))
    updated = dict(copy.deepcopy(selection), **changes)
    _check_selection(updated)
    updated["UpdateTime"] = now()
    selection.clear()
    selection.update(updated)
    return json.dumps(dict(CreationTime=selection["CreationTime"], RestoreTestingPlanArn=record["RestoreTestingPlanArn"],
                           RestoreTestingPlanName=record["RestoreTestingPlanName"], RestoreTestingSelectionName=name,
                           UpdateTime=updated["UpdateTime"]))


def _delete_restore_testing_selection(self):
    record = _plan_or_404(self.backup_backend, uri(self, "RestoreTestingPlanName"))
    name = uri(self, "RestoreTestingSelectionName")
    _selection_or_404(record, name)
    del record["Selections"][name]
    return 204, {}, ""


def install():
    add_routes(r"{0}/restore-testing/plans$", r"{0}/restore-testing/plans/$",
               r"{0}/restore-testing/plans/(?P<plan>[^/]+)$",
               r"{0}/restore-testing/plans/(?P<plan>[^/]+)/selections$", r"{0}/restore-testing/plans/(?P<plan>[^/]+)/selections/$",
               r"{0}/restore-testing/plans/(?P<plan>[^/]+)/selections/(?P<selection>[^/]+)$")
    add_methods({
        "create_restore_testing_plan": _create_restore_testing_plan,
        "get_restore_testing_plan": _get_restore_testing_plan,
        "list_restore_testing_plans": _list_restore_testing_plans,
        "update_restore_testing_plan": _update_restore_testing_plan,
        "delete_restore_testing_plan": _delete_restore_testing_plan,
        "create_restore_testing_selection": _create_restore_testing_selection,
        "get_restore_testing_selection": _get_restore_testing_selection,
        "list_restore_testing_selections": _list_restore_testing_selections,
        "update_restore_testing_selection": _update_restore_testing_selection,
        "delete_restore_testing_selection": _delete_restore_testing_selection,
    })
