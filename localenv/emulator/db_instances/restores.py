"""RestoreDBInstanceFromDBSnapshot and RestoreDBInstanceToPointInTime on real servers.

moto builds the new instance's model (settings of the snapshot's or source's instance, with the
request's overrides) and calls CreateDBInstance; while it does, a *plan* tells the patched
CreateDBInstance to start the server from the snapshot's base backup (``PostgresFleet.restore``)
or from the source's latest automated backup before the restore time plus its WAL archive
(``PostgresFleet.restore_to_time``) instead of from the empty template. The data and the master
user are the snapshot's (or the source's at that time); with ManageMasterUserPassword the new
secret's password is set on the server.

What differs from moto, as on RDS: the new instance is not a read replica; it gets the default DB
parameter group and the default VPC security group unless given; it is Single-AZ without
deletion protection unless MultiAZ / DeletionProtection say otherwise (moto ignored ``false``
overrides); a restore from a snapshot gets the snapshot's tags unless Tags are given.

Point in time: exactly one of RestoreTime and UseLatestRestorableTime; the source needs automated
backups (PointInTimeRestoreNotEnabled otherwise); RestoreTime must lie between the end of the
first automated backup and LatestRestorableTime (InvalidRestoreFault otherwise). Recovery stops
before the first transaction committed after RestoreTime (``recovery_target_time``).
"""

import datetime
import threading

from moto.ec2.models import ec2_backends
from moto.rds.exceptions import InvalidParameterCombination, RDSClientError

from localenv.emulator.db_instances import credentials, events, parameters, snapshots, state

_originals = {}
env = {"context": None, "fleet": None, "helpers": None}
_plans = threading.local()

# PointInTimeRestore copies the source model with deepcopy; these attributes must not be copied.
_NOT_COPIED = ("master_user_secret", "_localenv_state", "log_file_manager")


def current_plan():
    """The restore plan for the CreateDBInstance running in this thread (None: a plain create)."""
    return getattr(_plans, "plan", None)


def _run_with_plan(plan, call):
    _plans.plan = plan
    try:
        return call()
    finally:
        _plans.plan = None


def _as_utc(value):
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def _server_arguments(database):
    return {
        "parameters": parameters.user_parameters(database),
        "instance_class": database.db_instance_class,
        "allocated_storage": database.allocated_storage,
        "master_password": credentials.managed_password(database),
    }


def _fix_model(backend, database, overrides, snapshot=None):
    """What RDS gives a restored instance that moto's copy does not."""
    database.is_replica = False
    database.source_db_instance_identifier = None
    database.replicas = []
    database.multi_az = bool(overrides.get("multi_az"))
    database.deletion_protection = bool(overrides.get("deletion_protection"))
    database.db_parameter_group_name = overrides.get("db_parameter_group_name") or None
    if not overrides.get("vpc_security_group_ids"):
        ec2 = ec2_backends[backend.account_id][backend.region_name]
        database.vpc_security_group_ids = [ec2.get_default_security_group(ec2.default_vpc.id).id]
    if snapshot is not None and not overrides.get("tags"):
        database.tags = list(snapshot.tags or [])


def restore_db_instance_from_db_snapshot(self, from_snapshot_id, overrides):
    helpers = env["helpers"]
    with env["context"].lock:
        name = from_snapshot_id
        if name.startswith("arn:"):
            name = self.extract_snapshot_name_from_arn(name)
        snapshot = self.describe_db_snapshots(db_instance_identifier=None, db_snapshot_identifier=name)[0]
        backup = snapshots.backup_id(snapshot)
        if backup is not None and snapshot.status != "available":
            raise snapshots.invalid_state(
                "DB snapshot %s is not available (it is %s)." % (snapshot.db_snapshot_identifier, snapshot.status)
            )
        group = overrides.get("db_parameter_group_name")
        if group and not group.startswith("default.") and group not in self.db_parameter_groups:
            raise RDSClientError("DBParameterGroupNotFound", "DB Parameter Group %s not found." % group)

        def plan(database):
            _fix_model(self, database, overrides, snapshot)
            if backup is None:
                return None
            return env["fleet"].restore(helpers["key_of"](database), backup, **_server_arguments(database))

        database = _run_with_plan(
            plan, lambda: _originals["restore_db_instance_from_db_snapshot"](self, from_snapshot_id, overrides)
        )
        _fix_model(self, database, overrides, snapshot)
        events.record(database, "DB_INSTANCE_RESTORED_FROM_SNAPSHOT")
        return database


