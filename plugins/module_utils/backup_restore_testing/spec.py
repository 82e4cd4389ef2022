# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Canonical forms of restore testing plans and selections, the task's options in that form, and the returned views.

AWS Backup fills in defaults (time zone ``Etc/UTC``, a start window of 24 hours, a selection
window of 30 days, a validation window of 0 hours, no excluded vaults) and may answer with empty
values where nothing was set. Both the task's desired state and AWS's answer go through the same
functions: defaults are filled in, lists are sorted and de-duplicated, UTC aliases are one time
zone, tag condition keys carry their ``aws:ResourceTag/`` prefix, restore metadata override keys
are lower case (AWS compares them without case) and their JSON list values are sorted, vault and
IAM role names become ARNs in the module's account and region. A re-run then compares equal.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"
DEFAULT_TIMEZONE = "Etc/UTC"
DEFAULT_START_WINDOW_HOURS = 24
DEFAULT_SELECTION_WINDOW_DAYS = 30
DEFAULT_VALIDATION_WINDOW_HOURS = 0
UTC_ALIASES = ("UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu")
TAG_PREFIX = "aws:ResourceTag/"
CONDITION_KINDS = (("string_equals", "StringEquals"), ("string_not_equals", "StringNotEquals"))


def _sorted(values):
    return sorted(set(str(value) for value in values or []))


def timezone(value):
    """The time zone; AWS's default and the aliases of UTC are ``Etc/UTC``."""
    if not value or value in UTC_ALIASES:
        return DEFAULT_TIMEZONE
    return value


def condition_key(key):
    """A tag condition key as AWS expects it, ``aws:ResourceTag/<tag key>``."""
    key = str(key)
    return key if key.startswith(TAG_PREFIX) else TAG_PREFIX + key


def override_value(value):
    """A restore metadata override value as text; lists (security group IDs) as a sorted JSON list."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return json.dumps(sorted(str(item) for item in value))
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    text = "" if value is None else str(value)
    if text.strip().startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        if isinstance(parsed, list):
            return json.dumps(sorted(str(item) for item in parsed))
    return text


def overrides(value):
    return dict((str(key).lower(), override_value(item)) for key, item in (value or {}).items())


def plan(value):
    """A restore testing plan (API shape) in canonical form: the managed keys only."""
    points = value.get("RecoveryPointSelection") or {}
    return dict(
        RestoreTestingPlanName=value["RestoreTestingPlanName"],
        ScheduleExpression=" ".join((value.get("ScheduleExpression") or DEFAULT_SCHEDULE).split()),
        ScheduleExpressionTimezone=timezone(value.get("ScheduleExpressionTimezone")),
        StartWindowHours=int(value.get("StartWindowHours") or DEFAULT_START_WINDOW_HOURS),
        RecoveryPointSelection=dict(
            Algorithm=points.get("Algorithm"),
            IncludeVaults=_sorted(points.get("IncludeVaults")),
            ExcludeVaults=_sorted(points.get("ExcludeVaults")),
            RecoveryPointTypes=_sorted(points.get("RecoveryPointTypes")),
            SelectionWindowDays=int(points.get("SelectionWindowDays") or DEFAULT_SELECTION_WINDOW_DAYS),
        ),
    )


def _pairs(entries):
    unique = dict(((condition_key(entry.get("Key")), str(entry.get("Value") or "")), True) for entry in entries or [])
    return [dict(Key=key, Value=item) for key, item in sorted(unique)]


def selection(value):
    """A restore testing selection (API shape) in canonical form.

    Tag conditions select among all resources of the type: the ARNs are then the wildcard ``["*"]``.
    """
    conditions = value.get("ProtectedResourceConditions") or {}
    result = dict(
        RestoreTestingSelectionName=value["RestoreTestingSelectionName"],
        ProtectedResourceType=value.get("ProtectedResourceType"),
        IamRoleArn=value.get("IamRoleArn"),
        ProtectedResourceArns=_sorted(value.get("ProtectedResourceArns")),
        ProtectedResourceConditions=dict((kind, _pairs(conditions.get(kind))) for _snake, kind in CONDITION_KINDS),
        RestoreMetadataOverrides=overrides(value.get("RestoreMetadataOverrides")),
        ValidationWindowHours=int(value.get("ValidationWindowHours") or DEFAULT_VALIDATION_WINDOW_HOURS),
    )
    if not result["ProtectedResourceArns"] and has_conditions(result):
        result["ProtectedResourceArns"] = ["*"]
    return result


def has_conditions(value):
    return any((value.get("ProtectedResourceConditions") or {}).get(kind) for _snake, kind in CONDITION_KINDS)


def same(first, second):
    return json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def differing_keys(first, second):
    return sorted(key for key in set(first) | set(second) if not same(first.get(key), second.get(key)))


# the task's options


class Context(object):
    """Turns vault and IAM role names into ARNs of the module's partition, account and region."""

    def __init__(self, account, region, partition="aws"):
        self.account, self.region, self.partition = account, region, partition

    def vault_arn(self, value):
        if value == "*" or value.startswith("arn:"):
            return value
        return "arn:%s:backup:%s:%s:backup-vault:%s" % (self.partition, self.region, self.account, value)

    def role_arn(self, value):
        if value.startswith("arn:"):
            return value
        return "arn:%s:iam::%s:role/%s" % (self.partition, self.account, value.lstrip("/"))


