# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading what a failover acts on: instances, clusters, global clusters, events, lag metrics; writer summaries."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import ClientError, is_error

LAG_WINDOW_SECONDS = 300
EVENT_DAYS = 14


def arn_region(arn):
    """The region of an ARN (None for an identifier)."""
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 6 and parts[0] == "arn" else None


def arn_name(value):
    """The identifier at the end of an ARN (arn:aws:rds:r:a:cluster:id -> id); an identifier as it is."""
    parts = (value or "").split(":")
    return parts[-1] if len(parts) > 6 and parts[0] == "arn" else value


def describe_instance(rds, identifier):
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=arn_name(identifier))["DBInstances"][0]
    except ClientError as e:
        if is_error(e, "DBInstanceNotFound", "DBInstanceNotFoundFault"):
            return None
        raise


def describe_cluster(rds, identifier):
    try:
        return rds.describe_db_clusters(DBClusterIdentifier=arn_name(identifier))["DBClusters"][0]
    except ClientError as e:
        if is_error(e, "DBClusterNotFoundFault", "DBClusterNotFound"):
            return None
        raise


def describe_global(rds, identifier):
    try:
        return rds.describe_global_clusters(GlobalClusterIdentifier=identifier)["GlobalClusters"][0]
    except ClientError as e:
        if is_error(e, "GlobalClusterNotFoundFault", "GlobalClusterNotFound"):
            return None
        raise


def promotion_event(rds, identifier):
    """The latest event of the last 14 days that says identifier was promoted (None when there is none)."""
    events = rds.describe_events(SourceIdentifier=identifier, SourceType="db-instance", Duration=EVENT_DAYS * 24 * 60)["Events"]
    promoted = [event for event in events if "promot" in (event.get("Message") or "").lower()]
    return promoted[-1] if promoted else None


def latest_metric(cloudwatch, metric, dimension, identifier, now=None):
    """The latest Maximum of AWS/RDS metric for dimension=identifier in the last 5 minutes (None: no data)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/RDS", MetricName=metric, Dimensions=[{"Name": dimension, "Value": identifier}],
        StartTime=now - datetime.timedelta(seconds=LAG_WINDOW_SECONDS), EndTime=now + datetime.timedelta(seconds=60),
        Period=60, Statistics=["Maximum"])["Datapoints"]
    if not points:
        return None
    return sorted(points, key=lambda point: point["Timestamp"])[-1]["Maximum"]


def major_version(version):
    return (version or "").split(".")[0]


def instance_writer(instance, region):
    """The writer summary of a DB instance."""
    endpoint = instance.get("Endpoint") or {}
    return {
        "identifier": instance["DBInstanceIdentifier"],
        "endpoint_address": endpoint.get("Address"),
        "endpoint_port": endpoint.get("Port"),
        "region": region,
        "arn": instance.get("DBInstanceArn"),
    }


def cluster_writer_id(cluster):
    """The DB instance identifier of the writer of an Aurora cluster (None without one)."""
    for member in cluster.get("DBClusterMembers") or []:
        if member.get("IsClusterWriter"):
            return member["DBInstanceIdentifier"]
    return None


def cluster_writer(cluster, region, identifier=None):
    """The writer summary of an Aurora cluster: its writer endpoint; identifier defaults to the cluster's."""
    return {
        "identifier": identifier or cluster["DBClusterIdentifier"],
        "endpoint_address": cluster.get("Endpoint"),
        "endpoint_port": cluster.get("Port"),
        "region": region,
        "arn": cluster.get("DBClusterArn"),
    }


def unreachable_writer(identifier, region, arn=None):
    """What is known of a writer that cannot be described (its region may be down)."""
    return {"identifier": arn_name(identifier), "endpoint_address": None, "endpoint_port": None, "region": region, "arn": arn}
