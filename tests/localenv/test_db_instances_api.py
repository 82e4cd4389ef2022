"""RDS DB instances backed by real PostgreSQL, driven with boto3 against `python -m localenv up`."""

import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import psycopg2
import pytest
from botocore.exceptions import ClientError

ROOT = pathlib.Path(__file__).resolve().parents[2]
PASSWORD = "Master-Secret-1"


class DpEnv:
    def __init__(self):
        root = tempfile.mkdtemp(prefix="dp-env-", dir="/tmp")
        os.chmod(root, 0o755)
        self.root = pathlib.Path(root)
        self.state_dir = self.root / "state"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.endpoint_url = "http://127.0.0.1:%d" % self.port
        self.ca_bundle = self.state_dir / "tls" / "ca.pem"

    def cli(self, command):
        return subprocess.run(
            [sys.executable, "-m", "localenv", command, "--port", str(self.port), "--state-dir", str(self.state_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def control(self, method, endpoint, body=None):
        request = urllib.request.Request(
            "%s/_localenv/%s" % (self.endpoint_url, endpoint),
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def client(self, service):
        return boto3.client(
            service,
            region_name="us-east-1",
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture(scope="module")
def dp_env():
    env = DpEnv()
    result = env.cli("up")
    assert result.returncode == 0, result.stdout + result.stderr
    yield env
    env.cli("down")
    import shutil

    shutil.rmtree(env.root, ignore_errors=True)


@pytest.fixture
def dp_rds(dp_env):
    return dp_env.client("rds")


@pytest.fixture
def dp_transitions(dp_env):
    def configure(**seconds):
        return dp_env.control("POST", "transitions", seconds)

    yield configure
    dp_env.control("POST", "transitions", {"creating": 0, "modifying": 0, "rebooting": 0, "deleting": 0})


def dp_create(rds, identifier, **extra):
    arguments = dict(
        DBInstanceIdentifier=identifier,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        EngineVersion="15.10",
        MasterUsername="master",
        MasterUserPassword=PASSWORD,
        DBName="app",
        AllocatedStorage=20,
    )
    arguments.update(extra)
    return rds.create_db_instance(**arguments)["DBInstance"]


def dp_describe(rds, identifier):
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def dp_connect(env, instance, password=PASSWORD, user="master", dbname="app"):
    endpoint = instance["Endpoint"]
    return psycopg2.connect(
        host=endpoint["Address"],
        port=endpoint["Port"],
        user=user,
        password=password,
        dbname=dbname,
        sslmode="verify-full",
        sslrootcert=str(env.ca_bundle),
        connect_timeout=10,
    )


def dp_show(conn, setting):
    with conn.cursor() as cursor:
        cursor.execute("SHOW %s" % setting)
        return cursor.fetchone()[0]


def dp_delete(rds, identifier):
    rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)


def test_create_reports_real_endpoint(dp_env, dp_rds):
    instance = dp_create(dp_rds, "dp-create", EnablePerformanceInsights=True, PerformanceInsightsRetentionPeriod=7)
    assert instance["Endpoint"]["Address"] == "127.0.0.1"
    described = dp_describe(dp_rds, "dp-create")
    assert described["DBInstanceStatus"] == "available"
    assert described["PerformanceInsightsEnabled"] is True
    assert described["PerformanceInsightsRetentionPeriod"] == 7
    assert described["PendingModifiedValues"] == {}
    conn = dp_connect(dp_env, described)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), pg_has_role('rds_superuser', 'MEMBER')")
            assert cursor.fetchone() == ("master", "app", True)
    finally:
        conn.close()
    status = dp_env.control("GET", "status")
    servers = status["db_instances"]["servers"]
    assert any(s["db_instance_identifier"] == "dp-create" and s["running"] for s in servers)
    dp_delete(dp_rds, "dp-create")


def test_static_parameter_pending_reboot_then_in_sync(dp_env, dp_rds):
    dp_rds.create_db_parameter_group(
        DBParameterGroupName="dp-pg", DBParameterGroupFamily="postgres15", Description="data plane test"
    )
    instance = dp_create(dp_rds, "dp-params", DBParameterGroupName="dp-pg")
    conn = dp_connect(dp_env, instance)
    try:
        dp_rds.modify_db_parameter_group(
            DBParameterGroupName="dp-pg",
            Parameters=[{"ParameterName": "log_min_duration_statement", "ParameterValue": "500", "ApplyMethod": "immediate"}],
        )
        groups = dp_describe(dp_rds, "dp-params")["DBParameterGroups"]
        assert groups == [{"DBParameterGroupName": "dp-pg", "ParameterApplyStatus": "in-sync"}]
        assert dp_show(conn, "log_min_duration_statement") == "500ms"

        dp_rds.modify_db_parameter_group(
            DBParameterGroupName="dp-pg",
            Parameters=[
                {
                    "ParameterName": "shared_preload_libraries",
                    "ParameterValue": "pg_stat_statements,pgaudit",
                    "ApplyMethod": "pending-reboot",
                }
            ],
        )
        groups = dp_describe(dp_rds, "dp-params")["DBParameterGroups"]
        assert groups[0]["ParameterApplyStatus"] == "pending-reboot"
        assert "pgaudit" not in dp_show(conn, "shared_preload_libraries")
    finally:
        conn.close()
    dp_rds.reboot_db_instance(DBInstanceIdentifier="dp-params")
    described = dp_describe(dp_rds, "dp-params")
    assert described["DBParameterGroups"][0]["ParameterApplyStatus"] == "in-sync"
    conn = dp_connect(dp_env, described)
    try:
        assert dp_show(conn, "shared_preload_libraries") == "pg_stat_statements,pgaudit"
        assert dp_show(conn, "pgaudit.log") == "none"
    finally:
        conn.close()
    dp_delete(dp_rds, "dp-params")


def test_deferred_modifications_apply_at_reboot(dp_env, dp_rds):
    dp_create(dp_rds, "dp-modify")
    modified = dp_rds.modify_db_instance(
        DBInstanceIdentifier="dp-modify",
        DBInstanceClass="db.t3.small",
        AllocatedStorage=40,
        DeletionProtection=True,
        MasterUserPassword="Second-Secret-2",
    )["DBInstance"]
    assert modified["PendingModifiedValues"]["DBInstanceClass"] == "db.t3.small"
    assert modified["PendingModifiedValues"]["AllocatedStorage"] == 40
    assert modified["DBInstanceClass"] == "db.t3.micro"
    assert modified["DeletionProtection"] is True
    described = dp_describe(dp_rds, "dp-modify")
    assert described["AllocatedStorage"] == 20
    dp_connect(dp_env, described, password="Second-Secret-2").close()

    dp_rds.reboot_db_instance(DBInstanceIdentifier="dp-modify")
    described = dp_describe(dp_rds, "dp-modify")
    assert described["PendingModifiedValues"] == {}
    assert (described["DBInstanceClass"], described["AllocatedStorage"]) == ("db.t3.small", 40)

    # Backup retention: non-zero to non-zero applies at once; switching backups off waits.
    kept = dp_rds.modify_db_instance(DBInstanceIdentifier="dp-modify", BackupRetentionPeriod=7)["DBInstance"]
    assert kept["BackupRetentionPeriod"] == 7 and "BackupRetentionPeriod" not in kept["PendingModifiedValues"]
    off = dp_rds.modify_db_instance(DBInstanceIdentifier="dp-modify", BackupRetentionPeriod=0)["DBInstance"]
    assert off["BackupRetentionPeriod"] == 7 and off["PendingModifiedValues"]["BackupRetentionPeriod"] == 0

    immediate = dp_rds.modify_db_instance(
        DBInstanceIdentifier="dp-modify", AllocatedStorage=50, DeletionProtection=False, ApplyImmediately=True
    )["DBInstance"]
    assert immediate["AllocatedStorage"] == 50
    assert immediate["BackupRetentionPeriod"] == 0  # pending changes go along with ApplyImmediately
    assert immediate["PendingModifiedValues"] == {}
    dp_delete(dp_rds, "dp-modify")


def test_managed_master_password_secret(dp_env, dp_rds):
    instance = dp_rds.create_db_instance(
        DBInstanceIdentifier="dp-managed",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        EngineVersion="15.10",
        MasterUsername="owner",
        ManageMasterUserPassword=True,
    )["DBInstance"]
    secret_arn = instance["MasterUserSecret"]["SecretArn"]
    value = json.loads(dp_env.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    assert value["username"] == "owner"
    described = dp_describe(dp_rds, "dp-managed")
    assert described["MasterUserSecret"]["SecretStatus"] == "active"
    dp_connect(dp_env, described, password=value["password"], user="owner", dbname="postgres").close()
    dp_delete(dp_rds, "dp-managed")


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"MasterUsername": "rdsadmin"}, "reserved word"),
        ({"MasterUsername": "1master"}, "MasterUsername is not a valid identifier"),
        ({"DBName": "my-app"}, "DBName is not a valid identifier"),
        ({"MasterUserPassword": "short"}, "shorter than 8 characters"),
    ],
)
def test_invalid_create_is_rejected_without_a_server(dp_env, dp_rds, arguments, message):
    with pytest.raises(ClientError, match=message):
        dp_create(dp_rds, "dp-invalid", **arguments)
    with pytest.raises(ClientError, match="DBInstanceNotFound"):
        dp_describe(dp_rds, "dp-invalid")
    servers = dp_env.control("GET", "status")["db_instances"]["servers"]
    assert not any(s["db_instance_identifier"] == "dp-invalid" for s in servers)


