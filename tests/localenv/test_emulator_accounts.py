"""Accounts reached by assume-role are isolated; both regions are served."""

import json

from localenv import accounts


def _assumed(emu_env, account_id, service, region="us-east-1"):
    creds = emu_env.client("sts").assume_role(RoleArn=accounts.role_arn(account_id),
                                              RoleSessionName="emu-test")["Credentials"]
    return emu_env.client(service, region=region, credentials={
        "aws_access_key_id": creds["AccessKeyId"],
        "aws_secret_access_key": creds["SecretAccessKey"],
        "aws_session_token": creds["SessionToken"]})


def _group_names(rds):
    groups = rds.describe_db_parameter_groups()["DBParameterGroups"]
    return {g["DBParameterGroupName"] for g in groups}


def test_management_account_is_motos_default():
    from moto.core import DEFAULT_ACCOUNT_ID

    assert accounts.MANAGEMENT_ACCOUNT == DEFAULT_ACCOUNT_ID


def test_base_credentials_are_the_management_account(emu_env):
    assert emu_env.client("sts").get_caller_identity()["Account"] == "123456789012"


def test_seeded_roles_trust_the_management_account(emu_env):
    for name in ("data", "security", "backup"):
        account_id = accounts.ACCOUNTS[name]
        role = _assumed(emu_env, account_id, "iam").get_role(
            RoleName="InnovateAutomation")["Role"]
        assert role["Arn"] == accounts.role_arn(account_id)
        policy = role["AssumeRolePolicyDocument"]
        policy = json.loads(policy) if isinstance(policy, str) else policy
        assert policy["Statement"][0]["Principal"]["AWS"] == "arn:aws:iam::123456789012:root"


def test_assumed_role_lands_in_its_account(emu_env, emu_name):
    data = accounts.ACCOUNTS["data"]
    identity = _assumed(emu_env, data, "sts").get_caller_identity()
    assert identity["Account"] == data
    rds_data = _assumed(emu_env, data, "rds")
    rds_data.create_db_parameter_group(DBParameterGroupName=emu_name,
                                       DBParameterGroupFamily="postgres15", Description="data")
    assert emu_name in _group_names(rds_data)
    assert emu_name not in _group_names(emu_env.client("rds"))
    assert emu_name not in _group_names(_assumed(emu_env, accounts.ACCOUNTS["security"], "rds"))
    arn = rds_data.describe_db_parameter_groups(
        DBParameterGroupName=emu_name)["DBParameterGroups"][0]["DBParameterGroupArn"]
    assert ":%s:" % data in arn


def test_regions_are_separate(emu_env, emu_name):
    east, west = emu_env.client("rds", "us-east-1"), emu_env.client("rds", "us-west-2")
    west.create_db_parameter_group(DBParameterGroupName=emu_name,
                                   DBParameterGroupFamily="postgres16", Description="west")
    assert emu_name in _group_names(west) and emu_name not in _group_names(east)
    arn = west.describe_db_parameter_groups(
        DBParameterGroupName=emu_name)["DBParameterGroups"][0]["DBParameterGroupArn"]
    assert arn.startswith("arn:aws:rds:us-west-2:")
    assert emu_env.client("sts", "us-west-2").get_caller_identity()["Account"] == "123456789012"
