"""rds_network through ansible-playbook against the local AWS environment.

Each test builds its own VPC, subnets and application security group with boto3 and verifies the
result with boto3, never only with the module's own result.
"""

import uuid

import pytest

MODULE = "innovate.aws_postgres.rds_network"
READS = ("Describe", "List")


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture
def ec2(localenv):
    return localenv.client("ec2")


@pytest.fixture
def rds(localenv):
    return localenv.client("rds")


@pytest.fixture
def vpc(ec2):
    """A VPC with private subnets in two AZs, a third subnet in the first AZ, and an application group."""
    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]

    def subnet(cidr, zone):
        return ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]

    app = ec2.create_security_group(GroupName="orders-app", Description="application", VpcId=vpc_id)["GroupId"]
    return dict(id=vpc_id, a=subnet("10.42.1.0/24", "us-east-1a"), b=subnet("10.42.2.0/24", "us-east-1b"),
                a2=subnet("10.42.3.0/24", "us-east-1a"), app=app)


def run(ansible, check=False, diff=False, **args):
    return ansible.module(MODULE, args, check=check, diff=diff)


def ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def subnet_group(rds, name):
    try:
        return rds.describe_db_subnet_groups(DBSubnetGroupName=name)["DBSubnetGroups"][0]
    except rds.exceptions.DBSubnetGroupNotFoundFault:
        return None


def security_group(ec2, vpc_id, name):
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [name]}])
    return groups["SecurityGroups"][0] if groups["SecurityGroups"] else None


def ingress(group):
    """Set of (protocol, from, to, source) of a group's ingress."""
    rules = set()
    for permission in group["IpPermissions"]:
        for pair in permission.get("UserIdGroupPairs", []):
            rules.add((permission["IpProtocol"], permission.get("FromPort"), permission.get("ToPort"), pair["GroupId"]))
        for entry in permission.get("IpRanges", []):
            rules.add((permission["IpProtocol"], permission.get("FromPort"), permission.get("ToPort"), entry["CidrIp"]))
        for entry in permission.get("Ipv6Ranges", []):
            rules.add((permission["IpProtocol"], permission.get("FromPort"), permission.get("ToPort"), entry["CidrIpv6"]))
    return rules


def egress(group):
    return set((p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), r["CidrIp"]) for p in group["IpPermissionsEgress"]
               for r in p.get("IpRanges", []))


def sg_tags(group):
    return dict((t["Key"], t["Value"]) for t in group.get("Tags") or [])


def rds_tags(rds, arn):
    return dict((t["Key"], t["Value"]) for t in rds.list_tags_for_resource(ResourceName=arn)["TagList"])


def network_requests(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items() if k.startswith(("ec2:", "rds:")))


def writes(requests):
    return dict((k, v) for k, v in requests.items() if not k.split(":", 1)[1].startswith(READS))


def test_create_both_groups_and_a_rerun_changes_nothing(ansible, localenv, ec2, rds, vpc):
    name = unique("it-net")
    args = dict(name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_security_groups=["orders-app"],
                allowed_cidrs=["10.50.0.0/16", "fd00:10::/64"], tags={"team": "db"})
    created = ok(run(ansible, **args))
    assert created["changed"] is True
    group = subnet_group(rds, name)
    assert sorted(s["SubnetIdentifier"] for s in group["Subnets"]) == sorted([vpc["a"], vpc["b"]])
    assert created["subnet_group"]["availability_zones"] == ["us-east-1a", "us-east-1b"]
    assert created["subnet_group"]["arn"] == group["DBSubnetGroupArn"] and rds_tags(rds, group["DBSubnetGroupArn"]) == {"team": "db"}
    sg = security_group(ec2, vpc["id"], name)
    assert created["security_group"]["id"] == sg["GroupId"] and created["security_group"]["vpc_id"] == vpc["id"]
    assert ingress(sg) == {("tcp", 5432, 5432, vpc["app"]), ("tcp", 5432, 5432, "10.50.0.0/16"), ("tcp", 5432, 5432, "fd00:10::/64")}
    assert egress(sg) == {("-1", None, None, "0.0.0.0/0")}
    assert sg_tags(sg) == {"team": "db"}
    assert sorted(created["rules_added"]) == sorted(["tcp 5432 from %s" % vpc["app"], "tcp 5432 from 10.50.0.0/16", "tcp 5432 from fd00:10::/64"])

    localenv.reset_requests()
    again = ok(run(ansible, **args))
    assert again["changed"] is False and again["rules_added"] == [] and again["rules_removed"] == []
    assert network_requests(localenv) == {"ec2:DescribeSubnets": 1, "rds:DescribeDBSubnetGroups": 1, "rds:ListTagsForResource": 1,
                                          "ec2:DescribeSecurityGroups": 1}


