"""One real PostgreSQL server: its directory, configuration files, and start/stop/restart/reload.

Layout of a server directory (owned by the server user, mode 0700)::

    data/          the cluster (postgresql.conf and pg_hba.conf rendered by config.py; logs in data/log)
    startup.log    pg_ctl's log until the logging collector takes over
    rdsadmin.pass  the bootstrap superuser's password, for the emulator only

The Unix socket directory (private; the socket is trusted, TCP is not) lives under SOCKET_ROOT,
because a socket path may not exceed 107 bytes and server directories can be long.
"""

import hashlib
import os
import pathlib
import secrets
import shutil
import subprocess
import threading
import time

import psycopg2

from localenv.dataplane import runas

ADMIN_USER = "rdsadmin"
SOCKET_ROOT = pathlib.Path("/tmp/.innovate-pg-sockets")
START_TIMEOUT = 60


def process_alive(pid):
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class PostgresServer:
    def __init__(self, root, port, postgres_binary=None):
        self.root = pathlib.Path(root)
        self.port = port
        #: The ``postgres`` executable pg_ctl starts (None: the one next to pg_ctl).
        self.postgres_binary = postgres_binary

    @property
    def data_dir(self):
        return self.root / "data"

    @property
    def socket_dir(self):
        return SOCKET_ROOT / hashlib.sha256(str(self.root).encode()).hexdigest()[:16]

    @property
    def startup_log(self):
        return self.root / "startup.log"

    @property
    def admin_password_file(self):
        return self.root / "rdsadmin.pass"

    @property
    def log_dir(self):
        return self.data_dir / "log"

    # -- files -------------------------------------------------------------------------------
    def create_from_template(self, template_data_dir):
        """Copy the template cluster (ownership and modes preserved) into this server's directory."""
        runas.make_dir(self.root)
        subprocess.run(
            ["cp", "-a", str(template_data_dir), str(self.data_dir)], check=True, capture_output=True
        )
        runas.make_dir(self.socket_dir)
        runas.write_file(self.admin_password_file, secrets.token_urlsafe(32))

    @property
    def admin_password(self):
        return self.admin_password_file.read_text().strip()

    def write_config(self, conf_text, hba_text):
        runas.write_file(self.data_dir / "postgresql.conf", conf_text)
        runas.write_file(self.data_dir / "pg_hba.conf", hba_text)

    def remove(self):
        """Remove the directory: renamed away at once, its files deleted in the background."""
        shutil.rmtree(self.socket_dir, ignore_errors=True)
        if not self.root.exists():
            return
        trash = self.root.with_name(".trash-%s-%s" % (self.root.name, secrets.token_hex(3)))
        os.rename(self.root, trash)
        threading.Thread(target=shutil.rmtree, args=(trash, True), daemon=True).start()

    # -- processes ---------------------------------------------------------------------------
    def pid(self):
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None

    def is_running(self):
        pid = self.pid()
        return pid is not None and process_alive(pid)

    def start(self):
        if self.is_running():
            return
        binary = ["-p", str(self.postgres_binary)] if self.postgres_binary else []
        result = runas.run(
            [
                runas.pg_program("pg_ctl"),
                "start",
                *binary,
                "-D",
                str(self.data_dir),
                "-l",
                str(self.startup_log),
                "-w",
                "-t",
                str(START_TIMEOUT),
                "-s",
            ],
            timeout=START_TIMEOUT + 10,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                "PostgreSQL in %s did not start: %s%s"
                % (self.data_dir, (result.stderr or "").strip(), self._log_tail())
            )

    def stop(self, mode="fast"):
        if not self.is_running():
            return
        result = runas.run(
            [runas.pg_program("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "60", "-s"],
            timeout=70,
            check=False,
        )
        if result.returncode != 0 and self.is_running():
            raise RuntimeError("PostgreSQL in %s did not stop: %s" % (self.data_dir, result.stderr.strip()))

    def restart(self):
        self.stop()
        self.start()

    def reload(self, timeout=10):
        """Re-read the configuration files and wait until new sessions see it (like SIGHUP)."""
        with self.connect() as conn:
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_conf_load_time()")
                before = cursor.fetchone()[0]
                cursor.execute("SELECT pg_reload_conf()")
        conn.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            conn = self.connect()
            try:
                with conn.cursor() as cursor:
                    cursor.execute("SELECT pg_conf_load_time()")
                    if cursor.fetchone()[0] > before:
                        return
            finally:
                conn.close()
            time.sleep(0.02)
        raise RuntimeError("PostgreSQL in %s did not reload its configuration" % self.data_dir)

    def connect(self, dbname="postgres", user=ADMIN_USER):
        """An autocommit connection through the private Unix socket."""
        conn = psycopg2.connect(
            host=str(self.socket_dir), port=self.port, dbname=dbname, user=user, connect_timeout=10
        )
        conn.autocommit = True
        return conn

    def pending_restart(self):
        """Names of settings changed in the files that need a restart to take effect."""
        conn = self.connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT name FROM pg_settings WHERE pending_restart ORDER BY name")
                names = [row[0] for row in cursor.fetchall()]
                cursor.execute(
                    "SELECT DISTINCT name FROM pg_file_settings WHERE error = 'setting could not be applied'"
                )
                names += [row[0] for row in cursor.fetchall() if row[0] not in names]
                return sorted(names)
        finally:
            conn.close()

    def _log_tail(self, lines=15):
        texts = []
        for path in [self.startup_log] + sorted(self.log_dir.glob("*"))[-1:]:
            try:
                texts.append("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
            except OSError:
                continue
        return ("\n" + "\n".join(texts)) if texts else ""
