"""Replication inside an Aurora global database: secondaries are streaming standbys of the primary.

- The server of a secondary cluster (created with its first instance, see servers.py) is a
  streaming hot standby of the primary cluster's server, made by the fleet's replica machinery
  (``PostgresFleet.create_replica``: base backup, WAL over TLS as ``rdsrepladmin``, the source's
  archive as fallback). It has the primary's data, master user and password; writes fail.
- SwitchoverGlobalCluster (and FailoverGlobalCluster with ``Switchover``) first fences the old
  primary (``default_transaction_read_only``, client sessions ended) and waits up to
  ``CATCH_UP_SECONDS`` until the target has replayed the old primary's last WAL position (RPO 0);
  when it has not, the call fails and nothing changes. Then the target's server is promoted
  (``pg_promote``), and the old primary and every other secondary become streaming standbys of
  it: their data directory is replaced by a base backup of the new primary, their port,
  certificate and endpoints stay.
- FailoverGlobalCluster with ``AllowDataLoss`` promotes the target at once (no wait); the old
  primary's writes the target had not replayed are lost when it is rebuilt as a standby.
- RemoveFromGlobalCluster promotes the detached secondary's server (a standalone, writable cluster).
- A standby's master password follows its source's (servers.set_master_password skips it).

Not emulated: a secondary without instance (parked server) at a switchover keeps following the
old primary's port.
"""

import logging
import os
import secrets
import shutil
import threading
import time

from localenv.dataplane import config, runas
from localenv.dataplane.fleet import ADDRESS, STANDBY_FLOORS
from localenv.emulator.aurora import global_clusters, lookup, servers, state

log = logging.getLogger("localenv.emulator.aurora.global_replication")

#: How long a planned switchover waits for the target to replay the old primary's WAL.
CATCH_UP_SECONDS = 10
_previous = {}


def _key(cluster):
    """The fleet key of the cluster's running server, or None."""
    if servers.fleet() is None or not servers.is_running(cluster):
        return None
    return state.get(cluster).server_key


def is_standby(cluster):
    key = _key(cluster)
    return key is not None and key in servers.fleet() and servers.fleet().replica_source(key) is not None


# -- creation --------------------------------------------------------------------------------
def _create_server(cluster, writer, key):
    """servers._create for a secondary: a streaming standby of the primary's server."""
    global_cluster = lookup.global_of(cluster)
    primary = lookup.primary_of(global_cluster) if global_cluster is not None and not cluster.is_writer else None
    source_key = _key(primary) if primary is not None and primary is not cluster else None
    if source_key is None:
        return _previous["servers._create"](cluster, writer, key)
    st = state.get(cluster)
    st.read_only = True
    _address, port = servers.fleet().create_replica(key, source_key, parameters=servers.parameters(cluster),
                                                    instance_class=writer.db_instance_class,
                                                    allocated_storage=servers.DEFAULT_STORAGE_GIB)
    st.server_key, st.port = key, port
    cluster.port = port
    log.info("Aurora cluster %s replicates from global primary %s", cluster.db_cluster_identifier, primary.db_cluster_identifier)
    return None


# -- switchover / failover -----------------------------------------------------------------------
def _execute(key, statement):
    conn = servers.fleet().connect_admin(key)
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchall() if cursor.description else None
    finally:
        conn.close()


def _fence(key):
    """End the client sessions of the (read-only by now) old primary."""
    _execute(key, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                  "AND pid <> pg_backend_pid() AND usename NOT IN ('rdsadmin', 'rdsrepladmin')")


