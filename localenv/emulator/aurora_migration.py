"""Aurora PostgreSQL read replica clusters of an RDS for PostgreSQL instance (the RDS -> Aurora migration path).

On RDS, ``CreateDBCluster`` with ``ReplicationSourceIdentifier`` = the ARN of an RDS for PostgreSQL DB
instance creates an Aurora cluster that replicates from the instance; once its writer has caught up,
``PromoteReadReplicaDBCluster`` makes it a standalone cluster. moto only knows cluster sources (it looks the
ARN up as a cluster and fails). Here:

- CreateDBCluster with an instance ARN (or identifier) as ``ReplicationSourceIdentifier``: the source must be
  an RDS for PostgreSQL instance of the same account and region, ``available``, with automated backups and a
  running server, and the cluster's engine major version must be the source's. MasterUsername, its password,
  ManageMasterUserPassword and DatabaseName are refused (the cluster has the source's, in its data). The
  cluster reports ``ReplicationSourceIdentifier`` (the instance ARN) until promotion; the source lists the
  cluster ARN in ``ReadReplicaDBClusterIdentifiers``.
- The cluster's server (created with its first instance, see ``aurora/servers.py``) is a streaming hot
  standby of the instance's server, made by the fleet's replica machinery (``PostgresFleet.create_replica``):
  base backup, WAL over TLS as ``rdsrepladmin``, the source's archive as fallback. Writes fail
  (``read-only transaction``). ``GetMetricStatistics`` ``AWS/RDS ReplicaLag`` of the writer instance
  (``DBInstanceIdentifier``) measures its replay lag (``failover_api.py``).
- PromoteReadReplicaDBCluster runs ``pg_promote()`` on that server, clears ``ReplicationSourceIdentifier`` on
  the cluster and the reference on the source; the cluster is ``promoting`` for ``transitions.modifying``
  seconds. A cluster that does not replicate is refused (``InvalidDBClusterStateFault``), as is one without
  an instance.
- Deleting the source instance promotes its replica clusters first; deleting a replica cluster removes the
  reference from the source.

Not emulated: RestoreDBClusterFromSnapshot from a DB instance snapshot, cross-region sources.
"""

import logging

from moto.rds.exceptions import DBInstanceNotFoundError, InvalidDBClusterStateFault, InvalidParameterCombination, InvalidParameterValue
from moto.rds.models import RDSBackend, rds_backends

from localenv.emulator import db_instances
from localenv.emulator.aurora import lookup, servers, state, validation
from localenv.emulator.db_instances import state as instance_state

log = logging.getLogger("localenv.emulator.aurora_migration")

env = {"context": None}
_previous = {}
_ATTRIBUTE = "_localenv_replication_source"


def source_of(cluster):
    """The (account, region, identifier) of the RDS instance ``cluster`` replicates from, or None."""
    return cluster.__dict__.get(_ATTRIBUTE)


def _find_instance(backend, reference):
    identifier = reference
    if reference.startswith("arn:"):
        parts = reference.split(":")
        if len(parts) < 7 or parts[5] != "db":
            return None
        if parts[4] != backend.account_id or parts[3] != backend.region_name:
            raise InvalidParameterValue(
                "The local environment supports Aurora read replicas of DB instances of the same account and region only, got %s."
                % reference)
        identifier = parts[6]
    return backend.databases.get(identifier.lower())


def _validate_source(backend, kwargs, source):
    if source.engine != "postgres" or source.db_cluster_identifier:
        raise InvalidParameterCombination(
            "The source DB instance %s is %s: an Aurora PostgreSQL read replica needs an RDS for PostgreSQL DB instance."
            % (source.db_instance_identifier, source.engine))
    if source.is_replica:
        raise InvalidParameterCombination(
            "The source DB instance %s is a read replica: create the Aurora read replica from its source." % source.db_instance_identifier)
    current = instance_state.status(source)
    if current != "available":
        raise InvalidDBClusterStateFault(
            "Cannot create an Aurora read replica of DB instance %s: it is %s, not available." % (source.db_instance_identifier, current))
    if not int(source.backup_retention_period or 0):
        raise InvalidDBClusterStateFault(
            "Automated backups are not enabled for DB instance %s: an Aurora read replica needs them." % source.db_instance_identifier)
    given = [name for name, key in (("MasterUsername", "master_username"), ("MasterUserPassword", "master_user_password"),
                                    ("ManageMasterUserPassword", "manage_master_user_password"), ("DatabaseName", "database_name"),
                                    ("GlobalClusterIdentifier", "global_cluster_identifier"))
             if kwargs.get(key)]
    if given:
        raise InvalidParameterCombination(
            "%s cannot be specified for an Aurora read replica of a DB instance: it has the source's." % ", ".join(given))
    version = validation.resolve_version(kwargs.get("engine_version") or validation.major(source.engine_version))
    if validation.major(version) != validation.major(source.engine_version):
        raise InvalidParameterCombination(
            "The engine version %s of the Aurora read replica does not match the major version %s of DB instance %s (engine version %s)."
            % (version, validation.major(source.engine_version), source.db_instance_identifier, source.engine_version))
    kwargs["engine_version"] = version
    if db_instances.fleet() is not None and not instance_state.get(source).has_server:
        raise InvalidDBClusterStateFault("DB instance %s has no running server to replicate from." % source.db_instance_identifier)


