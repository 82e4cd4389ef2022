"""The source deployment of the restore_test scenario, driven with boto3 and psycopg2.

``create`` makes an RDS for PostgreSQL instance (master password managed in Secrets Manager,
automated backups, encrypted with a customer managed key of the security account that the data and
nonprod accounts may use, as rds_encryption makes it), seeds an application schema, the login app_rw
and its connection secret, and takes a manual snapshot; ``leftovers`` lists the restore test's
temporary instances and snapshots still there, in the data and the nonprod account; ``delete``
removes the instance, its snapshot, the secret and the key. Prints one JSON object.
"""

import argparse
import json
import re

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


def session_in(args, account_id):
    """A session with the automation role of ``account_id`` (the role of --role-arn, in that account)."""
    base = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=args.region)
    role_arn = re.sub(r"::\d{12}:", "::%s:" % account_id, args.role_arn)
    creds = base.client("sts", endpoint_url=args.endpoint_url).assume_role(
        RoleArn=role_arn, RoleSessionName="molecule-restore-test")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name=args.region)


def clients(args):
    session = session_in(args, args.role_arn.split(":")[4])
    return session.client("rds", endpoint_url=args.endpoint_url), session.client("secretsmanager", endpoint_url=args.endpoint_url)


def key_alias(args):
    return "alias/molecule-%s-source" % args.identifier


def source_key(args, data_account):
    """The security account's key of the source, made once (the data and nonprod accounts may use it)."""
    kms = session_in(args, args.security_account).client("kms", endpoint_url=args.endpoint_url)
    for alias in kms.list_aliases()["Aliases"]:
        if alias["AliasName"] == key_alias(args):
            return kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"]
    users = {"AWS": ["arn:aws:iam::%s:root" % account for account in (data_account, args.nonprod_account)]}
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % args.security_account}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "OtherAccountsUse", "Effect": "Allow", "Principal": users, "Resource": "*",
         "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]},
        {"Sid": "OtherAccountsGrantsForAwsResources", "Effect": "Allow", "Principal": users, "Resource": "*",
         "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}]}
    key = kms.create_key(Description="molecule restore_test source", Policy=json.dumps(policy))["KeyMetadata"]
    kms.create_alias(AliasName=key_alias(args), TargetKeyId=key["KeyId"])
    return key["Arn"]


def delete_key(args):
    kms = session_in(args, args.security_account).client("kms", endpoint_url=args.endpoint_url)
    for alias in kms.list_aliases()["Aliases"]:
        if alias["AliasName"] == key_alias(args):
            kms.delete_alias(AliasName=alias["AliasName"])
            kms.schedule_key_deletion(KeyId=alias["TargetKeyId"], PendingWindowInDays=7)


def find(rds, identifier):
    return [db for db in rds.describe_db_instances()["DBInstances"] if db["DBInstanceIdentifier"].startswith(identifier)]


def create(args, rds, secrets):
    if find(rds, args.identifier):
        return dict(changed=False)
    key = source_key(args, args.role_arn.split(":")[4])
    rds.create_db_instance(DBInstanceIdentifier=args.identifier, Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.micro",
                           AllocatedStorage=20, DBName="app", MasterUsername="dbadmin", ManageMasterUserPassword=True,
                           BackupRetentionPeriod=1, DeletionProtection=False, StorageEncrypted=True, KmsKeyId=key)
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
    delete_key(args)
    return dict(changed=bool(found))


def leftovers(args, rds):
    """``{account: [instances and manual snapshots <identifier>-rt-*]}`` in the data and the nonprod account."""
    prefix = args.identifier + "-rt-"
    found = {}
    nonprod = session_in(args, args.nonprod_account).client("rds", endpoint_url=args.endpoint_url)
    for account, client in ((args.role_arn.split(":")[4], rds), (args.nonprod_account, nonprod)):
        names = [db["DBInstanceIdentifier"] for db in client.describe_db_instances()["DBInstances"]]
        names += [snap["DBSnapshotIdentifier"] for snap in client.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]]
        found[account] = sorted(name for name in names if name.startswith(prefix))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["create", "leftovers", "delete"])
    parser.add_argument("identifier")
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--role-arn", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--ca-bundle", default="")
    parser.add_argument("--security-account", default="222222222222")
    parser.add_argument("--nonprod-account", default="555555555555")
    args = parser.parse_args()
    rds, secrets = clients(args)
    if args.action == "create":
        result = create(args, rds, secrets)
    elif args.action == "delete":
        result = delete(args, rds, secrets)
    else:
        result = dict(changed=False, leftovers=leftovers(args, rds))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
