"""The set of real PostgreSQL servers behind the emulated RDS instances.

Servers are keyed by ``(account_id, region, db_instance_identifier)``. Every server listens on
127.0.0.1 on its own free port with TLS (certificate from the local CA), has a private Unix socket
for the emulator, and looks like RDS inside (see bootstrap_sql.py). Its configuration comes from
the user-set values of its DB parameter group (see config.py) and follows PostgreSQL's own rules:
``apply_parameters`` reloads, so static (postmaster) settings wait for ``reboot``.

Every primary archives its WAL (``archive_command``) into ``<postgres>/archive/<directory name>``.

Public methods (stable; other emulator extensions, e.g. Aurora, may call them):

- lifecycle: ``create``, ``endpoint``, ``apply_parameters``, ``pending_restart``, ``reboot``,
  ``failover``, ``stop``, ``start``, ``delete``, ``rename``, ``set_master_password``,
  ``connect_admin``, ``status``, ``shutdown``, ``remove_stale``, ``find_by_slug``;
- streaming replicas: ``create_replica(key, source_key, ...)`` (a hot standby made from a base
  backup of the running source, streaming over TLS as ``rdsrepladmin``), ``replica_source(key)``,
  ``promote(key)``;
- backups (see backups.py): ``start_backup(key, for_recovery=False)`` returns a backup id at once
  and copies in the background; ``backup_status``, ``wait_backup``, ``wait_for_backups``, ``backup_info``, ``backups_status``,
  ``copy_backup``, ``delete_backup``;
- restores: ``restore(key, backup_id, ...)`` starts a new server from a backup,
  ``restore_to_time(key, source_key, target_time, ...)`` from the source's latest recovery backup
  before ``target_time`` plus its WAL archive (``target_time`` None: everything archived);
  ``latest_restorable_time(key)``, ``earliest_restorable_time(key)``.
"""

import concurrent.futures
import dataclasses
import datetime
import logging
import pathlib
import secrets
import shutil
import subprocess
import threading
import time


from localenv import tls
from localenv.dataplane import backups, bootstrap_sql, config, installation, ports, runas, template
from localenv.dataplane.server import PostgresServer

# Settings a hot standby may not have lower than its primary (PostgreSQL refuses to run otherwise).
STANDBY_FLOORS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
NOT_REACHED = "recovery ended before configured recovery target was reached"

log = logging.getLogger("localenv.dataplane.fleet")

ADDRESS = "127.0.0.1"


@dataclasses.dataclass
class Member:
    key: tuple
    server: PostgresServer
    cert_name: str
    parameters: dict
    instance_class: str
    allocated_storage: int
    master_username: str
    skipped: dict = dataclasses.field(default_factory=dict)
    lock: threading.RLock = dataclasses.field(default_factory=threading.RLock)
    stopped: bool = False
    #: WAL archive of this server (archive_command copies finished segments here).
    archive_dir: pathlib.Path = None
    #: Set while the server is a streaming standby: source key, primary_conninfo, source archive.
    primary: dict = None
    #: Minimum values of settings a standby needs (see STANDBY_FLOORS); kept after promotion.
    floors: dict = dataclasses.field(default_factory=dict)
    #: Recovery settings while a point-in-time restore runs.
    recovery: dict = dataclasses.field(default_factory=dict)
    #: Ids of the backups a point-in-time restore of this server may start from (oldest first).
    recovery_backups: list = dataclasses.field(default_factory=list)
    #: Backup threads still copying this server.
    backup_threads: list = dataclasses.field(default_factory=list)
    stopped_at: datetime.datetime = None


