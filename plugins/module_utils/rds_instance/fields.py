# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The settings of a DB instance the module converges, with their names in the RDS API.

Each ``Field`` names the module option, how to read the current value from a DescribeDBInstances
record (``read``), the request member that sets it on create (``create``) and on modify
(``modify``), the member of ``PendingModifiedValues`` that shows it waiting for the maintenance
window (``pending``), and whether RDS defers a change to the maintenance window unless
``ApplyImmediately`` is set (``deferred``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

Field = collections.namedtuple("Field", ["option", "read", "create", "modify", "pending", "deferred"])


def _path(*keys):
    def read(record):
        value = record
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value
    return read


def _security_groups(record):
    groups = record.get("VpcSecurityGroups")
    if groups is None:
        return None
    return sorted(group["VpcSecurityGroupId"] for group in groups if group.get("Status") not in ("removing", "inactive"))


def _parameter_group(record):
    groups = record.get("DBParameterGroups") or []
    return groups[0]["DBParameterGroupName"] if groups else None


def _log_exports(record):
    return sorted(record.get("EnabledCloudwatchLogsExports") or [])


def _max_allocated_storage(record):
    # RDS leaves MaxAllocatedStorage out when storage autoscaling is off; the module uses
    # max_allocated_storage == allocated_storage for "off", as ModifyDBInstance does.
    value = record.get("MaxAllocatedStorage")
    return value if value is not None else record.get("AllocatedStorage")


def _publicly_accessible(record):
    return bool(record.get("PubliclyAccessible"))


def _maintenance_window(record):
    window = record.get("PreferredMaintenanceWindow")
    return window.lower() if window else window


def _port(record):
    return record.get("DbInstancePort") or _path("Endpoint", "Port")(record)


def _manage_master_user_password(record):
    return record.get("MasterUserSecret") is not None


FIELDS = (
    Field("instance_class", _path("DBInstanceClass"), "DBInstanceClass", "DBInstanceClass", "DBInstanceClass", True),
    Field("allocated_storage", _path("AllocatedStorage"), "AllocatedStorage", "AllocatedStorage", "AllocatedStorage", True),
    Field("max_allocated_storage", _max_allocated_storage, "MaxAllocatedStorage", "MaxAllocatedStorage", None, False),
    Field("storage_type", _path("StorageType"), "StorageType", "StorageType", "StorageType", True),
    Field("iops", _path("Iops"), "Iops", "Iops", "Iops", True),
    Field("storage_throughput", _path("StorageThroughput"), "StorageThroughput", "StorageThroughput", "StorageThroughput", True),
    Field("multi_az", _path("MultiAZ"), "MultiAZ", "MultiAZ", "MultiAZ", True),
    Field("db_subnet_group_name", _path("DBSubnetGroup", "DBSubnetGroupName"), "DBSubnetGroupName", "DBSubnetGroupName",
          "DBSubnetGroupName", True),
    Field("vpc_security_group_ids", _security_groups, "VpcSecurityGroupIds", "VpcSecurityGroupIds", None, False),
    Field("db_parameter_group_name", _parameter_group, "DBParameterGroupName", "DBParameterGroupName", None, False),
    Field("iam_database_authentication", _path("IAMDatabaseAuthenticationEnabled"), "EnableIAMDatabaseAuthentication",
          "EnableIAMDatabaseAuthentication", "IAMDatabaseAuthenticationEnabled", True),
    Field("monitoring_interval", _path("MonitoringInterval"), "MonitoringInterval", "MonitoringInterval", None, False),
    Field("monitoring_role_arn", _path("MonitoringRoleArn"), "MonitoringRoleArn", "MonitoringRoleArn", None, False),
    Field("enable_cloudwatch_logs_exports", _log_exports, "EnableCloudwatchLogsExports", "CloudwatchLogsExportConfiguration",
          None, False),
    Field("backup_retention_period", _path("BackupRetentionPeriod"), "BackupRetentionPeriod", "BackupRetentionPeriod",
          "BackupRetentionPeriod", False),
    Field("preferred_backup_window", _path("PreferredBackupWindow"), "PreferredBackupWindow", "PreferredBackupWindow", None, False),
    Field("preferred_maintenance_window", _maintenance_window, "PreferredMaintenanceWindow", "PreferredMaintenanceWindow", None, False),
    Field("auto_minor_version_upgrade", _path("AutoMinorVersionUpgrade"), "AutoMinorVersionUpgrade", "AutoMinorVersionUpgrade",
          None, False),
    Field("copy_tags_to_snapshot", _path("CopyTagsToSnapshot"), "CopyTagsToSnapshot", "CopyTagsToSnapshot", None, False),
    Field("deletion_protection", _path("DeletionProtection"), "DeletionProtection", "DeletionProtection", None, False),
    Field("publicly_accessible", _publicly_accessible, "PubliclyAccessible", "PubliclyAccessible", None, False),
    Field("port", _port, "Port", "DBPortNumber", "Port", False),
    Field("ca_certificate_identifier", _path("CACertificateIdentifier"), "CACertificateIdentifier", "CACertificateIdentifier",
          "CACertificateIdentifier", True),
)

# Performance Insights: (sub-option, reader, create/modify member)
PERFORMANCE_INSIGHTS = (
    ("enabled", lambda record: bool(record.get("PerformanceInsightsEnabled")), "EnablePerformanceInsights"),
    ("retention_days", _path("PerformanceInsightsRetentionPeriod"), "PerformanceInsightsRetentionPeriod"),
    ("kms_key_id", _path("PerformanceInsightsKMSKeyId"), "PerformanceInsightsKMSKeyId"),
)

BY_OPTION = dict((field.option, field) for field in FIELDS)


def read_settings(record):
    """The settings of a DescribeDBInstances record, by option name (engine version and keys apart)."""
    settings = dict((field.option, field.read(record)) for field in FIELDS)
    settings["performance_insights"] = dict((name, read(record)) for name, read, _member in PERFORMANCE_INSIGHTS)
    settings["manage_master_user_password"] = _manage_master_user_password(record)
    settings["master_user_secret_kms_key_id"] = _path("MasterUserSecret", "KmsKeyId")(record)
    return settings


def pending_settings(record):
    """The values waiting in PendingModifiedValues, by option name (plus engine_version)."""
    pending = record.get("PendingModifiedValues") or {}
    result = dict((field.option, pending[field.pending]) for field in FIELDS if field.pending and field.pending in pending)
    if "EngineVersion" in pending:
        result["engine_version"] = pending["EngineVersion"]
    return result
