"""Backup selections (moto 5.2 has none): create, get, list and delete, checked like AWS.

GetBackupSelection answers as AWS does, with every list present even when empty
(``NotResources: []``, ``ListOfTags: []``, ``Conditions`` with four empty lists), which is the
shape that trips naive comparisons.
"""

import copy
import json
import re

from moto.moto_api._internal import mock_random

from localenv.emulator.backup.common import (
    InvalidParameterValueException,
    ResourceNotFound,
    add_methods,
    body,
    now,
    page,
    uri,
)
from localenv.emulator.backup.plans import NAME, plan_or_404

ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
RESOURCE_ARN = re.compile(r"^(\*|arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9*-]*:(\d{12}|\*)?:.+)$")
CONDITION_KINDS = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")


def selections(backend):
    if not hasattr(backend, "selections"):
        backend.selections = {}
    return backend.selections


def _check(selection):
    if not isinstance(selection, dict):
        raise InvalidParameterValueException("BackupSelection is required")
    name = selection.get("SelectionName") or ""
    if not NAME.match(name):
        raise InvalidParameterValueException("Invalid SelectionName %r" % name)
    role = selection.get("IamRoleArn") or ""
    if not ROLE_ARN.match(role):
        raise InvalidParameterValueException("Invalid IamRoleArn %r: expected the ARN of an IAM role" % role)
    for key in ("Resources", "NotResources"):
        for arn in selection.get(key) or []:
            if not RESOURCE_ARN.match(arn):
                raise InvalidParameterValueException("Invalid ARN %r in %s" % (arn, key))
    for tag in selection.get("ListOfTags") or []:
        if tag.get("ConditionType") != "STRINGEQUALS" or not tag.get("ConditionKey"):
            raise InvalidParameterValueException("ListOfTags entries need ConditionType STRINGEQUALS and a ConditionKey")
    conditions = selection.get("Conditions") or {}
    unknown = set(conditions) - set(CONDITION_KINDS)
    if unknown:
        raise InvalidParameterValueException("Unknown Conditions %s" % ", ".join(sorted(unknown)))
    for kind in CONDITION_KINDS:
        for entry in conditions.get(kind) or []:
            if not entry.get("ConditionKey"):
                raise InvalidParameterValueException("Conditions.%s entries need a ConditionKey" % kind)
    if not (selection.get("Resources") or selection.get("ListOfTags")
            or any(conditions.get(kind) for kind in CONDITION_KINDS)):
        raise InvalidParameterValueException("A selection needs Resources, ListOfTags or Conditions")


def _full(selection):
    """The selection as GetBackupSelection returns it: every list present."""
    result = copy.deepcopy(selection)
    result.setdefault("Resources", [])
    result.setdefault("NotResources", [])
    result.setdefault("ListOfTags", [])
    conditions = result.get("Conditions") or {}
    result["Conditions"] = dict((kind, conditions.get(kind) or []) for kind in CONDITION_KINDS)
    return result


def _selection_or_404(backend, plan_id, selection_id):
    found = selections(backend).get(plan_id, {}).get(selection_id)
    if found is None:
        raise ResourceNotFound("Backup selection %s of plan %s does not exist" % (selection_id, plan_id))
    return found


def _create_backup_selection(self):
    backend = self.backup_backend
    plan_id = uri(self, "backupPlanId")
    plan_or_404(backend, plan_id)
    params = body(self)
    selection = params.get("BackupSelection")
    _check(selection)
    selection_id = str(mock_random.uuid4())
    record = dict(SelectionId=selection_id, BackupPlanId=plan_id, CreationDate=now(),
                  CreatorRequestId=params.get("CreatorRequestId"), BackupSelection=_full(selection))
    selections(backend).setdefault(plan_id, {})[selection_id] = record
    return json.dumps(dict(SelectionId=selection_id, BackupPlanId=plan_id, CreationDate=record["CreationDate"]))


def _get_backup_selection(self):
    backend = self.backup_backend
    record = _selection_or_404(backend, uri(self, "backupPlanId"), uri(self, "selectionId"))
    return json.dumps(dict((key, value) for key, value in record.items() if value is not None))


def _list_backup_selections(self):
    backend = self.backup_backend
    plan_id = uri(self, "backupPlanId")
    plan_or_404(backend, plan_id)
    items = [dict(SelectionId=record["SelectionId"], SelectionName=record["BackupSelection"]["SelectionName"],
                  BackupPlanId=plan_id, CreationDate=record["CreationDate"],
                  IamRoleArn=record["BackupSelection"]["IamRoleArn"])
             for record in sorted(selections(backend).get(plan_id, {}).values(), key=lambda r: r["CreationDate"])]
    items, token = page(self, items)
    result = {"BackupSelectionsList": items}
    if token:
        result["NextToken"] = token
    return json.dumps(result)


def _delete_backup_selection(self):
    backend = self.backup_backend
    plan_id, selection_id = uri(self, "backupPlanId"), uri(self, "selectionId")
    _selection_or_404(backend, plan_id, selection_id)
    del selections(backend)[plan_id][selection_id]
    if not selections(backend)[plan_id]:
        del selections(backend)[plan_id]
    return "{}"


def install():
    add_methods({
        "create_backup_selection": _create_backup_selection,
        "get_backup_selection": _get_backup_selection,
        "list_backup_selections": _list_backup_selections,
        "delete_backup_selection": _delete_backup_selection,
    })
