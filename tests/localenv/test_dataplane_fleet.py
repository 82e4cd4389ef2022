"""Real PostgreSQL servers managed by PostgresFleet: RDS-like roles, TLS, parameters, lifecycle."""

import os
import pathlib
import shutil
import tempfile
import time

import psycopg2
import pytest

from localenv.context import LocalEnvContext
from localenv.dataplane.fleet import PostgresFleet
from localenv.dataplane.server import process_alive

ACCOUNT, REGION = "123456789012", "us-east-1"
PASSWORD = "Master-Secret-1"


def dp_state_dir():
    root = tempfile.mkdtemp(prefix="dp-fleet-", dir="/tmp")
    os.chmod(root, 0o755)
    return pathlib.Path(root)


@pytest.fixture(scope="module")
def dp_fleet():
    state_dir = dp_state_dir()
    fleet = PostgresFleet(LocalEnvContext(state_dir=state_dir, port=0))
    yield fleet
    fleet.shutdown()
    shutil.rmtree(state_dir, ignore_errors=True)


def dp_connect(fleet, endpoint, user="master", password=PASSWORD, dbname="app", sslmode="verify-full"):
    address, port = endpoint
    return psycopg2.connect(
        host=address,
        port=port,
        user=user,
        password=password,
        dbname=dbname,
        sslmode=sslmode,
        sslrootcert=str(fleet.context.ca_bundle),
        connect_timeout=10,
    )


