"""Which ModifyDBInstance changes RDS defers to the maintenance window when ApplyImmediately is false.

The emulator has no maintenance window: deferred changes are shown in ``PendingModifiedValues`` and
applied by the next RebootDBInstance. Changes RDS applies at once whatever ApplyImmediately says
(deletion protection, backup retention between two non-zero values, windows, monitoring,
Performance Insights, log exports, storage autoscaling limit, parameter group name, security
groups, the master password) are applied at once here too.
"""

# ModifyDBInstance argument (moto's snake_case) -> PendingModifiedValues member
DEFERRED = {
    "db_instance_class": "DBInstanceClass",
    "allocated_storage": "AllocatedStorage",
    "engine_version": "EngineVersion",
    "multi_az": "MultiAZ",
    "iops": "Iops",
    "storage_type": "StorageType",
    "storage_throughput": "StorageThroughput",
    "new_db_instance_identifier": "DBInstanceIdentifier",
    "ca_certificate_identifier": "CACertificateIdentifier",
    "license_model": "LicenseModel",
    "enable_iam_database_authentication": "IAMDatabaseAuthenticationEnabled",
    "db_subnet_group_name": "DBSubnetGroupName",
    "backup_retention_period": "BackupRetentionPeriod",
}

_CURRENT = {
    "enable_iam_database_authentication": "enable_iam_database_authentication",
    "new_db_instance_identifier": "db_instance_identifier",
    "db_subnet_group_name": "_db_subnet_group_name",
}


def current_value(database, argument):
    return getattr(database, _CURRENT.get(argument, argument), None)


def _is_deferred(database, argument, value):
    if argument == "backup_retention_period":
        # Only switching backups on or off (0 <-> non-zero) causes an outage and waits.
        return (int(value) == 0) != (int(current_value(database, argument) or 0) == 0)
    return True


def split(database, db_kwargs):
    """Remove the deferred changes from ``db_kwargs``; return them as {argument: value}."""
    deferred = {}
    for argument in list(db_kwargs):
        if argument not in DEFERRED:
            continue
        value = db_kwargs[argument]
        if value is None:
            continue
        current = current_value(database, argument)
        if argument == "new_db_instance_identifier":
            value = value.lower()
        if current == value or (current is not None and str(current) == str(value)):
            del db_kwargs[argument]
            continue
        if _is_deferred(database, argument, value):
            deferred[argument] = value
            del db_kwargs[argument]
    return deferred


def render(pending, password_pending):
    """The PendingModifiedValues structure."""
    values = {DEFERRED[argument]: value for argument, value in pending.items()}
    if password_pending:
        values["MasterUserPassword"] = "****"
    return values
