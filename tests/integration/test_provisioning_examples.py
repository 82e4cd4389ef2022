"""The EXAMPLES of rds_network, kms_key and db_secret run against the local environment."""

import ast

import pytest
import yaml

from harness import REPO


def examples(module):
    source = ast.parse((REPO / "plugins" / "modules" / ("%s.py" % module)).read_text())
    text = next(node.value.value for node in source.body if isinstance(node, ast.Assign) and node.targets[0].id == "EXAMPLES")
    return yaml.safe_load(text)


def with_endpoint(tasks, module, endpoint_url):
    for task in tasks:
        args = task.get("innovate.aws_postgres." + module)
        if args:
            args["endpoint_url"] = endpoint_url
    return tasks


@pytest.mark.parametrize("module", ["kms_key", "db_secret"])
def test_examples_run(ansible, localenv, module):
    tasks = with_endpoint(examples(module), module, localenv.endpoint_url)
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]
    result = ansible.playbook(yaml.safe_dump(play, sort_keys=False))
    assert result.rc == 0, result.stdout + result.stderr
    assert result.failed_total() == 0


def test_rds_network_examples_run(ansible, localenv):
    ec2 = localenv.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
               for cidr, zone in (("10.77.1.0/24", "us-east-1a"), ("10.77.2.0/24", "us-east-1b"))]
    ec2.create_security_group(GroupName="orders-app", Description="orders application", VpcId=vpc_id)
    tasks = with_endpoint(examples("rds_network"), "rds_network", localenv.endpoint_url)
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "vars": {"private_subnet_ids": subnets}, "tasks": tasks}]
    result = ansible.playbook(yaml.safe_dump(play, sort_keys=False))
    assert result.rc == 0, result.stdout + result.stderr
    assert result.failed_total() == 0
    assert localenv.client("rds").describe_db_subnet_groups()["DBSubnetGroups"] is not None
    names = [g["DBSubnetGroupName"] for g in localenv.client("rds").describe_db_subnet_groups()["DBSubnetGroups"]]
    assert "orders-db" not in names