def needs_account(params):
    """True when a vault or IAM role is given by name (its ARN needs the account ID)."""
    points = params.get("recovery_point_selection") or {}
    vaults = list(points.get("include_vaults") or []) + list(points.get("exclude_vaults") or [])
    roles = [item["iam_role"] for item in params.get("selections") or []]
    return any(value != "*" and not value.startswith("arn:") for value in vaults) or any(not role.startswith("arn:") for role in roles)


def desired_plan(params, context):
    points = params["recovery_point_selection"]
    return plan(dict(
        RestoreTestingPlanName=params["name"],
        ScheduleExpression=params.get("schedule_expression"),
        ScheduleExpressionTimezone=params.get("schedule_expression_timezone"),
        StartWindowHours=params.get("start_window_hours"),
        RecoveryPointSelection=dict(
            Algorithm=points["algorithm"],
            IncludeVaults=[context.vault_arn(vault) for vault in points.get("include_vaults") or []],
            ExcludeVaults=[context.vault_arn(vault) for vault in points.get("exclude_vaults") or []],
            RecoveryPointTypes=points.get("recovery_point_types"),
            SelectionWindowDays=points.get("selection_window_days"),
        ),
    ))


def desired_selection(options, context):
    conditions = options.get("protected_resource_conditions") or {}
    return selection(dict(
        RestoreTestingSelectionName=options["name"],
        ProtectedResourceType=options["protected_resource_type"],
        IamRoleArn=context.role_arn(options["iam_role"]),
        ProtectedResourceArns=options.get("protected_resource_arns"),
        ProtectedResourceConditions=dict((kind, [dict(Key=entry["key"], Value=entry["value"]) for entry in conditions.get(snake) or []])
                                         for snake, kind in CONDITION_KINDS),
        RestoreMetadataOverrides=options.get("restore_metadata_overrides"),
        ValidationWindowHours=options.get("validation_window_hours"),
    ))


# requests


def create_plan_request(document):
    request = json.loads(json.dumps(document))
    if not request["RecoveryPointSelection"]["ExcludeVaults"]:
        del request["RecoveryPointSelection"]["ExcludeVaults"]
    return request


def create_selection_request(document):
    request = dict((key, value) for key, value in document.items() if key not in ("ProtectedResourceConditions", "RestoreMetadataOverrides"))
    if has_conditions(document):
        request["ProtectedResourceConditions"] = dict((kind, entries) for kind, entries in document["ProtectedResourceConditions"].items() if entries)
    if document["RestoreMetadataOverrides"]:
        request["RestoreMetadataOverrides"] = document["RestoreMetadataOverrides"]
    return request


def update_selection_request(current, document):
    """Every updatable field (AWS keeps what an update leaves out); conditions are cleared explicitly."""
    request = dict(IamRoleArn=document["IamRoleArn"], ProtectedResourceArns=document["ProtectedResourceArns"],
                   RestoreMetadataOverrides=document["RestoreMetadataOverrides"], ValidationWindowHours=document["ValidationWindowHours"])
    if has_conditions(document) or has_conditions(current):
        request["ProtectedResourceConditions"] = document["ProtectedResourceConditions"]
    return request


# views


def plan_view(document, arn=None, tags=None):
    if document is None:
        return None
    points = document["RecoveryPointSelection"]
    return dict(
        name=document["RestoreTestingPlanName"], arn=arn,
        schedule_expression=document["ScheduleExpression"], schedule_expression_timezone=document["ScheduleExpressionTimezone"],
        start_window_hours=document["StartWindowHours"],
        recovery_point_selection=dict(algorithm=points["Algorithm"], include_vaults=points["IncludeVaults"],
                                      exclude_vaults=points["ExcludeVaults"], recovery_point_types=points["RecoveryPointTypes"],
                                      selection_window_days=points["SelectionWindowDays"]),
        tags=tags if tags is not None else {},
    )


def selection_view(document):
    conditions = document["ProtectedResourceConditions"]
    return dict(
        name=document["RestoreTestingSelectionName"], protected_resource_type=document["ProtectedResourceType"],
        iam_role_arn=document["IamRoleArn"], protected_resource_arns=document["ProtectedResourceArns"],
        protected_resource_conditions=dict((snake, [dict(key=entry["Key"], value=entry["Value"]) for entry in conditions[kind]])
                                           for snake, kind in CONDITION_KINDS),
        restore_metadata_overrides=document["RestoreMetadataOverrides"],
        validation_window_hours=document["ValidationWindowHours"],
    )
