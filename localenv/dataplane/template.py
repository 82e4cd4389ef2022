"""A template cluster built once per state dir and copied for every new server.

``initdb`` costs about a second and a first start with role bootstrap another; copying a cleanly
stopped template costs a fraction of that. Building the template also captures the settings
catalogue (``pg_settings`` with the preloadable extension libraries loaded) used by config.py.
"""

import dataclasses
import fcntl
import json
import pathlib
import shutil
import subprocess
import threading

from localenv.dataplane import bootstrap_sql, gucs, ports, runas
from localenv.dataplane.server import ADMIN_USER, PostgresServer

# Libraries loaded while the catalogue is captured, so that their settings are known.
CATALOGUE_LIBRARIES = ("pgaudit", "pg_stat_statements", "auto_explain", "pg_prewarm")

WAL_SEGMENT_MB = 1

_lock = threading.Lock()


@dataclasses.dataclass
class Template:
    data_dir: pathlib.Path
    catalogue: dict
    libraries: frozenset


def available_libraries():
    """Names of the loadable libraries installed in ``pg_config --pkglibdir``."""
    pkglibdir = subprocess.run(
        [runas.pg_program("pg_config"), "--pkglibdir"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return frozenset(path.stem for path in pathlib.Path(pkglibdir).glob("*.so"))


def _initdb(data_dir):
    runas.run(
        [
            runas.pg_program("initdb"),
            "-D",
            str(data_dir),
            "-U",
            ADMIN_USER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            "--no-instructions",
            # 1 MB WAL segments: archives, base backups and snapshots stay small
            "--wal-segsize=%d" % WAL_SEGMENT_MB,
        ]
    )


def _bootstrap(root, libraries):
    server = PostgresServer(root, ports.allocate())
    runas.make_dir(server.socket_dir)
    preload = ",".join(lib for lib in CATALOGUE_LIBRARIES if lib in libraries)
    conf = "\n".join(
        [
            "listen_addresses = ''",
            "port = %d" % server.port,
            "unix_socket_directories = '%s'" % server.socket_dir,
            "shared_buffers = '16MB'",
            "max_connections = 20",
            "fsync = off",
            "shared_preload_libraries = '%s'" % preload,
            "timezone = 'UTC'",
            "log_timezone = 'UTC'",
        ]
    )
    server.write_config(conf + "\n", "local all all trust\n")
    server.start()
    try:
        conn = server.connect()
        try:
            with conn.cursor() as cursor:
                bootstrap_sql.create_rds_roles(cursor)
                catalogue = gucs.dump(cursor)
            bootstrap_sql.install_extension_guard(lambda dbname: server.connect(dbname=dbname))
            with conn.cursor() as cursor:
                cursor.execute("CHECKPOINT")
        finally:
            conn.close()
    finally:
        server.stop()
        ports.release(server.port)
    for leftover in ("postmaster.opts", "startup.log"):
        (server.data_dir / leftover).unlink(missing_ok=True)
    (root / "startup.log").unlink(missing_ok=True)
    return catalogue


def ensure_template(postgres_dir):
    """Build (once) and return the template of ``postgres_dir``."""
    postgres_dir = pathlib.Path(postgres_dir)
    root = postgres_dir / "_template"
    with _lock:
        runas.make_dir(postgres_dir, 0o755)
        runas.check_traversable(postgres_dir)
        with open(postgres_dir / ".template.lock", "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            ready = root / "ready.json"
            if not ready.exists():
                if (root / "data").exists():
                    # a build interrupted by a crash may have left its bootstrap server running
                    PostgresServer(root, 0).stop(mode="immediate")
                shutil.rmtree(root, ignore_errors=True)
                runas.make_dir(root)
                libraries = available_libraries()
                _initdb(root / "data")
                catalogue = _bootstrap(root, libraries)
                gucs.save(root / "gucs.json", catalogue)
                ready.write_text(json.dumps({"libraries": sorted(libraries)}))
            libraries = frozenset(json.loads(ready.read_text())["libraries"])
            return Template(root / "data", gucs.load(root / "gucs.json"), libraries)
