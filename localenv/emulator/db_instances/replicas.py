"""Read replicas as real streaming standbys (same region or cross-region, same account).

CreateDBInstanceReadReplica keeps moto's bookkeeping (the replica is a copy of its source's model;
``ReadReplicaSourceDBInstanceIdentifier`` / ``ReadReplicaDBInstanceIdentifiers``, ARNs across
regions) and fixes what RDS does differently:

- the replica's server is a hot standby of the source's (``PostgresFleet.create_replica``);
- a cross-region replica uses the given DB parameter group of its own region or that region's
  default group (moto wanted a same-named group there), and its own region's default VPC security
  group and no subnet group unless given;
- the replica does not share the source's managed master user secret (deleting the replica must
  not delete the source's secret); its master user and password are the source's, in the data;
- Multi-AZ, deletion protection and Performance Insights come from the request, not the source;
  automated backups are off (BackupRetentionPeriod 0) until promotion;
- the identifier must be new (moto overwrote an existing instance), the source must be
  available and have automated backups, and a given parameter group must exist.

PromoteReadReplica (status ``modifying`` for ``transitions.modifying`` seconds) runs
``pg_promote``, detaches the replica on both sides, applies BackupRetentionPeriod (default 1) and
takes an automated backup. Deleting a source promotes its replicas first (RDS: "If you delete a
source DB instance without deleting its read replicas in the same AWS Region, each read replica
is promoted to a standalone DB instance"). A source with replicas and a replica cannot be stopped.
"""

import secrets

from moto.ec2.models import ec2_backends
from moto.core.utils import utcnow
from moto.rds.exceptions import (
    DBInstanceAlreadyExists,
    DBParameterGroupNotFoundError,
    InvalidParameterValue,
    RDSClientError,
)
from moto.rds.models import DBInstance, rds_backends

from localenv.emulator.db_instances import events, parameters, state

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

_originals = {}
env = {"context": None, "fleet": None, "helpers": None}


def _invalid_state(message):
    return RDSClientError("InvalidDBInstanceState", message)


def backend_of(database):
    return rds_backends[database.account_id][database.region]


def find(account_id, reference, default_region):
    """The DB instance named by an identifier or ARN (None when it is gone)."""
    region, identifier = default_region, reference
    if reference.startswith("arn:"):
        parts = reference.split(":")
        region, identifier = parts[3], parts[-1]
    try:
        return rds_backends[account_id][region].databases.get(identifier.lower())
    except KeyError:
        return None


def _remove_replica(self, replica):
    """moto's remove_replica, also for cross-region replicas (listed by ARN)."""
    for reference in (replica.db_instance_identifier, replica.db_instance_arn):
        if reference in self.replicas:
            self.replicas.remove(reference)


def _validate(self, db_kwargs):
    identifier = db_kwargs["db_instance_identifier"].lower()
    if identifier in self.databases:
        raise DBInstanceAlreadyExists()
    source = self.find_db_from_id(db_kwargs["source_db_instance_identifier"])
    if source.engine != "postgres" or source.db_cluster_identifier:
        return source
    if source.account_id != self.account_id:
        raise InvalidParameterValue("Cross-account read replicas are not supported by the local environment.")
    current = state.status(source)
    if current != "available":
        raise _invalid_state(
            "Cannot create a read replica of DB instance %s: it is %s, not available." % (source.db_instance_identifier, current)
        )
    if not int(source.backup_retention_period or 0):
        raise _invalid_state(
            "Automated backups are not enabled for this database instance. To enable automated backups, use "
            "ModifyDBInstance to set the backup retention period to a non-zero value."
        )
    group = db_kwargs.get("db_parameter_group_name")
    if group and not group.startswith("default.") and group not in self.db_parameter_groups:
        raise DBParameterGroupNotFoundError(group)
    return source


def _fix_copy(self, replica, source, db_kwargs):
    """Undo what moto's copy of the source got wrong for a replica."""
    cross_region = source.region != self.region_name
    replica.db_parameter_group_name = db_kwargs.get("db_parameter_group_name") or (
        None if cross_region else source.db_parameter_group_name
    )
    if cross_region:
        if not db_kwargs.get("db_subnet_group_name"):
            replica.__dict__["_db_subnet_group_name"] = None
            replica.__dict__.pop("db_subnet_group", None)
        if not db_kwargs.get("vpc_security_group_ids"):
            ec2 = ec2_backends[self.account_id][self.region_name]
            replica.vpc_security_group_ids = [ec2.get_default_security_group(ec2.default_vpc.id).id]
        replica.availability_zone = db_kwargs.get("availability_zone") or "%sa" % self.region_name
    replica.__dict__.pop("master_user_secret", None)
    replica.manage_master_user_password = False
    replica.multi_az = bool(db_kwargs.get("multi_az"))
    replica.deletion_protection = bool(db_kwargs.get("deletion_protection"))
    replica.backup_retention_period = 0
    replica.status = "available"
    replica.dbi_resource_id = "db-" + "".join(secrets.choice(_BASE32) for _position in range(26))
    replica.vpc_security_group_ids = list(replica.vpc_security_group_ids)
    replica.db_security_groups = list(replica.db_security_groups)
    replica.enabled_cloudwatch_logs_exports = list(db_kwargs.get("enable_cloudwatch_logs_exports") or [])
    if not db_kwargs.get("tags"):
        replica.tags = []
    env["helpers"]["fill_gaps"](replica, db_kwargs)