def test_a_custom_port_and_group_ids(ansible, ec2, vpc):
    name = unique("it-port")
    ok(run(ansible, name=name, security_group_name=name + "-sg", subnet_ids=[vpc["a"], vpc["b"]], port=6432,
           allowed_security_groups=[vpc["app"]]))
    assert ingress(security_group(ec2, vpc["id"], name + "-sg")) == {("tcp", 6432, 6432, vpc["app"])}


def test_check_mode_on_new_groups_creates_nothing(ansible, localenv, ec2, rds, vpc):
    name = unique("it-check-new")
    localenv.reset_requests()
    result = ok(run(ansible, check=True, diff=True, name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_cidrs=["10.1.0.0/16"]))
    assert result["changed"] is True and result["security_group"]["id"] is None
    assert result["diff"]["after"]["security_group"]["ingress"] == ["tcp 5432 from 10.1.0.0/16"]
    assert subnet_group(rds, name) is None and security_group(ec2, vpc["id"], name) is None
    assert writes(network_requests(localenv)) == {}


def test_check_mode_on_existing_groups_changes_nothing(ansible, localenv, ec2, rds, vpc):
    name = unique("it-check-old")
    ok(run(ansible, name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_cidrs=["10.1.0.0/16"], tags={"a": "1"}))
    before = security_group(ec2, vpc["id"], name)
    localenv.reset_requests()
    result = ok(run(ansible, check=True, name=name, subnet_ids=[vpc["a"], vpc["b"], vpc["a2"]], allowed_security_groups=["orders-app"],
                    description="new", tags={"b": "2"}))
    assert result["changed"] is True
    assert result["rules_added"] == ["tcp 5432 from %s" % vpc["app"]] and result["rules_removed"] == ["tcp 5432 from 10.1.0.0/16"]
    assert writes(network_requests(localenv)) == {}
    after = security_group(ec2, vpc["id"], name)
    assert ingress(after) == ingress(before) and sg_tags(after) == {"a": "1"}
    assert len(subnet_group(rds, name)["Subnets"]) == 2


def test_diff_shows_rules_subnets_and_tags(ansible, vpc):
    name = unique("it-diff")
    ok(run(ansible, name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_cidrs=["10.1.0.0/16"], tags={"team": "a"}))
    result = ok(run(ansible, diff=True, name=name, subnet_ids=[vpc["a"], vpc["b"], vpc["a2"]], allowed_cidrs=["10.2.0.0/16"],
                    tags={"team": "b"}))
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert before["security_group"]["ingress"] == ["tcp 5432 from 10.1.0.0/16"]
    assert after["security_group"]["ingress"] == ["tcp 5432 from 10.2.0.0/16"]
    assert before["subnet_group"]["subnet_ids"] == sorted([vpc["a"], vpc["b"]])
    assert after["subnet_group"]["subnet_ids"] == sorted([vpc["a"], vpc["b"], vpc["a2"]])
    assert (before["subnet_group"]["tags"], after["subnet_group"]["tags"]) == ({"team": "a"}, {"team": "b"})
    assert (before["security_group"]["tags"], after["security_group"]["tags"]) == ({"team": "a"}, {"team": "b"})


def test_tags_on_both_groups_with_and_without_purge(ansible, ec2, rds, vpc):
    name = unique("it-tags")
    created = ok(run(ansible, name=name, subnet_ids=[vpc["a"], vpc["b"]], tags={"team": "a", "old": "x"}))
    arn = created["subnet_group"]["arn"]
    assert ok(run(ansible, name=name, subnet_ids=[vpc["a"], vpc["b"]], tags={"extra": "1"}, purge_tags=False))["changed"] is True
    assert rds_tags(rds, arn) == {"team": "a", "old": "x", "extra": "1"}
    assert sg_tags(security_group(ec2, vpc["id"], name)) == {"team": "a", "old": "x", "extra": "1"}
    assert ok(run(ansible, name=name, subnet_ids=[vpc["a"], vpc["b"]], tags={"team": "b"}))["changed"] is True
    assert rds_tags(rds, arn) == {"team": "b"} and sg_tags(security_group(ec2, vpc["id"], name)) == {"team": "b"}


