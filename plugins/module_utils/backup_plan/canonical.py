# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Canonical forms of backup rules and selections, so that equal meaning compares equal.

AWS Backup fills in defaults (schedule ``cron(0 5 ? * * *)``, time zone ``Etc/UTC``, start
window 480 minutes, completion window 10080 minutes) and answers with empty values where
nothing was set (``Lifecycle: {}``, ``OptInToArchiveForSupportedResources: false``,
``RecoveryPointTags: {}``, a copy action's empty ``Lifecycle``, ``ListOfTags: []``,
``Conditions`` with four empty lists). Both the task's desired state and AWS's answer go through
the same functions here: defaults are filled in, empty and false values are dropped, numbers are
integers and lists are sorted, so a re-run compares equal.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"
DEFAULT_TIMEZONE = "Etc/UTC"
DEFAULT_START_WINDOW = 480
DEFAULT_COMPLETION_WINDOW = 10080
CONDITION_KINDS = (
    ("string_equals", "StringEquals"),
    ("string_not_equals", "StringNotEquals"),
    ("string_like", "StringLike"),
    ("string_not_like", "StringNotLike"),
)
LIFECYCLE_KEYS = (
    ("move_to_cold_storage_after_days", "MoveToColdStorageAfterDays"),
    ("delete_after_days", "DeleteAfterDays"),
    ("opt_in_to_archive_for_supported_resources", "OptInToArchiveForSupportedResources"),
)


def _int(value):
    return int(value) if value is not None else None


def lifecycle(value):
    """A lifecycle without empty parts, or ``None`` when nothing is set."""
    value = value or {}
    result = {}
    for _snake, key in LIFECYCLE_KEYS[:2]:
        if value.get(key) is not None:
            result[key] = _int(value[key])
    if value.get("OptInToArchiveForSupportedResources"):
        result["OptInToArchiveForSupportedResources"] = True
    if value.get("DeleteAfterEvent"):
        result["DeleteAfterEvent"] = value["DeleteAfterEvent"]
    return result or None


def rule(value):
    """A backup rule (API shape) in canonical form; ``RuleId`` is dropped."""
    result = dict(
        RuleName=value["RuleName"],
        TargetBackupVaultName=value.get("TargetBackupVaultName"),
        ScheduleExpression=(value.get("ScheduleExpression") or DEFAULT_SCHEDULE).strip(),
        ScheduleExpressionTimezone=value.get("ScheduleExpressionTimezone") or DEFAULT_TIMEZONE,
        StartWindowMinutes=_int(value.get("StartWindowMinutes")) or DEFAULT_START_WINDOW,
        CompletionWindowMinutes=_int(value.get("CompletionWindowMinutes")) or DEFAULT_COMPLETION_WINDOW,
    )
    cycle = lifecycle(value.get("Lifecycle"))
    if cycle:
        result["Lifecycle"] = cycle
    if value.get("EnableContinuousBackup"):
        result["EnableContinuousBackup"] = True
    if value.get("RecoveryPointTags"):
        result["RecoveryPointTags"] = dict((str(k), str(v)) for k, v in value["RecoveryPointTags"].items())
    copies = []
    for action in value.get("CopyActions") or []:
        copy = dict(DestinationBackupVaultArn=action["DestinationBackupVaultArn"])
        cycle = lifecycle(action.get("Lifecycle"))
        if cycle:
            copy["Lifecycle"] = cycle
        copies.append(copy)
    if copies:
        result["CopyActions"] = sorted(copies, key=lambda item: json.dumps(item, sort_keys=True))
    return result


def rules(values):
    """Rules in canonical form, sorted by name (the order of rules has no meaning)."""
    return sorted((rule(value) for value in values or []), key=lambda item: item["RuleName"])


def plan_document(value):
    """The parts of a plan document this module manages, in canonical form."""
    return dict(BackupPlanName=value["BackupPlanName"], Rules=rules(value.get("Rules")))


def _entries(values, kind_key=None):
    result = []
    for entry in values or []:
        item = dict(ConditionKey=entry.get("ConditionKey"), ConditionValue=entry.get("ConditionValue") or "")
        if kind_key:
            item[kind_key] = (entry.get(kind_key) or "STRINGEQUALS").upper()
        result.append(item)
    unique = dict((json.dumps(item, sort_keys=True), item) for item in result)
    return [unique[key] for key in sorted(unique)]


def selection(value):
    """A backup selection (API shape) in canonical form."""
    result = dict(SelectionName=value["SelectionName"], IamRoleArn=value["IamRoleArn"])
    for key in ("Resources", "NotResources"):
        if value.get(key):
            result[key] = sorted(set(value[key]))
    tags = _entries(value.get("ListOfTags"), "ConditionType")
    if tags:
        result["ListOfTags"] = tags
    conditions = {}
    for _snake, kind in CONDITION_KINDS:
        entries = _entries((value.get("Conditions") or {}).get(kind))
        if entries:
            conditions[kind] = entries
    if conditions:
        result["Conditions"] = conditions
    return result


def same(first, second):
    return json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