def create_db_instance_read_replica(self, db_kwargs):
    helpers = env["helpers"]
    with env["context"].lock:
        source = _validate(self, db_kwargs)
        if source.region != self.region_name:
            # moto sets the backend from the ARN; it must come first so that setters use this region
            db_kwargs = {"backend": self, **db_kwargs}
        replica = _originals["create_db_instance_read_replica"](self, db_kwargs)
        replica.created = replica.instance_create_time = utcnow()
        if not helpers["wants_server"](source) or not state.get(source).has_server:
            return replica
        _fix_copy(self, replica, source, db_kwargs)
        st = state.get(replica)
        try:
            _address, port = env["fleet"].create_replica(
                helpers["key_of"](replica),
                helpers["key_of"](source),
                parameters=parameters.user_parameters(replica),
                instance_class=replica.db_instance_class,
                allocated_storage=replica.allocated_storage,
            )
        except Exception as error:
            self.databases.pop(replica.db_instance_identifier, None)
            _remove_replica(source, replica)
            if isinstance(error, ValueError):
                raise InvalidParameterValue(str(error)) from error
            raise
        replica.port = port
        st.has_server = True
        events.record(replica, "DB_INSTANCE_REPLICA_CREATED")
        state.begin(replica, "creating", env["context"].transitions.creating)
        return replica


def promote(database, backup_retention_period=None, preferred_backup_window=None):
    """Make ``database`` a standalone instance: server promoted, detached on both sides."""
    helpers = env["helpers"]
    if state.get(database).has_server:
        env["fleet"].promote(helpers["key_of"](database))
    source = find(database.account_id, database.source_db_instance_identifier or "", database.region)
    if source is not None:
        _remove_replica(source, database)
    database.is_replica = False
    database.source_db_instance_identifier = None
    database.backup_retention_period = 1 if backup_retention_period is None else int(backup_retention_period)
    if preferred_backup_window:
        database.preferred_backup_window = preferred_backup_window
    events.record(database, "DB_INSTANCE_REPLICA_PROMOTED")
    if database.backup_retention_period and state.get(database).has_server:
        database.save_automated_backup()


def promote_read_replica(self, db_kwargs):
    with env["context"].lock:
        identifier = db_kwargs["db_instance_identifier"]
        database = self.describe_db_instances(identifier)[0]
        if not database.is_replica:
            raise _invalid_state("DB instance %s is not a read replica." % database.db_instance_identifier)
        current = state.status(database)
        if current != "available":
            raise _invalid_state(
                "Cannot promote DB instance %s: it is %s, not available." % (database.db_instance_identifier, current)
            )
        retention = db_kwargs.get("backup_retention_period")
        if retention is not None and not 0 <= int(retention) <= 35:
            raise InvalidParameterValue("Invalid backup retention period %s: must be a value from 0 to 35." % retention)
        promote(database, retention, db_kwargs.get("preferred_backup_window"))
        state.begin(database, "modifying", env["context"].transitions.modifying)
        return database


def promote_replicas_of(database):
    """Before a source is deleted: promote each of its replicas (in any region)."""
    for reference in list(database.replicas):
        replica = find(database.account_id, reference, database.region)
        if replica is not None:
            promote(replica)
        elif reference in database.replicas:
            database.replicas.remove(reference)


def require_stoppable(database):
    if database.is_replica:
        raise _invalid_state("Cannot stop DB instance %s: it is a read replica." % database.db_instance_identifier)
    if database.replicas:
        raise _invalid_state(
            "Cannot stop DB instance %s: it has read replicas (%s)."
            % (database.db_instance_identifier, ", ".join(database.replicas))
        )


def follow_rename(database, old_identifier):
    """Keep both sides' references right when a source or a replica is renamed."""
    old_arn = database.db_instance_arn.rsplit(":", 1)[0] + ":" + old_identifier
    for reference in list(database.replicas):
        replica = find(database.account_id, reference, database.region)
        if replica is None:
            continue
        replica.source_db_instance_identifier = (
            database.db_instance_arn if replica.region != database.region else database.db_instance_identifier
        )
    if database.is_replica and database.source_db_instance_identifier:
        source = find(database.account_id, database.source_db_instance_identifier, database.region)
        if source is not None:
            for position, reference in enumerate(source.replicas):
                if reference in (old_identifier, old_arn):
                    source.replicas[position] = (
                        database.db_instance_arn if source.region != database.region else database.db_instance_identifier
                    )


def install(context, fleet, helpers, backend_class):
    env.update(context=context, fleet=fleet, helpers=helpers)
    for name in ("create_db_instance_read_replica", "promote_read_replica"):
        if name not in _originals:
            _originals[name] = getattr(backend_class, name)
    backend_class.create_db_instance_read_replica = create_db_instance_read_replica
    backend_class.promote_read_replica = promote_read_replica
    DBInstance.remove_replica = _remove_replica
