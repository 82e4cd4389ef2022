# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A real PostgreSQL 15 server for the postgres module_utils tests.

The session fixture ``pg`` runs initdb under /tmp, turns TLS on with a certificate for 127.0.0.1
signed by a throw-away CA (made with localenv.tls, as the local environment's are), accepts only ``hostssl`` scram-sha-256 logins on 127.0.0.1, and stops
the server and removes everything at the end. When running as root the server runs as the
``postgres`` user (PostgreSQL refuses to run as root).
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
import uuid

import psycopg2
import pytest
from psycopg2 import sql

from localenv import tls

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
SERVER_USER = "postgres"


def _free_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def _as_server_user(argv, **kwargs):
    if os.geteuid() == 0:
        argv = ["runuser", "-u", SERVER_USER, "--"] + argv
    return subprocess.run(argv, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


class PgServer:
    """Where the test server listens and how to reach it."""

    host = "127.0.0.1"
    superuser = "postgres"

    def __init__(self, base, port, password, ca_file, wrong_ca_file):
        self.base = base
        self.port = port
        self.password = password
        self.ca_file = ca_file
        self.wrong_ca_file = wrong_ca_file

    def params(self, **overrides):
        """Connection options (as the module argument spec names them) for the superuser."""
        params = dict(
            login_host=self.host,
            login_port=self.port,
            login_db="postgres",
            login_user=self.superuser,
            login_password=self.password,
            sslmode="verify-full",
            ca_bundle=self.ca_file,
        )
        params.update(overrides)
        return params

    def admin_connect(self, dbname="postgres"):
        """A psycopg2 autocommit connection as the superuser, independent of the code under test."""
        conn = psycopg2.connect(
            host=self.host,
            port=self.port,
            dbname=dbname,
            user=self.superuser,
            password=self.password,
            sslmode="verify-full",
            sslrootcert=self.ca_file,
        )
        conn.autocommit = True
        return conn


@pytest.fixture(scope="session")
def pg():
    base = tempfile.mkdtemp(prefix="innovate-pg-test-", dir="/tmp")
    data = os.path.join(base, "data")
    log = os.path.join(base, "server.log")
    server_pw = pwd.getpwnam(SERVER_USER) if os.geteuid() == 0 else None
    if server_pw is not None:
        os.chown(base, server_pw.pw_uid, server_pw.pw_gid)
    os.chmod(base, 0o755)

    # The certificate names only 127.0.0.1 (no DNS name), so verify-full to "localhost" fails.
    ca_file = str(tls.ensure_ca(os.path.join(base, "tls"))[0])
    wrong_ca_file = str(tls.ensure_ca(os.path.join(base, "unrelated-tls"))[0])
    cert_file, key_file = (str(path) for path in tls.issue_server_cert(os.path.join(base, "tls"), "server", hostnames=(), ips=("127.0.0.1",)))

    password = "pw-" + secrets.token_urlsafe(18)
    pwfile = os.path.join(base, "pwfile")
    with open(pwfile, "w") as handle:
        handle.write(password + "\n")
    for path in (pwfile, key_file, cert_file):
        if server_pw is not None:
            os.chown(path, server_pw.pw_uid, server_pw.pw_gid)
    os.chmod(pwfile, 0o600)

    port = _free_port()
    started = False
    try:
        result = _as_server_user(
            [
                os.path.join(PG_BIN, "initdb"),
                "-D", data,
                "-U", "postgres",
                "--pwfile", pwfile,
                "--auth-host", "scram-sha-256",
                "--auth-local", "reject",
                "-E", "UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        if result.returncode != 0:
            pytest.fail("initdb failed:\n%s" % result.stdout)
        os.unlink(pwfile)
        with open(os.path.join(data, "postgresql.conf"), "a") as handle:
            handle.write(
                "\n# innovate.aws_postgres unit tests\n"
                "listen_addresses = '127.0.0.1'\n"
                "port = %d\n"
                "unix_socket_directories = '%s'\n"
                "ssl = on\n"
                "ssl_cert_file = '%s'\n"
                "ssl_key_file = '%s'\n"
                "password_encryption = 'scram-sha-256'\n"
                "max_connections = 40\n"
                "shared_buffers = 16MB\n"
                "fsync = off\n"
                "synchronous_commit = off\n" % (port, base, cert_file, key_file)
            )
        with open(os.path.join(data, "pg_hba.conf"), "w") as handle:
            handle.write(
                "# TLS only: no 'host' or 'hostnossl' entry, so clear-text connections are refused\n"
                "hostssl all all 127.0.0.1/32 scram-sha-256\n"
            )
        result = _as_server_user([os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-l", log, "-w", "-t", "60", "start"])
        if result.returncode != 0:
            server_log = open(log).read() if os.path.exists(log) else ""
            pytest.fail("PostgreSQL did not start:\n%s\n%s" % (result.stdout, server_log))
        started = True
        yield PgServer(base, port, password, ca_file, wrong_ca_file)
    finally:
        if started:
            _as_server_user([os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def admin(pg):
    """An autocommit superuser cursor (plain psycopg2, not the code under test)."""
    conn = pg.admin_connect()
    cursor = conn.cursor()
    yield cursor
    cursor.close()
    conn.close()


@pytest.fixture
def new_role(pg):
    """``new_role(base)`` returns a unique role name starting with ``base``; all are dropped afterwards."""
    names = []

    def make(base="t"):
        name = "%s %s" % (base, uuid.uuid4().hex[:8])
        names.append(name)
        return name

    yield make
    conn = pg.admin_connect()
    try:
        cursor = conn.cursor()
        for name in reversed(names):
            cursor.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
    finally:
        conn.close()


@pytest.fixture
def scratch_db(pg):
    """The name of a fresh database, dropped afterwards."""
    name = "scratch_%s" % uuid.uuid4().hex[:10]
    conn = pg.admin_connect()
    try:
        conn.cursor().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    yield name
    conn = pg.admin_connect()
    try:
        conn.cursor().execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()
