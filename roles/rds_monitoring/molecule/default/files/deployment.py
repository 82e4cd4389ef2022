"""Create or delete the database rds_monitoring's molecule scenario watches (an instance and a read replica)."""

import argparse
import json

import boto3


def rds_client(args):
    session = boto3.Session(region_name=args.region)
    credentials = session.client("sts", endpoint_url=args.endpoint_url).assume_role(
        RoleArn=args.role_arn, RoleSessionName="molecule")["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=args.region).client("rds", endpoint_url=args.endpoint_url)


def exists(rds, identifier):
    try:
        rds.describe_db_instances(DBInstanceIdentifier=identifier)
    except rds.exceptions.DBInstanceNotFoundFault:
        return False
    return True


def wait(rds, waiter, identifier):
    rds.get_waiter(waiter).wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 300})


def create(rds, args):
    changed = False
    replica = args.name + "-replica1"
    if not exists(rds, args.name):
        rds.create_db_instance(DBInstanceIdentifier=args.name, Engine="postgres", DBInstanceClass=args.instance_class,
                               AllocatedStorage=20, MasterUsername="dbadmin", MasterUserPassword="Molecule-Monitoring-1")
        changed = True
    wait(rds, "db_instance_available", args.name)
    if not exists(rds, replica):
        rds.create_db_instance_read_replica(DBInstanceIdentifier=replica, SourceDBInstanceIdentifier=args.name)
        changed = True
    wait(rds, "db_instance_available", replica)
    return changed


def delete(rds, args):
    changed = False
    for identifier in (args.name + "-replica1", args.name):
        if exists(rds, identifier):
            rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
            wait(rds, "db_instance_deleted", identifier)
            changed = True
    return changed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["create", "delete"])
    parser.add_argument("--name", required=True)
    parser.add_argument("--instance-class", default="db.m7g.large")
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--role-arn", required=True)
    args = parser.parse_args()
    rds = rds_client(args)
    changed = create(rds, args) if args.action == "create" else delete(rds, args)
    print(json.dumps({"changed": changed}))


if __name__ == "__main__":
    main()
