"""The RDS for PostgreSQL instance the pg_bootstrap scenario configures, driven with boto3.

``create`` makes it (a parameter group that preloads pgaudit and pg_stat_statements, TLS only,
IAM authentication, the master password managed in Secrets Manager) and waits until it is
available; ``describe`` prints what rds_postgres records (endpoint, port, master secret ARN);
``delete`` removes the instance and its parameter group. Prints one JSON object.
"""

import argparse
import json

import boto3

PARAMETERS = {"shared_preload_libraries": "pg_stat_statements,pgaudit", "rds.force_ssl": "1", "pgaudit.log": "ddl,role"}


def rds_client(args):
    base = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=args.region)
    creds = base.client("sts", endpoint_url=args.endpoint_url).assume_role(
        RoleArn=args.role_arn, RoleSessionName="molecule-pg-bootstrap")["Credentials"]
    return boto3.client("rds", region_name=args.region, endpoint_url=args.endpoint_url,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


def find(rds, identifier):
    found = rds.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": [identifier]}])["DBInstances"]
    return found[0] if found else None


def facts(instance, changed):
    return {"changed": changed, "db_endpoint_address": instance["Endpoint"]["Address"], "db_endpoint_port": instance["Endpoint"]["Port"],
            "db_master_secret_arn": instance["MasterUserSecret"]["SecretArn"], "db_resource_arn": instance["DBInstanceArn"]}


def create(rds, args):
    instance = find(rds, args.identifier)
    if instance is not None:
        return facts(instance, False)
    group = args.identifier + "-postgres15"
    groups = [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]]
    if group not in groups:
        rds.create_db_parameter_group(DBParameterGroupName=group, DBParameterGroupFamily="postgres15", Description="molecule")
        rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
            {"ParameterName": name, "ParameterValue": value, "ApplyMethod": "pending-reboot"} for name, value in PARAMETERS.items()])
    rds.create_db_instance(DBInstanceIdentifier=args.identifier, DBInstanceClass="db.t4g.medium", Engine="postgres", EngineVersion="15",
                           AllocatedStorage=20, MasterUsername="dbadmin", ManageMasterUserPassword=True, DBName="app",
                           DBParameterGroupName=group, EnableIAMDatabaseAuthentication=True, StorageEncrypted=True)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=args.identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    return facts(find(rds, args.identifier), True)


def delete(rds, args):
    changed = False
    if find(rds, args.identifier) is not None:
        rds.delete_db_instance(DBInstanceIdentifier=args.identifier, SkipFinalSnapshot=True)
        rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=args.identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
        changed = True
    group = args.identifier + "-postgres15"
    if group in [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]]:
        rds.delete_db_parameter_group(DBParameterGroupName=group)
        changed = True
    return {"changed": changed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["create", "describe", "delete"])
    parser.add_argument("identifier")
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--role-arn", required=True)
    args = parser.parse_args()
    rds = rds_client(args)
    if args.action == "create":
        result = create(rds, args)
    elif args.action == "describe":
        result = facts(find(rds, args.identifier), False)
    else:
        result = delete(rds, args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
