"""DB snapshots backed by real base backups (localenv.dataplane.backups).

CreateDBSnapshot (and the final snapshot of DeleteDBInstance, the snapshot StopDBInstance may
take, and the automated snapshot moto records when an instance is created) starts a base backup of
the instance's server in the background: the snapshot is ``creating`` until the copy is complete
(and at least ``transitions.creating`` seconds), then ``available``. Automated snapshots are also
the starting points of point-in-time restores. DeleteDBSnapshot removes the files; automated
snapshots cannot be deleted by users (they go with their instance, as on RDS). CopyDBSnapshot
shares the copy (hard links).
"""

import logging

from moto.rds.exceptions import DBInstanceNotFoundError, DBSnapshotNotFoundFault, RDSClientError
from moto.rds.models import DBSnapshot

from localenv.emulator.db_instances import events, state

log = logging.getLogger("localenv.emulator.db_instances")

BACKUP = "_localenv_backup"
PENDING = "_localenv_backup_pending"
CREATING_UNTIL = "_localenv_creating_until"

_originals = {}
env = {"context": None, "fleet": None, "wants_server": None, "key_of": None, "internal": 0}


def invalid_state(message):
    return RDSClientError("InvalidDBSnapshotState", message)


def backup_id(snapshot):
    return snapshot.__dict__.get(BACKUP)


def _status(self):
    backup = self.__dict__.get(BACKUP)
    if self.__dict__.get("_localenv_status") == "deleted":
        return "deleted"
    if backup is None:
        return "creating" if self.__dict__.get(PENDING) else self.__dict__.get("_localenv_status", "available")
    try:
        current = env["fleet"].backup_status(backup)
    except KeyError:
        return "failed"
    if current == "available" and self.__dict__.get(CREATING_UNTIL, 0.0) > state.now():
        return "creating"
    return current


def _set_status(self, value):
    self.__dict__["_localenv_status"] = value


def _percent_progress(self):
    return 100 if _status(self) == "available" else 0


def _start(backend, database, snapshot):
    """Start the base backup of ``snapshot`` (the instance must have a server)."""
    automated = snapshot.snapshot_type == "automated"
    snapshot.__dict__[BACKUP] = env["fleet"].start_backup(env["key_of"](database), for_recovery=automated)
    snapshot.__dict__.pop(PENDING, None)
    seconds = env["context"].transitions.creating
    if seconds and seconds > 0:
        snapshot.__dict__[CREATING_UNTIL] = state.now() + seconds
    if not automated:
        events.record(snapshot, "DB_SNAPSHOT_CREATE_MANUAL_START")


def create_db_snapshot(self, db_instance_identifier, db_snapshot_identifier, *args, **kwargs):
    with env["context"].lock:
        database = self.databases.get(db_instance_identifier)
        if database is None:
            raise DBInstanceNotFoundError(db_instance_identifier)
        st = state.get(database)
        snapshot_type = kwargs.get("snapshot_type", args[0] if args else "manual")
        busy = state.status(database) not in ("available", "stopped")
        if snapshot_type != "automated" and not env["internal"] and st.has_server and busy:
            raise RDSClientError(
                "InvalidDBInstanceState",
                "Cannot create a snapshot of DB instance %s: it is %s, not available or stopped."
                % (database.db_instance_identifier, state.status(database)),
            )
        snapshot = _originals["create_db_snapshot"](self, db_instance_identifier, db_snapshot_identifier, *args, **kwargs)
        if st.has_server:
            _start(self, database, snapshot)
        elif env["wants_server"](database):
            snapshot.__dict__[PENDING] = True  # the server is being created; see start_pending
        return snapshot


def start_pending(backend, database):
    """Start the backups of the snapshots recorded before the instance's server existed."""
    for snapshot in list(backend.database_snapshots.values()):
        if snapshot.__dict__.get(PENDING) and snapshot.db_instance_identifier == database.db_instance_identifier:
            _start(backend, database, snapshot)


def discard_pending(backend, database):
    for identifier, snapshot in list(backend.database_snapshots.items()):
        if snapshot.__dict__.get(PENDING) and snapshot.db_instance_identifier == database.db_instance_identifier:
            backend.database_snapshots.pop(identifier, None)


def delete_db_snapshot(self, db_snapshot_identifier):
    with env["context"].lock:
        snapshot = self.database_snapshots.get(db_snapshot_identifier)
        if snapshot is None:
            raise DBSnapshotNotFoundFault(db_snapshot_identifier)
        if not env["internal"]:
            if snapshot.snapshot_type == "automated":
                raise invalid_state(
                    "Only manual snapshots may be deleted; automated snapshot %s is deleted with its DB instance "
                    "(DeleteDBInstance with DeleteAutomatedBackups)." % db_snapshot_identifier
                )
            if snapshot.status == "creating":
                raise invalid_state("DB snapshot %s is being created and cannot be deleted yet." % db_snapshot_identifier)
        snapshot = _originals["delete_db_snapshot"](self, db_snapshot_identifier)
        backup = backup_id(snapshot)
        if backup is not None:
            env["fleet"].delete_backup(backup)
        snapshot.status = "deleted"
        return snapshot


def copy_db_snapshot(self, source_db_snapshot_identifier, target_db_snapshot_identifier, *args, **kwargs):
    with env["context"].lock:
        source = self.get_db_snapshot(source_db_snapshot_identifier)
        if backup_id(source) is not None and source.status != "available":
            raise invalid_state("DB snapshot %s is not available (it is %s)." % (source.db_snapshot_identifier, source.status))
        snapshot = _originals["copy_db_snapshot"](
            self, source_db_snapshot_identifier, target_db_snapshot_identifier, *args, **kwargs
        )
        if backup_id(source) is not None:
            snapshot.__dict__[BACKUP] = env["fleet"].copy_backup(backup_id(source))
        snapshot.__dict__["source_db_snapshot_identifier"] = source.arn
        return snapshot


def finish_events(backend):
    """Record the end of manual snapshots that finished since the last call (DescribeEvents)."""
    for snapshot in list(backend.database_snapshots.values()):
        if (
            snapshot.snapshot_type != "automated"
            and backup_id(snapshot) is not None
            and not snapshot.__dict__.get("_localenv_finished")
            and snapshot.status == "available"
        ):
            snapshot.__dict__["_localenv_finished"] = True
            events.record(snapshot, "DB_SNAPSHOT_CREATE_MANUAL_FINISH")


def describe_db_snapshots(self, *args, **kwargs):
    result = _originals["describe_db_snapshots"](self, *args, **kwargs)
    finish_events(self)
    return result


BACKEND_PATCHES = {
    "create_db_snapshot": create_db_snapshot,
    "delete_db_snapshot": delete_db_snapshot,
    "copy_db_snapshot": copy_db_snapshot,
    "describe_db_snapshots": describe_db_snapshots,
}


def install(context, fleet, wants_server, key_of, backend_class):
    env.update(context=context, fleet=fleet, wants_server=wants_server, key_of=key_of)
    if not _originals:
        for name in BACKEND_PATCHES:
            _originals[name] = getattr(backend_class, name)
    for name, function in BACKEND_PATCHES.items():
        setattr(backend_class, name, function)
    DBSnapshot.status = property(_status, _set_status)
    DBSnapshot.percent_progress = property(_percent_progress)
