# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading an Aurora cluster, its instances and its reader auto scaling, as plain dicts.

Methods raise the SDK's exceptions; the caller turns them into messages. A run that changes
nothing reads the cluster (one DescribeDBClusters), its instances (one DescribeDBInstances with
the ``db-cluster-id`` filter) and, only when reader auto scaling is managed, the scalable target
and its policies.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import describe_one
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.pagination import paginate
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict

ENGINE = "aurora-postgresql"
AUTOSCALED_PREFIX = "application-autoscaling-"
CLUSTER_NOT_FOUND = ("DBClusterNotFoundFault", "DBClusterNotFound")
GLOBAL_NOT_FOUND = ("GlobalClusterNotFoundFault",)


def _float(value):
    return float(value) if value is not None else None


def normalize_cluster(raw):
    """The cluster as this collection reports and compares it (snake_case, stable types)."""
    scaling = raw.get("ServerlessV2ScalingConfiguration") or {}
    secret = raw.get("MasterUserSecret") or {}
    return dict(
        identifier=raw["DBClusterIdentifier"],
        arn=raw.get("DBClusterArn"),
        resource_id=raw.get("DbClusterResourceId"),
        status=raw.get("Status"),
        engine=raw.get("Engine"),
        engine_version=raw.get("EngineVersion"),
        endpoint=raw.get("Endpoint"),
        reader_endpoint=raw.get("ReaderEndpoint"),
        port=raw.get("Port"),
        database_name=raw.get("DatabaseName"),
        master_username=raw.get("MasterUsername"),
        manage_master_user_password=bool(secret),
        master_user_secret_arn=secret.get("SecretArn"),
        master_user_secret_kms_key_id=secret.get("KmsKeyId"),
        storage_encrypted=bool(raw.get("StorageEncrypted")),
        kms_key_id=raw.get("KmsKeyId") if raw.get("StorageEncrypted") else None,
        db_subnet_group_name=raw.get("DBSubnetGroup"),
        vpc_security_group_ids=sorted(group["VpcSecurityGroupId"] for group in raw.get("VpcSecurityGroups") or []),
        db_cluster_parameter_group_name=raw.get("DBClusterParameterGroup"),
        iam_database_authentication=bool(raw.get("IAMDatabaseAuthenticationEnabled")),
        backup_retention_period=raw.get("BackupRetentionPeriod"),
        preferred_backup_window=raw.get("PreferredBackupWindow"),
        preferred_maintenance_window=raw.get("PreferredMaintenanceWindow"),
        cloudwatch_logs_exports=sorted(raw.get("EnabledCloudwatchLogsExports") or []),
        deletion_protection=bool(raw.get("DeletionProtection")),
        copy_tags_to_snapshot=bool(raw.get("CopyTagsToSnapshot")),
        serverless_v2_scaling=dict(min_capacity=_float(scaling.get("MinCapacity")),
                                   max_capacity=_float(scaling.get("MaxCapacity"))) if scaling else None,
        global_cluster_identifier=raw.get("GlobalClusterIdentifier"),
        members=[dict(identifier=member["DBInstanceIdentifier"], is_writer=bool(member.get("IsClusterWriter")),
                      promotion_tier=member.get("PromotionTier"),
                      parameter_group_status=member.get("DBClusterParameterGroupStatus"))
                 for member in raw.get("DBClusterMembers") or []],
        tags=boto3_tag_list_to_dict(raw.get("TagList")),
    )


