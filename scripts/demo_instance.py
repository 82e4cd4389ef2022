"""The demo's database instance: create it, reboot it, and show what its real server runs.

Until the rds_instance module lands, the demo drives these two steps with boto3 directly:
``create`` makes the instance app-db (RDS PostgreSQL 15) in the data account, attached to a
plain parameter group of the name that site.yml converges (as a database built before the
collection was adopted would be); ``reboot`` reboots it and waits; ``show`` connects to
the endpoint the API reports with sslmode=verify-full and prints the settings that matter.
"""

import argparse
import json
import os
import pathlib
import secrets
import sys

import boto3
import psycopg2

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:%s" % os.environ.get("LOCALENV_PORT", "4599"))
STATE_DIR = pathlib.Path(os.environ.get("LOCALENV_STATE_DIR", "/tmp/innovate-aws-postgres-localenv"))
DATA_ACCOUNT_ROLE = "arn:aws:iam::111111111111:role/InnovateAutomation"
INSTANCE = "app-db"
GROUP = "app-db-postgres15"
SETTINGS = ("shared_preload_libraries", "pgaudit.log", "log_min_duration_statement", "ssl")


def rds():
    base = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    creds = base.client("sts", endpoint_url=ENDPOINT).assume_role(
        RoleArn=DATA_ACCOUNT_ROLE, RoleSessionName="demo")["Credentials"]
    return boto3.client(
        "rds", region_name="us-east-1", endpoint_url=ENDPOINT,
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def password_file():
    return STATE_DIR / "demo-master-password"


def describe(client):
    found = client.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]
    groups = found.get("DBParameterGroups", [])
    return {
        "status": found.get("DBInstanceStatus"),
        "endpoint": "%s:%s" % (found["Endpoint"]["Address"], found["Endpoint"]["Port"]),
        "parameter_group": groups[0]["DBParameterGroupName"] if groups else None,
        "parameter_apply_status": groups[0].get("ParameterApplyStatus") if groups else None,
    }


def create(client):
    existing = client.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": [INSTANCE]}])["DBInstances"]
    if existing:
        print("demo: instance %s exists" % INSTANCE)
        return
    groups = client.describe_db_parameter_groups()["DBParameterGroups"]
    if GROUP not in [group["DBParameterGroupName"] for group in groups]:
        client.create_db_parameter_group(
            DBParameterGroupName=GROUP, DBParameterGroupFamily="postgres15", Description="Created by hand before adoption")
    password = secrets.token_urlsafe(18)
    password_file().write_text(password)
    password_file().chmod(0o600)
    client.create_db_instance(
        DBInstanceIdentifier=INSTANCE, Engine="postgres", EngineVersion="15.8", DBInstanceClass="db.t4g.medium",
        AllocatedStorage=20, MasterUsername="app_admin", MasterUserPassword=password, DBName="appdb",
        DBParameterGroupName=GROUP, StorageEncrypted=True, PubliclyAccessible=False, MultiAZ=True,
    )
    client.get_waiter("db_instance_available").wait(DBInstanceIdentifier=INSTANCE, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    print("demo: created %s with parameter group %s" % (INSTANCE, GROUP))


def reboot(client):
    client.reboot_db_instance(DBInstanceIdentifier=INSTANCE)
    client.get_waiter("db_instance_available").wait(DBInstanceIdentifier=INSTANCE, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    print("demo: rebooted %s" % INSTANCE)


def show(client):
    facts = describe(client)
    host, port = facts["endpoint"].split(":")
    with psycopg2.connect(
        host=host, port=int(port), dbname="appdb", user="app_admin", password=password_file().read_text(),
        sslmode="verify-full", sslrootcert=str(STATE_DIR / "tls" / "ca.pem"), connect_timeout=10,
    ) as conn, conn.cursor() as cur:
        for name in SETTINGS:
            try:
                cur.execute("SELECT current_setting(%s, true)", (name,))
                facts[name] = cur.fetchone()[0]
            except psycopg2.Error as exc:
                facts[name] = "error: %s" % exc.pgerror
        cur.execute("SELECT name FROM pg_settings WHERE pending_restart ORDER BY name")
        facts["pending_restart"] = [row[0] for row in cur.fetchall()]
    print(json.dumps(facts, indent=2))
    return facts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("create", "reboot", "show"))
    args = parser.parse_args()
    client = rds()
    {"create": create, "reboot": reboot, "show": show}[args.step](client)


if __name__ == "__main__":
    sys.exit(main())
