"""The landing-zone network seeded in the data and app accounts of both regions."""

import json

import pytest
from moto import mock_aws

from localenv import accounts, landing_zone


def _assumed(emu_env, account_id, service, region):
    creds = emu_env.client("sts").assume_role(RoleArn=accounts.role_arn(account_id),
                                              RoleSessionName="lz-test")["Credentials"]
    return emu_env.client(service, region=region, credentials={
        "aws_access_key_id": creds["AccessKeyId"],
        "aws_secret_access_key": creds["SecretAccessKey"],
        "aws_session_token": creds["SessionToken"]})


def _tags(resource):
    return {tag["Key"]: tag["Value"] for tag in resource.get("Tags", [])}


def test_the_app_account_exists_with_its_automation_role(emu_env):
    assert accounts.ACCOUNTS["app"] == "444444444444"
    identity = _assumed(emu_env, "444444444444", "sts", "us-east-1").get_caller_identity()
    assert identity["Account"] == "444444444444"


@pytest.mark.parametrize("account", ["data", "app"])
@pytest.mark.parametrize("region", ["us-east-1", "us-west-2"])
def test_each_account_and_region_has_the_landing_zone_network(emu_env, account, region):
    ec2 = _assumed(emu_env, accounts.ACCOUNTS[account], "ec2", region)
    name = "innovate-%s" % account
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"]
    assert len(vpcs) == 1
    vpc = vpcs[0]
    assert vpc["CidrBlock"] == landing_zone.NETWORKS[account][region]
    assert vpc["OwnerId"] == accounts.ACCOUNTS[account]
    subnets = ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["private"]},
                                            {"Name": "tag:Name", "Values": [name + "-*"]}])["Subnets"]
    assert len(subnets) == 3
    assert {subnet["VpcId"] for subnet in subnets} == {vpc["VpcId"]}
    assert sorted(subnet["AvailabilityZone"] for subnet in subnets) == [region + "a", region + "b", region + "c"]
    assert all(not subnet["MapPublicIpOnLaunch"] for subnet in subnets)
    assert all(_tags(subnet)["Name"] == "%s-private-%s" % (name, subnet["AvailabilityZone"]) for subnet in subnets)
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                                                   {"Name": "group-name", "Values": ["app-servers"]}])["SecurityGroups"]
    assert len(groups) == 1


def test_the_data_account_has_the_enhanced_monitoring_role(emu_env):
    iam = _assumed(emu_env, accounts.ACCOUNTS["data"], "iam", "us-east-1")
    role = iam.get_role(RoleName="rds-monitoring-role")["Role"]
    assert role["Arn"] == "arn:aws:iam::111111111111:role/rds-monitoring-role"
    assert "monitoring.rds.amazonaws.com" in json.dumps(role["AssumeRolePolicyDocument"])


def test_the_landing_zone_is_not_in_the_other_accounts(emu_env):
    for account in ("security", "backup"):
        ec2 = _assumed(emu_env, accounts.ACCOUNTS[account], "ec2", "us-east-1")
        assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["innovate-*"]}])["Vpcs"] == []
    management = emu_env.client("ec2")
    assert management.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["innovate-*"]}])["Vpcs"] == []


def test_seeding_again_changes_nothing():
    with mock_aws():
        first = landing_zone.seed()
        again = landing_zone.seed()
        assert first == again
        assert set(first) == {"data", "app", "nonprod"} and set(first["data"]) == {"us-east-1", "us-west-2"}
        from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

        backend = ec2_backends[accounts.ACCOUNTS["data"]]["us-east-1"]
        assert len(backend.describe_vpcs(filters={"tag:Name": ["innovate-data"]})) == 1
        assert len(backend.describe_subnets(filters={"tag:tier": ["private"]})) == 3
        assert len(backend.describe_security_groups(filters={"group-name": ["app-servers"]})) == 1
        from moto.iam.models import iam_backends  # pylint: disable=import-outside-toplevel

        roles = [role.name for role in iam_backends[accounts.ACCOUNTS["data"]]["aws"].get_roles()]
        assert roles.count("rds-monitoring-role") == 1


def test_private_subnets_are_three_blocks_of_the_vpc():
    assert landing_zone.private_subnet_cidrs("10.10.0.0/16") == ["10.10.0.0/20", "10.10.16.0/20", "10.10.32.0/20"]
