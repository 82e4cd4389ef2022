"""Checks RDS makes on CreateDBProxy, ModifyDBProxy and ModifyDBProxyTargetGroup requests.

Each function raises moto's ``InvalidParameterValue`` (or a fault from ``faults``) with the
message RDS would give.
"""

import re

from moto.ec2.models import ec2_backends
from moto.rds.exceptions import InvalidParameterValue

from localenv.emulator.proxies import faults

NAME = re.compile(r"^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$")
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$")
ENGINE_FAMILIES = ("MYSQL", "POSTGRESQL", "SQLSERVER")
CLIENT_AUTH_TYPES = {
    "MYSQL": ("MYSQL_NATIVE_PASSWORD", "MYSQL_CACHING_SHA2_PASSWORD"),
    "POSTGRESQL": ("POSTGRES_SCRAM_SHA_256", "POSTGRES_MD5"),
    "SQLSERVER": ("SQL_SERVER_AUTHENTICATION",),
}
IAM_AUTH = ("DISABLED", "REQUIRED", "ENABLED")
IDLE_TIMEOUT = (1, 28800)
BORROW_TIMEOUT = (0, 300)
PINNING_FILTERS = ("EXCLUDE_VARIABLE_SETS",)
# Engines a proxy of each family can front.
TARGET_ENGINES = {
    "POSTGRESQL": ("postgres", "aurora-postgresql"),
    "MYSQL": ("mysql", "mariadb", "aurora-mysql"),
    "SQLSERVER": ("sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web"),
}


def name(value, parameter="DBProxyName"):
    if not value or len(value) > 63 or not NAME.match(value):
        raise InvalidParameterValue(
            "%s %r is not valid: it must be 1 to 63 letters, digits or hyphens, start with a letter, "
            "and contain neither two consecutive hyphens nor end with one." % (parameter, value))


def engine_family(value):
    if value not in ENGINE_FAMILIES:
        raise InvalidParameterValue("Provided EngineFamily is not valid: %r. Valid values: %s"
                                    % (value, ", ".join(ENGINE_FAMILIES)))


def auth(entries, family):
    if not entries:
        raise InvalidParameterValue("Auth must contain at least one UserAuthConfig.")
    for index, entry in enumerate(entries, start=1):
        where = "Auth.member.%d" % index
        scheme = entry.get("AuthScheme") or "SECRETS"
        if scheme != "SECRETS":
            raise InvalidParameterValue("%s.AuthScheme %r is not valid; the only value is SECRETS." % (where, scheme))
        secret = entry.get("SecretArn")
        if not secret:
            raise InvalidParameterValue("%s.SecretArn is required." % where)
        if not SECRET_ARN.match(secret):
            raise InvalidParameterValue("%s.SecretArn %r is not a valid Secrets Manager secret ARN." % (where, secret))
        iam = entry.get("IAMAuth") or "DISABLED"
        if iam not in IAM_AUTH or (iam == "ENABLED" and family != "SQLSERVER"):
            raise InvalidParameterValue("%s.IAMAuth %r is not valid for engine family %s; valid values: DISABLED, REQUIRED."
                                        % (where, iam, family))
        client = entry.get("ClientPasswordAuthType")
        if client is not None and client not in CLIENT_AUTH_TYPES[family]:
            raise InvalidParameterValue("%s.ClientPasswordAuthType %r is not valid for engine family %s; valid values: %s."
                                        % (where, client, family, ", ".join(CLIENT_AUTH_TYPES[family])))
    secrets = [entry.get("SecretArn") for entry in entries]
    if len(set(secrets)) != len(secrets):
        raise InvalidParameterValue("Auth names the same SecretArn more than once.")


def stored_auth(entries, family):
    """The Auth entries as DescribeDBProxies reports them (defaults filled in)."""
    result = []
    for entry in entries:
        stored = dict(AuthScheme=entry.get("AuthScheme") or "SECRETS", SecretArn=entry["SecretArn"],
                      IAMAuth=entry.get("IAMAuth") or "DISABLED",
                      ClientPasswordAuthType=entry.get("ClientPasswordAuthType") or CLIENT_AUTH_TYPES[family][0])
        if entry.get("Description"):
            stored["Description"] = entry["Description"]
        result.append(stored)
    return result


