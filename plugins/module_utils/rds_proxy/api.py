# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS and EC2 calls of ``rds_proxy``, and their responses as flat snake_case facts.

Methods raise the SDK's exceptions; the converger turns them into messages. A run that changes
nothing reads the proxy, its default target group, its targets and its tags (four requests).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import describe_one
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict, dict_to_boto3_tag_list

TARGET_GROUP = "default"
PROXY_NOT_FOUND = ("DBProxyNotFoundFault",)
INSTANCE_NOT_FOUND = ("DBInstanceNotFound", "DBInstanceNotFoundFault")
CLUSTER_NOT_FOUND = ("DBClusterNotFoundFault", "DBClusterNotFound")
SUBNET_GROUP_NOT_FOUND = ("DBSubnetGroupNotFoundFault", "DBSubnetGroupNotFound")
POOL_KEYS = (
    ("max_connections_percent", "MaxConnectionsPercent"),
    ("max_idle_connections_percent", "MaxIdleConnectionsPercent"),
    ("connection_borrow_timeout", "ConnectionBorrowTimeout"),
    ("session_pinning_filters", "SessionPinningFilters"),
    ("init_query", "InitQuery"),
)


def _date(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def auth_facts(entry):
    return dict(secret_arn=entry.get("SecretArn"), iam_auth=entry.get("IAMAuth") or "DISABLED",
                client_password_auth_type=entry.get("ClientPasswordAuthType"), description=entry.get("Description") or "")


def proxy_facts(proxy):
    """A DescribeDBProxies entry as the module returns it (tags are added by the caller)."""
    return dict(
        name=proxy["DBProxyName"], arn=proxy.get("DBProxyArn"), status=proxy.get("Status"),
        engine_family=proxy.get("EngineFamily"), endpoint=proxy.get("Endpoint"), vpc_id=proxy.get("VpcId"),
        vpc_subnet_ids=sorted(proxy.get("VpcSubnetIds") or []),
        vpc_security_group_ids=sorted(proxy.get("VpcSecurityGroupIds") or []),
        role_arn=proxy.get("RoleArn"), auth=[auth_facts(entry) for entry in proxy.get("Auth") or []],
        require_tls=bool(proxy.get("RequireTLS")), idle_client_timeout=proxy.get("IdleClientTimeout"),
        debug_logging=bool(proxy.get("DebugLogging")),
        created_date=_date(proxy.get("CreatedDate")), updated_date=_date(proxy.get("UpdatedDate")),
    )


def pool_facts(config):
    facts = dict((key, (config or {}).get(api_key)) for key, api_key in POOL_KEYS)
    facts["session_pinning_filters"] = sorted(facts["session_pinning_filters"] or [])
    facts["init_query"] = facts["init_query"] or ""
    return facts


def target_group_facts(group):
    facts = dict(name=group.get("TargetGroupName"), arn=group.get("TargetGroupArn"), status=group.get("Status"),
                 is_default=bool(group.get("IsDefault")))
    facts.update(pool_facts(group.get("ConnectionPoolConfig")))
    return facts


def target_facts(target):
    health = target.get("TargetHealth") or {}
    return dict(
        type=target.get("Type"), rds_resource_id=target.get("RdsResourceId"), target_arn=target.get("TargetArn"),
        endpoint=target.get("Endpoint"), port=target.get("Port"), role=target.get("Role"),
        tracked_cluster_id=target.get("TrackedClusterId"),
        health=dict(state=health.get("State"), reason=health.get("Reason"), description=health.get("Description")),
    )


def registered_target(targets):
    """``("instance", id)``, ``("cluster", id)`` or ``None`` for a target group's target facts."""
    for target in targets:
        if target["type"] == "TRACKED_CLUSTER":
            return ("cluster", target["rds_resource_id"])
    for target in targets:
        if target["type"] == "RDS_INSTANCE" and not target["tracked_cluster_id"]:
            return ("instance", target["rds_resource_id"])
    return None


class ProxyApi(object):
    def __init__(self, rds, ec2_factory):
        self.rds = rds
        self.ec2_factory = ec2_factory

    # reads

    def proxy(self, name):
        """The raw DescribeDBProxies entry, or ``None``."""
        return describe_one(self.rds.describe_db_proxies, "DBProxies", PROXY_NOT_FOUND, DBProxyName=name)

    def target_group(self, name):
        response = self.rds.describe_db_proxy_target_groups(DBProxyName=name, TargetGroupName=TARGET_GROUP)
        group = get_path(response, "TargetGroups.0")
        return target_group_facts(group) if group else None

    def targets(self, name):
        response = self.rds.describe_db_proxy_targets(DBProxyName=name, TargetGroupName=TARGET_GROUP)
        return [target_facts(target) for target in response.get("Targets") or []]

    def tags(self, arn):
        return boto3_tag_list_to_dict(self.rds.list_tags_for_resource(ResourceName=arn).get("TagList"))

    def subnet_group_subnets(self, name):
        """The subnet ids of a DB subnet group, or ``None`` when there is no such group."""
        group = describe_one(self.rds.describe_db_subnet_groups, "DBSubnetGroups", SUBNET_GROUP_NOT_FOUND, DBSubnetGroupName=name)
        if group is None:
            return None
        return sorted(subnet["SubnetIdentifier"] for subnet in group.get("Subnets") or [])

    def subnets(self, subnet_ids):
        """``{subnet id: (vpc id, availability zone)}`` of the subnets that exist."""
        response = self.ec2_factory().describe_subnets(Filters=[{"Name": "subnet-id", "Values": list(subnet_ids)}])
        return dict((subnet["SubnetId"], (subnet["VpcId"], subnet.get("AvailabilityZone"))) for subnet in response.get("Subnets", []))

    def security_groups(self, group_ids):
        """``{group id: vpc id}`` of the security groups that exist."""
        response = self.ec2_factory().describe_security_groups(Filters=[{"Name": "group-id", "Values": list(group_ids)}])
        return dict((group["GroupId"], group.get("VpcId")) for group in response.get("SecurityGroups", []))

    def db_instance(self, identifier):
        return describe_one(self.rds.describe_db_instances, "DBInstances", INSTANCE_NOT_FOUND, DBInstanceIdentifier=identifier)

    def db_cluster(self, identifier):
        return describe_one(self.rds.describe_db_clusters, "DBClusters", CLUSTER_NOT_FOUND, DBClusterIdentifier=identifier)

    # writes

    def create(self, name, engine_family, auth, role_arn, subnet_ids, security_group_ids, require_tls,
               idle_client_timeout, debug_logging, tags):
        params = dict(DBProxyName=name, EngineFamily=engine_family, Auth=auth, RoleArn=role_arn,
                      VpcSubnetIds=list(subnet_ids), RequireTLS=require_tls)
        if security_group_ids:
            params["VpcSecurityGroupIds"] = list(security_group_ids)
        if idle_client_timeout is not None:
            params["IdleClientTimeout"] = idle_client_timeout
        if debug_logging is not None:
            params["DebugLogging"] = debug_logging
        if tags:
            params["Tags"] = dict_to_boto3_tag_list(tags)
        return self.rds.create_db_proxy(**params)["DBProxy"]

    def modify(self, name, changes):
        return self.rds.modify_db_proxy(DBProxyName=name, **changes)["DBProxy"]

    def modify_pool(self, name, config):
        self.rds.modify_db_proxy_target_group(DBProxyName=name, TargetGroupName=TARGET_GROUP, ConnectionPoolConfig=config)

    def register(self, name, kind, identifier):
        key = "DBInstanceIdentifiers" if kind == "instance" else "DBClusterIdentifiers"
        self.rds.register_db_proxy_targets(DBProxyName=name, TargetGroupName=TARGET_GROUP, **{key: [identifier]})

    def deregister(self, name, kind, identifier):
        key = "DBInstanceIdentifiers" if kind == "instance" else "DBClusterIdentifiers"
        self.rds.deregister_db_proxy_targets(DBProxyName=name, TargetGroupName=TARGET_GROUP, **{key: [identifier]})

    def add_tags(self, arn, tags):
        self.rds.add_tags_to_resource(ResourceName=arn, Tags=dict_to_boto3_tag_list(tags))

    def remove_tags(self, arn, keys):
        self.rds.remove_tags_from_resource(ResourceName=arn, TagKeys=list(keys))

    def delete(self, name):
        self.rds.delete_db_proxy(DBProxyName=name)
