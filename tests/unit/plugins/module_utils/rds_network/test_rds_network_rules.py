"""Security group rules of rds_network: flattening, planning, permissions, and input checks."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_network.rules import (
    describe_rule,
    is_public_cidr,
    make_rule,
    permissions_from_rules,
    plan_rules,
    rule_key,
    rules_after,
    rules_from_permissions,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_network.validation import input_errors

PERMISSIONS = [
    {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
     "UserIdGroupPairs": [{"GroupId": "sg-app", "UserId": "1", "Description": "app"}],
     "IpRanges": [{"CidrIp": "10.0.0.0/8"}], "Ipv6Ranges": [{"CidrIpv6": "fd00::/8"}], "PrefixListIds": []},
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh"}]},
    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
]


def test_permissions_are_flattened_into_one_rule_per_source():
    rules = rules_from_permissions(PERMISSIONS)
    assert [describe_rule(rule) for rule in rules] == [
        "all traffic from 0.0.0.0/0", "tcp 22 from 0.0.0.0/0", "tcp 5432 from 10.0.0.0/8", "tcp 5432 from fd00::/8", "tcp 5432 from sg-app"]
    assert [rule["kind"] for rule in rules] == ["cidr", "cidr", "cidr", "cidr6", "group"]


def test_plan_adds_missing_and_purges_undeclared_rules():
    current = rules_from_permissions(PERMISSIONS)
    desired = [make_rule("tcp", 5432, 5432, "group", "sg-app", "other description"), make_rule("tcp", 5432, 5432, "group", "sg-new")]
    to_add, to_remove = plan_rules(current, desired, purge=True)
    assert [describe_rule(rule) for rule in to_add] == ["tcp 5432 from sg-new"]
    assert [describe_rule(rule) for rule in to_remove] == [
        "all traffic from 0.0.0.0/0", "tcp 22 from 0.0.0.0/0", "tcp 5432 from 10.0.0.0/8", "tcp 5432 from fd00::/8"]
    assert plan_rules(current, desired, purge=False)[1] == []
    after = rules_after(current, to_add, to_remove)
    assert sorted(rule_key(rule) for rule in after) == sorted(rule_key(rule) for rule in desired)


def test_converged_rules_plan_nothing():
    current = rules_from_permissions(PERMISSIONS)
    assert plan_rules(current, list(current), purge=True) == ([], [])


def test_permissions_round_trip():
    rules = rules_from_permissions(PERMISSIONS)
    permissions = permissions_from_rules(rules)
    assert sorted(rule_key(rule) for rule in rules_from_permissions(permissions)) == sorted(rule_key(rule) for rule in rules)
    everything = [p for p in permissions if p["IpProtocol"] == "-1"][0]
    assert "FromPort" not in everything
    postgres = [p for p in permissions if p.get("FromPort") == 5432][0]
    assert postgres["UserIdGroupPairs"] == [{"GroupId": "sg-app", "Description": "app"}]


def test_public_cidrs():
    assert is_public_cidr("0.0.0.0/0") and is_public_cidr("::/0")
    assert not is_public_cidr("10.0.0.0/8")


def params(**overrides):
    base = dict(name="orders-db", subnet_group_name=None, security_group_name=None, state="present", subnet_ids=["subnet-0a", "subnet-0b"],
                port=5432, allowed_cidrs=None, allowed_security_groups=None, allow_public_cidr=False, egress_rules=None, tags=None)
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides, expected", [
    (dict(allowed_cidrs=["0.0.0.0/0"]), "opens the database to the whole internet"),
    (dict(allowed_cidrs=["::/0"]), "set allow_public_cidr=true"),
    (dict(allowed_cidrs=["10.0.0.1/8"]), "is not a valid CIDR block"),
    (dict(subnet_ids=[]), "subnet_ids: required with state=present"),
    (dict(subnet_ids=["subnet-0a", "vpc-1"]), "'vpc-1' is not a subnet id"),
    (dict(name="default"), "is not a valid DB subnet group name"),
    (dict(security_group_name="sg-mine"), "not starting with 'sg-'"),
    (dict(port=0), "port: 0 is not a TCP port"),
    (dict(egress_rules=[dict(protocol="tcp", from_port=443, to_port=None, cidr="10.0.0.0/8", security_group="x")]), "exactly one of cidr"),
    (dict(egress_rules=[dict(protocol="tcp", from_port=None, to_port=None, cidr="10.0.0.0/8", security_group=None)]), "from_port is required"),
])
def test_input_errors(overrides, expected):
    assert any(expected in error for error in input_errors(params(**overrides)))


def test_public_cidr_is_accepted_when_forced_and_good_input_passes():
    assert input_errors(params(allowed_cidrs=["0.0.0.0/0"], allow_public_cidr=True)) == []
    assert input_errors(params(allowed_cidrs=["10.0.0.0/8"], allowed_security_groups=["app"])) == []
    assert input_errors(params(state="absent", subnet_ids=None)) == []
