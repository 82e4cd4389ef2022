# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The DR actions, one function each: start it, then (with wait=true) wait until the new writer is available.

Each returns the new writer summary (``api.instance_writer`` / ``api.cluster_writer``) as described after the
wait, or the planned one with wait=false. "Available" is what the RTO measures: the time from the request until
the describe call reports the new writer available (and, for Aurora, as the writer).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover import api

DELAYS = (0.25, 0.5, 1, 2, 3, 5, 10)
BUSY = ("pending", "failing-over", "switching-over")


def wait_until(describe, done, timeout, what, state_of, sleep=time.sleep, clock=time.monotonic):
    """Call ``describe()`` until ``done(record)``; the delays grow from 0.25 to 10 seconds."""
    deadline = clock() + timeout
    attempt = 0
    while True:
        record = describe()
        if done(record):
            return record
        remaining = deadline - clock()
        if remaining <= 0:
            raise AwsWaitTimeout(what, timeout, last_state=state_of(record))
        sleep(min(DELAYS[min(attempt, len(DELAYS) - 1)], remaining))
        attempt += 1


def _instance_state(instance):
    if not instance:
        return "not found"
    return "DBInstanceStatus=%s, ReadReplicaSource=%s" % (instance.get("DBInstanceStatus"), instance.get("ReadReplicaSourceDBInstanceIdentifier"))


def _cluster_state(cluster):
    if not cluster:
        return "not found"
    return "Status=%s, writer=%s" % (cluster.get("Status"), api.cluster_writer_id(cluster))


def multi_az(ctx, plan):
    identifier = ctx.params["db_instance_identifier"]
    rds = ctx.client("rds")
    ctx.call(rds.reboot_db_instance, "rebooting DB instance %s with failover" % identifier, DBInstanceIdentifier=identifier, ForceFailover=True)
    if not ctx.params["wait"]:
        return plan.new_writer
    instance = ctx.wait(lambda: api.describe_instance(rds, identifier),
                        lambda record: record is not None and record.get("DBInstanceStatus") == "available",
                        "DB instance %s to be available after the Multi-AZ failover" % identifier, _instance_state)
    return api.instance_writer(instance, ctx.region)


def aurora_failover(ctx, plan):
    identifier = ctx.params["db_cluster_identifier"]
    target = ctx.params.get("target_db_instance_identifier")
    old = plan.old_writer["identifier"]
    rds = ctx.client("rds")
    request = {"DBClusterIdentifier": identifier}
    if target:
        request["TargetDBInstanceIdentifier"] = target
    ctx.call(rds.failover_db_cluster, "failing over DB cluster %s" % identifier, **request)
    if not ctx.params["wait"]:
        return plan.new_writer

    def done(cluster):
        writer = api.cluster_writer_id(cluster) if cluster else None
        return cluster is not None and cluster.get("Status") == "available" and writer is not None and writer != old and writer == (target or writer)

    cluster = ctx.wait(lambda: api.describe_cluster(rds, identifier), done,
                       "DB cluster %s to be available with %s as its writer" % (identifier, target or "a new writer"), _cluster_state)
    return api.cluster_writer(cluster, ctx.region, api.cluster_writer_id(cluster))


def promote_replica(ctx, plan):
    identifier = ctx.params["db_instance_identifier"]
    rds = ctx.client("rds")
    ctx.call(rds.promote_read_replica, "promoting read replica %s" % identifier, DBInstanceIdentifier=identifier)
    if not ctx.params["wait"]:
        return plan.new_writer
    instance = ctx.wait(lambda: api.describe_instance(rds, identifier),
                        lambda record: (record is not None and record.get("DBInstanceStatus") == "available"
                                        and not record.get("ReadReplicaSourceDBInstanceIdentifier")),
                        "DB instance %s to be available as a standalone instance" % identifier, _instance_state)
    return api.instance_writer(instance, ctx.region)


def _global_writer_is(global_cluster, arn):
    if not global_cluster or global_cluster.get("Status") != "available":
        return False
    if (global_cluster.get("FailoverState") or {}).get("Status") in BUSY:
        return False
    return any(m.get("IsWriter") and m.get("DBClusterArn") == arn for m in global_cluster.get("GlobalClusterMembers") or [])


def _global_state(global_cluster):
    if not global_cluster:
        return "not found"
    writers = [m.get("DBClusterArn") for m in global_cluster.get("GlobalClusterMembers") or [] if m.get("IsWriter")]
    failover = (global_cluster.get("FailoverState") or {}).get("Status")
    return "Status=%s, FailoverState=%s, writer=%s" % (global_cluster.get("Status"), failover, ", ".join(writers) or "none")


def _global(ctx, plan, operation, doing, **extra):
    identifier = ctx.params["global_cluster_identifier"]
    arn, region = plan.target["arn"], plan.target["region"]
    rds = ctx.client("rds", region)
    ctx.call(getattr(rds, operation), "%s global cluster %s to %s" % (doing, identifier, arn),
             GlobalClusterIdentifier=identifier, TargetDbClusterIdentifier=arn, **extra)
    if not ctx.params["wait"]:
        return plan.new_writer
    ctx.wait(lambda: api.describe_global(rds, identifier), lambda record: _global_writer_is(record, arn),
             "global cluster %s to be available with %s as its primary" % (identifier, arn), _global_state)
    cluster = ctx.wait(lambda: api.describe_cluster(rds, api.arn_name(arn)),
                       lambda record: record is not None and record.get("Status") == "available",
                       "DB cluster %s to be available" % arn, _cluster_state)
    return api.cluster_writer(cluster, region)


def global_switchover(ctx, plan):
    return _global(ctx, plan, "switchover_global_cluster", "switching over")


def global_failover(ctx, plan):
    return _global(ctx, plan, "failover_global_cluster", "failing over", AllowDataLoss=True)


ACTIONS = {
    "multi_az": multi_az,
    "aurora_failover": aurora_failover,
    "promote_replica": promote_replica,
    "global_switchover": global_switchover,
    "global_failover": global_failover,
}