def _validate_point_in_time(source, overrides):
    restore_time = overrides.get("restore_time")
    latest = bool(overrides.get("use_latest_restorable_time"))
    if restore_time is not None and latest:
        raise InvalidParameterCombination("RestoreTime and UseLatestRestorableTime cannot both be specified.")
    if restore_time is None and not latest:
        raise InvalidParameterCombination("Either RestoreTime or UseLatestRestorableTime must be specified.")
    if not int(source.backup_retention_period or 0) or source.is_replica:
        raise RDSClientError(
            "PointInTimeRestoreNotEnabled",
            "SourceDBInstanceIdentifier %s refers to a DB instance with BackupRetentionPeriod equal to 0."
            % source.db_instance_identifier,
        )
    target = None if restore_time is None else _as_utc(restore_time)
    key = env["helpers"]["key_of"](source)
    env["fleet"].wait_for_backups(key)
    earliest = env["fleet"].earliest_restorable_time(key)
    newest = env["fleet"].latest_restorable_time(key)
    if earliest is None or newest is None:
        raise RDSClientError(
            "InvalidRestoreFault",
            "DB instance %s has no automated backup to restore from yet." % source.db_instance_identifier,
        )
    if target is not None and not earliest <= target <= newest:
        raise RDSClientError(
            "InvalidRestoreFault",
            "The restore time %s is outside the restorable window of DB instance %s (%s to %s)."
            % (target.isoformat(), source.db_instance_identifier, earliest.isoformat(), newest.isoformat()),
        )
    return target


def restore_db_instance_to_point_in_time(self, source_db_identifier, target_db_identifier, overrides):
    helpers = env["helpers"]
    with env["context"].lock:
        source = self.describe_db_instances(db_instance_identifier=source_db_identifier)[0]
        has_server = state.get(source).has_server
        target = _validate_point_in_time(source, overrides) if has_server else None
        group = overrides.get("db_parameter_group_name")
        if group and not group.startswith("default.") and group not in self.db_parameter_groups:
            raise RDSClientError("DBParameterGroupNotFound", "DB Parameter Group %s not found." % group)
        overrides = {key: value for key, value in overrides.items() if key != "source_db_instance_identifier"}

        def plan(database):
            _fix_model(self, database, overrides)
            if not has_server:
                return None
            return env["fleet"].restore_to_time(
                helpers["key_of"](database), helpers["key_of"](source), target, **_server_arguments(database)
            )

        hidden = {name: source.__dict__.pop(name) for name in _NOT_COPIED if name in source.__dict__}
        try:
            database = _run_with_plan(
                plan,
                lambda: _originals["restore_db_instance_to_point_in_time"](
                    self, source_db_identifier, target_db_identifier, overrides
                ),
            )
        finally:
            source.__dict__.update(hidden)
        _fix_model(self, database, overrides)
        events.record(database, "DB_INSTANCE_RESTORED_TO_POINT_IN_TIME")
        return database


BACKEND_PATCHES = {
    "restore_db_instance_from_db_snapshot": restore_db_instance_from_db_snapshot,
    "restore_db_instance_to_point_in_time": restore_db_instance_to_point_in_time,
}


def install(context, fleet, helpers, backend_class):
    env.update(context=context, fleet=fleet, helpers=helpers)
    if not _originals:
        for name in BACKEND_PATCHES:
            _originals[name] = getattr(backend_class, name)
    for name, function in BACKEND_PATCHES.items():
        setattr(backend_class, name, function)
