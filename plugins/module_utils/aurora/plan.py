# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cluster-level plan: the CreateDBCluster request, or the ModifyDBCluster request and the
changes it makes, and the changes AWS cannot make (refused with an explanation)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import dict_to_boto3_tag_list
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora import versions
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora.api import ENGINE

# option -> (request member, normalized cluster field); compared and sent as they are
SIMPLE = (
    ("db_cluster_parameter_group_name", "DBClusterParameterGroupName", "db_cluster_parameter_group_name"),
    ("iam_database_authentication", "EnableIAMDatabaseAuthentication", "iam_database_authentication"),
    ("backup_retention_period", "BackupRetentionPeriod", "backup_retention_period"),
    ("preferred_backup_window", "PreferredBackupWindow", "preferred_backup_window"),
    ("preferred_maintenance_window", "PreferredMaintenanceWindow", "preferred_maintenance_window"),
    ("deletion_protection", "DeletionProtection", "deletion_protection"),
    ("copy_tags_to_snapshot", "CopyTagsToSnapshot", "copy_tags_to_snapshot"),
)


def _scaling_request(scaling):
    return dict(MinCapacity=float(scaling["min_capacity"]), MaxCapacity=float(scaling["max_capacity"]))


def create_request(params, engine_version, secondary):
    """The CreateDBCluster request (``secondary``: joins a global database that has a primary)."""
    request = dict(
        DBClusterIdentifier=params["identifier"],
        Engine=ENGINE,
        EngineVersion=engine_version,
        StorageEncrypted=params["storage_encrypted"],
        Tags=dict_to_boto3_tag_list(params.get("tags")),
    )
    if params.get("kms_key_id"):
        request["KmsKeyId"] = params["kms_key_id"]
    for option, member, _field in SIMPLE:
        if params.get(option) is not None:
            request[member] = params[option]
    if params.get("db_subnet_group_name"):
        request["DBSubnetGroupName"] = params["db_subnet_group_name"]
    if params.get("vpc_security_group_ids") is not None:
        request["VpcSecurityGroupIds"] = list(params["vpc_security_group_ids"])
    if params.get("cloudwatch_logs_exports"):
        request["EnableCloudwatchLogsExports"] = list(params["cloudwatch_logs_exports"])
    if params.get("serverless_v2_scaling"):
        request["ServerlessV2ScalingConfiguration"] = _scaling_request(params["serverless_v2_scaling"])
    if params.get("global_cluster_identifier"):
        request["GlobalClusterIdentifier"] = params["global_cluster_identifier"]
    if not secondary:
        request["MasterUsername"] = params["master_username"]
        if params.get("database_name"):
            request["DatabaseName"] = params["database_name"]
        if params.get("manage_master_user_password"):
            request["ManageMasterUserPassword"] = True
            if params.get("master_user_secret_kms_key_id"):
                request["MasterUserSecretKmsKeyId"] = params["master_user_secret_kms_key_id"]
        else:
            request["MasterUserPassword"] = params["master_user_password"]
    return request


def create_errors(params, secondary):
    errors = []
    if secondary:
        if params.get("master_user_password"):
            errors.append("master_user_password: a secondary cluster of a global database has no master credentials of "
                          "its own (it uses the primary's); remove master_user_password")
        return errors
    if not params.get("master_username"):
        errors.append("master_username: required to create cluster %s" % params["identifier"])
    if not params.get("manage_master_user_password") and not params.get("master_user_password"):
        errors.append("master_user_password: required to create cluster %s unless manage_master_user_password=true"
                      % params["identifier"])
    return errors


def _same_key(current, desired):
    """Whether key ``desired`` (ARN or key id, resolved by the caller when an alias) is ``current`` (an ARN)."""
    if not desired:
        return True
    if not current:
        return False
    return current == desired or current.endswith("/" + desired)


def _immutable_errors(params, current, secondary):
    errors = []
    identifier = current["identifier"]
    if params["storage_encrypted"] != current["storage_encrypted"]:
        errors.append(
            "storage_encrypted: cluster %s is %s; encryption cannot be changed on an existing cluster. Take a snapshot, "
            "restore it into a new cluster with the encryption you want, then switch over"
            % (identifier, "encrypted" if current["storage_encrypted"] else "not encrypted"))
    elif params.get("kms_key_id") and current["storage_encrypted"] and not _same_key(current["kms_key_id"], params["kms_key_id"]):
        errors.append("kms_key_id: cluster %s is encrypted with %s; the key of an existing cluster cannot change (restore a "
                      "snapshot copy re-encrypted with %s into a new cluster)" % (identifier, current["kms_key_id"], params["kms_key_id"]))
    if not secondary:
        for option in ("database_name", "master_username"):
            wanted = params.get(option)
            if wanted is not None and current.get(option) is not None and wanted != current[option]:
                errors.append("%s: cluster %s has %s %r; it cannot be changed after creation (the task asks for %r)"
                              % (option, identifier, option, current[option], wanted))
    group = params.get("db_subnet_group_name")
    if group and current["db_subnet_group_name"] and group.lower() != current["db_subnet_group_name"].lower():
        errors.append("db_subnet_group_name: cluster %s is in subnet group %s; moving an existing cluster to %s is not "
                      "supported (restore a snapshot into a new cluster in that subnet group)"
                      % (identifier, current["db_subnet_group_name"], group))
    return errors


