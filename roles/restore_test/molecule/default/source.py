"""The source deployment of the restore_test scenario, driven with boto3 and psycopg2.

``create`` makes an RDS for PostgreSQL instance (master password managed in Secrets Manager,
automated backups), seeds an application schema, the login app_rw and its connection secret, and
takes a manual snapshot; ``leftovers`` lists the restore test's temporary instances still there;
``delete`` removes the instance, its snapshot and the secret. Prints one JSON object.
"""

import argparse
import json

import boto3
import psycopg2

APP_PASSWORD = "Molecule-App-Rw-1"
SEED_SQL = [
    "CREATE ROLE app_rw LOGIN PASSWORD '%s'" % APP_PASSWORD,
    "CREATE SCHEMA app",
    "CREATE TABLE app.orders (id serial PRIMARY KEY, customer text NOT NULL)",
    "CREATE TABLE app.events (id serial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())",
    "INSERT INTO app.orders (customer) SELECT 'customer-' || g FROM generate_series(1, 20) g",
    "INSERT INTO app.events DEFAULT VALUES",
    "GRANT USAGE ON SCHEMA app TO app_rw",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO app_rw",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA app TO app_rw",
]


def clients(args):
    base = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=args.region)
    creds = base.client("sts", endpoint_url=args.endpoint_url).assume_role(
        RoleArn=args.role_arn, RoleSessionName="molecule-restore-test")["Credentials"]
    session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"], region_name=args.region)
    return session.client("rds", endpoint_url=args.endpoint_url), session.client("secretsmanager", endpoint_url=args.endpoint_url)


def find(rds, identifier):
    return [db for db in rds.describe_db_instances()["DBInstances"] if db["DBInstanceIdentifier"].startswith(identifier)]


def create(args, rds, secrets):
    if find(rds, args.identifier):
        return dict(changed=False)
    rds.create_db_instance(DBInstanceIdentifier=args.identifier, Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.micro",
                           AllocatedStorage=20, DBName="app", MasterUsername="dbadmin", ManageMasterUserPassword=True,
                           BackupRetentionPeriod=1, DeletionProtection=False, StorageEncrypted=True)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=args.identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    record = rds.describe_db_instances(DBInstanceIdentifier=args.identifier)["DBInstances"][0]
    master = json.loads(secrets.get_secret_value(SecretId=record["MasterUserSecret"]["SecretArn"])["SecretString"])
    conn = psycopg2.connect(host=record["Endpoint"]["Address"], port=record["Endpoint"]["Port"], user=master["username"],
                            password=master["password"], dbname="app", sslmode="verify-full", sslrootcert=args.ca_bundle)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            for statement in SEED_SQL:
                cursor.execute(statement)
    finally:
        conn.close()
    secrets.create_secret(Name="molecule/%s/app_rw" % args.identifier, SecretString=json.dumps(dict(username="app_rw", password=APP_PASSWORD)))
    rds.create_db_snapshot(DBInstanceIdentifier=args.identifier, DBSnapshotIdentifier=args.identifier + "-seeded")
    rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier=args.identifier + "-seeded", WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    return dict(changed=True)


def delete(args, rds, secrets):
    found = find(rds, args.identifier)
    for db in found:
        rds.delete_db_instance(DBInstanceIdentifier=db["DBInstanceIdentifier"], SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
    snapshots = rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    for snapshot in snapshots:
        if snapshot["DBSnapshotIdentifier"] == args.identifier + "-seeded":
            rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])
    try:
        secrets.delete_secret(SecretId="molecule/%s/app_rw" % args.identifier, ForceDeleteWithoutRecovery=True)
    except secrets.exceptions.ResourceNotFoundException:
        pass
    return dict(changed=bool(found))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["create", "leftovers", "delete"])
    parser.add_argument("identifier")
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--role-arn", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--ca-bundle", default="")
    args = parser.parse_args()
    rds, secrets = clients(args)
    if args.action == "create":
        result = create(args, rds, secrets)
    elif args.action == "delete":
        result = delete(args, rds, secrets)
    else:
        result = dict(changed=False, leftovers=[db["DBInstanceIdentifier"] for db in find(rds, args.identifier + "-rt-")])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
