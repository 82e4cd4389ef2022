# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The EC2 and RDS calls of ``rds_network``. Methods raise the SDK's exceptions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import describe_one
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.pagination import paginate
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict, dict_to_boto3_tag_list
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_network.rules import permissions_from_rules, rules_from_permissions

SUBNET_GROUP_NOT_FOUND = ("DBSubnetGroupNotFoundFault", "DBSubnetGroupNotFound")


def security_group_facts(group):
    return dict(
        id=group["GroupId"], name=group.get("GroupName"), arn=group.get("SecurityGroupArn"), vpc_id=group.get("VpcId"),
        description=group.get("Description", ""), owner_id=group.get("OwnerId"),
        ingress=rules_from_permissions(group.get("IpPermissions")),
        egress=rules_from_permissions(group.get("IpPermissionsEgress")),
        tags=boto3_tag_list_to_dict(group.get("Tags")),
    )


def subnet_group_facts(group):
    subnets = group.get("Subnets") or []
    return dict(
        name=group["DBSubnetGroupName"], arn=group.get("DBSubnetGroupArn"), description=group.get("DBSubnetGroupDescription", ""),
        vpc_id=group.get("VpcId"), status=group.get("SubnetGroupStatus"),
        subnet_ids=sorted(subnet["SubnetIdentifier"] for subnet in subnets),
        availability_zones=sorted(set(get_path(subnet, "SubnetAvailabilityZone.Name") for subnet in subnets
                                      if get_path(subnet, "SubnetAvailabilityZone.Name"))),
    )


class NetworkApi(object):
    def __init__(self, ec2, rds):
        self.ec2 = ec2
        self.rds = rds

    # reads

    def subnets(self, subnet_ids):
        """``{subnet id: {"vpc_id", "availability_zone"}}``; raises for unknown subnets."""
        response = self.ec2.describe_subnets(SubnetIds=list(subnet_ids))
        return dict((subnet["SubnetId"], dict(vpc_id=subnet["VpcId"], availability_zone=subnet.get("AvailabilityZone")))
                    for subnet in response.get("Subnets", []))

    def subnets_matching(self, filters):
        """``{subnet id: {"vpc_id", "availability_zone"}}`` of the subnets matching EC2 ``filters``."""
        found = paginate(self.ec2, "describe_subnets", Filters=list(filters)).get("Subnets", [])
        return dict((subnet["SubnetId"], dict(vpc_id=subnet["VpcId"], availability_zone=subnet.get("AvailabilityZone")))
                    for subnet in found)

    def subnet_group(self, name):
        group = describe_one(self.rds.describe_db_subnet_groups, "DBSubnetGroups", SUBNET_GROUP_NOT_FOUND, DBSubnetGroupName=name)
        return subnet_group_facts(group) if group else None

    def rds_tags(self, arn):
        return boto3_tag_list_to_dict(self.rds.list_tags_for_resource(ResourceName=arn).get("TagList"))

    def vpc_security_groups(self, vpc_id=None, name=None):
        """Every security group of ``vpc_id`` (or those named ``name`` in any VPC), as raw dicts."""
        filters = []
        if vpc_id:
            filters.append({"Name": "vpc-id", "Values": [vpc_id]})
        if name:
            filters.append({"Name": "group-name", "Values": [name]})
        return paginate(self.ec2, "describe_security_groups", Filters=filters).get("SecurityGroups", [])

    def security_groups_by_id(self, group_ids):
        return self.ec2.describe_security_groups(GroupIds=list(group_ids)).get("SecurityGroups", [])

    def db_instances(self):
        return paginate(self.rds, "describe_db_instances").get("DBInstances", [])

    def db_clusters(self):
        return paginate(self.rds, "describe_db_clusters").get("DBClusters", [])

    def network_interfaces(self, group_id):
        filters = [{"Name": "group-id", "Values": [group_id]}]
        return paginate(self.ec2, "describe_network_interfaces", Filters=filters).get("NetworkInterfaces", [])

    # writes

    def create_subnet_group(self, name, description, subnet_ids, tags):
        params = dict(DBSubnetGroupName=name, DBSubnetGroupDescription=description, SubnetIds=list(subnet_ids))
        if tags:
            params["Tags"] = dict_to_boto3_tag_list(tags)
        return subnet_group_facts(self.rds.create_db_subnet_group(**params)["DBSubnetGroup"])

    def modify_subnet_group(self, name, description, subnet_ids):
        response = self.rds.modify_db_subnet_group(DBSubnetGroupName=name, DBSubnetGroupDescription=description,
                                                   SubnetIds=list(subnet_ids))
        return subnet_group_facts(response["DBSubnetGroup"])

    def add_rds_tags(self, arn, tags):
        self.rds.add_tags_to_resource(ResourceName=arn, Tags=dict_to_boto3_tag_list(tags))

    def remove_rds_tags(self, arn, keys):
        self.rds.remove_tags_from_resource(ResourceName=arn, TagKeys=list(keys))

    def delete_subnet_group(self, name):
        self.rds.delete_db_subnet_group(DBSubnetGroupName=name)

    def create_security_group(self, name, description, vpc_id, tags):
        params = dict(GroupName=name, Description=description, VpcId=vpc_id)
        if tags:
            params["TagSpecifications"] = [{"ResourceType": "security-group", "Tags": dict_to_boto3_tag_list(tags)}]
        response = self.ec2.create_security_group(**params)
        return response["GroupId"], response.get("SecurityGroupArn")

    def authorize(self, group_id, rules, egress):
        operation = self.ec2.authorize_security_group_egress if egress else self.ec2.authorize_security_group_ingress
        operation(GroupId=group_id, IpPermissions=permissions_from_rules(rules))

    def revoke(self, group_id, rules, egress):
        operation = self.ec2.revoke_security_group_egress if egress else self.ec2.revoke_security_group_ingress
        operation(GroupId=group_id, IpPermissions=permissions_from_rules(rules))

    def add_ec2_tags(self, resource_id, tags):
        self.ec2.create_tags(Resources=[resource_id], Tags=dict_to_boto3_tag_list(tags))

    def remove_ec2_tags(self, resource_id, keys):
        self.ec2.delete_tags(Resources=[resource_id], Tags=[{"Key": key} for key in keys])

    def delete_security_group(self, group_id):
        self.ec2.delete_security_group(GroupId=group_id)
