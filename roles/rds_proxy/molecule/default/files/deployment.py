"""What the account baseline and the earlier roles give rds_proxy, made with boto3 for molecule.

``create`` makes (or finds) a VPC with two private subnets, the IAM role the proxy assumes (this
collection has no IAM module) and an RDS for PostgreSQL instance, and prints them as JSON.
``destroy-instance`` deletes the instance; ``destroy-base`` deletes the role and the VPC.
The master password comes from the environment (MOLECULE_DB_PASSWORD), never from the command line.
"""

import argparse
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
READ_SECRETS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": "*"}]}
ZONES = ("a", "b")


def clients(args):
    base = boto3.Session(region_name=args.region)
    creds = base.client("sts", endpoint_url=args.endpoint_url).assume_role(
        RoleArn=args.role_arn, RoleSessionName="molecule-rds-proxy")["Credentials"]
    session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"], region_name=args.region)
    return dict((service, session.client(service, endpoint_url=args.endpoint_url)) for service in ("ec2", "rds", "iam"))


def find_vpc(ec2, name):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"]
    return vpcs[0]["VpcId"] if vpcs else None


def ensure_network(ec2, name):
    changed = False
    vpc_id = find_vpc(ec2, name)
    if vpc_id is None:
        vpc_id = ec2.create_vpc(CidrBlock="10.91.0.0/16", TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}])["Vpc"]["VpcId"]
        changed = True
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    if not subnets:
        region = ec2.meta.region_name
        subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.91.%d.0/24" % (index + 1),
                                     AvailabilityZone=region + zone)["Subnet"] for index, zone in enumerate(ZONES)]
        changed = True
    return vpc_id, sorted(subnet["SubnetId"] for subnet in subnets), changed


def ensure_role(iam, name):
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"], False
    except ClientError as e:
        if e.response["Error"]["Code"] != "NoSuchEntity":
            raise
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST),
                          Description="RDS Proxy reads the database secrets")["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="read-db-secrets", PolicyDocument=json.dumps(READ_SECRETS))
    return arn, True


def describe_instance(rds, identifier):
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except ClientError as e:
        if e.response["Error"]["Code"] not in ("DBInstanceNotFound", "DBInstanceNotFoundFault"):
            raise
    return None


def ensure_instance(rds, identifier):
    changed = False
    if describe_instance(rds, identifier) is None:
        rds.create_db_instance(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t4g.medium",
                               AllocatedStorage=20, MasterUsername="dbadmin", MasterUserPassword=os.environ["MOLECULE_DB_PASSWORD"],
                               DBName="app", StorageEncrypted=True)
        changed = True
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 2, "MaxAttempts": 150})
    return describe_instance(rds, identifier), changed


def create(args):
    aws = clients(args)
    vpc_id, subnet_ids, network_changed = ensure_network(aws["ec2"], args.name)
    role_arn, role_changed = ensure_role(aws["iam"], args.name + "-proxy")
    instance, instance_changed = ensure_instance(aws["rds"], args.name)
    return dict(changed=network_changed or role_changed or instance_changed, vpc_id=vpc_id, subnet_ids=subnet_ids,
                proxy_role_arn=role_arn, host=instance["Endpoint"]["Address"], port=instance["Endpoint"]["Port"])


def destroy_instance(args):
    rds = clients(args)["rds"]
    if describe_instance(rds, args.name) is None:
        return dict(changed=False)
    rds.delete_db_instance(DBInstanceIdentifier=args.name, SkipFinalSnapshot=True)
    rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=args.name, WaiterConfig={"Delay": 2, "MaxAttempts": 150})
    return dict(changed=True)


def destroy_base(args):
    aws = clients(args)
    changed = False
    role = args.name + "-proxy"
    try:
        for policy in aws["iam"].list_role_policies(RoleName=role)["PolicyNames"]:
            aws["iam"].delete_role_policy(RoleName=role, PolicyName=policy)
        aws["iam"].delete_role(RoleName=role)
        changed = True
    except ClientError as e:
        if e.response["Error"]["Code"] != "NoSuchEntity":
            raise
    vpc_id = find_vpc(aws["ec2"], args.name)
    if vpc_id is not None:
        for subnet in aws["ec2"].describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]:
            aws["ec2"].delete_subnet(SubnetId=subnet["SubnetId"])
        aws["ec2"].delete_vpc(VpcId=vpc_id)
        changed = True
    return dict(changed=changed)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["create", "destroy-instance", "destroy-base"])
    parser.add_argument("--name", required=True)
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--role-arn", required=True, help="the automation role of the data account")
    args = parser.parse_args(argv)
    action = {"create": create, "destroy-instance": destroy_instance, "destroy-base": destroy_base}[args.action]
    json.dump(action(args), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
