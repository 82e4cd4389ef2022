"""RDS-like extension privileges: rds_superuser members create the RDS extensions, within rds.allowed_extensions."""

import os
import pathlib
import shutil
import tempfile

import psycopg2
import pytest

from localenv.context import LocalEnvContext
from localenv.dataplane import config, installation
from localenv.dataplane.fleet import PostgresFleet

ACCOUNT, REGION = "123456789012", "us-east-1"
PASSWORD = "Master-Secret-1"
PRELOAD = {"shared_preload_libraries": "pgaudit,pg_stat_statements"}


@pytest.fixture(scope="module")
def ex_fleet():
    state_dir = pathlib.Path(tempfile.mkdtemp(prefix="dp-ext-", dir="/tmp"))
    os.chmod(state_dir, 0o755)
    fleet = PostgresFleet(LocalEnvContext(state_dir=state_dir, port=0))
    yield fleet
    fleet.shutdown()
    shutil.rmtree(state_dir, ignore_errors=True)


def ex_connect(fleet, endpoint, dbname="app"):
    conn = psycopg2.connect(
        host=endpoint[0], port=endpoint[1], user="master", password=PASSWORD, dbname=dbname,
        sslmode="verify-full", sslrootcert=str(fleet.context.ca_bundle), connect_timeout=10,
    )
    conn.autocommit = True
    return conn


def ex_rows(conn, statement):
    with conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def test_trusted_control_replaces_any_trusted_line():
    text = "comment = 'x'\ntrusted = false\nrelocatable = true\n"
    result = installation.trusted_control(text)
    assert "trusted = false" not in result
    assert result.count("trusted = true") == 1
    assert "relocatable = true" in result


def test_servers_run_from_the_private_installation(ex_fleet):
    key = (ACCOUNT, REGION, "private")
    ex_fleet.create(key, "master", PASSWORD, "app", {})
    pid = ex_fleet._member(key).server.pid()
    tree = ex_fleet.installation()
    assert os.readlink("/proc/%d/exe" % pid) == str(tree.postgres)
    assert {"pgaudit", "pg_stat_statements", "pg_trgm"} <= tree.trusted
    assert "file_fdw" not in tree.trusted and "adminpack" not in tree.trusted
    control = (tree.sharedir / "extension" / "pgaudit.control").read_text()
    assert "trusted = true" in control
    assert "trusted" not in pathlib.Path("/usr/share/postgresql/15/extension/pgaudit.control").read_text()


def test_master_creates_rds_extensions_without_being_superuser(ex_fleet):
    endpoint = ex_fleet.create((ACCOUNT, REGION, "exts"), "master", PASSWORD, "app", PRELOAD)
    conn = ex_connect(ex_fleet, endpoint)
    try:
        assert ex_rows(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == [(False,)]
        for name in ("pg_trgm", "uuid-ossp", "pgcrypto", "pgaudit", "pg_stat_statements"):
            conn.cursor().execute('CREATE EXTENSION "%s"' % name)
        assert ex_rows(
            conn, "SELECT extname, extowner::regrole::text FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1"
        ) == [("pg_stat_statements", "master"), ("pg_trgm", "master"), ("pgaudit", "master"),
              ("pgcrypto", "master"), ("uuid-ossp", "master")]
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="file_fdw"):
            conn.cursor().execute("CREATE EXTENSION file_fdw")
    finally:
        conn.close()
    postgres_db = ex_connect(ex_fleet, endpoint, dbname="postgres")
    try:
        postgres_db.cursor().execute("CREATE EXTENSION pg_stat_statements")
        assert ex_rows(postgres_db, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'") == [(1,)]
    finally:
        postgres_db.close()


def test_allowed_extensions_restricts_even_after_a_session_set(ex_fleet):
    key = (ACCOUNT, REGION, "allowed")
    endpoint = ex_fleet.create(key, "master", PASSWORD, "app", {"rds.allowed_extensions": "pg_trgm, earthdistance"})
    conn = ex_connect(ex_fleet, endpoint)
    try:
        assert ex_rows(conn, "SHOW rds.allowed_extensions") == [("pg_trgm, earthdistance",)]
        conn.cursor().execute("CREATE EXTENSION pg_trgm")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match='create extension "hstore"') as error:
            conn.cursor().execute("CREATE EXTENSION hstore")
        assert "rds.allowed_extensions" in error.value.diag.message_detail
        conn.cursor().execute("SET rds.allowed_extensions = '*'")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="hstore"):
            conn.cursor().execute("CREATE EXTENSION hstore")
        # earthdistance is allowed, but CASCADE would also create cube, which is not
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match='"cube"'):
            conn.cursor().execute("CREATE EXTENSION earthdistance CASCADE")
        assert ex_rows(conn, "SELECT extname FROM pg_extension ORDER BY 1") == [("pg_trgm",), ("plpgsql",)]
        conn.cursor().execute("CREATE DATABASE fresh TEMPLATE template0")
    finally:
        conn.close()
    fresh = ex_connect(ex_fleet, endpoint, dbname="fresh")
    try:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="hstore"):
            fresh.cursor().execute("CREATE EXTENSION hstore")
    finally:
        fresh.close()
    ex_fleet.apply_parameters(key, {"rds.allowed_extensions": "*"})
    conn = ex_connect(ex_fleet, endpoint)
    try:
        conn.cursor().execute("CREATE EXTENSION hstore")
        assert ex_rows(conn, "SELECT count(*) FROM pg_extension WHERE extname = 'hstore'") == [(1,)]
    finally:
        conn.close()


def test_hba_sends_rds_iam_members_to_the_validator_before_any_password_rule():
    lines = [line for line in config.render_hba(True, False, 4242, "@slug-1").splitlines() if not line.startswith("#")]
    ldap_line = next(index for index, line in enumerate(lines) if "ldap" in line)
    password_lines = [index for index, line in enumerate(lines) if line.endswith(" md5")]
    assert lines[ldap_line].split()[:3] == ["hostssl", "all", "+rds_iam"]
    assert 'ldapport=4242 ldapprefix="" ldapsuffix="@slug-1"' in lines[ldap_line]
    assert password_lines and ldap_line < min(password_lines)
    assert lines[ldap_line + 1].split() == ["host", "all", "+rds_iam", "127.0.0.1/32", "reject"]
    without_validator = config.render_hba(False)
    assert "ldap" not in without_validator
    assert "host    all          +rds_iam  127.0.0.1/32   reject" in without_validator
