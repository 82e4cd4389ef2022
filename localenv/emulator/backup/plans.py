"""Backup plans: AWS's checks of rules, UpdateBackupPlan, and deletion as AWS does it.

moto 5.2 accepts any rule, has no UpdateBackupPlan, deletes a plan that still has selections and
keeps a deleted plan's name taken. Here CreateBackupPlan and UpdateBackupPlan check what AWS checks
(names, cron schedule with six fields, time zone, windows, lifecycle with 90 days in cold storage,
continuous backup at most 35 days without cold storage, copy destinations, target vault in the
region), UpdateBackupPlan stores a new version (rule ids kept by rule name), and DeleteBackupPlan
refuses while selections exist.
"""

import copy
import json
import re

from moto.backup.exceptions import AlreadyExistsException
from moto.backup.models import Plan
from moto.moto_api._internal import mock_random

from localenv.emulator.backup.common import (
    InvalidParameterValueException,
    InvalidRequestException,
    ResourceNotFound,
    add_methods,
    body,
    uri,
)

try:
    import zoneinfo
except ImportError:  # pragma: no cover - Python 3.12 in the local environment
    zoneinfo = None

NAME = re.compile(r"^[a-zA-Z0-9\-_.]{1,50}$")
CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")
VAULT_ARN = re.compile(r"^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[a-zA-Z0-9\-_]{2,50}$")
DEFAULTS = (("ScheduleExpression", "cron(0 5 ? * * *)"), ("StartWindowMinutes", 480),
            ("CompletionWindowMinutes", 10080), ("ScheduleExpressionTimezone", "Etc/UTC"))
_originals = {}


def _check_lifecycle(where, lifecycle, continuous=False):
    if not lifecycle:
        return
    cold, delete = lifecycle.get("MoveToColdStorageAfterDays"), lifecycle.get("DeleteAfterDays")
    for key, value in (("MoveToColdStorageAfterDays", cold), ("DeleteAfterDays", delete)):
        if value is not None and not 1 <= int(value) <= 36500:
            raise InvalidParameterValueException("%s.%s must be between 1 and 36500 days" % (where, key))
    if cold is not None and delete is not None and int(delete) < int(cold) + 90:
        raise InvalidParameterValueException(
            "%s: DeleteAfterDays (%s) must be at least 90 days more than MoveToColdStorageAfterDays (%s)"
            % (where, delete, cold))
    if continuous and cold is not None:
        raise InvalidParameterValueException("%s: continuous backups cannot move to cold storage" % where)
    if continuous and delete is not None and int(delete) > 35:
        raise InvalidParameterValueException("%s: continuous backups are kept at most 35 days" % where)


def check_rule(backend, rule):
    name = rule.get("RuleName") or ""
    if not NAME.match(name):
        raise InvalidParameterValueException("Invalid RuleName %r" % name)
    vault = rule.get("TargetBackupVaultName")
    if vault not in backend.vaults:
        raise InvalidParameterValueException(
            "Rule %s: backup vault %s does not exist in %s" % (name, vault, backend.region_name))
    schedule = rule.get("ScheduleExpression")
    if schedule is not None and not CRON.match(schedule):
        raise InvalidParameterValueException("Rule %s: invalid ScheduleExpression %r" % (name, schedule))
    zone = rule.get("ScheduleExpressionTimezone")
    if zone is not None and zoneinfo is not None:
        try:
            zoneinfo.ZoneInfo(zone)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            raise InvalidParameterValueException("Rule %s: unknown ScheduleExpressionTimezone %r" % (name, zone)) from None
    start = rule.get("StartWindowMinutes")
    completion = rule.get("CompletionWindowMinutes")
    if start is not None and int(start) < 60:
        raise InvalidParameterValueException("Rule %s: StartWindowMinutes must be at least 60" % name)
    if completion is not None and int(completion) < int(start if start is not None else 480) + 60:
        raise InvalidParameterValueException(
            "Rule %s: CompletionWindowMinutes must be at least 60 minutes more than StartWindowMinutes" % name)
    continuous = bool(rule.get("EnableContinuousBackup"))
    _check_lifecycle("Rule %s Lifecycle" % name, rule.get("Lifecycle"), continuous)
    for action in rule.get("CopyActions") or []:
        destination = action.get("DestinationBackupVaultArn") or ""
        if not VAULT_ARN.match(destination):
            raise InvalidParameterValueException("Rule %s: invalid DestinationBackupVaultArn %r" % (name, destination))
        _check_lifecycle("Rule %s copy to %s Lifecycle" % (name, destination), action.get("Lifecycle"))