def create_db_cluster(self, kwargs):
    reference = kwargs.get("replication_source_identifier")
    if not reference or kwargs.get("engine") != lookup.AURORA_ENGINE:
        return _previous["create_db_cluster"](self, kwargs)
    with env["context"].lock:
        source = _find_instance(self, reference)
        if source is None:
            if reference.startswith("arn:") and ":cluster:" in reference:
                return _previous["create_db_cluster"](self, kwargs)
            raise DBInstanceNotFoundError(reference.rsplit(":", 1)[-1])
        _validate_source(self, kwargs, source)
        kwargs = dict(kwargs)
        kwargs.pop("replication_source_identifier")
        # the server's data (master user, database) is the source's; the create checks want a user and password
        kwargs["master_username"] = source.master_username
        kwargs["master_user_password"] = "replica-of-%s" % source.db_instance_identifier
        kwargs["database_name"] = source.db_name
        cluster = _previous["create_db_cluster"](self, kwargs)
        cluster.replication_source_identifier = source.db_instance_arn
        cluster.__dict__[_ATTRIBUTE] = (source.account_id, source.region, source.db_instance_identifier)
        clusters = source.__dict__.setdefault("read_replica_db_cluster_identifiers", [])
        if cluster.db_cluster_arn not in clusters:
            clusters.append(cluster.db_cluster_arn)
        return cluster


def _create_server(cluster, writer, key):
    """servers._create for a replica cluster: a streaming standby of the source's server."""
    source = source_of(cluster)
    if source is None:
        return _previous["servers._create"](cluster, writer, key)
    st = state.get(cluster)
    _address, port = servers.fleet().create_replica(key, source, parameters=servers.parameters(cluster),
                                                    instance_class=writer.db_instance_class,
                                                    allocated_storage=servers.DEFAULT_STORAGE_GIB)
    st.server_key, st.port = key, port
    cluster.port = port
    log.info("Aurora cluster %s replicates from DB instance %s", cluster.db_cluster_identifier, source[2])
    return None


def _detach(cluster):
    source_key = source_of(cluster)
    cluster.__dict__.pop(_ATTRIBUTE, None)
    cluster.replication_source_identifier = None
    if source_key is None:
        return
    try:
        source = rds_backends[source_key[0]][source_key[1]].databases.get(source_key[2].lower())
    except KeyError:
        source = None
    if source is not None:
        clusters = source.__dict__.get("read_replica_db_cluster_identifiers", [])
        if cluster.db_cluster_arn in clusters:
            clusters.remove(cluster.db_cluster_arn)


def promote(cluster):
    """Promote the server (pg_promote) and detach the cluster from its source instance."""
    st = state.get(cluster)
    if servers.fleet() is not None and st.server_key is not None and st.server_key in servers.fleet():
        servers.fleet().promote(st.server_key)
    _detach(cluster)


def promote_read_replica_db_cluster(self, db_cluster_identifier):
    with env["context"].lock:
        cluster = self.clusters.get((db_cluster_identifier or "").lower())
        if cluster is None or source_of(cluster) is None:
            if cluster is not None and not cluster.replication_source_identifier:
                raise InvalidDBClusterStateFault("DB cluster %s is not a read replica." % cluster.db_cluster_identifier)
            return _previous["promote_read_replica_db_cluster"](self, db_cluster_identifier)
        current = cluster.status
        if current != "available":
            raise InvalidDBClusterStateFault(
                "Cannot promote DB cluster %s: it is %s, not available." % (cluster.db_cluster_identifier, current))
        if servers.fleet() is not None and not servers.is_running(cluster):
            raise InvalidDBClusterStateFault(
                "Cannot promote DB cluster %s: it has no DB instance (create its writer first)." % cluster.db_cluster_identifier)
        promote(cluster)
        state.begin(cluster, "promoting", env["context"].transitions.modifying)
        return cluster


def delete_db_cluster(self, cluster_identifier, snapshot_name=None):
    with env["context"].lock:
        cluster = self.clusters.get((cluster_identifier or "").lower())
        result = _previous["delete_db_cluster"](self, cluster_identifier, snapshot_name)
        if cluster is not None and source_of(cluster) is not None:
            _detach(cluster)
        return result


def delete_db_instance(self, db_instance_identifier, *args, **kwargs):
    with env["context"].lock:
        database = self.databases.get((db_instance_identifier or "").lower())
        if database is not None and not database.db_cluster_identifier:
            key = (database.account_id, database.region, database.db_instance_identifier)
            for cluster in list(self.clusters.values()):
                if source_of(cluster) == key:
                    log.info("DB instance %s is deleted: its Aurora read replica %s is promoted", key[2], cluster.db_cluster_identifier)
                    promote(cluster)
        return _previous["delete_db_instance"](self, db_instance_identifier, *args, **kwargs)


BACKEND_PATCHES = {
    "create_db_cluster": create_db_cluster,
    "promote_read_replica_db_cluster": promote_read_replica_db_cluster,
    "delete_db_cluster": delete_db_cluster,
    "delete_db_instance": delete_db_instance,
}


def install(context):
    """Wrap the installed cluster and instance operations (run after aurora.install and snapshot_api.install)."""
    env["context"] = context
    for name, function in BACKEND_PATCHES.items():
        current = getattr(RDSBackend, name)
        if current is not function:
            _previous[name] = current
        setattr(RDSBackend, name, function)
    if servers._create is not _create_server:
        _previous["servers._create"] = servers._create
        servers._create = _create_server
