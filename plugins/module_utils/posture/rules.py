# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Helpers shared by the control catalogues: reading records, parameters, subscriptions, backups.

Everything here is pure: it reads the normalized inventory (``context``, see collect.py) and never
calls AWS, so the control logic is unit-tested on plain dicts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture.finding import NOT_APPLICABLE, make_finding

PRODUCTION = "production"
DEFAULT_ADMIN_NAMES = ("postgres", "admin", "root", "administrator", "master", "sa", "rdsadmin", "superuser", "dba")


def production(context):
    return context.get("tier") == PRODUCTION


def not_production(context, field):
    """The NOT_APPLICABLE verdict of a production-only check outside production."""
    return NOT_APPLICABLE, "environment_tier", "%s (checked in production only; %s)" % (context.get("tier"), field)


def is_replica(record):
    return bool(record.get("ReadReplicaSourceDBInstanceIdentifier") or record.get("ReadReplicaSourceDBClusterIdentifier"))


def is_aurora(record):
    return str(record.get("Engine") or "").startswith("aurora")


def tags_of(record):
    return dict((tag.get("Key"), tag.get("Value")) for tag in record.get("TagList") or [])


def parameter_group_of(record):
    """The DB parameter group name of an instance record."""
    groups = record.get("DBParameterGroups") or []
    return groups[0].get("DBParameterGroupName") if groups else None


def parameters_of(context, target):
    """The parameters in effect for an instance or cluster: ``{name: value or None}``.

    An instance: its DB parameter group. An Aurora cluster: its DB cluster parameter group, with the
    writer's DB parameter group for the instance-level settings (statement logging).
    """
    record = target["record"]
    if target["type"] == "db_cluster":
        merged = dict(context.get("instance_parameters", {}).get(target.get("writer_parameter_group"), {}))
        for name, value in context.get("cluster_parameters", {}).get(record.get("DBClusterParameterGroup"), {}).items():
            if value is not None or name not in merged:
                merged[name] = value
        return merged
    return context.get("instance_parameters", {}).get(parameter_group_of(record), {})


def group_label(target):
    record = target["record"]
    if target["type"] == "db_cluster":
        return "DBClusterParameterGroup %s" % record.get("DBClusterParameterGroup")
    return "DBParameterGroup %s" % parameter_group_of(record)


def subscribed(context, source_type, source_id, required):
    """(covered, evidence value): an enabled event subscription of ``source_type`` covers ``source_id``.

    ``source_id`` None: any subscription of that type counts (security group events concern the account).
    """
    seen = []
    for subscription in context.get("event_subscriptions") or []:
        if subscription.get("SourceType") != source_type:
            continue
        ids = subscription.get("SourceIdsList") or []
        categories = set(subscription.get("EventCategoriesList") or [])
        seen.append(subscription.get("CustSubscriptionId"))
        if not subscription.get("Enabled", True) or (ids and source_id is not None and source_id not in ids):
            continue
        # no categories means every category
        if not categories or set(required) <= categories:
            return True, "%s (%s)" % (subscription.get("CustSubscriptionId"), ", ".join(sorted(categories)) or "all categories")
    if seen:
        return False, "subscriptions of %s %s miss %s or this source" % (source_type, ", ".join(seen), ", ".join(required))
    return False, "no enabled %s event subscription" % source_type


def _condition_matches(kind, key, value, tags):
    have = tags.get(key)
    if kind in ("STRINGEQUALS", "StringEquals"):
        return have == value
    if kind == "StringNotEquals":
        return have != value
    if kind == "StringLike":
        return have is not None and fnmatch.fnmatchcase(have, value)
    if kind == "StringNotLike":
        return have is None or not fnmatch.fnmatchcase(have, value)
    return False


def _tag_key(key):
    return key[len("aws:ResourceTag/"):] if key.startswith("aws:ResourceTag/") else key


def selection_covers(selection, arn, tags):
    """Whether an AWS Backup selection (GetBackupSelection's ``BackupSelection``) selects ``arn``."""
    if any(fnmatch.fnmatchcase(arn, pattern) for pattern in selection.get("NotResources") or []):
        return False
    resources = selection.get("Resources") or []
    by_arn = any(fnmatch.fnmatchcase(arn, pattern) for pattern in resources)
    by_tags = any(_condition_matches(item.get("ConditionType"), _tag_key(item.get("ConditionKey", "")), item.get("ConditionValue"), tags)
                  for item in selection.get("ListOfTags") or [])
    conditions = selection.get("Conditions") or {}
    all_conditions = [(kind, _tag_key(item.get("ConditionKey", "")), item.get("ConditionValue"))
                      for kind, items in conditions.items() for item in items or []]
    if all_conditions:
        ok = all(_condition_matches(kind, key, value, tags) for kind, key, value in all_conditions)
        if resources:
            return by_arn and ok
        return ok or by_tags
    return by_arn or by_tags


def backup_protection(context, arn, tags):
    """``[{plan, cross_region}]`` for the AWS Backup plans whose selections cover ``arn``."""
    found = []
    for plan in context.get("backup_plans") or []:
        if any(selection_covers(selection, arn, tags) for selection in plan.get("selections") or []):
            found.append(dict(plan=plan.get("name"), cross_region=plan.get("cross_region", False)))
    return found


def evaluate(catalogue, context):
    """The findings of every control of ``catalogue`` on the resources of ``context``.

    ``catalogue`` is a list of ``(Control, kinds, check)``; ``check(context, target)`` returns
    ``(status, field, value)``, ``(status, field, value, remediation)`` or None (not evaluated for that resource).
    """
    findings = []
    for control, kinds, check in catalogue:
        for kind in kinds:
            for target in context.get(kind) or []:
                outcome = check(context, target)
                if outcome is None:
                    continue
                remediation = outcome[3] if len(outcome) > 3 else None
                findings.append(make_finding(control, target, outcome[0], outcome[1], outcome[2], remediation))
    return findings