def test_undeclared_ingress_is_purged_unless_purge_rules_is_off(ansible, ec2, vpc):
    name = unique("it-purge")
    args = dict(name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_security_groups=["orders-app"])
    group_id = ok(run(ansible, **args))["security_group"]["id"]
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "192.168.0.0/16"}]}])
    kept = ok(run(ansible, purge_rules=False, **args))
    assert kept["changed"] is False
    assert len(ingress(security_group(ec2, vpc["id"], name))) == 3
    purged = ok(run(ansible, **args))
    assert sorted(purged["rules_removed"]) == ["tcp 22 from 0.0.0.0/0", "tcp 5432 from 192.168.0.0/16"]
    assert ingress(security_group(ec2, vpc["id"], name)) == {("tcp", 5432, 5432, vpc["app"])}


def test_egress_is_left_alone_unless_declared(ansible, ec2, vpc):
    name = unique("it-egress")
    args = dict(name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_cidrs=["10.1.0.0/16"])
    ok(run(ansible, **args))
    assert egress(security_group(ec2, vpc["id"], name)) == {("-1", None, None, "0.0.0.0/0")}
    declared = ok(run(ansible, egress_rules=[dict(protocol="tcp", from_port=443, cidr="10.0.0.0/8", description="https")], **args))
    assert declared["changed"] is True
    assert egress(security_group(ec2, vpc["id"], name)) == {("tcp", 443, 443, "10.0.0.0/8")}
    assert ok(run(ansible, egress_rules=[dict(protocol="tcp", from_port=443, cidr="10.0.0.0/8")], **args))["changed"] is False
    assert ok(run(ansible, **args))["changed"] is False
    assert egress(security_group(ec2, vpc["id"], name)) == {("tcp", 443, 443, "10.0.0.0/8")}


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0"])
def test_public_cidrs_are_refused_unless_forced(ansible, localenv, ec2, rds, vpc, cidr):
    name = unique("it-public")
    localenv.reset_requests()
    refused = run(ansible, name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_cidrs=[cidr])
    assert refused["failed"] is True
    assert "%r opens the database to the whole internet" % cidr in refused["msg"] and "allow_public_cidr=true" in refused["msg"]
    assert network_requests(localenv) == {}
    forced = ok(run(ansible, name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_cidrs=[cidr], allow_public_cidr=True))
    assert forced["changed"] is True
    assert ingress(security_group(ec2, vpc["id"], name)) == {("tcp", 5432, 5432, cidr)}


def test_subnets_in_one_availability_zone_are_refused_before_any_change(ansible, localenv, ec2, rds, vpc):
    name = unique("it-one-az")
    localenv.reset_requests()
    result = run(ansible, name=name, subnet_ids=[vpc["a"], vpc["a2"]], allowed_cidrs=["10.1.0.0/16"])
    assert result["failed"] is True
    assert "RDS requires subnets in at least two availability zones" in result["msg"] and "us-east-1a" in result["msg"]
    assert writes(network_requests(localenv)) == {}
    assert subnet_group(rds, name) is None and security_group(ec2, vpc["id"], name) is None


@pytest.mark.parametrize("args, expected", [
    (dict(allowed_security_groups=["no-such-app"]), "allowed_security_groups: no security group named 'no-such-app'"),
    (dict(allowed_security_groups=["sg-0000000000000dead"]), "allowed_security_groups: security group sg-0000000000000dead does not exist"),
    (dict(subnet_ids=["subnet-00000000000000bad"]), "subnet_ids: "),
])
def test_unknown_references_fail_before_any_change(ansible, localenv, ec2, rds, vpc, args, expected):
    name = unique("it-unknown")
    args = dict(dict(name=name, subnet_ids=[vpc["a"], vpc["b"]]), **args)
    localenv.reset_requests()
    result = run(ansible, **args)
    assert result["failed"] is True and expected in result["msg"]
    assert "Traceback" not in result["msg"]
    assert writes(network_requests(localenv)) == {}
    assert subnet_group(rds, name) is None