def _caught_up(old_key, target_key, timeout):
    """Wait until ``target_key`` has replayed the current WAL position of ``old_key``."""
    position = _execute(old_key, "SELECT pg_current_wal_lsn()::text")[0][0]
    deadline = time.monotonic() + timeout
    while True:
        try:
            if _execute(target_key, "SELECT pg_last_wal_replay_lsn() >= '%s'::pg_lsn" % position)[0][0]:
                return True
        except Exception:  # pylint: disable=broad-except  # a standby may be restarting
            log.debug("replay position of %s not readable yet", "/".join(target_key))
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def rebuild_as_standby(key, source_key):
    """Replace the data of server ``key`` by a base backup of ``source_key`` and start it as its standby.

    Port, certificate, archive directory and fleet key stay, so the endpoints are unchanged.
    """
    fleet = servers.fleet()
    member = fleet._member(key)  # pylint: disable=protected-access
    source = fleet._member(source_key)  # pylint: disable=protected-access
    fleet.wait_for_backups(key)
    started = time.monotonic()
    with source.lock, member.lock:
        password = fleet._replication_password(source)  # pylint: disable=protected-access
        rows = source.server.query("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", (list(STANDBY_FLOORS),))
        member.server.stop(mode="immediate")
        data_dir = member.server.data_dir
        trash = member.server.root / (".replaced-%s" % secrets.token_hex(3))
        os.rename(data_dir, trash)
        try:
            source.server.base_backup(data_dir)
        except Exception:
            # put the server back as it was
            shutil.rmtree(data_dir, ignore_errors=True)
            os.rename(trash, data_dir)
            member.server.start()
            raise
        threading.Thread(target=shutil.rmtree, args=(trash, True), daemon=True).start()
        member.floors = {name: int(value) for name, value in rows}
        member.recovery = {}
        member.recovery_backups = []
        member.primary = {
            "source_key": tuple(source_key),
            "archive_dir": str(source.archive_dir),
            "conninfo": "host=%s port=%d user=%s password=%s sslmode=require application_name=%s connect_timeout=5"
            % (ADDRESS, source.server.port, config.REPLICATION_USER, password, key[2]),
        }
        runas.write_file(member.server.admin_password_file, source.server.admin_password)
        # the data (and the rdsrepladmin role in it) is the source's now: so is the fleet's note of its password
        runas.write_file(member.server.root / "rdsrepladmin.pass", password)
        runas.write_file(data_dir / "standby.signal", "")
        fleet._render(member)  # pylint: disable=protected-access
        member.server.start()
        member.stopped = False
        member.stopped_at = None
    log.info("server %s is now a standby of %s (%.2fs)", "/".join(key), "/".join(source_key), time.monotonic() - started)


def follow(global_cluster, writer):
    """Promote the writer's server; every other member with a server becomes its standby."""
    writer_key = _key(writer)
    if writer_key is None:
        return
    servers.fleet().promote(writer_key)
    for member in list(global_cluster.members):
        key = _key(member)
        if member is writer or key is None:
            continue
        rebuild_as_standby(key, writer_key)


def change_writer(global_cluster, target, planned, allow_data_loss=False):
    """global_clusters.change_writer with real promotion (and, when planned, no data loss)."""
    old = lookup.primary_of(global_cluster)
    old_key = _key(old) if old is not None and old is not target else None
    target_key = _key(target)
    fenced = False
    if planned and old_key is not None and is_standby(target):
        servers.set_read_only(old, True)
        fenced = True
        _fence(old_key)
        if not _caught_up(old_key, target_key, CATCH_UP_SECONDS):
            servers.set_read_only(old, False)
            raise global_clusters.InvalidGlobalClusterState(
                "DB cluster %s has not caught up with primary %s within %d seconds; the switchover was cancelled."
                % (target.db_cluster_identifier, old.db_cluster_identifier, CATCH_UP_SECONDS))
    try:
        _previous["change_writer"](global_cluster, target, planned, allow_data_loss=allow_data_loss)
    except Exception:
        if fenced:
            servers.set_read_only(old, False)
        raise
    if old_key is not None and target_key is not None:
        follow(global_cluster, target)


def detach(global_cluster, cluster):
    """global_clusters.detach that promotes the detached cluster's server."""
    _previous["detach"](global_cluster, cluster)
    key = _key(cluster)
    if key is not None and key in servers.fleet():
        servers.fleet().promote(key)


def install(context):  # pylint: disable=unused-argument
    """Wrap servers._create and the writer changes of global_clusters (run after global_clusters.install)."""
    for module, name, function in ((servers, "_create", _create_server), (global_clusters, "change_writer", change_writer),
                                   (global_clusters, "detach", detach)):
        current = getattr(module, name)
        if current is not function:
            # keep the first wrapped function: later installs find other wrappers (aurora_migration) on top
            _previous.setdefault("servers._create" if module is servers else name, current)
            setattr(module, name, function)
