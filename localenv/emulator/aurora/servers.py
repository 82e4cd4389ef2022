"""The real PostgreSQL server behind an Aurora cluster.

One server per cluster, like Aurora's one cluster volume: it is keyed in the fleet by the writer
instance (so IAM database authentication finds the instance), follows the writer role when a
reader is promoted (FailoverDBCluster, deletion of the writer), is stopped and parked under the
cluster's name while the cluster has no instance, and is deleted with the cluster. The cluster
endpoint, the reader endpoint and every instance endpoint reach it.

Its configuration is the user-set values of the cluster parameter group overlaid with those of
the writer's DB parameter group (instance values win, as on Aurora). A global database secondary
gets the primary's master user and password and refuses writes (``default_transaction_read_only``)
until it is detached or promoted; with the data plane on its server is a streaming standby of the
primary's (see global_replication.py, which wraps ``_create``).
"""

import logging

from localenv.dataplane import bootstrap_sql
from localenv.emulator import db_instances, parameter_groups
from localenv.emulator.aurora import lookup, state
from localenv.emulator.db_instances import credentials
from localenv.emulator.db_instances import parameters as instance_parameters

log = logging.getLogger("localenv.emulator.aurora")

DEFAULT_STORAGE_GIB = 20


def fleet():
    return db_instances.fleet()


def instance_key(instance):
    return (instance.account_id, instance.region, instance.db_instance_identifier)


def parked_key(cluster):
    return (cluster.account_id, cluster.region, "cluster:%s" % cluster.db_cluster_identifier)


def has_server(cluster):
    return state.get(cluster).server_key is not None


def is_running(cluster):
    key = state.get(cluster).server_key
    return key is not None and key != parked_key(cluster)


def parameters(cluster):
    """The server settings: cluster group values, overlaid by the writer's DB parameter group."""
    values = {}
    group = getattr(cluster, "parameter_group", None)
    if group and not group.lower().startswith("default."):
        try:
            values.update(parameter_groups.user_parameters(cluster.account_id, cluster.region, group, cluster=True))
        except KeyError:
            log.warning("cluster parameter group %s of %s not found", group, cluster.db_cluster_identifier)
    writer = cluster.writer
    if writer is not None:
        values.update(instance_parameters.user_parameters(writer))
    if state.get(cluster).read_only:
        values["default_transaction_read_only"] = "on"
    return values


def credentials_source(cluster):
    """The cluster whose master user the server gets: the global primary for a secondary."""
    global_cluster = lookup.global_of(cluster)
    if global_cluster is not None and not cluster.is_writer:
        primary = lookup.primary_of(global_cluster)
        if primary is not None:
            return primary
    return cluster


def current_password(cluster):
    return credentials.initial_password(cluster)


def _create(cluster, writer, key):
    source = credentials_source(cluster)
    username = source.master_username or "postgres"
    password = current_password(source) or credentials.generate_password()
    st = state.get(cluster)
    st.read_only = False  # the bootstrap writes; a secondary turns read-only right after it
    _address, port = fleet().create(
        key,
        username,
        password,
        db_name=source.database_name,
        parameters=parameters(cluster),
        instance_class=writer.db_instance_class,
        allocated_storage=DEFAULT_STORAGE_GIB,
    )
    st.server_key, st.port = key, port
    cluster.port = port
    if lookup.is_secondary(cluster):
        set_read_only(cluster, True)


def sync(cluster):
    """Give the cluster's writer the server (create, move or park it as the members changed)."""
    current = fleet()
    if current is None or not lookup.is_aurora(cluster):
        return
    st = state.get(cluster)
    if cluster.writer is None:
        cluster.designate_writer()
    writer = cluster.writer
    if writer is None:
        parked = parked_key(cluster)
        if st.server_key is not None and st.server_key != parked:
            current.stop(st.server_key)
            current.rename(st.server_key, parked)
            st.server_key = parked
        return
    key = instance_key(writer)
    if st.server_key is None:
        _create(cluster, writer, key)
    elif st.server_key != key:
        was_parked = st.server_key == parked_key(cluster)
        current.rename(st.server_key, key)
        st.server_key = key
        if was_parked:
            current.start(key, parameters(cluster), instance_class=writer.db_instance_class)
            st.pending_reboot = False
    for member in cluster._members:
        member.port = st.port


def apply_parameters(cluster, static_changed=False):
    """Reload the server with the current parameters; note when a restart is needed."""
    st = state.get(cluster)
    if fleet() is None or not is_running(cluster):
        return
    waiting = fleet().apply_parameters(st.server_key, parameters(cluster))
    if waiting or static_changed:
        st.pending_reboot = True


def reboot(cluster):
    st = state.get(cluster)
    if fleet() is None or not is_running(cluster):
        return
    writer = cluster.writer
    fleet().reboot(st.server_key, parameters(cluster), instance_class=writer.db_instance_class if writer else None)
    st.pending_reboot = False


def set_read_only(cluster, read_only):
    st = state.get(cluster)
    if st.read_only == read_only:
        return
    st.read_only = read_only
    apply_parameters(cluster)


def set_master_password(cluster, password):
    """Set the master password on the cluster's server and on those of its global secondaries."""
    if fleet() is None or not password:
        return
    targets = [cluster]
    global_cluster = lookup.global_of(cluster)
    if global_cluster is not None and cluster.is_writer:
        targets += [member for member in global_cluster.members if member is not cluster]
    username = cluster.master_username
    for target in targets:
        if not is_running(target) or fleet().replica_source(state.get(target).server_key) is not None:
            continue  # a streaming standby gets the password from its source
        conn = fleet().connect_admin(state.get(target).server_key)
        try:
            with conn.cursor() as cursor:
                # a secondary's server refuses writes by default; the emulator's own session may
                cursor.execute("SET default_transaction_read_only = off")
            bootstrap_sql.set_password(conn, username, password)
        finally:
            conn.close()


def delete(cluster):
    st = state.get(cluster)
    if fleet() is not None and st.server_key is not None:
        fleet().delete(st.server_key)
    st.server_key = None


def on_parameter_group_modified(account_id, region, group_name, changes):
    """Apply a parameter group change to the servers of the clusters that use the group."""
    if fleet() is None:
        return
    wanted = group_name.lower()
    static = instance_parameters.needs_reboot(changes)
    for cluster in list(lookup.backend(account_id, region).clusters.values()):
        if not is_running(cluster):
            continue
        writer = cluster.writer
        groups = {(getattr(cluster, "parameter_group", None) or "").lower()}
        if writer is not None:
            groups.add((instance_parameters.group_name(writer) or "").lower())
        if wanted in groups:
            apply_parameters(cluster, static_changed=static)
