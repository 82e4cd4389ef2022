# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``described`` option: what earlier tasks of the run returned, in the shapes ``targets`` reads.

``rds_instance`` returns DescribeDBInstances in snake_case, ``aurora_cluster`` its own view of the cluster and its
instances, and ``rds_parameter_group`` the user-set parameters. Entries without an identifier and an ARN (a check-mode
prediction of something not created yet) are left out, so those resources are described as usual.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def _parameter_groups(names):
    return [{"DBParameterGroupName": name} for name in names if name]


def instances_by_id(results):
    """``{identifier: DescribeDBInstances item}`` of ``rds_instance`` ``instance`` return values."""
    found = {}
    for item in results or []:
        if not isinstance(item, dict) or not item.get("db_instance_identifier") or not item.get("db_instance_arn"):
            continue
        groups = [group.get("db_parameter_group_name") for group in item.get("db_parameter_groups") or [] if isinstance(group, dict)]
        found[item["db_instance_identifier"]] = dict(
            DBInstanceIdentifier=item["db_instance_identifier"],
            DBInstanceArn=item["db_instance_arn"],
            DBInstanceClass=item.get("db_instance_class"),
            DBParameterGroups=_parameter_groups(groups),
            AllocatedStorage=item.get("allocated_storage"),
            ReadReplicaDBInstanceIdentifiers=list(item.get("read_replica_db_instance_identifiers") or []),
            ReadReplicaSourceDBInstanceIdentifier=item.get("read_replica_source_db_instance_identifier"),
            DBClusterIdentifier=item.get("db_cluster_identifier"),
            Engine=item.get("engine"),
        )
    return found


def cluster_and_instances(result, identifier):
    """``(DescribeDBClusters item, DescribeDBInstances items)`` of an ``aurora_cluster`` result for ``identifier``.

    ``(None, None)`` when the result is of another cluster or lacks what the alarms need.
    """
    cluster = (result or {}).get("cluster") if isinstance(result, dict) else None
    instances = (result or {}).get("instances") if isinstance(result, dict) else None
    if not isinstance(cluster, dict) or cluster.get("identifier") != identifier or not cluster.get("arn"):
        return None, None
    if not isinstance(instances, list) or not all(isinstance(item, dict) and item.get("identifier") and item.get("arn")
                                                  for item in instances):
        return None, None
    scaling = cluster.get("serverless_v2_scaling") or {}
    described_cluster = dict(
        DBClusterIdentifier=identifier,
        DBClusterArn=cluster["arn"],
        Engine="aurora-postgresql",
        DBClusterMembers=[dict(DBInstanceIdentifier=item["identifier"], IsClusterWriter=item.get("role") == "writer")
                          for item in instances],
        GlobalClusterIdentifier=cluster.get("global_cluster_identifier"),
    )
    if scaling.get("max_capacity") is not None:
        described_cluster["ServerlessV2ScalingConfiguration"] = dict(MinCapacity=scaling.get("min_capacity"),
                                                                     MaxCapacity=scaling["max_capacity"])
    described_instances = [dict(DBInstanceIdentifier=item["identifier"], DBInstanceArn=item["arn"],
                                DBInstanceClass=item.get("instance_class"), DBClusterIdentifier=identifier,
                                DBParameterGroups=_parameter_groups([item.get("db_parameter_group_name")]),
                                AllocatedStorage=None, Engine="aurora-postgresql")
                           for item in instances]
    return described_cluster, described_instances


def parameter_values(groups):
    """``{group name: {parameter: value}}`` of the ``parameter_groups`` entry (strings only)."""
    return dict((name, dict((key, None if value is None else str(value)) for key, value in (values or {}).items()))
                for name, values in (groups or {}).items() if isinstance(values, dict))