def test_absent_removes_both_and_refuses_while_in_use(ansible, ec2, rds, vpc):
    name = unique("it-absent")
    group_id = ok(run(ansible, name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_cidrs=["10.1.0.0/16"]))["security_group"]["id"]
    ec2.authorize_security_group_ingress(GroupId=vpc["app"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": group_id}]}])
    refused = run(ansible, name=name, state="absent")
    assert refused["failed"] is True
    assert "still in use by security group %s (orders-app) has rules that reference it" % vpc["app"] in refused["msg"]
    assert subnet_group(rds, name) is not None and security_group(ec2, vpc["id"], name) is not None
    ec2.revoke_security_group_ingress(GroupId=vpc["app"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": group_id}]}])
    checked = ok(run(ansible, check=True, name=name, state="absent"))
    assert checked["changed"] is True and subnet_group(rds, name) is not None
    removed = ok(run(ansible, name=name, state="absent"))
    assert removed["changed"] is True and removed["security_group"]["id"] == group_id
    assert subnet_group(rds, name) is None and security_group(ec2, vpc["id"], name) is None
    assert ok(run(ansible, name=name, state="absent"))["changed"] is False


@pytest.mark.parametrize("faults", [dict(throttle_rate=1, max_faults=3), dict(error_rate=1, max_faults=3)])
def test_throttling_and_server_errors_are_absorbed(ansible, localenv, ec2, rds, vpc, faults):
    name = unique("it-faults")
    localenv.set_faults(services=["ec2", "rds"], **faults)
    result = run(ansible, name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_security_groups=["orders-app"])
    injected = localenv.status()["faults"]["injected"]
    localenv.clear_faults()
    ok(result)
    assert injected == 3
    assert subnet_group(rds, name) is not None
    assert ingress(security_group(ec2, vpc["id"], name)) == {("tcp", 5432, 5432, vpc["app"])}


def test_absent_waits_for_instances_being_deleted(ansible, localenv, ec2, rds, vpc):
    name = unique("it-wait")
    group_id = ok(run(ansible, name=name, subnet_ids=[vpc["a"], vpc["b"]], allowed_security_groups=["orders-app"]))["security_group"]["id"]
    # A short identifier: the data plane's PostgreSQL socket path grows with it.
    instance = "w%s" % uuid.uuid4().hex[:6]
    rds.create_db_instance(DBInstanceIdentifier=instance, DBInstanceClass="db.t3.micro", Engine="postgres", EngineVersion="15.8",
                           MasterUsername="master", MasterUserPassword="Master-pw-1234", DBSubnetGroupName=name,
                           VpcSecurityGroupIds=[group_id])
    in_use = run(ansible, name=name, state="absent")
    assert in_use["failed"] is True
    assert "still in use by DB instance %s (subnet group and security group; status available)" % instance in in_use["msg"]
    localenv.set_transitions(deleting=12)
    rds.delete_db_instance(DBInstanceIdentifier=instance, SkipFinalSnapshot=True)
    no_wait = run(ansible, name=name, state="absent", wait=False)
    assert no_wait["failed"] is True and "status deleting" in no_wait["msg"] and "set wait=true to wait for them" in no_wait["msg"]
    assert subnet_group(rds, name) is not None
    waited = ok(run(ansible, name=name, state="absent", wait_timeout=120))
    assert waited["changed"] is True
    assert subnet_group(rds, name) is None and security_group(ec2, vpc["id"], name) is None


@pytest.fixture
def tagged_vpc(ec2):
    """A VPC whose private subnets (two AZs) carry a tier tag unique to the test, plus an untagged public subnet."""
    tier = unique("private")
    vpc_id = ec2.create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"]

    def subnet(cidr, zone, tags):
        spec = [{"ResourceType": "subnet", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}] if tags else []
        return ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=spec)["Subnet"]["SubnetId"]

    app = ec2.create_security_group(GroupName="app-servers", Description="application", VpcId=vpc_id)["GroupId"]
    return dict(id=vpc_id, tier=tier, app=app, subnet=subnet,
                a=subnet("10.43.1.0/24", "us-east-1a", {"tier": tier}), b=subnet("10.43.2.0/24", "us-east-1b", {"tier": tier}),
                public=subnet("10.43.9.0/24", "us-east-1c", {"tier": "public"}))


def test_subnet_filters_find_the_tagged_subnets_and_follow_them(ansible, localenv, ec2, rds, tagged_vpc):
    name = unique("it-filters")
    args = dict(name=name, subnet_filters={"tag:tier": tagged_vpc["tier"]}, allowed_security_groups=["app-servers"])
    checked = ok(run(ansible, check=True, **args))
    assert checked["changed"] is True and checked["subnet_group"]["subnet_ids"] == sorted([tagged_vpc["a"], tagged_vpc["b"]])
    assert subnet_group(rds, name) is None

    created = ok(run(ansible, **args))
    assert created["changed"] is True
    assert created["subnet_group"]["vpc_id"] == tagged_vpc["id"]
    assert created["subnet_group"]["availability_zones"] == ["us-east-1a", "us-east-1b"]
    group = subnet_group(rds, name)
    assert sorted(s["SubnetIdentifier"] for s in group["Subnets"]) == sorted([tagged_vpc["a"], tagged_vpc["b"]])
    assert ingress(security_group(ec2, tagged_vpc["id"], name)) == {("tcp", 5432, 5432, tagged_vpc["app"])}

    localenv.reset_requests()
    again = ok(run(ansible, **args))
    assert again["changed"] is False
    assert network_requests(localenv) == {"ec2:DescribeSubnets": 1, "rds:DescribeDBSubnetGroups": 1, "rds:ListTagsForResource": 1,
                                          "ec2:DescribeSecurityGroups": 1}

    # A third private subnet tagged later (as a landing zone grows) joins the group on the next run.
    third = tagged_vpc["subnet"]("10.43.3.0/24", "us-east-1c", {"tier": tagged_vpc["tier"]})
    grown = ok(run(ansible, diff=True, **args))
    assert grown["changed"] is True
    assert grown["diff"]["after"]["subnet_group"]["subnet_ids"] == sorted([tagged_vpc["a"], tagged_vpc["b"], third])
    assert len(subnet_group(rds, name)["Subnets"]) == 3
    # Several filters and vpc_id narrow the search; list values match any of them.
    narrowed = ok(run(ansible, name=name, subnet_filters={"tag:tier": [tagged_vpc["tier"], "other"], "availability-zone": ["us-east-1a", "us-east-1b"]},
                      vpc_id=tagged_vpc["id"], allowed_security_groups=["app-servers"]))
    assert narrowed["changed"] is True and narrowed["subnet_group"]["subnet_ids"] == sorted([tagged_vpc["a"], tagged_vpc["b"]])


@pytest.mark.parametrize("filters, expected", [
    ({"tag:tier": "no-such-tier"}, "subnet_filters: no subnet in region us-east-1 matches tag:tier=no-such-tier"),
    ({"tag:tier": "public"}, "subnet_filters: RDS requires subnets in at least two availability zones"),
    ({"tag:tier": ""}, "subnet_filters: tag:tier='' is not a filter value"),
    ({"tag:tier": []}, "subnet_filters: tag:tier=[] is not a filter value"),
    ({}, "subnet_filters: give at least one filter"),
])
def test_subnet_filters_that_select_no_usable_subnets_fail_before_any_change(ansible, localenv, rds, tagged_vpc, filters, expected):
    name = unique("it-badfilter")
    localenv.reset_requests()
    args = dict(name=name, subnet_filters=filters, allowed_cidrs=["10.1.0.0/16"])
    if filters.get("tag:tier") == "public":
        args["vpc_id"] = tagged_vpc["id"]
    result = run(ansible, **args)
    assert result["failed"] is True and expected in result["msg"], result["msg"]
    assert writes(network_requests(localenv)) == {}
    assert subnet_group(rds, name) is None


def test_subnet_filters_across_vpcs_and_with_subnet_ids_are_refused(ansible, localenv, ec2, tagged_vpc):
    other_vpc = ec2.create_vpc(CidrBlock="10.44.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.44.1.0/24", AvailabilityZone="us-east-1a",
                      TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "tier", "Value": tagged_vpc["tier"]}]}])
    name = unique("it-vpcs")
    localenv.reset_requests()
    several = run(ansible, name=name, subnet_filters={"tag:tier": tagged_vpc["tier"]})
    assert several["failed"] is True
    assert "subnet_filters: the subnets are in several VPCs" in several["msg"] and "add a 'vpc-id' filter or give vpc_id" in several["msg"]
    both = run(ansible, name=name, subnet_filters={"tag:tier": tagged_vpc["tier"]}, subnet_ids=[tagged_vpc["a"], tagged_vpc["b"]])
    assert both["failed"] is True and "mutually exclusive: subnet_ids|subnet_filters" in both["msg"]
    neither = run(ansible, name=name)
    assert neither["failed"] is True and "subnet_ids: required with state=present (or subnet_filters)" in neither["msg"]
    assert writes(network_requests(localenv)) == {}
    # With vpc_id the same filters select one VPC's subnets.
    chosen = ok(run(ansible, check=True, name=name, subnet_filters={"tag:tier": tagged_vpc["tier"]}, vpc_id=tagged_vpc["id"]))
    assert chosen["subnet_group"]["subnet_ids"] == sorted([tagged_vpc["a"], tagged_vpc["b"]])
