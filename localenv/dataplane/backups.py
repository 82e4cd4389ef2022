"""Base backups of the servers: what snapshots are made of and what restores start from.

A backup is a directory ``<postgres>/backups/<id>/`` holding ``data/``: a copy of a cluster made
with ``pg_basebackup -X stream`` from the running server (or a file copy of a stopped one), so it
starts on its own. ``meta.json`` records where it came from. Backups of a primary are also the
starting points of point-in-time restores, which replay the instance's WAL archive
(``<postgres>/archive/<server directory name>/``, filled by ``archive_command``) up to a time.
"""

import dataclasses
import datetime
import json
import logging
import pathlib
import secrets
import shutil
import subprocess
import threading

from localenv.dataplane import runas

log = logging.getLogger("localenv.dataplane.backups")

CREATING, AVAILABLE, FAILED = "creating", "available", "failed"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


@dataclasses.dataclass
class Backup:
    backup_id: str
    root: pathlib.Path
    source_key: tuple
    master_username: str
    started_at: datetime.datetime
    #: True when it may start a point-in-time restore of its source (taken from a primary).
    for_recovery: bool = False
    finished_at: datetime.datetime = None
    error: str = None
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    size_bytes: int = 0

    @property
    def data_dir(self):
        return self.root / "data"

    @property
    def status(self):
        if not self.done.is_set():
            return CREATING
        return FAILED if self.error else AVAILABLE

    def meta(self):
        return {
            "backup_id": self.backup_id,
            "source": list(self.source_key),
            "master_username": self.master_username,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "for_recovery": self.for_recovery,
            "status": self.status,
            "error": self.error,
            "size_bytes": self.size_bytes,
        }


class BackupStore:
    """The backups of one fleet, by id."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self._items = {}
        self._lock = threading.Lock()

    def new(self, source_key, master_username, for_recovery=False):
        runas.make_dir(self.root, 0o755)
        backup_id = "bk-%s" % secrets.token_hex(6)
        backup = Backup(
            backup_id=backup_id,
            root=self.root / backup_id,
            source_key=tuple(source_key),
            master_username=master_username,
            started_at=utcnow(),
            for_recovery=for_recovery,
        )
        runas.make_dir(backup.root)
        with self._lock:
            self._items[backup_id] = backup
        return backup

    def get(self, backup_id):
        with self._lock:
            try:
                return self._items[backup_id]
            except KeyError:
                raise KeyError("no backup %s" % backup_id) from None

    def finish(self, backup, error=None):
        backup.error = error
        backup.finished_at = utcnow()
        if not error:
            backup.size_bytes = _size(backup.data_dir)
        try:
            runas.write_file(backup.root / "meta.json", json.dumps(backup.meta(), indent=1), mode=0o644)
        except OSError as problem:
            log.warning("could not write %s/meta.json: %s", backup.root, problem)
        backup.done.set()

    def status(self):
        with self._lock:
            items = list(self._items.values())
        return [dict(backup.meta(), root=str(backup.root)) for backup in items]

    def copy(self, backup_id):
        """A new backup with the same content (hard links: backups are never modified)."""
        source = self.get(backup_id)
        source.done.wait()
        if source.error:
            raise RuntimeError("backup %s failed: %s" % (backup_id, source.error))
        backup = self.new(source.source_key, source.master_username)
        backup.started_at = source.started_at
        subprocess.run(["cp", "-al", str(source.data_dir), str(backup.data_dir)], check=True, capture_output=True)
        self.finish(backup)
        return backup

    def delete(self, backup_id):
        with self._lock:
            backup = self._items.pop(backup_id, None)
        if backup is None:
            return
        backup.done.wait(timeout=300)
        _remove_in_background(backup.root)

    def remove_unknown(self):
        """Remove backup directories this store does not know (left by an earlier process)."""
        if not self.root.exists():
            return
        with self._lock:
            known = {backup.root for backup in self._items.values()}
        for path in self.root.iterdir():
            if path not in known and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)


def _size(path):
    total = 0
    for item in pathlib.Path(path).rglob("*"):
        try:
            if item.is_file() and not item.is_symlink():
                total += item.stat().st_size
        except OSError:
            continue
    return total


def _remove_in_background(path):
    path = pathlib.Path(path)
    if not path.exists():
        return
    trash = path.with_name(".trash-%s-%s" % (path.name, secrets.token_hex(3)))
    path.rename(trash)
    threading.Thread(target=shutil.rmtree, args=(trash, True), daemon=True).start()


def remove_dir(path):
    """Remove a directory at once (renamed away) and its files in the background."""
    _remove_in_background(path)