def check_plan(backend, document):
    if not isinstance(document, dict):
        raise InvalidParameterValueException("BackupPlan is required")
    name = document.get("BackupPlanName") or ""
    if not NAME.match(name):
        raise InvalidParameterValueException("Invalid BackupPlanName %r" % name)
    rules = document.get("Rules") or []
    if not rules:
        raise InvalidParameterValueException("A backup plan needs at least one rule")
    names = [rule.get("RuleName") for rule in rules]
    if len(set(names)) != len(names):
        raise InvalidParameterValueException("Rule names must be unique within a plan")
    for rule in rules:
        check_rule(backend, rule)


def live_plans(backend):
    return [plan for plan in backend.plans.values() if plan.deletion_date is None]


def plan_or_404(backend, plan_id):
    plan = backend.plans.get(plan_id)
    if plan is None or plan.deletion_date is not None:
        raise ResourceNotFound("Backup plan %s does not exist" % plan_id)
    return plan


def _with_defaults(rules, previous=None):
    ids = dict((rule["RuleName"], rule.get("RuleId")) for rule in (previous or []))
    result = []
    for rule in copy.deepcopy(rules):
        for key, default in DEFAULTS:
            rule.setdefault(key, default)
        rule["RuleId"] = ids.get(rule["RuleName"]) or str(mock_random.uuid4())
        result.append(rule)
    return result


def _create_backup_plan(self):
    params = body(self)
    backend = self.backup_backend
    document = params.get("BackupPlan")
    check_plan(backend, document)
    if any(plan.backup_plan["BackupPlanName"] == document["BackupPlanName"] for plan in live_plans(backend)):
        raise AlreadyExistsException(msg="Backup plan with the same plan document already exists")
    plan = Plan(backup_plan=copy.deepcopy(document), creator_request_id=params.get("CreatorRequestId"), backend=backend)
    if params.get("BackupPlanTags"):
        backend.tag_resource(plan.backup_plan_arn, params["BackupPlanTags"])
    backend.plans[plan.backup_plan_id] = plan
    return json.dumps(plan.to_dict())


def _update_backup_plan(self):
    backend = self.backup_backend
    plan = plan_or_404(backend, uri(self, "backupPlanId"))
    document = body(self).get("BackupPlan")
    check_plan(backend, document)
    if document["BackupPlanName"] != plan.backup_plan["BackupPlanName"] and any(
            other.backup_plan["BackupPlanName"] == document["BackupPlanName"] for other in live_plans(backend)):
        raise AlreadyExistsException(msg="Backup plan with the same plan document already exists")
    new = copy.deepcopy(document)
    new["Rules"] = _with_defaults(document["Rules"], plan.backup_plan.get("Rules"))
    plan.backup_plan = new
    plan.advanced_backup_settings = document.get("AdvancedBackupSettings") or []
    plan.version_id = mock_random.get_random_string(length=48)
    return json.dumps(plan.to_dict())


def _delete_backup_plan(self):
    backend = self.backup_backend
    plan_id = uri(self, "backupPlanId")
    plan_or_404(backend, plan_id)
    if getattr(backend, "selections", {}).get(plan_id):
        raise InvalidRequestException("Related backup plan selections must be deleted prior to backup plan deletion")
    return _originals["delete_backup_plan"](self)


def install():
    add_methods({
        "create_backup_plan": _create_backup_plan,
        "update_backup_plan": _update_backup_plan,
        "delete_backup_plan": _delete_backup_plan,
    }, _originals)
