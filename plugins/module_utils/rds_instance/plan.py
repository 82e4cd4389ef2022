# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Desired settings against an existing instance: the changes, one ModifyDBInstance request, the
tag changes, and the changes that must be refused.

``plan_modify`` is pure apart from ``lookup``, an object the converger provides for the few
answers that need a request: ``same_key(given, current_arn)``, ``subnet_group_vpc(name)`` and
``upgrade_target(target, current_version)``.

Values waiting in ``PendingModifiedValues`` count as the current value, so a run during a pending
change reports no change. A setting RDS defers (class, storage, Multi-AZ...) goes to the next
maintenance window unless ``apply_immediately``; each change says when it applies.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict, compare_tags
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance import versions
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.desired import desired_settings
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.fields import (
    BY_OPTION,
    FIELDS,
    PERFORMANCE_INSIGHTS,
    pending_settings,
    read_settings,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.storage import storage_errors

IMMEDIATELY = "immediately"
MAINTENANCE_WINDOW = "next maintenance window"
AFTER_REBOOT = "immediately; static parameters after a reboot"
_STORAGE = ("allocated_storage", "max_allocated_storage", "storage_type", "iops", "storage_throughput")
REPLICA_SOURCE_KEY = "ReadReplicaSourceDBInstanceIdentifier"


class Plan(object):
    """The outcome of planning: what changes, the requests that make it, and what is refused."""

    def __init__(self):
        self.changes = []
        self.request = {}
        self.errors = []
        self.warnings = []
        self.announcements = []
        self.tags_to_set = {}
        self.tags_to_remove = []
        self.parameter_group_changed = False

    @property
    def changed(self):
        return bool(self.changes or self.tags_to_set or self.tags_to_remove)

    def add(self, option, before, after, applies, secret=False):
        change = dict(option=option, before=before, after=after, applies=applies)
        if secret:
            change.update(before="(not shown)", after="(changed, not shown)")
        self.changes.append(change)


def applies_when(field, before, after, apply_immediately):
    if field.option == "db_parameter_group_name":
        return AFTER_REBOOT
    deferred = field.deferred
    if field.option == "backup_retention_period":
        # Only turning automated backups on or off waits (it causes an outage).
        deferred = (int(before or 0) == 0) != (int(after or 0) == 0)
    return MAINTENANCE_WINDOW if deferred and not apply_immediately else IMMEDIATELY


def is_replica(record):
    return bool(record.get(REPLICA_SOURCE_KEY))


def _short_identifier(reference):
    return reference.rsplit(":db:", 1)[-1].lower()


def _source_matches(given, recorded):
    """A source given by identifier matches the ARN RDS records for it (and the other way round)."""
    if given == recorded:
        return True
    return _short_identifier(given) == _short_identifier(recorded) and (":db:" not in given or ":db:" not in recorded)


def _identity_errors(params, record, plan, lookup):
    """Refusals for what RDS cannot change in place (engine, encryption, names, replica source)."""
    engine = record.get("Engine")
    if engine != "postgres":
        plan.errors.append(
            "engine: %s is a %s instance; this module manages postgres only and an engine cannot change in place (it would "
            "mean a new instance). Use another identifier, or migrate the data into a new postgres instance" % (params["identifier"], engine))
    encrypted = bool(record.get("StorageEncrypted"))
    if params["storage_encrypted"] != encrypted:
        plan.errors.append(
            "storage_encrypted: %s is %s; RDS cannot %s the storage of an existing instance. Take a snapshot, copy it %s, "
            "restore the copy into a new instance (restore option) and move the applications to it%s" % (
                params["identifier"], "encrypted" if encrypted else "not encrypted",
                "decrypt" if encrypted else "encrypt", "without encryption is impossible" if encrypted else "with a KMS key",
                "" if not encrypted else "; set storage_encrypted=true to keep the instance as it is"))
    elif encrypted and params.get("kms_key_id") and not lookup.same_key(params["kms_key_id"], record.get("KmsKeyId")):
        plan.errors.append(
            "kms_key_id: %s is encrypted with %s, not %s; RDS cannot change the key of an existing instance. Copy a snapshot "
            "with the new key (innovate.aws_postgres.rds_snapshot), restore it into a new instance (restore option) and move "
            "the applications to it, or give the current key" % (params["identifier"], record.get("KmsKeyId"), params["kms_key_id"]))
    for option, key in (("db_name", "DBName"), ("master_username", "MasterUsername")):
        wanted = params.get(option)
        if wanted is not None and record.get(key) is not None and wanted != record.get(key):
            plan.errors.append("%s: %s has %s %r; it cannot change after creation (the task asks for %r)"
                               % (option, params["identifier"], option, record.get(key), wanted))
    source = params.get("source")
    recorded = record.get(REPLICA_SOURCE_KEY)
    if source and recorded and not _source_matches(source, recorded):
        plan.errors.append("source: %s is a read replica of %s, not %s; a replica's source cannot change. Delete the replica and "
                           "create a new one" % (params["identifier"], recorded, source))
    elif source and not recorded:
        plan.warnings.append("source: %s is no longer a read replica of %s (it was promoted); source is ignored and the instance "
                             "is managed as a standalone one" % (params["identifier"], source))
    if recorded:
        plan.errors.extend("%s: %s is a read replica and inherits it from its source; remove it from the task" % (option, params["identifier"])
                           for option in ("db_name", "master_username", "master_user_password", "manage_master_user_password",
                                          "master_user_secret_kms_key_id") if params.get(option) is not None)


def _engine_version(params, record, effective_version, plan, lookup):
    decision = versions.compare(params.get("engine_version"), effective_version, params["allow_major_version_upgrade"])
    if decision["action"] == "drift":
        plan.warnings.append(decision["message"])
    elif decision["action"] == "refuse":
        plan.errors.append(decision["message"])
    elif decision["action"] in ("minor", "major"):
        target = decision["target"]
        if decision["action"] == "major":
            target = lookup.upgrade_target(target, record.get("EngineVersion"))
            if target is None:
                plan.errors.append("engine_version: RDS lists no upgrade path from %s to PostgreSQL %s in this region; see "
                                   "aws rds describe-db-engine-versions --engine postgres --engine-version %s"
                                   % (record.get("EngineVersion"), params["engine_version"], record.get("EngineVersion")))
                return
            plan.request["AllowMajorVersionUpgrade"] = True
            plan.announcements.append(
                "major version upgrade of %s from PostgreSQL %s to %s: the instance restarts (and its replicas are upgraded "
                "first), it cannot be undone" % (params["identifier"], effective_version, target))
        applies = MAINTENANCE_WINDOW if not params["apply_immediately"] else IMMEDIATELY
        plan.add("engine_version", effective_version, target, applies)
        plan.request["EngineVersion"] = target


def _storage(params, desired, effective, plan):
    wanted = dict((name, desired.get(name, effective.get(name))) for name in _STORAGE)
    if wanted["storage_type"] == "gp3" and (wanted.get("allocated_storage") or 0) < 400:
        # below 400 GiB gp3 reports its fixed baseline (3000 IOPS, 125 MiB/s), which cannot be set
        for name in ("iops", "storage_throughput"):
            if name not in desired:
                wanted[name] = None
    if wanted["storage_type"] == "gp2":
        for name in ("iops", "storage_throughput"):
            if name not in desired:
                wanted[name] = None
    now, limit = effective.get("allocated_storage"), effective.get("max_allocated_storage") or 0
    asked = desired.get("allocated_storage")
    if asked is not None and now is not None and asked < now:
        task_limit = desired.get("max_allocated_storage")
        autoscaling = task_limit > asked if task_limit is not None else limit > now
        if autoscaling and now <= max(limit, task_limit or 0):
            # storage autoscaling grew the instance above the task's allocated_storage: not a change
            desired.pop("allocated_storage")
            wanted["allocated_storage"] = now
    plan.errors.extend(storage_errors(wanted, current=effective))


def _settings(params, record, desired, effective, plan, lookup):
    apply_immediately = params["apply_immediately"]
    for field in FIELDS:
        if field.option not in desired:
            continue
        after, before = desired[field.option], effective.get(field.option)
        if after == before or (field.option == "max_allocated_storage" and before is None and after == effective.get("allocated_storage")):
            continue
        if field.option == "db_subnet_group_name":
            current_vpc = (record.get("DBSubnetGroup") or {}).get("VpcId")
            new_vpc = lookup.subnet_group_vpc(after)
            if new_vpc is None:
                plan.errors.append("db_subnet_group_name: DB subnet group %r does not exist in this region" % after)
                continue
            if current_vpc and new_vpc != current_vpc:
                plan.errors.append(
                    "db_subnet_group_name: %r is in %s but %s runs in %s; moving an instance to another VPC replaces its network "
                    "interfaces and is not done by this module. Restore a snapshot into a new instance in that VPC instead"
                    % (after, new_vpc, params["identifier"], current_vpc))
                continue
        if field.option == "enable_cloudwatch_logs_exports":
            plan.request[field.modify] = dict(EnableLogTypes=sorted(set(after) - set(before or [])),
                                              DisableLogTypes=sorted(set(before or []) - set(after)))
        else:
            plan.request[field.modify] = after
        if field.option == "db_parameter_group_name":
            plan.parameter_group_changed = True
        plan.add(field.option, before, after, applies_when(field, before, after, apply_immediately))
    if "monitoring_interval" in plan.request and desired.get("monitoring_interval") and "MonitoringRoleArn" not in plan.request:
        plan.request["MonitoringRoleArn"] = desired.get("monitoring_role_arn") or effective.get("monitoring_role_arn")


def _performance_insights(desired, current, plan, lookup):
    wanted = desired.get("performance_insights")
    if wanted is None:
        return
    now = current["performance_insights"]
    if not wanted["enabled"]:
        if now["enabled"]:
            plan.request["EnablePerformanceInsights"] = False
            plan.add("performance_insights.enabled", True, False, IMMEDIATELY)
        return
    changed = False
    if not now["enabled"]:
        plan.add("performance_insights.enabled", False, True, IMMEDIATELY)
        changed = True
    for name, _read, member in PERFORMANCE_INSIGHTS[1:]:
        if name not in wanted:
            continue
        if name == "kms_key_id" and now["enabled"]:
            if not lookup.same_key(wanted[name], now.get(name)):
                plan.errors.append("performance_insights.kms_key_id: Performance Insights of this instance encrypts with %s; RDS "
                                   "cannot change that key once set (the task asks for %s)"
                                   % (now.get(name) or "the aws/rds key", wanted[name]))
            continue
        if name != "kms_key_id" and wanted[name] == now.get(name):
            continue
        plan.request[member] = wanted[name]
        plan.add("performance_insights.%s" % name, now.get(name), wanted[name], IMMEDIATELY)
        changed = True
    if changed:
        plan.request["EnablePerformanceInsights"] = True


def _master_password(params, current, plan, lookup):
    manage = params.get("manage_master_user_password")
    password = params.get("master_user_password")
    managed_now = current["manage_master_user_password"]
    if manage is True:
        key = params.get("master_user_secret_kms_key_id")
        if not managed_now:
            plan.request["ManageMasterUserPassword"] = True
            plan.add("manage_master_user_password", False, True, IMMEDIATELY)
            if key:
                plan.request["MasterUserSecretKmsKeyId"] = key
        elif key and not lookup.same_key(key, current["master_user_secret_kms_key_id"]):
            plan.request.update(ManageMasterUserPassword=True, MasterUserSecretKmsKeyId=key)
            plan.add("master_user_secret_kms_key_id", current["master_user_secret_kms_key_id"], key, IMMEDIATELY)
        return
    if manage is False and managed_now:
        if password is None:
            plan.errors.append("manage_master_user_password: turning the managed master password off needs the new password; "
                               "give master_user_password as well")
            return
        plan.request.update(ManageMasterUserPassword=False, MasterUserPassword=password)
        plan.add("manage_master_user_password", True, False, IMMEDIATELY)
        plan.add("master_user_password", None, None, IMMEDIATELY, secret=True)
        return
    if password is not None and params["update_password"] == "always":
        if managed_now:
            plan.errors.append("master_user_password: the master password of %s is managed in Secrets Manager; set "
                               "manage_master_user_password=false as well to take it back" % params["identifier"])
            return
        plan.request["MasterUserPassword"] = password
        plan.add("master_user_password", None, None, IMMEDIATELY, secret=True)


def flush_pending(params, desired, pending, plan):
    """With apply_immediately, send the pending values the task declares again so that they apply now."""
    if not params["apply_immediately"]:
        return
    for option, value in sorted(pending.items()):
        field = BY_OPTION.get(option)
        if field is None or option not in desired or desired[option] != value or field.modify in plan.request:
            continue
        plan.request[field.modify] = value
        plan.add(option, "%s (pending)" % (value,), value, IMMEDIATELY)
    if "engine_version" in pending and params.get("engine_version") and "EngineVersion" not in plan.request and \
            versions.compare(params["engine_version"], pending["engine_version"], True)["action"] == "none":
        plan.request["EngineVersion"] = pending["engine_version"]
        plan.add("engine_version", "%s (pending)" % pending["engine_version"], pending["engine_version"], IMMEDIATELY)


def effective_settings(record):
    """The settings of ``record`` with the values waiting in PendingModifiedValues applied."""
    current = read_settings(record)
    effective = dict(current)
    pending = pending_settings(record)
    effective.update(dict((key, value) for key, value in pending.items() if key in current))
    effective["engine_version"] = pending.get("engine_version", record.get("EngineVersion"))
    return current, effective, pending


def plan_modify(params, record, lookup):
    """The ``Plan`` converging the existing instance ``record`` to the task's settings."""
    plan = Plan()
    desired = desired_settings(params)
    current, effective, pending = effective_settings(record)
    _identity_errors(params, record, plan, lookup)
    _engine_version(params, record, effective["engine_version"], plan, lookup)
    _storage(params, desired, effective, plan)
    _settings(params, record, desired, effective, plan, lookup)
    _performance_insights(desired, current, plan, lookup)
    _master_password(params, current, plan, lookup)
    flush_pending(params, desired, pending, plan)
    if plan.request:
        plan.request["ApplyImmediately"] = params["apply_immediately"]
    tags_now = boto3_tag_list_to_dict(record.get("TagList"))
    plan.tags_to_set, plan.tags_to_remove = compare_tags(tags_now, params.get("tags"), params["purge_tags"])
    return plan


def settings_after(record, plan):
    """The settings (by option) once ``plan`` is applied, for the diff and check mode results."""
    _current, effective, _pending = effective_settings(record)
    after = dict(effective)
    after["performance_insights"] = dict(effective["performance_insights"])
    for change in plan.changes:
        option = change["option"]
        if option.startswith("performance_insights."):
            after["performance_insights"][option.split(".", 1)[1]] = change["after"]
        elif option != "master_user_password":
            after[option] = change["after"]
    return after