def role_arn(value):
    if not value or not ROLE_ARN.match(value):
        raise InvalidParameterValue("RoleArn %r is not a valid IAM role ARN (arn:aws:iam::<account>:role/<name>)." % (value,))


def idle_client_timeout(value):
    if value is not None and not IDLE_TIMEOUT[0] <= int(value) <= IDLE_TIMEOUT[1]:
        raise InvalidParameterValue("IdleClientTimeout %s is out of range; it must be between %d and %d seconds."
                                    % ((value,) + IDLE_TIMEOUT))


def subnets(account_id, region, subnet_ids):
    """The VPC of ``subnet_ids``: they must exist, be in one VPC and cover two availability zones."""
    if not subnet_ids:
        raise InvalidParameterValue("VpcSubnetIds must contain at least two subnets.")
    ec2 = ec2_backends[account_id][region]
    known = dict((subnet.id, subnet) for subnet in ec2.describe_subnets())
    found = {}
    for subnet_id in subnet_ids:
        if subnet_id not in known:
            raise faults.InvalidSubnet("The subnet %s does not exist." % subnet_id)
        found[subnet_id] = known[subnet_id]
    vpcs = set(subnet.vpc_id for subnet in found.values())
    if len(vpcs) > 1:
        raise faults.InvalidSubnet("The subnets %s are in different VPCs (%s); a proxy's subnets must be in one VPC."
                                   % (", ".join(subnet_ids), ", ".join(sorted(vpcs))))
    zones = set(subnet.availability_zone for subnet in found.values())
    if len(zones) < 2:
        raise faults.InvalidSubnet("The subnets of a DB proxy must cover at least two availability zones; %s are all in %s."
                                   % (", ".join(subnet_ids), ", ".join(sorted(zones))))
    return vpcs.pop()


def security_groups(account_id, region, group_ids, vpc_id):
    ec2 = ec2_backends[account_id][region]
    known = dict((group.id, group) for group in ec2.describe_security_groups())
    for group_id in group_ids or []:
        group = known.get(group_id)
        if group is None:
            raise InvalidParameterValue("The security group %s does not exist." % group_id)
        if group.vpc_id != vpc_id:
            raise InvalidParameterValue("The security group %s is in VPC %s, not in the proxy's VPC %s."
                                        % (group_id, group.vpc_id, vpc_id))


def pool_config(config):
    """Check a ConnectionPoolConfig of ModifyDBProxyTargetGroup."""
    max_connections = config.get("MaxConnectionsPercent")
    max_idle = config.get("MaxIdleConnectionsPercent")
    if max_idle is not None and max_connections is None:
        raise InvalidParameterValue("MaxIdleConnectionsPercent requires MaxConnectionsPercent in the same request.")
    if max_connections is not None and not 1 <= int(max_connections) <= 100:
        raise InvalidParameterValue("MaxConnectionsPercent %s is out of range; it must be between 1 and 100." % max_connections)
    if max_idle is not None and not 0 <= int(max_idle) <= int(max_connections):
        raise InvalidParameterValue("MaxIdleConnectionsPercent %s is out of range; it must be between 0 and "
                                    "MaxConnectionsPercent (%s)." % (max_idle, max_connections))
    borrow = config.get("ConnectionBorrowTimeout")
    if borrow is not None and not BORROW_TIMEOUT[0] <= int(borrow) <= BORROW_TIMEOUT[1]:
        raise InvalidParameterValue("ConnectionBorrowTimeout %s is out of range; it must be between %d and %d seconds."
                                    % ((borrow,) + BORROW_TIMEOUT))
    for item in config.get("SessionPinningFilters") or []:
        if item not in PINNING_FILTERS:
            raise InvalidParameterValue("SessionPinningFilters: %r is not valid; valid values: %s." % (item, ", ".join(PINNING_FILTERS)))