class PostgresFleet:
    def __init__(self, context):
        self.context = context
        self.root = context.postgres_dir
        self.instances_dir = self.root / "instances"
        self.archive_root = self.root / "archive"
        self.backups = backups.BackupStore(self.root / "backups")
        self._members = {}
        self._lock = threading.RLock()
        #: Held while the installation and template are built (seconds), so status never waits on it.
        self._prepare_lock = threading.RLock()
        self._template = None
        self._installation = None
        self._preparing = None
        #: Port of the IAM token validator (localenv.emulator.iam_auth), None when there is none.
        self.iam_ldap_port = None

    # -- helpers -----------------------------------------------------------------------------
    def prepare_async(self):
        """Build the template in the background so that the first CreateDBInstance is fast."""

        def prepare():
            try:
                self.installation()
                self.template()
            except Exception:
                log.exception("could not build the PostgreSQL template")

        self._preparing = threading.Thread(target=prepare, name="dataplane-template", daemon=True)
        self._preparing.start()

    def template(self):
        with self._prepare_lock:
            if self._template is None:
                self._template = template.ensure_template(self.root)
                runas.make_dir(self.instances_dir, 0o755)
                tls.ensure_ca(self.context.tls_dir)
            return self._template

    def installation(self):
        """The private PostgreSQL installation the servers run from (see installation.py)."""
        with self._prepare_lock:
            if self._installation is None:
                self._installation = installation.ensure(self.root)
            return self._installation

    def find_by_slug(self, slug):
        """``(key, port)`` of the server whose directory (and certificate) name is ``slug``, or None."""
        with self._lock:
            for member in self._members.values():
                if member.cert_name == slug:
                    return member.key, member.server.port
        return None

    def _member(self, key):
        with self._lock:
            try:
                return self._members[tuple(key)]
            except KeyError:
                raise KeyError("no database server for %s/%s/%s" % tuple(key)) from None

    def __contains__(self, key):
        with self._lock:
            return tuple(key) in self._members

    def _render(self, member):
        tpl = self.template()
        cert = self.context.tls_dir / "servers"
        placement = config.Placement(
            port=member.server.port,
            socket_dir=str(member.server.socket_dir),
            cert_file=str(cert / ("%s.crt" % member.cert_name)),
            key_file=str(cert / ("%s.key" % member.cert_name)),
            instance_class=member.instance_class,
            allocated_storage=member.allocated_storage,
            iam_ldap_port=self.iam_ldap_port,
            iam_ldap_suffix="@%s" % member.cert_name,
            archive_dir=str(member.archive_dir) if member.archive_dir else None,
            recovery=self._recovery_settings(member),
            floors=dict(member.floors),
        )
        rendered = config.render(member.parameters, tpl.catalogue, placement, tpl.libraries)
        member.server.write_config(rendered.conf, rendered.hba)
        member.skipped = rendered.skipped
        return rendered

    # -- lifecycle ---------------------------------------------------------------------------
    def _new_member(self, key, master_username, parameters, instance_class, allocated_storage):
        """Register a member for ``key`` with a fresh directory name, port, certificate and archive."""
        key = tuple(key)
        with self._lock:
            if key in self._members:
                raise ValueError("a database server for %s/%s/%s exists already" % key)
            slug = "%s-%s-%s-%s" % (key[0], key[1], key[2], secrets.token_hex(3))
            member = Member(
                key=key,
                server=PostgresServer(
                    self.instances_dir / slug, ports.allocate(), postgres_binary=self.installation().postgres
                ),
                cert_name=slug,
                parameters=dict(parameters or {}),
                instance_class=instance_class or "db.t3.micro",
                allocated_storage=int(allocated_storage or 20),
                master_username=master_username,
                archive_dir=self.archive_root / slug,
            )
            self._members[key] = member
        return member

    def _prepare_dirs(self, member):
        tls.issue_server_cert(self.context.tls_dir, member.cert_name)
        runas.make_dir(self.archive_root, 0o755)
        runas.make_dir(member.archive_dir)
        runas.make_dir(member.server.root)
        runas.make_dir(member.server.socket_dir)

    def create(
        self,
        key,
        master_username,
        master_password,
        db_name=None,
        parameters=None,
        instance_class="db.t3.micro",
        allocated_storage=20,
    ):
        """Create, configure, start and bootstrap a server; return ``(address, port)``."""
        key = tuple(key)
        if master_username.lower() in bootstrap_sql.RESERVED_USERNAMES:
            raise ValueError("MasterUsername %s is reserved by the engine" % master_username)
        tpl = self.template()
        member = self._new_member(key, master_username, parameters, instance_class, allocated_storage)
        started = time.monotonic()
        try:
            with member.lock:
                self._prepare_dirs(member)
                member.server.create_from_template(tpl.data_dir)
                self._start_new(member)
                conn = member.server.connect()
                try:
                    bootstrap_sql.configure_instance(
                        conn, member.server.admin_password, master_username, master_password, db_name
                    )
                finally:
                    conn.close()
        except Exception:
            self._discard(member)
            raise
        log.info("server %s started on %s:%d in %.2fs", "/".join(key), ADDRESS, member.server.port, time.monotonic() - started)
        return ADDRESS, member.server.port

    def _start_new(self, member, attempts=3):
        """Start a new server; pick another port if the chosen one was taken meanwhile."""
        for attempt in range(attempts):
            self._render(member)
            try:
                member.server.start()
                return
            except RuntimeError as error:
                if "could not bind" not in str(error) or attempt == attempts - 1:
                    raise
                ports.release(member.server.port)
                member.server.port = ports.allocate()
                log.warning("port taken while starting %s; retrying on %d", "/".join(member.key), member.server.port)

    def endpoint(self, key):
        return ADDRESS, self._member(key).server.port

    def apply_parameters(self, key, parameters, instance_class=None, allocated_storage=None):
        """Rewrite the configuration and reload; return the settings that wait for a restart."""
        member = self._member(key)
        with member.lock:
            self._update(member, dict(parameters or {}), instance_class, allocated_storage)
            self._render(member)
            if member.stopped or not member.server.is_running():
                return []
            member.server.reload()
            return member.server.pending_restart()

    def pending_restart(self, key):
        member = self._member(key)
        with member.lock:
            if not member.server.is_running():
                return []
            return member.server.pending_restart()

    def _update(self, member, parameters, instance_class, allocated_storage):
        if parameters is not None:
            member.parameters = dict(parameters)
        if instance_class:
            member.instance_class = instance_class
        if allocated_storage:
            member.allocated_storage = int(allocated_storage)

    def reboot(self, key, parameters=None, instance_class=None, allocated_storage=None):
        """Restart with the (optionally new) parameters: static settings take effect now."""
        member = self._member(key)
        with member.lock:
            self._update(member, parameters, instance_class, allocated_storage)
            self._render(member)
            member.server.restart()
            member.stopped = False

    def failover(self, key, parameters=None, instance_class=None, allocated_storage=None):
        """A Multi-AZ failover: the server goes away at once (like a crash) and comes back on the same endpoint."""
        member = self._member(key)
        with member.lock:
            self._update(member, parameters, instance_class, allocated_storage)
            self._render(member)
            member.server.stop(mode="immediate")
            member.server.start()
            member.stopped = False

    def stop(self, key):
        member = self._member(key)
        self._join_backups(member)
        with member.lock:
            if member.server.is_running() and member.primary is None:
                # archive the current WAL segment: a restore may target any time until now
                self._switch_wal(member)
            member.server.stop()
            member.stopped = True
            member.stopped_at = backups.utcnow()

    def start(self, key, parameters=None, instance_class=None, allocated_storage=None):
        member = self._member(key)
        with member.lock:
            self._update(member, parameters, instance_class, allocated_storage)
            self._render(member)
            member.server.start()
            member.stopped = False
            member.stopped_at = None

    def delete(self, key):
        member = self._member(key)
        self._join_backups(member)
        with member.lock:
            self._discard(member)

    def _discard(self, member):
        try:
            member.server.stop(mode="immediate")
        finally:
            member.server.remove()
            if member.archive_dir is not None:
                backups.remove_dir(member.archive_dir)
            tls.remove_server_cert(self.context.tls_dir, member.cert_name)
            ports.release(member.server.port)
            with self._lock:
                if self._members.get(member.key) is member:
                    del self._members[member.key]

    # -- streaming replicas ------------------------------------------------------------------
    def _recovery_settings(self, member):
        settings = dict(member.recovery)
        if member.primary is not None:
            settings.update(
                {
                    "primary_conninfo": member.primary["conninfo"],
                    "restore_command": config.restore_command(member.primary["archive_dir"]),
                    "wal_retrieve_retry_interval": "1000",
                }
            )
        return settings

    def _replication_password(self, source):
        """The password of ``rdsrepladmin`` on ``source`` (the role is created on first use)."""
        path = source.server.root / "rdsrepladmin.pass"
        if path.exists():
            return path.read_text().strip()
        password = secrets.token_hex(16)
        conn = source.server.connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (config.REPLICATION_USER,))
                verb = "ALTER" if cursor.fetchone() else "CREATE"
                cursor.execute(
                    "%s ROLE %s LOGIN REPLICATION NOINHERIT PASSWORD %%s" % (verb, config.REPLICATION_USER),
                    (bootstrap_sql.scram(conn, config.REPLICATION_USER, password),),
                )
        finally:
            conn.close()
        runas.write_file(path, password)
        return password

    def create_replica(self, key, source_key, parameters=None, instance_class=None, allocated_storage=None):
        """Create a streaming hot standby of the running server ``source_key``; return ``(address, port)``.

        Its cluster is a base backup of the source (so it shares the source's roles, data and
        master password), it streams over TLS on 127.0.0.1 as ``rdsrepladmin`` and falls back to
        the source's WAL archive when it is behind. Writes fail (read-only transactions).
        """
        key, source_key = tuple(key), tuple(source_key)
        source = self._member(source_key)
        self.template()
        started = time.monotonic()
        with source.lock:
            if source.stopped or not source.server.is_running():
                raise ValueError("the source DB instance %s is not running" % source_key[2])
            member = self._new_member(
                key,
                source.master_username,
                source.parameters if parameters is None else parameters,
                instance_class or source.instance_class,
                allocated_storage or source.allocated_storage,
            )
            try:
                password = self._replication_password(source)
                rows = source.server.query(
                    "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", (list(STANDBY_FLOORS),)
                )
                member.floors = {name: int(value) for name, value in rows}
                self._prepare_dirs(member)
                source.server.base_backup(member.server.data_dir)
            except Exception:
                self._discard(member)
                raise
            member.primary = {
                "source_key": source_key,
                "archive_dir": str(source.archive_dir),
                "conninfo": "host=%s port=%d user=%s password=%s sslmode=require application_name=%s connect_timeout=5"
                % (ADDRESS, source.server.port, config.REPLICATION_USER, password, key[2]),
            }
        try:
            with member.lock:
                # the cluster is the source's, so is the bootstrap superuser's password
                runas.write_file(member.server.admin_password_file, source.server.admin_password)
                runas.write_file(member.server.data_dir / "standby.signal", "")
                self._start_new(member)
        except Exception:
            self._discard(member)
            raise
        log.info("replica %s of %s started on %s:%d in %.2fs", "/".join(key), "/".join(source_key),
                 ADDRESS, member.server.port, time.monotonic() - started)
        return ADDRESS, member.server.port

    def replica_source(self, key):
        """The key of the server ``key`` streams from, or None when it is not a standby."""
        member = self._member(key)
        return member.primary["source_key"] if member.primary else None

    def promote(self, key):
        """Promote a standby (``pg_promote``): it becomes a writable primary with its own timeline."""
        member = self._member(key)
        with member.lock:
            if member.primary is None:
                return False
            if member.server.is_running():
                member.server.promote()
            member.primary = None
            member.recovery_backups = []
            self._render(member)
            if member.server.is_running():
                member.server.reload()
            else:
                (member.server.data_dir / "standby.signal").unlink(missing_ok=True)
            return True

    # -- backups -----------------------------------------------------------------------------
    def start_backup(self, key, for_recovery=False):
        """Start a base backup of ``key`` in the background; return its id (see backup_status)."""
        member = self._member(key)
        backup = self.backups.new(member.key, member.master_username, for_recovery=for_recovery)

        def run():
            error = None
            try:
                with member.lock:
                    if member.server.is_running():
                        if for_recovery and member.primary is None:
                            self._switch_wal(member)
                        member.server.base_backup(backup.data_dir)
                    else:
                        member.server.cold_copy(backup.data_dir)
                    if for_recovery and member.primary is None:
                        member.recovery_backups.append(backup.backup_id)
            except Exception as problem:  # reported through backup_status
                log.exception("backup %s of %s failed", backup.backup_id, "/".join(member.key))
                error = str(problem)
            self.backups.finish(backup, error)

        thread = threading.Thread(target=run, name="backup-%s" % backup.backup_id, daemon=True)
        with self._lock:
            member.backup_threads = [t for t in member.backup_threads if t.is_alive()] + [thread]
        thread.start()
        return backup.backup_id

    def _join_backups(self, member, timeout=300):
        with self._lock:
            threads = list(member.backup_threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)

    def wait_for_backups(self, key, timeout=300):
        """Wait until the backups of ``key`` that are running have finished."""
        self._join_backups(self._member(key), timeout)

    def backup_status(self, backup_id):
        """``creating``, ``available`` or ``failed``."""
        return self.backups.get(backup_id).status

    def wait_backup(self, backup_id, timeout=300):
        backup = self.backups.get(backup_id)
        if not backup.done.wait(timeout):
            raise RuntimeError("backup %s is still running after %ds" % (backup_id, timeout))
        if backup.error:
            raise RuntimeError("backup %s failed: %s" % (backup_id, backup.error))
        return backup

    def backup_info(self, backup_id):
        return self.backups.get(backup_id).meta()

    def copy_backup(self, backup_id):
        """A copy of a backup (for a copied snapshot); return its id."""
        return self.backups.copy(backup_id).backup_id

    def delete_backup(self, backup_id):
        with self._lock:
            for member in self._members.values():
                if backup_id in member.recovery_backups:
                    member.recovery_backups.remove(backup_id)
        self.backups.delete(backup_id)

    def _switch_wal(self, member, timeout=30):
        """Close the current WAL segment and wait until it is archived."""
        # on a segment boundary pg_walfile_name names the segment that ends there
        name = member.server.query("SELECT pg_walfile_name(pg_switch_wal())")[0][0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (member.archive_dir / name).exists():
                return
            time.sleep(0.02)
        raise RuntimeError("WAL segment %s of %s was not archived within %ds" % (name, "/".join(member.key), timeout))

    # -- restores ----------------------------------------------------------------------------
    def restore(
        self,
        key,
        backup_id,
        parameters=None,
        instance_class=None,
        allocated_storage=None,
        master_password=None,
        _recovery=None,
    ):
        """Start a new server for ``key`` from a backup; return ``(address, port)``.

        The data and the master user are the backup's; ``master_password``, when given, replaces
        the master user's password (a restore that gets a new managed secret).
        """
        key = tuple(key)
        backup = self.wait_backup(backup_id)
        self.template()
        member = self._new_member(key, backup.master_username, parameters, instance_class, allocated_storage)
        started = time.monotonic()
        try:
            with member.lock:
                self._prepare_dirs(member)
                subprocess.run(
                    ["cp", "-a", str(backup.data_dir), str(member.server.data_dir)], check=True, capture_output=True
                )
                runas.write_file(member.server.admin_password_file, secrets.token_urlsafe(32))
                if _recovery:
                    self._recover(member, _recovery)
                else:
                    self._start_new(member)
                conn = member.server.connect()
                try:
                    bootstrap_sql.set_password(conn, "rdsadmin", member.server.admin_password)
                    if master_password:
                        bootstrap_sql.set_password(conn, member.master_username, master_password)
                finally:
                    conn.close()
        except Exception:
            self._discard(member)
            raise
        log.info("server %s restored from %s on %s:%d in %.2fs", "/".join(key), backup_id, ADDRESS,
                 member.server.port, time.monotonic() - started)
        return ADDRESS, member.server.port

    def _recover(self, member, recovery):
        """Archive recovery from the copied backup up to the target, then promotion."""
        settings = {
            "restore_command": config.restore_command(recovery["archive_dir"]),
            "recovery_target_timeline": "latest",
        }
        if recovery.get("target_time") is not None:
            settings["recovery_target_time"] = recovery["target_time"].astimezone(datetime.timezone.utc).strftime(
                "%Y-%m-%d %H:%M:%S.%f+00"
            )
            settings["recovery_target_action"] = "promote"
        member.recovery = settings
        runas.write_file(member.server.data_dir / "recovery.signal", "")
        try:
            self._start_new(member)
            member.server.wait_recovery_end()
        except RuntimeError as error:
            if NOT_REACHED not in str(error) or "recovery_target_time" not in settings:
                raise
            # No commit after the target in the archive: replaying all of it gives the same data.
            log.info("recovery target of %s after the end of the archive; replaying all of it", "/".join(member.key))
            member.server.stop(mode="immediate")
            member.recovery = {key: value for key, value in settings.items() if not key.startswith("recovery_target_")}
            runas.write_file(member.server.data_dir / "recovery.signal", "")
            self._start_new(member)
            member.server.wait_recovery_end()
        member.recovery = {}
        self._render(member)
        member.server.reload()

    def restore_to_time(
        self,
        key,
        source_key,
        target_time=None,
        parameters=None,
        instance_class=None,
        allocated_storage=None,
        master_password=None,
    ):
        """Point-in-time restore of ``source_key`` into a new server ``key``; return ``(address, port)``.

        Starts from the latest recovery backup of the source finished before ``target_time`` and
        replays the source's WAL archive up to ``target_time`` (the last transaction committed at
        or before it); ``target_time`` None restores everything archived (the source's current WAL
        is archived first when it runs). Raises ValueError when no backup is old enough.
        """
        source = self._member(source_key)
        self._join_backups(source)
        with source.lock:
            usable = [self.backups.get(backup_id) for backup_id in source.recovery_backups]
            usable = [backup for backup in usable if backup.status == backups.AVAILABLE]
            if target_time is not None:
                usable = [backup for backup in usable if backup.finished_at <= target_time]
            if not usable:
                raise ValueError(
                    "no automated backup of %s before %s" % (source_key[2], target_time.isoformat() if target_time else "now")
                )
            if source.server.is_running() and not source.stopped and source.primary is None:
                if target_time is not None:
                    # a commit after the target lets recovery stop exactly there
                    delay = (target_time - backups.utcnow()).total_seconds()
                    if delay >= 0:
                        time.sleep(delay + 0.002)
                    source.server.query("SELECT txid_current()")
                self._switch_wal(source)
            recovery = {"archive_dir": str(source.archive_dir), "target_time": target_time}
            backup_id = usable[-1].backup_id
            archive_copy = self._snapshot_archive(source)
        try:
            recovery["archive_dir"] = str(archive_copy)
            return self.restore(
                key,
                backup_id,
                parameters=parameters,
                instance_class=instance_class,
                allocated_storage=allocated_storage,
                master_password=master_password,
                _recovery=recovery,
            )
        finally:
            backups.remove_dir(archive_copy)

    def _snapshot_archive(self, source):
        """A private copy (hard links) of the source's archive, so the source may go on archiving or go away."""
        runas.make_dir(self.archive_root, 0o755)
        target = self.archive_root / (".restore-%s" % secrets.token_hex(4))
        subprocess.run(["cp", "-al", str(source.archive_dir), str(target)], check=True, capture_output=True)
        return target

    def latest_restorable_time(self, key):
        """The latest time a point-in-time restore of ``key`` can reach (None without a backup)."""
        member = self._member(key)
        if member.primary is not None or not self._has_recovery_backup(member):
            return None
        if member.stopped and member.stopped_at is not None:
            return member.stopped_at
        return backups.utcnow()

    def earliest_restorable_time(self, key):
        member = self._member(key)
        times = [
            self.backups.get(backup_id).finished_at
            for backup_id in list(member.recovery_backups)
            if self.backups.get(backup_id).status == backups.AVAILABLE
        ]
        return min(times) if times else None

    def _has_recovery_backup(self, member):
        for backup_id in list(member.recovery_backups):
            try:
                if self.backups.get(backup_id).status == backups.AVAILABLE:
                    return True
            except KeyError:
                continue
        return False

    def rename(self, old_key, new_key):
        """Follow a renamed instance (the server and its directory stay the same)."""
        old_key, new_key = tuple(old_key), tuple(new_key)
        with self._lock:
            if new_key in self._members:
                raise ValueError("a database server for %s/%s/%s exists already" % new_key)
            member = self._members.pop(old_key)
            member.key = new_key
            self._members[new_key] = member

    def set_master_password(self, key, user, password):
        member = self._member(key)
        with member.lock:
            conn = member.server.connect()
            try:
                bootstrap_sql.set_password(conn, user, password)
            finally:
                conn.close()

    def connect_admin(self, key, dbname="postgres"):
        """An autocommit superuser connection (through the private socket) for the emulator."""
        return self._member(key).server.connect(dbname=dbname)

    def status(self):
        with self._lock:
            members = list(self._members.values())
        result = []
        for member in members:
            running = member.server.is_running()
            entry = {
                "account_id": member.key[0],
                "region": member.key[1],
                "db_instance_identifier": member.key[2],
                "address": ADDRESS,
                "port": member.server.port,
                "pid": member.server.pid() if running else None,
                "running": running,
                "data_dir": str(member.server.data_dir),
                "instance_class": member.instance_class,
                "skipped_parameters": dict(member.skipped),
                "archive_dir": str(member.archive_dir) if member.archive_dir else None,
                "replica_of": "/".join(member.primary["source_key"]) if member.primary else None,
                "recovery_backups": list(member.recovery_backups),
            }
            if running:
                try:
                    entry["pending_restart"] = member.server.pending_restart()
                except Exception as error:  # a server may be restarting right now
                    entry["pending_restart_error"] = str(error)
            result.append(entry)
        return result

    def backups_status(self):
        """Every backup: id, source, times, status, size and directory."""
        return self.backups.status()

    def shutdown(self):
        """Stop every server (fast mode); safe to call more than once. Data stays on disk."""
        if self._preparing is not None:
            self._preparing.join(timeout=120)
        with self._lock:
            members = list(self._members.values())

        def stop(member):
            with member.lock:
                try:
                    member.server.stop(mode="fast")
                    member.stopped = True
                except Exception as error:
                    log.error("could not stop %s: %s", "/".join(member.key), error)

        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(stop, members))

    def remove_stale(self):
        """Stop servers left running by an earlier process with this state dir and remove their data."""
        self.backups.remove_unknown()
        if self.archive_root.exists():
            with self._lock:
                archives = {member.archive_dir for member in self._members.values()}
            for path in self.archive_root.iterdir():
                if path not in archives and path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
        if not self.instances_dir.exists():
            return
        with self._lock:
            known = {member.server.root for member in self._members.values()}
        for root in self.instances_dir.iterdir():
            if root in known or not root.is_dir():
                continue
            stale = PostgresServer(root, 0)
            try:
                stale.stop(mode="immediate")
            except RuntimeError as error:
                log.error("could not stop stale server in %s: %s", root, error)
                continue
            shutil.rmtree(root, ignore_errors=True)
            tls.remove_server_cert(self.context.tls_dir, root.name)
            log.info("removed stale server directory %s", root)
