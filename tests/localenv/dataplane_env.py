"""A private `python -m localenv up` with the data plane, for the replica/snapshot/restore tests."""

import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import psycopg2

ROOT = pathlib.Path(__file__).resolve().parents[2]
PASSWORD = "Master-Secret-1"


class DataplaneEnv:
    def __init__(self, prefix):
        root = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
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
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )

    def start(self):
        result = self.cli("up")
        assert result.returncode == 0, result.stdout + result.stderr
        return self

    def stop(self):
        self.cli("down")
        shutil.rmtree(self.root, ignore_errors=True)

    def control(self, method, endpoint, body=None):
        request = urllib.request.Request(
            "%s/_localenv/%s" % (self.endpoint_url, endpoint), method=method,
            data=json.dumps(body).encode() if body is not None else None,
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def transitions(self, **seconds):
        values = {"creating": 0, "modifying": 0, "rebooting": 0, "deleting": 0}
        values.update(seconds)
        return self.control("POST", "transitions", values)

    def client(self, service="rds", region="us-east-1"):
        return boto3.client(service, region_name=region, endpoint_url=self.endpoint_url,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def servers(self):
        return {server["db_instance_identifier"]: server for server in self.control("GET", "status")["db_instances"]["servers"]}

    def backups(self):
        return self.control("GET", "status")["db_instances"]["backups"]


def create(rds, identifier, **extra):
    arguments = dict(DBInstanceIdentifier=identifier, DBInstanceClass="db.t3.micro", Engine="postgres",
                     EngineVersion="15", MasterUsername="master", MasterUserPassword=PASSWORD, DBName="app",
                     AllocatedStorage=20)
    arguments.update(extra)
    return rds.create_db_instance(**arguments)["DBInstance"]


def describe(rds, identifier):
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def connect(env, instance, password=PASSWORD, user="master", dbname="app"):
    endpoint = instance["Endpoint"]
    conn = psycopg2.connect(host=endpoint["Address"], port=endpoint["Port"], user=user, password=password,
                            dbname=dbname, sslmode="verify-full", sslrootcert=str(env.ca_bundle), connect_timeout=10)
    conn.autocommit = True
    return conn


def query(conn, statement, params=None):
    with conn.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def wait_for(predicate, timeout=10.0, step=0.05):
    """Poll ``predicate`` until it returns a truthy value; return it (or the last falsy one)."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(step)
        value = predicate()
    return value


def wait_available(rds, identifier):
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier,
                                                 WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return describe(rds, identifier)


def wait_snapshot(rds, identifier):
    rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier=identifier,
                                                 WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return rds.describe_db_snapshots(DBSnapshotIdentifier=identifier)["DBSnapshots"][0]
