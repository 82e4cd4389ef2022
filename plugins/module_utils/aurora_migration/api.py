# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading the source instance and the Aurora cluster of a migration, and summarising them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover import api as failover_api

AURORA = "aurora-postgresql"

describe_instance = failover_api.describe_instance
describe_cluster = failover_api.describe_cluster
latest_metric = failover_api.latest_metric
major_version = failover_api.major_version
arn_name = failover_api.arn_name


def source_problems(instance, identifier, region):
    """Why ``instance`` cannot be the source of an Aurora PostgreSQL read replica (empty: it can)."""
    if instance is None:
        return ["source_db_instance_identifier: DB instance %s was not found in %s" % (identifier, region)]
    errors = []
    if instance.get("Engine") != "postgres" or instance.get("DBClusterIdentifier"):
        errors.append("source_db_instance_identifier: %s is a %s DB instance%s; the source must be an RDS for PostgreSQL instance"
                      % (identifier, instance.get("Engine"),
                         " of cluster %s" % instance["DBClusterIdentifier"] if instance.get("DBClusterIdentifier") else ""))
    if instance.get("ReadReplicaSourceDBInstanceIdentifier"):
        errors.append("source_db_instance_identifier: %s is a read replica of %s; migrate its source instead"
                      % (identifier, instance["ReadReplicaSourceDBInstanceIdentifier"]))
    if not instance.get("BackupRetentionPeriod"):
        errors.append("source_db_instance_identifier: %s has automated backups off (BackupRetentionPeriod 0); an Aurora read replica"
                      " needs them" % identifier)
    return errors


def cluster_summary(cluster):
    if cluster is None:
        return None
    return {
        "identifier": cluster["DBClusterIdentifier"],
        "arn": cluster.get("DBClusterArn"),
        "status": cluster.get("Status"),
        "engine_version": cluster.get("EngineVersion"),
        "endpoint": cluster.get("Endpoint"),
        "reader_endpoint": cluster.get("ReaderEndpoint"),
        "port": cluster.get("Port"),
        "replication_source_identifier": cluster.get("ReplicationSourceIdentifier"),
        "members": [member["DBInstanceIdentifier"] for member in cluster.get("DBClusterMembers", [])],
        "writer": next((member["DBInstanceIdentifier"] for member in cluster.get("DBClusterMembers", []) if member.get("IsClusterWriter")),
                       None),
    }


def instance_summary(instance):
    if instance is None:
        return None
    endpoint = instance.get("Endpoint") or {}
    return {
        "identifier": instance["DBInstanceIdentifier"],
        "arn": instance.get("DBInstanceArn"),
        "status": instance.get("DBInstanceStatus"),
        "engine_version": instance.get("EngineVersion"),
        "endpoint": endpoint.get("Address"),
        "port": endpoint.get("Port"),
        "instance_class": instance.get("DBInstanceClass"),
    }


def tags_of(cluster):
    return dict((tag["Key"], tag["Value"]) for tag in (cluster or {}).get("TagList", []))
