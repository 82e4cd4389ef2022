"""Shared by the day-2 playbook tests: one RDS instance with a managed master secret, an inventory for it."""

import json
import sys

import psycopg2
import yaml

DATA_ACCOUNT = "111111111111"
DATA_ROLE = "arn:aws:iam::%s:role/InnovateAutomation" % DATA_ACCOUNT


def create_instance(localenv, identifier):
    """An RDS PostgreSQL instance (real server) with its master password managed in Secrets Manager."""
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.create_db_instance(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
                           MasterUsername="dbadmin", ManageMasterUserPassword=True, DBName="app")
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    described = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    return dict(identifier=identifier, host=described["Endpoint"]["Address"], port=described["Endpoint"]["Port"],
                master_arn=described["MasterUserSecret"]["SecretArn"])


def secret_value(localenv, secret_id):
    secrets = localenv.client("secretsmanager", account_id=DATA_ACCOUNT)
    return json.loads(secrets.get_secret_value(SecretId=secret_id)["SecretString"])


def connect(localenv, instance, user, password, dbname="app"):
    return psycopg2.connect(host=instance["host"], port=instance["port"], dbname=dbname, sslmode="verify-full",
                            sslrootcert=localenv.ca_bundle, user=user, password=password, connect_timeout=10)


def logs_in(localenv, instance, user, password):
    try:
        connect(localenv, instance, user, password).close()
    except psycopg2.OperationalError as exc:
        if "authentication failed" in str(exc) or "not permitted to log in" in str(exc):
            return False
        raise
    return True


def master_sql(localenv, instance, *statements):
    """Run statements as the master user (autocommit); returns the rows of the last one, if any."""
    master = secret_value(localenv, instance["master_arn"])
    conn = connect(localenv, instance, master["username"], master["password"])
    conn.autocommit = True
    rows = None
    try:
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                rows = cursor.fetchall() if cursor.description else None
    finally:
        conn.close()
    return rows


def write_inventory(path, localenv, instance, **host_vars):
    """An inventory with the group ``databases`` holding the instance, as the day-2 playbooks expect."""
    variables = dict(
        ansible_connection="local", ansible_python_interpreter=sys.executable, env_name="local",
        aws_region="us-east-1", aws_endpoint_url=localenv.endpoint_url, aws_access_key="testing", aws_secret_key="testing",
        aws_assume_role_arn=DATA_ROLE, db_engine="postgres", db_name="app", pg_ca_bundle=localenv.ca_bundle,
    )
    variables.update(host_vars)
    path.write_text(yaml.safe_dump({"all": {"children": {"databases": {"hosts": {instance["identifier"]: variables}}}}}))
    return path


def assert_never_printed(run, *values):
    output = run.stdout + run.stderr
    for value in values:
        assert value not in output
