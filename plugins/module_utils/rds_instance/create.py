# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The request that brings a new instance into being: CreateDBInstance, CreateDBInstanceReadReplica,
RestoreDBInstanceFromDBSnapshot or RestoreDBInstanceToPointInTime.

``plan_create`` checks what must hold before anything is created (required options, storage,
the class offered, the replica's source or the snapshot and their encryption) and returns a
``Creation``. Settings an operation does not accept are applied by a ModifyDBInstance right
after the instance is available (the converger plans it against the new instance).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import dict_to_boto3_tag_list, normalize_tags
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance import versions
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.desired import desired_settings
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.fields import FIELDS, PERFORMANCE_INSIGHTS
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.storage import storage_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.validation import source_region_of

DEFAULT_STORAGE_TYPE = "gp3"
OPERATIONS = {
    "create": "CreateDBInstance",
    "replica": "CreateDBInstanceReadReplica",
    "snapshot": "RestoreDBInstanceFromDBSnapshot",
    "point_in_time": "RestoreDBInstanceToPointInTime",
}


class Creation(object):
    def __init__(self, kind):
        self.kind = kind
        self.operation = OPERATIONS[kind]
        self.request = {}
        self.errors = []
        self.description = None
        self.settings = {}


def kind_of(params):
    if params.get("source"):
        return "replica"
    if params.get("restore"):
        return params["restore"]["source"]
    return "create"


def settings_request(params, desired):
    """Every setting of the task as CreateDBInstance members (the operations share these names)."""
    request = {}
    for field in FIELDS:
        if field.option in desired:
            request[field.create] = desired[field.option]
    if request.get("MaxAllocatedStorage") is not None and request["MaxAllocatedStorage"] == request.get("AllocatedStorage"):
        del request["MaxAllocatedStorage"]  # autoscaling off: RDS wants the member left out on create
    insights = desired.get("performance_insights")
    if insights:
        request["EnablePerformanceInsights"] = insights["enabled"]
        if insights["enabled"]:
            for name, _read, member in PERFORMANCE_INSIGHTS[1:]:
                if insights.get(name) is not None:
                    request[member] = insights[name]
    if params.get("tags"):
        request["Tags"] = dict_to_boto3_tag_list(normalize_tags(params["tags"]))
    return request


def _check_encryption(params, encrypted, what, creation):
    if bool(encrypted) != params["storage_encrypted"]:
        creation.errors.append(
            "storage_encrypted: %s is %s and the new instance inherits that; set storage_encrypted=%s, or %s"
            % (what, "encrypted" if encrypted else "not encrypted", "true" if encrypted else "false",
               "copy it with a KMS key first (innovate.aws_postgres.rds_snapshot)" if not encrypted else "keep it encrypted"))
        return False
    return True


def _plain(params, creation, lookup):
    missing = [name for name in ("instance_class", "allocated_storage", "master_username") if params.get(name) is None]
    if not params.get("manage_master_user_password") and params.get("master_user_password") is None:
        missing.append("manage_master_user_password=true (recommended) or master_user_password")
    if missing:
        creation.errors.append("%s: required to create %s" % (", ".join(missing), params["identifier"]))
    version = params.get("engine_version")
    if version and versions.is_major_only(version):
        resolved = lookup.default_version(version)
        if resolved is None:
            creation.errors.append("engine_version: RDS offers no PostgreSQL %s in this region" % version)
        version = resolved
    creation.request.update(
        Engine="postgres", EngineVersion=version, DBName=params.get("db_name"), MasterUsername=params.get("master_username"),
        StorageEncrypted=params["storage_encrypted"], KmsKeyId=params.get("kms_key_id"),
    )
    if params.get("manage_master_user_password"):
        creation.request.update(ManageMasterUserPassword=True, MasterUserSecretKmsKeyId=params.get("master_user_secret_kms_key_id"))
    else:
        creation.request["MasterUserPassword"] = params.get("master_user_password")
    creation.request.setdefault("StorageType", DEFAULT_STORAGE_TYPE)
    creation.description = "created"
    return version


def _replica(params, creation, lookup):
    source, region = params["source"], source_region_of(params)
    cross_region = region != params.get("region")
    record = lookup.source_record(source, region)
    if record is None:
        creation.errors.append("source: there is no DB instance %s in %s to replicate" % (source, region))
        return None
    if record.get("Engine") != "postgres":
        creation.errors.append("source: %s runs %s; this module creates PostgreSQL replicas only" % (source, record.get("Engine")))
    if record.get("BackupRetentionPeriod") == 0:
        creation.errors.append("source: %s has automated backups off (backup_retention_period 0); PostgreSQL read replicas need "
                               "them on the source" % source)
    encrypted = bool(record.get("StorageEncrypted"))
    consistent = _check_encryption(params, encrypted, "the source %s" % source, creation)
    if consistent and encrypted and cross_region and not params.get("kms_key_id"):
        creation.errors.append("kms_key_id: required for a cross-region replica of the encrypted %s; give the key of %s that "
                               "encrypts the replica" % (source, params.get("region")))
    creation.request.update(SourceDBInstanceIdentifier=record.get("DBInstanceArn") if cross_region else source,
                            KmsKeyId=params.get("kms_key_id"))
    if cross_region:
        creation.request["SourceRegion"] = region
    creation.description = "read replica of %s" % source
    return record.get("EngineVersion")


def _restore(params, creation, lookup):
    restore = params["restore"]
    if creation.kind == "snapshot":
        snapshot = lookup.snapshot(restore["snapshot_identifier"])
        if snapshot is None:
            creation.errors.append("restore.snapshot_identifier: there is no DB snapshot %s" % restore["snapshot_identifier"])
            return None
        what, encrypted, key = "snapshot %s" % restore["snapshot_identifier"], snapshot.get("Encrypted"), snapshot.get("KmsKeyId")
        creation.request.update(DBSnapshotIdentifier=restore["snapshot_identifier"])
        creation.description = "restored from snapshot %s" % restore["snapshot_identifier"]
        version, engine, username = snapshot.get("EngineVersion"), snapshot.get("Engine"), snapshot.get("MasterUsername")
    else:
        source = restore["source_db_instance_identifier"]
        record = lookup.source_record(source, params.get("region"))
        if record is None:
            creation.errors.append("restore.source_db_instance_identifier: there is no DB instance %s to restore from" % source)
            return None
        what, encrypted, key = "the source %s" % source, record.get("StorageEncrypted"), record.get("KmsKeyId")
        creation.request.update(SourceDBInstanceIdentifier=source, TargetDBInstanceIdentifier=params["identifier"],
                                RestoreTime=restore.get("restore_time"),
                                UseLatestRestorableTime=True if restore.get("use_latest_restorable_time") else None)
        creation.description = "restored from %s to %s" % (source, restore.get("restore_time") or "the latest restorable time")
        version, engine, username = record.get("EngineVersion"), record.get("Engine"), record.get("MasterUsername")
    if engine and engine != "postgres":
        creation.errors.append("restore: %s is %s, not postgres" % (what, engine))
    consistent = _check_encryption(params, encrypted, what, creation)
    if consistent and encrypted and params.get("kms_key_id") and not lookup.same_key(params["kms_key_id"], key):
        creation.errors.append("kms_key_id: %s is encrypted with %s and a restore keeps that key; copy the snapshot with %s first "
                               "(innovate.aws_postgres.rds_snapshot) and restore the copy" % (what, key, params["kms_key_id"]))
    if params.get("master_username") and username and params["master_username"] != username:
        creation.errors.append("master_username: %s has master user %r; a restore keeps it (the task asks for %r)"
                               % (what, username, params["master_username"]))
    creation.request["Engine"] = "postgres"
    if params.get("manage_master_user_password"):
        creation.request.update(ManageMasterUserPassword=True, MasterUserSecretKmsKeyId=params.get("master_user_secret_kms_key_id"))
    elif params.get("master_user_password") is not None:
        creation.request["MasterUserPassword"] = params["master_user_password"]
    return version


def plan_create(params, lookup):
    """The ``Creation`` for the task (with ``errors`` when it cannot be created as asked)."""
    creation = Creation(kind_of(params))
    desired = desired_settings(params)
    creation.request.update(settings_request(params, desired))
    if creation.kind == "create":
        version = _plain(params, creation, lookup)
    elif creation.kind == "replica":
        version = _replica(params, creation, lookup)
    else:
        version = _restore(params, creation, lookup)
    if creation.kind != "point_in_time":
        creation.request["DBInstanceIdentifier"] = params["identifier"]
    storage = ("allocated_storage", "max_allocated_storage", "storage_type", "iops", "storage_throughput")
    wanted = dict((name, desired.get(name)) for name in storage)
    wanted["storage_type"] = wanted["storage_type"] or DEFAULT_STORAGE_TYPE
    if creation.kind == "create" or wanted["allocated_storage"] is not None:
        creation.errors.extend(storage_errors(wanted))
    if params.get("instance_class") and not creation.errors and not lookup.class_offered(params["instance_class"], version):
        creation.errors.append("instance_class: %s is not offered for PostgreSQL %s in %s (DescribeOrderableDBInstanceOptions lists "
                               "no such combination); choose another class, for example db.t4g.medium, db.m7g.large or db.r6g.large"
                               % (params["instance_class"], version or "(default version)", params.get("region")))
    creation.request = dict((key, value) for key, value in creation.request.items() if value is not None)
    creation.settings = dict(desired, engine_version=version, storage_encrypted=params["storage_encrypted"],
                             kms_key_id=params.get("kms_key_id"), storage_type=wanted["storage_type"],
                             manage_master_user_password=bool(params.get("manage_master_user_password")),
                             tags=normalize_tags(params.get("tags")))
    return creation
