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


# Files of a copied cluster that belong to the server it was copied from.
COPY_LEFTOVERS = (
    "postmaster.pid",
    "postmaster.opts",
    "standby.signal",
    "recovery.signal",
    "backup_manifest",
    "current_logfiles",
)


# Directories whose content a copy does not keep (as pg_basebackup omits it).
COPY_EMPTIED = ("log", "pg_replslot", "pg_stat_tmp", "pg_wal/archive_status")


def clean_copied_cluster(data_dir):
    """Remove what a copied cluster must not keep from its origin (pid file, signals, logs, slots)."""
    data_dir = pathlib.Path(data_dir)
    for name in COPY_LEFTOVERS:
        (data_dir / name).unlink(missing_ok=True)
    for directory in COPY_EMPTIED:
        for path in (data_dir / directory).glob("*"):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _lsn(text):
    high, low = str(text).split("/")
    return (int(high, 16) << 32) + int(low, 16)


def _segment_number(lsn_text, segment_size):
    return _lsn(lsn_text) // segment_size


def _segment_of_name(name, segment_size):
    """The segment number of a WAL file name (timeline, log, segment in hex)."""
    return int(name[8:16], 16) * (0x100000000 // segment_size) + int(name[16:24], 16)


def _copy_tree(source, target):
    """``cp -a`` of a live data directory as the server user; files that vanish meanwhile are fine."""
    result = runas.run(["cp", "-a", str(source), str(target)], check=False)
    if result.returncode != 0:
        problems = [line for line in result.stderr.splitlines() if line.strip() and "No such file or directory" not in line]
        if problems or not pathlib.Path(target).is_dir():
            raise RuntimeError("copying %s failed: %s" % (source, "\n".join(problems) or result.stderr.strip()))


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

    def query(self, statement, params=None, dbname="postgres"):
        """Rows of one statement run as the bootstrap superuser (autocommit)."""
        conn = self.connect(dbname=dbname)
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            conn.close()

    def in_recovery(self):
        return self.query("SELECT pg_is_in_recovery()")[0][0]

    def base_backup(self, target_dir):
        """Copy this running server's cluster into ``target_dir`` (an online base backup).

        PostgreSQL's low-level backup API: ``pg_backup_start`` (fast checkpoint), a file copy of
        the data directory, ``pg_backup_stop``, whose backup label is written into the copy, then
        the WAL segments from the backup's start to its end. The copy starts on its own (or as a
        standby); this is several times faster than ``pg_basebackup`` for small clusters.
        """
        target_dir = pathlib.Path(target_dir)
        conn = self.connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'")
                segment_size = cursor.fetchone()[0]
                cursor.execute("SELECT pg_backup_start(%s, true)", ("localenv %s" % target_dir.name,))
                start_lsn = cursor.fetchone()[0]
                _copy_tree(self.data_dir, target_dir)
                cursor.execute("SELECT labelfile, spcmapfile, lsn FROM pg_backup_stop(false)")
                label, spcmap, stop_lsn = cursor.fetchone()
        finally:
            conn.close()
        clean_copied_cluster(target_dir)
        runas.write_file(target_dir / "backup_label", label)
        if spcmap:
            runas.write_file(target_dir / "tablespace_map", spcmap)
        first, last = _segment_number(start_lsn, segment_size), _segment_number(stop_lsn, segment_size)
        wal = target_dir / "pg_wal"
        for path in wal.iterdir():
            if path.is_file():
                path.unlink()
        for path in (self.data_dir / "pg_wal").iterdir():
            name = path.name
            wanted = name.endswith(".history") or (
                len(name) == 24 and all(c in "0123456789ABCDEF" for c in name)
                and first <= _segment_of_name(name, segment_size) <= last
            )
            if wanted and path.is_file():
                subprocess.run(["cp", "-p", str(path), str(wal / name)], check=True, capture_output=True)

    def cold_copy(self, target_dir):
        """Copy the cluster of this stopped server (a consistent file copy) into ``target_dir``."""
        if self.is_running():
            raise RuntimeError("PostgreSQL in %s is running; a cold copy needs it stopped" % self.data_dir)
        subprocess.run(["cp", "-a", str(self.data_dir), str(target_dir)], check=True, capture_output=True)
        clean_copied_cluster(target_dir)

    def promote(self, timeout=60):
        """End recovery (standby or point-in-time restore) and make the server writable."""
        if not self.in_recovery():
            return
        if not self.query("SELECT pg_promote(true, %s)", (int(timeout),))[0][0]:
            raise RuntimeError("PostgreSQL in %s was not promoted within %ds" % (self.data_dir, timeout))

    def wait_recovery_end(self, timeout=120):
        """Wait until a server recovering to a target has promoted itself; raise with its log if it stopped."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.is_running():
                time.sleep(0.2)
                if not self.is_running():
                    raise RuntimeError("PostgreSQL in %s stopped during recovery:%s" % (self.data_dir, self._log_tail(30)))
            try:
                if not self.in_recovery():
                    return
            except psycopg2.OperationalError:
                pass
            time.sleep(0.05)
        raise RuntimeError("PostgreSQL in %s did not finish recovery within %ds" % (self.data_dir, timeout))

    def log_text(self):
        """The server's current log files, for diagnosis."""
        return self._log_tail(lines=200)

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