def test_waiters_follow_transitions(dp_env, dp_rds, dp_transitions):
    dp_transitions(creating=2, deleting=1)
    started = time.monotonic()
    instance = dp_create(dp_rds, "dp-waiter")
    assert instance["DBInstanceStatus"] == "creating"
    assert dp_describe(dp_rds, "dp-waiter")["DBInstanceStatus"] == "creating"
    dp_rds.get_waiter("db_instance_available").wait(
        DBInstanceIdentifier="dp-waiter", WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    assert time.monotonic() - started >= 2
    dp_transitions(rebooting=2)
    rebooted = dp_rds.reboot_db_instance(DBInstanceIdentifier="dp-waiter")["DBInstance"]
    assert rebooted["DBInstanceStatus"] == "rebooting"
    with pytest.raises(ClientError, match="InvalidDBInstanceState"):
        dp_rds.reboot_db_instance(DBInstanceIdentifier="dp-waiter")
    dp_transitions(rebooting=0)
    port = dp_describe(dp_rds, "dp-waiter")["Endpoint"]["Port"]
    dp_rds.get_waiter("db_instance_available").wait(
        DBInstanceIdentifier="dp-waiter", WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    deleted = dp_rds.delete_db_instance(DBInstanceIdentifier="dp-waiter", SkipFinalSnapshot=True)["DBInstance"]
    assert deleted["DBInstanceStatus"] == "deleting"
    assert dp_describe(dp_rds, "dp-waiter")["DBInstanceStatus"] == "deleting"
    dp_rds.get_waiter("db_instance_deleted").wait(
        DBInstanceIdentifier="dp-waiter", WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    with pytest.raises(ClientError, match="DBInstanceNotFound"):
        dp_describe(dp_rds, "dp-waiter")
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_stop_start_and_delete_remove_the_server(dp_env, dp_rds):
    instance = dp_create(dp_rds, "dp-lifecycle")
    dp_rds.stop_db_instance(DBInstanceIdentifier="dp-lifecycle")
    assert dp_describe(dp_rds, "dp-lifecycle")["DBInstanceStatus"] == "stopped"
    with pytest.raises(psycopg2.OperationalError):
        dp_connect(dp_env, instance)
    with pytest.raises(ClientError, match="InvalidDBInstanceState"):
        dp_rds.modify_db_instance(DBInstanceIdentifier="dp-lifecycle", DeletionProtection=True)
    dp_rds.start_db_instance(DBInstanceIdentifier="dp-lifecycle")
    assert dp_describe(dp_rds, "dp-lifecycle")["DBInstanceStatus"] == "available"
    dp_connect(dp_env, instance).close()
    servers = dp_env.control("GET", "status")["db_instances"]["servers"]
    data_dir = pathlib.Path(next(s["data_dir"] for s in servers if s["db_instance_identifier"] == "dp-lifecycle"))
    assert data_dir.is_dir()
    dp_delete(dp_rds, "dp-lifecycle")
    assert not data_dir.exists()
    servers = dp_env.control("GET", "status")["db_instances"]["servers"]
    assert not any(s["db_instance_identifier"] == "dp-lifecycle" for s in servers)
    with pytest.raises(psycopg2.OperationalError):
        dp_connect(dp_env, instance)


def test_parameter_group_switch_rename_and_rotation(dp_env, dp_rds):
    dp_rds.create_db_parameter_group(
        DBParameterGroupName="dp-forced", DBParameterGroupFamily="postgres15", Description="force ssl"
    )
    dp_rds.modify_db_parameter_group(
        DBParameterGroupName="dp-forced",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}],
    )
    dp_rds.create_db_instance(
        DBInstanceIdentifier="dp-switch",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        EngineVersion="15.10",
        MasterUsername="master",
        ManageMasterUserPassword=True,
    )
    modified = dp_rds.modify_db_instance(DBInstanceIdentifier="dp-switch", DBParameterGroupName="dp-forced")[
        "DBInstance"
    ]
    assert modified["DBParameterGroups"] == [
        {"DBParameterGroupName": "dp-forced", "ParameterApplyStatus": "pending-reboot"}
    ]
    renamed = dp_rds.modify_db_instance(
        DBInstanceIdentifier="dp-switch", NewDBInstanceIdentifier="dp-renamed", ApplyImmediately=False
    )["DBInstance"]
    assert renamed["PendingModifiedValues"] == {"DBInstanceIdentifier": "dp-renamed"}
    dp_rds.reboot_db_instance(DBInstanceIdentifier="dp-switch")
    described = dp_describe(dp_rds, "dp-renamed")
    assert described["DBParameterGroups"][0]["ParameterApplyStatus"] == "in-sync"

    secrets = dp_env.client("secretsmanager")
    secret_arn = described["MasterUserSecret"]["SecretArn"]

    def current_password():
        return json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"])["password"]

    old_password = current_password()
    dp_connect(dp_env, described, password=old_password, dbname="postgres").close()
    dp_rds.modify_db_instance(DBInstanceIdentifier="dp-renamed", RotateMasterUserPassword=True, ApplyImmediately=True)
    password = current_password()
    assert password != old_password
    dp_connect(dp_env, described, password=password, dbname="postgres").close()
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        dp_connect(dp_env, described, password=old_password, dbname="postgres")
    endpoint = described["Endpoint"]
    with pytest.raises(psycopg2.OperationalError, match="no encryption"):
        psycopg2.connect(
            host=endpoint["Address"], port=endpoint["Port"], user="master", password=password,
            dbname="postgres", sslmode="disable", connect_timeout=10,
        )
    servers = dp_env.control("GET", "status")["db_instances"]["servers"]
    assert any(s["db_instance_identifier"] == "dp-renamed" for s in servers)
    dp_delete(dp_rds, "dp-renamed")
