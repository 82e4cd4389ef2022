# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading blue/green deployments and DB instances, and their normalized return shapes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import ClientError
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict

NOT_FOUND = ("DBInstanceNotFound", "DBInstanceNotFoundFault", "BlueGreenDeploymentNotFoundFault", "DBParameterGroupNotFound",
             "DBParameterGroupNotFoundFault")
SWITCHED = "SWITCHOVER_COMPLETED"


def _code(error):
    return error.response.get("Error", {}).get("Code")


def identifier_of(reference):
    """The DB instance identifier of an identifier or an ARN (``arn:aws:rds:REGION:ACCOUNT:db:ID``)."""
    return (reference or "").split(":")[-1]


def find_deployment(rds, name):
    """The deployment named ``name`` (raw AWS shape) or None."""
    response = rds.describe_blue_green_deployments(Filters=[{"Name": "blue-green-deployment-name", "Values": [name]}])
    for deployment in response.get("BlueGreenDeployments", []):
        if deployment.get("BlueGreenDeploymentName") == name:
            return deployment
    return None


def get_deployment(rds, identifier):
    try:
        return rds.describe_blue_green_deployments(BlueGreenDeploymentIdentifier=identifier)["BlueGreenDeployments"][0]
    except ClientError as error:
        if _code(error) in NOT_FOUND:
            return None
        raise


def find_instance(rds, identifier):
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except ClientError as error:
        if _code(error) in NOT_FOUND:
            return None
        raise


def find_parameter_group(rds, name):
    try:
        return rds.describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"][0]
    except ClientError as error:
        if _code(error) in NOT_FOUND:
            return None
        raise


def user_parameter(rds, group, name):
    """The value a DB parameter group sets for ``name`` (None when it keeps the engine default)."""
    if not group or group.startswith("default."):
        return None
    paginator = rds.get_paginator("describe_db_parameters")
    for page in paginator.paginate(DBParameterGroupName=group, Source="user"):
        for parameter in page.get("Parameters", []):
            if parameter.get("ParameterName") == name:
                return parameter.get("ParameterValue")
    return None


def original_source_id(deployment):
    """The blue instance's identifier as the user knows it (``-old1`` removed after a switchover)."""
    identifier = identifier_of(deployment.get("Source"))
    if deployment.get("Status") == SWITCHED and identifier.endswith("-old1"):
        identifier = identifier[:-len("-old1")]
    return identifier


def instance_summary(instance):
    if not instance:
        return None
    endpoint = instance.get("Endpoint") or {}
    groups = instance.get("DBParameterGroups") or [{}]
    return dict(
        identifier=instance.get("DBInstanceIdentifier"),
        arn=instance.get("DBInstanceArn"),
        status=instance.get("DBInstanceStatus"),
        engine_version=instance.get("EngineVersion"),
        db_instance_class=instance.get("DBInstanceClass"),
        db_parameter_group_name=groups[0].get("DBParameterGroupName"),
        endpoint_address=endpoint.get("Address"),
        endpoint_port=endpoint.get("Port"),
    )


def deployment_summary(deployment):
    if not deployment:
        return None
    return dict(
        identifier=deployment.get("BlueGreenDeploymentIdentifier"),
        name=deployment.get("BlueGreenDeploymentName"),
        source=deployment.get("Source"),
        target=deployment.get("Target"),
        status=deployment.get("Status"),
        status_details=deployment.get("StatusDetails"),
        tasks=[dict(name=task.get("Name"), status=task.get("Status")) for task in deployment.get("Tasks") or []],
        switchover_details=[dict(source_member=item.get("SourceMember"), target_member=item.get("TargetMember"), status=item.get("Status"))
                            for item in deployment.get("SwitchoverDetails") or []],
        create_time=str(deployment["CreateTime"]) if deployment.get("CreateTime") else None,
        tags=boto3_tag_list_to_dict(deployment.get("TagList")),
    )