def dp_query(conn, statement):
    with conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def test_master_user_is_rds_superuser_member_not_superuser(dp_fleet):
    endpoint = dp_fleet.create((ACCOUNT, REGION, "roles"), "master", PASSWORD, "app", {})
    assert endpoint[0] == "127.0.0.1"
    conn = dp_connect(dp_fleet, endpoint)
    try:
        assert dp_query(conn, "SELECT current_user, current_database()") == [("master", "app")]
        assert dp_query(conn, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") == [(True,)]
        assert dp_query(
            conn, "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'master'"
        ) == [(False, True, True)]
        assert dp_query(conn, "SELECT pg_has_role('master', 'rds_superuser', 'MEMBER')") == [(True,)]
        assert dp_query(conn, "SELECT pg_has_role('master', 'pg_monitor', 'MEMBER')") == [(True,)]
        assert dp_query(
            conn, "SELECT rolname FROM pg_roles WHERE rolname LIKE 'rds%' AND NOT rolcanlogin ORDER BY 1"
        ) == [("rds_iam",), ("rds_password",), ("rds_replication",), ("rds_superuser",)]
        assert dp_query(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = 'rdsadmin'") == [(True,)]
        assert dp_query(
            conn, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app'"
        ) == [("master",)]
        assert dp_query(conn, "SELECT count(*) FROM pg_database WHERE datname = 'postgres'") == [(1,)]
    finally:
        conn.close()
    with pytest.raises(psycopg2.OperationalError):
        dp_connect(dp_fleet, endpoint, password="wrong-password")
    with pytest.raises(psycopg2.OperationalError):
        dp_connect(dp_fleet, endpoint, user="rdsadmin", dbname="postgres")


def test_set_master_password(dp_fleet):
    key = (ACCOUNT, REGION, "password")
    endpoint = dp_fleet.create(key, "master", PASSWORD, None, {})
    dp_fleet.set_master_password(key, "master", "Changed-Secret-2")
    with pytest.raises(psycopg2.OperationalError):
        dp_connect(dp_fleet, endpoint, dbname="postgres")
    dp_connect(dp_fleet, endpoint, password="Changed-Secret-2", dbname="postgres").close()


def test_force_ssl_rejects_plain_connections(dp_fleet):
    plain = dp_fleet.create((ACCOUNT, REGION, "plain"), "master", PASSWORD, "app", {})
    dp_connect(dp_fleet, plain, sslmode="disable").close()
    forced = dp_fleet.create((ACCOUNT, REGION, "forced"), "master", PASSWORD, "app", {"rds.force_ssl": "1"})
    with pytest.raises(psycopg2.OperationalError, match="no encryption"):
        dp_connect(dp_fleet, forced, sslmode="disable")
    dp_connect(dp_fleet, forced).close()


def test_static_parameter_waits_for_reboot(dp_fleet):
    key = (ACCOUNT, REGION, "static")
    endpoint = dp_fleet.create(key, "master", PASSWORD, "app", {})
    pending = dp_fleet.apply_parameters(
        key, {"shared_preload_libraries": "pg_stat_statements,pgaudit", "pgaudit.log": "ddl"}
    )
    assert pending == ["shared_preload_libraries"]
    conn = dp_connect(dp_fleet, endpoint)
    try:
        assert dp_query(conn, "SHOW shared_preload_libraries") == [("pg_stat_statements",)]
        assert dp_query(
            conn, "SELECT pending_restart FROM pg_settings WHERE name = 'shared_preload_libraries'"
        ) == [(True,)]
    finally:
        conn.close()
    dp_fleet.reboot(key)
    conn = dp_connect(dp_fleet, endpoint)
    try:
        assert dp_query(conn, "SHOW shared_preload_libraries") == [("pg_stat_statements,pgaudit",)]
        assert dp_query(conn, "SHOW pgaudit.log") == [("ddl",)]
        assert dp_query(conn, "SELECT count(*) FROM pg_settings WHERE pending_restart") == [(0,)]
    finally:
        conn.close()
    assert dp_fleet.pending_restart(key) == []


def test_dynamic_parameter_applies_without_restart(dp_fleet):
    key = (ACCOUNT, REGION, "dynamic")
    endpoint = dp_fleet.create(key, "master", PASSWORD, "app", {})
    conn = dp_connect(dp_fleet, endpoint)
    try:
        pid = dp_query(conn, "SELECT pg_postmaster_start_time()")[0][0]
        assert dp_query(conn, "SHOW log_min_duration_statement") == [("-1",)]
        assert dp_fleet.apply_parameters(key, {"log_min_duration_statement": "250"}) == []
        assert dp_query(conn, "SHOW log_min_duration_statement") == [("250ms",)]
        assert dp_query(conn, "SELECT pg_postmaster_start_time()")[0][0] == pid
    finally:
        conn.close()


def test_stop_start_and_delete(dp_fleet):
    key = (ACCOUNT, REGION, "lifecycle")
    endpoint = dp_fleet.create(key, "master", PASSWORD, "app", {})
    data_dir = pathlib.Path(next(s["data_dir"] for s in dp_fleet.status() if s["db_instance_identifier"] == "lifecycle"))
    assert data_dir.is_dir()
    dp_fleet.stop(key)
    with pytest.raises(psycopg2.OperationalError):
        dp_connect(dp_fleet, endpoint)
    dp_fleet.start(key)
    dp_connect(dp_fleet, endpoint).close()
    dp_fleet.delete(key)
    assert not data_dir.exists()
    assert key not in dp_fleet
    with pytest.raises(psycopg2.OperationalError):
        dp_connect(dp_fleet, endpoint)


def _processes_mentioning(text):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as handle:
                if text.encode() in handle.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def test_shutdown_stops_every_server():
    state_dir = dp_state_dir()
    fleet = PostgresFleet(LocalEnvContext(state_dir=state_dir, port=0))
    try:
        for name in ("one", "two"):
            fleet.create((ACCOUNT, REGION, name), "master", PASSWORD, None, {})
        pids = [entry["pid"] for entry in fleet.status()]
        assert len(pids) == 2 and all(pids)
        assert len(_processes_mentioning(str(state_dir))) >= 2
        fleet.shutdown()
        fleet.shutdown()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            any(process_alive(pid) for pid in pids) or _processes_mentioning(str(state_dir))
        ):
            time.sleep(0.05)
        assert not any(process_alive(pid) for pid in pids)
        assert _processes_mentioning(str(state_dir)) == []
        assert all(not entry["running"] for entry in fleet.status())
    finally:
        fleet.shutdown()
        shutil.rmtree(state_dir, ignore_errors=True)


def test_password_methods_follow_rds_accepted_password_auth_method(dp_fleet):
    key = (ACCOUNT, REGION, "authmethod")
    endpoint = dp_fleet.create(key, "master", PASSWORD, "app", {"password_encryption": "md5"})
    admin = dp_fleet.connect_admin(key)
    try:
        assert dp_query(admin, "SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = 'master'") == [
            ("SCRAM-SHA-256$",)
        ]
    finally:
        admin.close()
    conn = dp_connect(dp_fleet, endpoint)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("CREATE ROLE legacy LOGIN PASSWORD 'Legacy-Secret-3'")
        assert dp_query(conn, "SELECT count(*) FROM pg_roles WHERE rolname = 'legacy'") == [(1,)]
    finally:
        conn.close()
    dp_connect(dp_fleet, endpoint, user="legacy", password="Legacy-Secret-3").close()
    dp_fleet.apply_parameters(key, {"password_encryption": "md5", "rds.accepted_password_auth_method": "scram"})
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        dp_connect(dp_fleet, endpoint, user="legacy", password="Legacy-Secret-3")
    dp_connect(dp_fleet, endpoint).close()
