"""The set of real PostgreSQL servers behind the emulated RDS instances.

Servers are keyed by ``(account_id, region, db_instance_identifier)``. Every server listens on
127.0.0.1 on its own free port with TLS (certificate from the local CA), has a private Unix socket
for the emulator, and looks like RDS inside (see bootstrap_sql.py). Its configuration comes from
the user-set values of its DB parameter group (see config.py) and follows PostgreSQL's own rules:
``apply_parameters`` reloads, so static (postmaster) settings wait for ``reboot``.
"""

import concurrent.futures
import dataclasses
import logging
import secrets
import shutil
import threading
import time

from localenv import tls
from localenv.dataplane import bootstrap_sql, config, installation, ports, runas, template
from localenv.dataplane.server import PostgresServer

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


class PostgresFleet:
    def __init__(self, context):
        self.context = context
        self.root = context.postgres_dir
        self.instances_dir = self.root / "instances"
        self._members = {}
        self._lock = threading.RLock()
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
        with self._lock:
            if self._template is None:
                self._template = template.ensure_template(self.root)
                runas.make_dir(self.instances_dir, 0o755)
                tls.ensure_ca(self.context.tls_dir)
            return self._template

    def installation(self):
        """The private PostgreSQL installation the servers run from (see installation.py)."""
        with self._lock:
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
        )
        rendered = config.render(member.parameters, tpl.catalogue, placement, tpl.libraries)
        member.server.write_config(rendered.conf, rendered.hba)
        member.skipped = rendered.skipped
        return rendered

    # -- lifecycle ---------------------------------------------------------------------------
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
            )
            self._members[key] = member
        started = time.monotonic()
        try:
            with member.lock:
                tls.issue_server_cert(self.context.tls_dir, slug)
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

    def stop(self, key):
        member = self._member(key)
        with member.lock:
            member.server.stop()
            member.stopped = True

    def start(self, key, parameters=None, instance_class=None, allocated_storage=None):
        member = self._member(key)
        with member.lock:
            self._update(member, parameters, instance_class, allocated_storage)
            self._render(member)
            member.server.start()
            member.stopped = False

    def delete(self, key):
        member = self._member(key)
        with member.lock:
            self._discard(member)

    def _discard(self, member):
        try:
            member.server.stop(mode="immediate")
        finally:
            member.server.remove()
            tls.remove_server_cert(self.context.tls_dir, member.cert_name)
            ports.release(member.server.port)
            with self._lock:
                if self._members.get(member.key) is member:
                    del self._members[member.key]

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
            }
            if running:
                try:
                    entry["pending_restart"] = member.server.pending_restart()
                except Exception as error:  # a server may be restarting right now
                    entry["pending_restart_error"] = str(error)
            result.append(entry)
        return result

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