def _version_plan(params, current, request, changes, errors):
    kind, target = versions.version_change(current["engine_version"], params.get("engine_version"))
    if kind == "downgrade":
        errors.append("engine_version: cluster %s runs %s; it cannot go back to %s (restore into a new cluster instead)"
                      % (current["identifier"], current["engine_version"], params["engine_version"]))
    elif kind == "major" and not params.get("allow_major_version_upgrade"):
        errors.append("engine_version: upgrading cluster %s from %s to major version %s needs allow_major_version_upgrade=true "
                      "(a major upgrade restarts the cluster and cannot be undone)"
                      % (current["identifier"], current["engine_version"], versions.major(target)))
    elif kind:
        request["EngineVersion"] = target
        if kind == "major":
            request["AllowMajorVersionUpgrade"] = True
        changes["engine_version"] = (current["engine_version"], target)


def _password_plan(params, current, request, changes, errors):
    managed = params.get("manage_master_user_password")
    if managed and not current["manage_master_user_password"]:
        request["ManageMasterUserPassword"] = True
        changes["manage_master_user_password"] = (False, True)
    elif managed is False and current["manage_master_user_password"]:
        if not params.get("master_user_password"):
            errors.append("master_user_password: required to stop managing the master password of cluster %s in Secrets "
                          "Manager (manage_master_user_password=false)" % current["identifier"])
        request["ManageMasterUserPassword"] = False
        changes["manage_master_user_password"] = (True, False)
    secret_key = params.get("master_user_secret_kms_key_id")
    if secret_key and (managed or (managed is None and current["manage_master_user_password"])) \
            and current["manage_master_user_password"] and not _same_key(current["master_user_secret_kms_key_id"], secret_key):
        request["ManageMasterUserPassword"] = True
        changes["master_user_secret_kms_key_id"] = (current["master_user_secret_kms_key_id"], secret_key)
    if request.get("ManageMasterUserPassword") and secret_key:
        request["MasterUserSecretKmsKeyId"] = secret_key
    password = params.get("master_user_password")
    if password and (request.get("ManageMasterUserPassword") is False
                     or (params.get("update_password") == "always" and not current["manage_master_user_password"])):
        request["MasterUserPassword"] = password
        changes["master_user_password"] = ("(hidden)", "(changed)")


def modify_plan(params, current, secondary):
    """``(request or None, changes {field: (before, after)}, errors)`` for an existing cluster."""
    request, changes, errors = {}, {}, _immutable_errors(params, current, secondary)
    _version_plan(params, current, request, changes, errors)
    for option, member, field in SIMPLE:
        wanted = params.get(option)
        if wanted is None:
            continue
        now = current.get(field)
        same = wanted.lower() == (now or "").lower() if isinstance(wanted, str) else wanted == now
        if not same:
            request[member] = wanted
            changes[option] = (now, wanted)
    groups = params.get("vpc_security_group_ids")
    if groups is not None and sorted(groups) != current["vpc_security_group_ids"]:
        request["VpcSecurityGroupIds"] = list(groups)
        changes["vpc_security_group_ids"] = (current["vpc_security_group_ids"], sorted(groups))
    logs = params.get("cloudwatch_logs_exports")
    if logs is not None and sorted(set(logs)) != current["cloudwatch_logs_exports"]:
        request["CloudwatchLogsExportConfiguration"] = dict(
            EnableLogTypes=sorted(set(logs) - set(current["cloudwatch_logs_exports"])),
            DisableLogTypes=sorted(set(current["cloudwatch_logs_exports"]) - set(logs)))
        changes["cloudwatch_logs_exports"] = (current["cloudwatch_logs_exports"], sorted(set(logs)))
    scaling = params.get("serverless_v2_scaling")
    if scaling and scaling != current["serverless_v2_scaling"]:
        request["ServerlessV2ScalingConfiguration"] = _scaling_request(scaling)
        wanted = dict(min_capacity=float(scaling["min_capacity"]), max_capacity=float(scaling["max_capacity"]))
        changes["serverless_v2_scaling"] = (current["serverless_v2_scaling"], wanted)
    if not secondary:
        _password_plan(params, current, request, changes, errors)
    if not request:
        return None, changes, errors
    request["DBClusterIdentifier"] = current["identifier"]
    request["ApplyImmediately"] = bool(params.get("apply_immediately"))
    return request, changes, errors


def predicted_cluster(current, changes, tags):
    """The cluster after the changes (for check mode and the diff)."""
    after = dict(current)
    for field, (_before, value) in changes.items():
        if field in ("master_user_password",):
            continue
        after[field] = value
    after["tags"] = tags
    return after