def normalize_instance(raw, writer_ids=()):
    pending = raw.get("PendingModifiedValues") or {}
    groups = raw.get("DBParameterGroups") or [{}]
    return dict(
        identifier=raw["DBInstanceIdentifier"],
        arn=raw.get("DBInstanceArn"),
        role="writer" if raw["DBInstanceIdentifier"] in writer_ids else "reader",
        autoscaled=raw["DBInstanceIdentifier"].startswith(AUTOSCALED_PREFIX),
        status=raw.get("DBInstanceStatus"),
        instance_class=raw.get("DBInstanceClass"),
        pending_instance_class=pending.get("DBInstanceClass"),
        availability_zone=raw.get("AvailabilityZone"),
        promotion_tier=raw.get("PromotionTier"),
        db_parameter_group_name=groups[0].get("DBParameterGroupName"),
        parameter_apply_status=groups[0].get("ParameterApplyStatus"),
        performance_insights=bool(raw.get("PerformanceInsightsEnabled")),
        performance_insights_retention_period=raw.get("PerformanceInsightsRetentionPeriod"),
        performance_insights_kms_key_id=raw.get("PerformanceInsightsKMSKeyId"),
        monitoring_interval=raw.get("MonitoringInterval") or 0,
        monitoring_role_arn=raw.get("MonitoringRoleArn"),
        auto_minor_version_upgrade=raw.get("AutoMinorVersionUpgrade"),
        endpoint=get_path(raw, "Endpoint.Address"),
        port=get_path(raw, "Endpoint.Port"),
        tags=boto3_tag_list_to_dict(raw.get("TagList")),
    )


class AuroraApi(object):
    """The RDS and Application Auto Scaling reads of one cluster."""

    def __init__(self, rds, autoscaling=None):
        self.rds = rds
        self.autoscaling = autoscaling

    def cluster(self, identifier):
        """The normalized cluster, or None when it does not exist."""
        cluster = describe_one(self.rds.describe_db_clusters, "DBClusters", CLUSTER_NOT_FOUND, DBClusterIdentifier=identifier)
        return normalize_cluster(cluster) if cluster else None

    def instances(self, cluster):
        """The cluster's instances (writer first, then by identifier)."""
        writers = set(member["identifier"] for member in cluster["members"] if member["is_writer"])
        raw = paginate(self.rds, "describe_db_instances", Filters=[dict(Name="db-cluster-id", Values=[cluster["identifier"]])])
        found = [normalize_instance(item, writers) for item in raw.get("DBInstances", [])
                 if item.get("DBClusterIdentifier") == cluster["identifier"]]
        return sorted(found, key=lambda item: (item["role"] != "writer", item["identifier"]))

    def global_cluster(self, identifier):
        found = describe_one(self.rds.describe_global_clusters, "GlobalClusters", GLOBAL_NOT_FOUND, GlobalClusterIdentifier=identifier)
        return normalize_global(found) if found else None

    def scaling(self, resource_id, dimension):
        """``(target or None, {policy name: policy})`` of the reader-count scalable target."""
        targets = self.autoscaling.describe_scalable_targets(
            ServiceNamespace="rds", ResourceIds=[resource_id], ScalableDimension=dimension).get("ScalableTargets", [])
        if not targets:
            return None, {}
        policies = self.autoscaling.describe_scaling_policies(
            ServiceNamespace="rds", ResourceId=resource_id, ScalableDimension=dimension).get("ScalingPolicies", [])
        return targets[0], dict((policy["PolicyName"], policy) for policy in policies)


def normalize_global(raw):
    return dict(
        identifier=raw["GlobalClusterIdentifier"],
        arn=raw.get("GlobalClusterArn"),
        resource_id=raw.get("GlobalClusterResourceId"),
        status=raw.get("Status"),
        engine=raw.get("Engine"),
        engine_version=raw.get("EngineVersion"),
        storage_encrypted=bool(raw.get("StorageEncrypted")),
        deletion_protection=bool(raw.get("DeletionProtection")),
        endpoint=raw.get("Endpoint"),
        members=[dict(db_cluster_arn=member["DBClusterArn"],
                      db_cluster_identifier=member["DBClusterArn"].rsplit(":", 1)[-1],
                      region=member["DBClusterArn"].split(":")[3],
                      is_writer=bool(member.get("IsWriter")),
                      readers=list(member.get("Readers") or []))
                 for member in raw.get("GlobalClusterMembers") or []],
        failover_state=raw.get("FailoverState"),
    )
