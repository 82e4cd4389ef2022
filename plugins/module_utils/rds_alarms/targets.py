# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a deployment is made of: the instance and its replicas, or the cluster and its instances.

A *target* is one thing alarms watch: ``{"id", "kind": "instance"|"cluster", "role", "instance_class",
"parameter_group", "allocated_storage", "serverless", "max_acu", "global_secondary", "max_connections"}``.
``discover`` raises ``TargetError`` for problems of the task's input (unknown identifier, wrong engine).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.capacity import (
    SERVERLESS_CLASS, CapacityError, max_connections)


class TargetError(ValueError):
    pass


def arn_parts(arn):
    """``(partition, region, account)`` of an ARN."""
    parts = (arn or "").split(":")
    if len(parts) < 6:
        return "aws", None, None
    return parts[1], parts[3], parts[4]


def _instance_target(instance, role, max_acu=None):
    groups = instance.get("DBParameterGroups") or []
    instance_class = instance.get("DBInstanceClass")
    return dict(
        id=instance["DBInstanceIdentifier"], kind="instance", role=role, arn=instance.get("DBInstanceArn"),
        instance_class=instance_class, parameter_group=groups[0].get("DBParameterGroupName") if groups else None,
        allocated_storage=instance.get("AllocatedStorage"), serverless=instance_class == SERVERLESS_CLASS,
        max_acu=max_acu if instance_class == SERVERLESS_CLASS else None, global_secondary=False, max_connections=None,
    )


def _same_region_replicas(instance, region):
    """``(same-region identifiers, other-region ARNs)`` of an instance's read replicas."""
    local, remote = [], []
    for replica in instance.get("ReadReplicaDBInstanceIdentifiers") or []:
        if replica.startswith("arn:"):
            if arn_parts(replica)[1] == region:
                local.append(replica.split(":")[-1])
            else:
                remote.append(replica)
        else:
            local.append(replica)
    return local, remote


def _replicas_described(described, instance, region):
    """``(same-region identifiers, other-region ARNs)`` of described replicas of ``instance``.

    A description of the primary taken before its replicas were made in the same run does not list them yet.
    """
    sources = (instance["DBInstanceIdentifier"], instance.get("DBInstanceArn"))
    local, remote = [], []
    for replica in described.values():
        if replica.get("ReadReplicaSourceDBInstanceIdentifier") not in sources:
            continue
        if arn_parts(replica.get("DBInstanceArn"))[1] == region:
            local.append(replica["DBInstanceIdentifier"])
        else:
            remote.append(replica["DBInstanceArn"])
    return local, remote


def discover_instance(api, identifier, include_replicas, described=None):
    """The instance and its same-region replicas; ``described`` (``{id: item}``) saves describing those again."""
    described = described or {}
    instance = described.get(identifier) or api.db_instance(identifier)
    if instance is None:
        raise TargetError("db_instance_identifier: there is no DB instance %r in this account and region" % identifier)
    if instance.get("DBClusterIdentifier") or str(instance.get("Engine", "")).startswith("aurora"):
        raise TargetError("db_instance_identifier: %r is an instance of Aurora cluster %r; give db_cluster_identifier=%s to "
                          "watch the cluster and all of its instances" % (identifier, instance.get("DBClusterIdentifier"),
                                                                          instance.get("DBClusterIdentifier")))
    partition, region, account = arn_parts(instance.get("DBInstanceArn"))
    role = "replica" if instance.get("ReadReplicaSourceDBInstanceIdentifier") else "primary"
    targets = [_instance_target(instance, role)]
    skipped = []
    if include_replicas:
        local, remote = _same_region_replicas(instance, region)
        more_local, more_remote = _replicas_described(described, instance, region)
        local += [replica for replica in more_local if replica not in local]
        remote += [replica for replica in more_remote if replica not in remote]
        replicas = [described[replica] for replica in local if replica in described]
        replicas += api.db_instances("db-instance-id", [replica for replica in local if replica not in described])
        targets += [_instance_target(replica, "replica") for replica in sorted(replicas, key=lambda r: r["DBInstanceIdentifier"])]
        skipped = ["%s (read replica in another region: run rds_alarms there with db_instance_identifier)" % arn for arn in remote]
    return dict(id=identifier, kind="instance", arn=instance.get("DBInstanceArn"), partition=partition, region=region,
                account=account, targets=targets, skipped=skipped)


def discover_cluster(api, identifier, described=(None, None)):
    """The cluster and its instances; ``described`` (``(cluster, instances)``) saves describing them again."""
    cluster, instances = described
    if cluster is None:
        cluster, instances = api.db_cluster(identifier), None
    if cluster is None:
        raise TargetError("db_cluster_identifier: there is no DB cluster %r in this account and region" % identifier)
    if not str(cluster.get("Engine", "")).startswith("aurora"):
        raise TargetError("db_cluster_identifier: %r is a %s cluster; rds_alarms watches Aurora clusters (give "
                          "db_instance_identifier for RDS instances)" % (identifier, cluster.get("Engine")))
    partition, region, account = arn_parts(cluster.get("DBClusterArn"))
    writers = set(member["DBInstanceIdentifier"] for member in cluster.get("DBClusterMembers") or [] if member.get("IsClusterWriter"))
    max_acu = get_path(cluster, "ServerlessV2ScalingConfiguration.MaxCapacity")
    global_secondary = False
    if cluster.get("GlobalClusterIdentifier"):
        global_cluster = api.global_cluster(cluster["GlobalClusterIdentifier"])
        for member in (global_cluster or {}).get("GlobalClusterMembers") or []:
            if member.get("DBClusterArn") == cluster.get("DBClusterArn"):
                global_secondary = not member.get("IsWriter")
    cluster_target = dict(id=identifier, kind="cluster", role="cluster", arn=cluster.get("DBClusterArn"), instance_class=None,
                          parameter_group=None, allocated_storage=None, serverless=False, max_acu=max_acu,
                          global_secondary=global_secondary, max_connections=None)
    if instances is None:
        instances = api.db_instances("db-cluster-id", [identifier])
    targets = [cluster_target]
    for instance in sorted(instances, key=lambda i: (i["DBInstanceIdentifier"] not in writers, i["DBInstanceIdentifier"])):
        targets.append(_instance_target(instance, "writer" if instance["DBInstanceIdentifier"] in writers else "reader", max_acu))
    return dict(id=identifier, kind="cluster", arn=cluster.get("DBClusterArn"), partition=partition, region=region, account=account,
                targets=targets, skipped=[])


def fill_max_connections(api, deployment, override, step, described_groups=None):
    """Set ``max_connections`` of every instance target; returns the problems (one per target) as text.

    ``step(doing, function, *args)`` runs the AWS reads (the converger's error handling); ``described_groups``
    (``{group: {parameter: value}}``) saves reading those groups again.
    """
    problems = []
    groups = dict(described_groups or {})
    for target in deployment["targets"]:
        if target["kind"] != "instance":
            continue
        if override:
            target["max_connections"] = override
            continue
        group = target["parameter_group"]
        if group and group not in groups:
            groups[group] = step("reading the parameters of DB parameter group %s" % group, api.user_parameters, group)
        value = (groups.get(group) or {}).get("max_connections")
        try:
            target["max_connections"] = max_connections(target["instance_class"], value, target.get("max_acu"))
        except CapacityError as e:
            problems.append("%s: %s" % (target["id"], e))
    return problems
