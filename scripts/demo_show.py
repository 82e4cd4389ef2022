"""What the demo shows after site.yml: every deployment of inventories/local, reached the way an
application reaches it — endpoint from the RDS API, credentials from Secrets Manager, TLS with
sslmode=verify-full against the local CA.

    python scripts/demo_show.py   (needs a running local environment: make up)
"""

import json
import os
import pathlib
import time

import boto3
import psycopg2

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:%s" % os.environ.get("LOCALENV_PORT", "4599"))
STATE_DIR = pathlib.Path(os.environ.get("LOCALENV_STATE_DIR", "/tmp/innovate-aws-postgres-localenv"))
CA_BUNDLE = str(STATE_DIR / "tls" / "ca.pem")
DATA_ACCOUNT_ROLE = "arn:aws:iam::111111111111:role/InnovateAutomation"


def session():
    base = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    creds = base.client("sts", endpoint_url=ENDPOINT).assume_role(
        RoleArn=DATA_ACCOUNT_ROLE, RoleSessionName="demo")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name="us-east-1")


def connect(host, port, credentials, dbname):
    conn = psycopg2.connect(host=host, port=port, user=credentials["username"], password=credentials["password"],
                            dbname=dbname, sslmode="verify-full", sslrootcert=CA_BUNDLE, connect_timeout=10)
    conn.autocommit = True
    return conn


def one(conn, statement):
    with conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchone()[0] if cursor.description else None


def main():
    aws = session()
    rds = aws.client("rds", endpoint_url=ENDPOINT)
    secrets = aws.client("secretsmanager", endpoint_url=ENDPOINT)

    def secret(secret_id):
        return json.loads(secrets.get_secret_value(SecretId=secret_id)["SecretString"])

    primary = rds.describe_db_instances(DBInstanceIdentifier="app-db")["DBInstances"][0]
    replica = rds.describe_db_instances(DBInstanceIdentifier="app-db-replica1")["DBInstances"][0]
    master = secret(primary["MasterUserSecret"]["SecretArn"])
    print("app-db: %s %s, Multi-AZ %s, encrypted with %s" % (
        primary["DBInstanceClass"], primary["EngineVersion"], primary["MultiAZ"], primary["KmsKeyId"]))
    conn = connect(primary["Endpoint"]["Address"], primary["Endpoint"]["Port"], master, "app")
    print("  TLS verify-full as %s (password from Secrets Manager): %s" % (master["username"], one(conn, "SELECT version()")[:40]))
    print("  shared_preload_libraries = %s" % one(conn, "SHOW shared_preload_libraries"))
    print("  extensions: %s" % one(conn, "SELECT string_agg(extname, ', ' ORDER BY extname) FROM pg_extension"))
    one(conn, "CREATE TABLE IF NOT EXISTS public.demo (id serial PRIMARY KEY, at timestamptz DEFAULT now())")
    row = one(conn, "INSERT INTO public.demo DEFAULT VALUES RETURNING id")
    print("  wrote row %s on the primary" % row)
    standby = connect(replica["Endpoint"]["Address"], replica["Endpoint"]["Port"], master, "app")
    deadline = time.monotonic() + 15
    while one(standby, "SELECT count(*) FROM pg_class WHERE relname = 'demo'") == 0 or \
            one(standby, "SELECT count(*) FROM public.demo WHERE id = %d" % row) == 0:
        if time.monotonic() > deadline:
            raise SystemExit("the row did not reach the replica")
        time.sleep(0.2)
    print("app-db-replica1 (streaming standby): row %s is there; in recovery: %s" % (row, one(standby, "SELECT pg_is_in_recovery()")))
    app_rw = secret("local/app-db/app_rw")
    login = connect(app_rw["host"], app_rw["port"], app_rw, app_rw["dbname"])
    print("  app_rw (least privilege, password from its connection secret) may create in public: %s" % one(
        login, "SELECT has_schema_privilege('public', 'CREATE')"))

    cluster = rds.describe_db_clusters(DBClusterIdentifier="orders-aurora")["DBClusters"][0]
    writer = connect(cluster["Endpoint"], cluster["Port"], secret(cluster["MasterUserSecret"]["SecretArn"]), "orders")
    print("orders-aurora: %d instances (writer + readers), cluster endpoint over verify-full, schemas: %s" % (
        len(cluster["DBClusterMembers"]),
        one(writer, "SELECT string_agg(nspname, ', ') FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND nspname <> 'information_schema'")))
    for connection in (conn, standby, login, writer):
        connection.close()


if __name__ == "__main__":
    main()
