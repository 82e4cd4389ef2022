# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A real PostgreSQL 15 server shaped like RDS, for the pg_role_model tests and benchmark.

The server has TLS (a throw-away CA and a certificate for 127.0.0.1, clients use verify-full),
pgaudit preloaded, ``log_statement = all`` (so tests can read every statement a session sent) and
the RDS role layout: the bootstrap superuser ``rdsadmin``, the NOLOGIN roles ``rds_superuser`` and
``rds_iam``, and the master user ``app_admin`` (LOGIN CREATEROLE CREATEDB, member of
``rds_superuser``, not a superuser). As on RDS, ``rds_superuser`` may set ``pgaudit.log``
(``GRANT SET ON PARAMETER``). When running as root the server runs as the ``postgres`` user.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time

import psycopg2
from psycopg2 import sql

from localenv import tls

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
SERVER_USER = "postgres"
BOOTSTRAP = "rdsadmin"
MASTER = "app_admin"


def free_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def _certificates(base):
    """A throw-away CA and a certificate for 127.0.0.1 under ``base``; return their paths."""
    tls_dir = os.path.join(base, "tls")
    ca = tls.ensure_ca(tls_dir)[0]
    cert, key = tls.issue_server_cert(tls_dir, "server", hostnames=(), ips=("127.0.0.1",))
    return dict(ca=str(ca), cert=str(cert), key=str(key))


def _as_server_user(argv):
    if os.geteuid() == 0:
        argv = ["runuser", "-u", SERVER_USER, "--"] + argv
    return subprocess.run(argv, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


class RdsLikeServer:
    """A running server; :meth:`start` and :meth:`stop` bracket its life."""

    host = "127.0.0.1"

    def __init__(self, extra_conf=""):
        self.extra_conf = extra_conf
        self.base = None
        self.port = None
        self.bootstrap_password = "boot-" + secrets.token_urlsafe(16)
        self.master_password = "master-" + secrets.token_urlsafe(16)
        self.ca_file = None
        self.log_file = None
        self._data = None

    def start(self):
        self.base = tempfile.mkdtemp(prefix="innovate-pgrm-", dir="/tmp")
        owner = pwd.getpwnam(SERVER_USER) if os.geteuid() == 0 else None
        os.chmod(self.base, 0o755)
        paths = _certificates(self.base)
        self.ca_file = paths["ca"]
        self.log_file = os.path.join(self.base, "server.log")
        self._data = os.path.join(self.base, "data")
        pwfile = os.path.join(self.base, "pwfile")
        with open(pwfile, "w") as handle:
            handle.write(self.bootstrap_password + "\n")
        if owner is not None:
            for path in (self.base, pwfile, paths["cert"], paths["key"]):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self.port = free_port()
        result = _as_server_user([
            os.path.join(PG_BIN, "initdb"), "-D", self._data, "-U", BOOTSTRAP, "--pwfile", pwfile,
            "--auth-host", "scram-sha-256", "--auth-local", "reject", "-E", "UTF8", "--no-locale", "--no-sync",
        ])
        os.unlink(pwfile)
        if result.returncode != 0:
            raise RuntimeError("initdb failed:\n%s" % result.stdout)
        with open(os.path.join(self._data, "postgresql.conf"), "a") as handle:
            handle.write(
                "\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\n"
                "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\npassword_encryption = 'scram-sha-256'\n"
                "shared_preload_libraries = 'pgaudit'\nlog_statement = 'all'\n"
                "log_line_prefix = '%%m [%%p] app=%%a user=%%u db=%%d '\n"
                "max_connections = 60\nshared_buffers = 64MB\nfsync = off\nsynchronous_commit = off\n"
                "full_page_writes = off\n%s\n"
                % (self.port, self.base, paths["cert"], paths["key"], self.extra_conf)
            )
        with open(os.path.join(self._data, "pg_hba.conf"), "w") as handle:
            handle.write("hostssl all all 127.0.0.1/32 scram-sha-256\n")
        result = _as_server_user([os.path.join(PG_BIN, "pg_ctl"), "-D", self._data, "-l", self.log_file, "-w", "-t", "60", "start"])
        if result.returncode != 0:
            log = open(self.log_file).read() if os.path.exists(self.log_file) else ""
            raise RuntimeError("PostgreSQL did not start:\n%s\n%s" % (result.stdout, log))
        conn = self.connect(BOOTSTRAP, self.bootstrap_password)
        try:
            cursor = conn.cursor()
            cursor.execute("CREATE ROLE rds_superuser NOLOGIN")
            cursor.execute("CREATE ROLE rds_iam NOLOGIN")
            cursor.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEROLE CREATEDB PASSWORD {} IN ROLE rds_superuser").format(
                    sql.Identifier(MASTER), sql.Literal(self.master_password)
                )
            )
            cursor.execute("GRANT SET ON PARAMETER pgaudit.log TO rds_superuser")
            cursor.execute("GRANT pg_signal_backend TO rds_superuser")
        finally:
            conn.close()
        return self

    def stop(self):
        if self._data is not None:
            _as_server_user([os.path.join(PG_BIN, "pg_ctl"), "-D", self._data, "-m", "immediate", "-w", "stop"])
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)

    def connect(self, user, password, dbname="postgres", autocommit=True):
        """A plain psycopg2 connection (verify-full TLS), independent of the code under test."""
        conn = psycopg2.connect(
            host=self.host, port=self.port, dbname=dbname, user=user, password=password,
            sslmode="verify-full", sslrootcert=self.ca_file, connect_timeout=10,
        )
        conn.autocommit = autocommit
        return conn

    def admin(self, dbname="postgres"):
        """An autocommit connection as the bootstrap superuser (for assertions and cleanup)."""
        return self.connect(BOOTSTRAP, self.bootstrap_password, dbname)

    def master(self, dbname="postgres"):
        """An autocommit connection as the RDS-like master user."""
        return self.connect(MASTER, self.master_password, dbname)

    def log_position(self):
        """The current size of the server log, to read only what is written after it."""
        return os.path.getsize(self.log_file)

    def log_since(self, position, settle=0.3):
        """The server log written after ``position`` (waits ``settle`` seconds for the writer)."""
        time.sleep(settle)
        with open(self.log_file, "rb") as handle:
            handle.seek(position)
            return handle.read().decode("utf-8", "replace")

    def module_params(self, dbname, **overrides):
        """The connection options of a module task, as the master user."""
        params = dict(
            login_host=self.host, login_port=self.port, login_db=dbname, login_user=MASTER,
            login_password=self.master_password, sslmode="verify-full", ca_bundle=self.ca_file,
        )
        params.update(overrides)
        return params
