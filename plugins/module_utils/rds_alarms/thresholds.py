# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The standard alarm set and the event categories, as data.

Thresholds are given in the units people think in (percent, MiB, milliseconds); ``desired.py``
converts them into the metric's own unit (RDS reports latency and ReplicaLag in seconds, memory and
storage in bytes). Defaults are the seeds' table: CPU > 80 %, FreeableMemory < 256 MB, connections
> 80 % of max_connections, replica lag > 1000 ms, read/write latency > 20 ms.

Target roles: ``primary`` (an RDS instance that is not a replica), ``replica`` (an RDS read
replica), ``writer`` / ``reader`` (Aurora instances), ``cluster`` (the Aurora cluster itself).
``serverless`` alarms apply only to Aurora instances of class db.serverless; ``global_secondary``
ones only to a cluster that is a secondary member of a global database.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

NAMESPACE = "AWS/RDS"
INSTANCE_ROLES = ("primary", "replica", "writer", "reader")

GT = "GreaterThanThreshold"
GE = "GreaterThanOrEqualToThreshold"
LT = "LessThanThreshold"

# unit: how the user gives the threshold; maximum: the largest accepted value (None: no limit).
UNITS = {
    "percent": dict(text="%", maximum=100),
    "MiB": dict(text="MiB", maximum=None),
    "ms": dict(text="ms", maximum=None),
    "count": dict(text="", maximum=None),
    "ACU": dict(text="ACU", maximum=256),
    "percent_of_max_connections": dict(text="% of max_connections", maximum=100),
    "percent_of_storage": dict(text="% of allocated storage", maximum=100),
}


def _alarm(metric, statistic, comparison, threshold, unit, roles, period=60, serverless=False, global_secondary=False,
           summary=""):
    return dict(metric=metric, statistic=statistic, comparison=comparison, threshold=threshold, unit=unit,
                roles=tuple(roles), period=period, serverless=serverless, global_secondary=global_secondary, summary=summary)


# The key of each alarm is its CloudWatch metric name; it is also the last part of the alarm name.
ALARMS = {
    "CPUUtilization": _alarm("CPUUtilization", "Average", GT, 80, "percent", INSTANCE_ROLES,
                             summary="CPU above the threshold"),
    "FreeableMemory": _alarm("FreeableMemory", "Average", LT, 256, "MiB", INSTANCE_ROLES,
                             summary="freeable memory below the threshold"),
    "DatabaseConnections": _alarm("DatabaseConnections", "Maximum", GT, 80, "percent_of_max_connections", INSTANCE_ROLES,
                                  summary="connections above a share of max_connections"),
    "ReplicaLag": _alarm("ReplicaLag", "Maximum", GT, 1000, "ms", ("replica",),
                         summary="read replica lag above the threshold"),
    "ReadLatency": _alarm("ReadLatency", "Average", GT, 20, "ms", INSTANCE_ROLES, summary="read latency above the threshold"),
    "WriteLatency": _alarm("WriteLatency", "Average", GT, 20, "ms", INSTANCE_ROLES, summary="write latency above the threshold"),
    "FreeStorageSpace": _alarm("FreeStorageSpace", "Minimum", LT, 10, "percent_of_storage", ("primary", "replica"), period=300,
                               summary="free storage below a share of the allocated storage"),
    "DiskQueueDepth": _alarm("DiskQueueDepth", "Average", GT, 20, "count", INSTANCE_ROLES,
                             summary="I/O requests waiting for the disk above the threshold"),
    "MaximumUsedTransactionIDs": _alarm("MaximumUsedTransactionIDs", "Maximum", GT, 1000000000, "count", ("primary", "writer"),
                                        period=300, summary="transaction IDs used since the last freeze (wraparound risk)"),
    "AuroraReplicaLag": _alarm("AuroraReplicaLag", "Maximum", GT, 1000, "ms", ("reader",),
                               summary="Aurora replica lag above the threshold"),
    "ServerlessDatabaseCapacity": _alarm("ServerlessDatabaseCapacity", "Average", GE, None, "ACU", ("writer", "reader"),
                                         serverless=True, summary="Serverless v2 capacity at the threshold (default: the cluster's maximum)"),
    "ACUUtilization": _alarm("ACUUtilization", "Average", GT, 90, "percent", ("writer", "reader"), serverless=True,
                             summary="share of the maximum ACUs in use above the threshold"),
    "AuroraGlobalDBRPOLag": _alarm("AuroraGlobalDBRPOLag", "Maximum", GT, 60000, "ms", ("cluster",), global_secondary=True,
                                   summary="global database recovery point lag above the threshold"),
}

STATISTICS = ("Average", "Maximum", "Minimum", "Sum", "SampleCount")
TREAT_MISSING_DATA = ("missing", "notBreaching", "breaching", "ignore")
ALARM_SETTINGS = ("enabled", "threshold", "period", "evaluation_periods", "datapoints_to_alarm", "statistic", "treat_missing_data")
VALID_PERIODS_BELOW_MINUTE = (10, 20, 30)
MAX_EVALUATION_SECONDS = 86400

# RDS event subscriptions: source type, default categories, and the categories the AWS
# Foundational Security Best Practices controls require of them.
EVENT_SOURCES = {
    "instance": dict(
        source_type="db-instance", control="RDS.20",
        required=("configuration change", "failure", "maintenance"),
        default=("availability", "configuration change", "deletion", "failover", "failure", "low storage", "maintenance",
                 "read replica", "recovery"),
        known=("availability", "backup", "configuration change", "creation", "deletion", "failover", "failure",
               "low storage", "maintenance", "notification", "read replica", "recovery", "restoration", "security",
               "security patching"),
    ),
    "cluster": dict(
        source_type="db-cluster", control="RDS.19",
        required=("failure", "maintenance"),
        default=("deletion", "failover", "failure", "global-failover", "maintenance"),
        known=("configuration change", "creation", "deletion", "failover", "failure", "global-failover", "maintenance",
               "migration", "notification", "serverless"),
    ),
    "parameter_group": dict(
        source_type="db-parameter-group", control="RDS.21",
        required=("configuration change",),
        default=("configuration change",),
        known=("configuration change",),
    ),
    "security_group": dict(
        source_type="db-security-group", control="RDS.22",
        required=("configuration change", "failure"),
        default=("configuration change", "failure"),
        known=("configuration change", "failure"),
    ),
}
EVENT_SOURCE_KINDS = ("instance", "cluster", "parameter_group", "security_group")


def default_event_kinds(is_cluster):
    """The subscriptions a deployment gets when the task does not choose."""
    if is_cluster:
        return ["cluster", "instance", "parameter_group", "security_group"]
    return ["instance", "parameter_group", "security_group"]


def applies(definition, target):
    """Whether the alarm ``definition`` is part of the standard set of ``target``."""
    if target["role"] not in definition["roles"]:
        return False
    if definition["serverless"] and not target.get("serverless"):
        return False
    if definition["global_secondary"] and not target.get("global_secondary"):
        return False
    return True
