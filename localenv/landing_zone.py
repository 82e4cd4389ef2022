"""The network an account-vending landing zone gives the member accounts, seeded at start-up.

In the data account (and the app and nonprod accounts) of both regions: a VPC tagged ``Name=innovate-<account>``
with three private subnets in three availability zones, tagged ``tier=private`` and
``Name=innovate-<account>-private-<zone>``, and the application security group ``app-servers``;
in the data account also the ``rds-monitoring-role`` that RDS enhanced monitoring assumes.
Inventories name the subnets by these tags (``rds_network`` ``subnet_filters``), never by id, as
they would in real accounts whose ids differ. Seeding is idempotent: a VPC that already carries
the name is left as it is.
"""

import json

from localenv import accounts

APP_SECURITY_GROUP = "app-servers"
TIER_TAG = ("tier", "private")
# account name -> {region: VPC CIDR}; the app account's CIDRs are what the data account's
# database security groups let in across the peering / transit gateway.
NETWORKS = {
    "data": {"us-east-1": "10.10.0.0/16", "us-west-2": "10.20.0.0/16"},
    "app": {"us-east-1": "10.30.0.0/16", "us-west-2": "10.40.0.0/16"},
    # the non-production account the restore tests restore into (roles/restore_test)
    "nonprod": {"us-east-1": "10.50.0.0/16", "us-west-2": "10.60.0.0/16"},
}
ZONES = ("a", "b", "c")
MONITORING_ROLE = "rds-monitoring-role"
MONITORING_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})


def vpc_name(account_name):
    return "innovate-%s" % account_name


def private_subnet_cidrs(vpc_cidr):
    """Three /20 blocks at the start of the VPC's /16, one per availability zone."""
    first, second = vpc_cidr.split(".")[:2]
    return ["%s.%s.%d.0/20" % (first, second, 16 * index) for index in range(len(ZONES))]


def _find_vpc(ec2, name):
    found = ec2.describe_vpcs(filters={"tag:Name": [name]})
    return found[0] if found else None


def seed_network(account_id, region, account_name, vpc_cidr):
    """Create the landing-zone VPC of one account and region unless it exists; return its id."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    ec2 = ec2_backends[account_id][region]
    name = vpc_name(account_name)
    vpc = _find_vpc(ec2, name)
    if vpc is not None:
        return vpc.id
    vpc = ec2.create_vpc(cidr_block=vpc_cidr)
    ec2.create_tags([vpc.id], {"Name": name, "innovate:landing-zone": "true"})
    for zone, cidr in zip(ZONES, private_subnet_cidrs(vpc_cidr)):
        subnet = ec2.create_subnet(vpc_id=vpc.id, cidr_block=cidr, availability_zone=region + zone)
        ec2.create_tags([subnet.id], {"Name": "%s-private-%s%s" % (name, region, zone), TIER_TAG[0]: TIER_TAG[1]})
    group = ec2.create_security_group(APP_SECURITY_GROUP, "Application servers (landing zone)", vpc_id=vpc.id)
    ec2.create_tags([group.id], {"Name": APP_SECURITY_GROUP})
    return vpc.id


def seed_monitoring_role(account_id):
    """The IAM role RDS enhanced monitoring assumes (``MonitoringRoleArn``), unless it exists."""
    from moto.iam.models import iam_backends  # pylint: disable=import-outside-toplevel

    iam = iam_backends[account_id]["aws"]
    if any(role.name == MONITORING_ROLE for role in iam.get_roles()):
        return
    iam.create_role(role_name=MONITORING_ROLE, assume_role_policy_document=MONITORING_TRUST, path="/",
                    permissions_boundary=None, description="RDS enhanced monitoring (landing zone)", tags=[],
                    max_session_duration="3600")


def seed():
    """Seed every landing-zone network (idempotent); ``{account name: {region: vpc id}}``."""
    seed_monitoring_role(accounts.ACCOUNTS["data"])
    seeded = {}
    for account_name, cidrs in NETWORKS.items():
        account_id = accounts.ACCOUNTS.get(account_name)
        if account_id is None:
            continue
        for region in accounts.REGIONS:
            seeded.setdefault(account_name, {})[region] = seed_network(account_id, region, account_name, cidrs[region])
    return seeded
