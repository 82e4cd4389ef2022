# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Preflight checks of each action, and its plan: what exists, who writes now, who will write after.

Each preflight_<action>(ctx) returns a Plan. Checks are {name, passed, detail}.
A failed check stops the task before any change, except the replica lag check with force=true.
Plan.noop explains why the action's result is already in place (the task reports changed=false).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover import api

LAG = "replica lag"


class Plan(object):
    def __init__(self):
        self.checks = []
        self.noop = None
        self.old_writer = None
        self.new_writer = None
        self.target = {}
        self.lag_seconds = None

    def check(self, name, passed, detail):
        self.checks.append({"name": name, "passed": bool(passed), "detail": detail})
        return passed

    def failed(self, force=False):
        """The failed checks that stop the task (the lag check does not with force)."""
        return [c for c in self.checks if not c["passed"] and not (force and c["name"] == LAG)]


def _lag_check(ctx, plan, metric, dimension, identifier, region, scale=1.0, what="the replica"):
    """Compare the latest CloudWatch lag datapoint with max_replica_lag_seconds."""
    limit = ctx.params["max_replica_lag_seconds"]
    value = ctx.call(api.latest_metric, "reading the %s metric of %s" % (metric, identifier),
                     ctx.client("cloudwatch", region), metric, dimension, identifier)
    if value is None:
        return plan.check(LAG, True, "no %s datapoint for %s in the last %d seconds: the lag was not measured"
                          % (metric, identifier, api.LAG_WINDOW_SECONDS))
    seconds = round(float(value) / scale, 3)
    plan.lag_seconds = seconds
    if seconds <= limit:
        return plan.check(LAG, True, "%s is %ss behind (%s), within max_replica_lag_seconds=%d" % (what, seconds, metric, limit))
    detail = "%s is %ss behind (%s), more than max_replica_lag_seconds=%d" % (what, seconds, metric, limit)
    if ctx.params["force"]:
        detail += "; continuing because force=true"
    else:
        detail += "; wait for it to catch up, raise max_replica_lag_seconds, or set force=true to accept the data loss"
    return plan.check(LAG, False, detail)


def _exists(plan, record, kind, identifier, region):
    return plan.check("target exists", record is not None,
                      "%s %s %s in %s" % (kind, identifier, "exists" if record is not None else "was not found", region))


def _healthy(plan, kind, identifier, status):
    return plan.check("target healthy", status == "available",
                      "%s %s is %s%s" % (kind, identifier, status, "" if status == "available" else " (it must be available)"))


def preflight_multi_az(ctx):
    plan = Plan()
    identifier = ctx.params["db_instance_identifier"]
    instance = ctx.call(api.describe_instance, "describing DB instance %s" % identifier, ctx.client("rds"), identifier)
    if not _exists(plan, instance, "DB instance", identifier, ctx.region):
        return plan
    _healthy(plan, "DB instance", identifier, instance.get("DBInstanceStatus"))
    multi_az = bool(instance.get("MultiAZ"))
    plan.check("multi-az standby", multi_az,
               "standby in %s" % instance.get("SecondaryAvailabilityZone") if multi_az else
               "DB instance %s is Single-AZ: a failover needs a Multi-AZ standby (set multi_az on the instance first)" % identifier)
    plan.check("engine versions compatible", True, "a Multi-AZ standby runs the primary's engine (%s %s)"
               % (instance.get("Engine"), instance.get("EngineVersion")))
    plan.check(LAG, True, "a Multi-AZ standby is synchronous: no replica lag")
    plan.old_writer = api.instance_writer(instance, ctx.region)
    plan.new_writer = dict(plan.old_writer)
    plan.target = {"availability_zone": instance.get("AvailabilityZone"), "standby_zone": instance.get("SecondaryAvailabilityZone")}
    return plan


def preflight_aurora_failover(ctx):
    plan = Plan()
    identifier = ctx.params["db_cluster_identifier"]
    rds = ctx.client("rds")
    cluster = ctx.call(api.describe_cluster, "describing DB cluster %s" % identifier, rds, identifier)
    if not _exists(plan, cluster, "DB cluster", identifier, ctx.region):
        return plan
    _healthy(plan, "DB cluster", identifier, cluster.get("Status"))
    writer_id = api.cluster_writer_id(cluster)
    members = cluster.get("DBClusterMembers") or []
    readers = sorted((m for m in members if not m.get("IsClusterWriter")), key=lambda m: (m.get("PromotionTier", 1), m["DBInstanceIdentifier"]))
    target = ctx.params.get("target_db_instance_identifier")
    plan.old_writer = api.cluster_writer(cluster, ctx.region, writer_id)
    if target and target == writer_id:
        plan.noop = "DB instance %s is already the writer of DB cluster %s" % (target, identifier)
        plan.new_writer = dict(plan.old_writer)
        return plan
    if target and target not in [m["DBInstanceIdentifier"] for m in readers]:
        plan.check("target is a reader", False, "DB instance %s is not a reader of DB cluster %s (readers: %s)"
                   % (target, identifier, ", ".join(m["DBInstanceIdentifier"] for m in readers) or "none"))
        return plan
    if not readers:
        plan.check("target is a reader", False, "DB cluster %s has no reader to fail over to" % identifier)
        return plan
    chosen = target or readers[0]["DBInstanceIdentifier"]
    plan.check("target is a reader", True, "DB instance %s is a reader of DB cluster %s%s"
               % (chosen, identifier, "" if target else " (the first in promotion tier order; RDS picks)"))
    instance = ctx.call(api.describe_instance, "describing DB instance %s" % chosen, rds, chosen)
    status = instance.get("DBInstanceStatus") if instance else "missing"
    plan.check("reader healthy", status == "available", "reader %s is %s" % (chosen, status))
    versions = {}
    for member in members:
        described = ctx.call(api.describe_instance, "describing DB instance %s" % member["DBInstanceIdentifier"], rds,
                             member["DBInstanceIdentifier"])
        if described:
            versions[member["DBInstanceIdentifier"]] = described.get("EngineVersion")
    plan.check("engine versions compatible", len(set(versions.values())) <= 1,
               "members run %s" % ", ".join("%s %s" % item for item in sorted(versions.items())))
    _lag_check(ctx, plan, "AuroraReplicaLag", "DBInstanceIdentifier", chosen, ctx.region, scale=1000.0, what="reader %s" % chosen)
    plan.new_writer = api.cluster_writer(cluster, ctx.region, target)
    plan.target = {"reader": target}
    return plan


def _replica_source(ctx, plan, instance):
    """Describe the source of a replica (in its region); (record or None, region, error text)."""
    source = instance["ReadReplicaSourceDBInstanceIdentifier"]
    region = api.arn_region(source) or ctx.region
    try:
        return api.describe_instance(ctx.client("rds", region), source), region, None
    except Exception as e:  # pylint: disable=broad-except  # a failed region must not stop a DR promotion
        return None, region, str(e).splitlines()[0] if str(e) else type(e).__name__


def preflight_promote_replica(ctx):
    plan = Plan()
    identifier = ctx.params["db_instance_identifier"]
    rds = ctx.client("rds")
    instance = ctx.call(api.describe_instance, "describing DB instance %s" % identifier, rds, identifier)
    if not _exists(plan, instance, "DB instance", identifier, ctx.region):
        return plan
    plan.new_writer = api.instance_writer(instance, ctx.region)
    if instance.get("DBClusterIdentifier"):
        plan.check("target is a read replica", False, "DB instance %s is a member of Aurora DB cluster %s: use action=aurora_failover"
                   % (identifier, instance["DBClusterIdentifier"]))
        return plan
    if not instance.get("ReadReplicaSourceDBInstanceIdentifier"):
        event = ctx.call(api.promotion_event, "reading the events of DB instance %s" % identifier, rds, identifier)
        if event is None:
            plan.check("target is a read replica", False,
                       "DB instance %s is not a read replica (it has no source) and was not promoted in the last %d days: "
                       "there is nothing to promote" % (identifier, api.EVENT_DAYS))
            return plan
        plan.noop = "DB instance %s is no longer a read replica: it was promoted at %s (%s)" % (
            identifier, event["Date"].isoformat() if hasattr(event.get("Date"), "isoformat") else event.get("Date"), event.get("Message"))
        return plan
    source_id = instance["ReadReplicaSourceDBInstanceIdentifier"]
    plan.check("target is a read replica", True, "DB instance %s replicates from %s" % (identifier, source_id))
    _healthy(plan, "DB instance", identifier, instance.get("DBInstanceStatus"))
    replication = [info for info in instance.get("StatusInfos") or [] if info.get("StatusType") == "read replication"]
    if replication and not replication[0].get("Normal", True):
        plan.check("replication healthy", False, "read replication is %s: %s" % (replication[0].get("Status"), replication[0].get("Message")))
    source, source_region, error = _replica_source(ctx, plan, instance)
    if source is not None:
        plan.old_writer = api.instance_writer(source, source_region)
        same = api.major_version(source.get("EngineVersion")) == api.major_version(instance.get("EngineVersion"))
        plan.check("engine versions compatible", same, "source %s runs %s %s, replica %s %s" % (
            source["DBInstanceIdentifier"], source.get("Engine"), source.get("EngineVersion"), instance.get("Engine"), instance.get("EngineVersion")))
    else:
        plan.old_writer = api.unreachable_writer(source_id, source_region, source_id if source_id.startswith("arn:") else None)
        plan.check("engine versions compatible", True, "source %s could not be described (%s); a read replica runs its source's major "
                   "version (replica: %s %s)" % (source_id, error or "not found", instance.get("Engine"), instance.get("EngineVersion")))
    _lag_check(ctx, plan, "ReplicaLag", "DBInstanceIdentifier", identifier, ctx.region, what="replica %s" % identifier)
    return plan


def _global_member(global_cluster, target):
    for member in global_cluster.get("GlobalClusterMembers") or []:
        arn = member.get("DBClusterArn") or ""
        if arn == target or api.arn_name(arn) == target:
            return member
    return None


def preflight_global(ctx):
    plan = Plan()
    params = ctx.params
    identifier, target = params["global_cluster_identifier"], params["target_db_cluster_identifier"]
    global_cluster = ctx.call(api.describe_global, "describing global cluster %s" % identifier, ctx.client("rds"), identifier)
    if not _exists(plan, global_cluster, "Global cluster", identifier, "the account"):
        return plan
    members = global_cluster.get("GlobalClusterMembers") or []
    member = _global_member(global_cluster, target)
    if member is None:
        plan.check("target is a member", False, "DB cluster %s is not a member of global cluster %s (members: %s)"
                   % (target, identifier, ", ".join(m.get("DBClusterArn", "?") for m in members) or "none"))
        return plan
    arn = member["DBClusterArn"]
    region = api.arn_region(arn)
    plan.target = {"arn": arn, "region": region}
    cluster = ctx.call(api.describe_cluster, "describing DB cluster %s" % arn, ctx.client("rds", region), api.arn_name(arn))
    if cluster is None:
        plan.check("target exists", False, "DB cluster %s was not found in %s" % (arn, region))
        return plan
    plan.new_writer = api.cluster_writer(cluster, region)
    writer = next((m for m in members if m.get("IsWriter")), None)
    if member.get("IsWriter"):
        plan.old_writer = dict(plan.new_writer)
        plan.noop = "DB cluster %s is already the primary cluster of global cluster %s" % (api.arn_name(arn), identifier)
        return plan
    plan.check("target is a member", True, "DB cluster %s is a secondary of global cluster %s" % (api.arn_name(arn), identifier))
    _healthy(plan, "DB cluster", api.arn_name(arn), cluster.get("Status"))
    global_status = global_cluster.get("Status")
    plan.check("global cluster healthy", global_status == "available", "global cluster %s is %s" % (identifier, global_status))
    primary, error = None, None
    if writer is not None:
        try:
            primary = api.describe_cluster(ctx.client("rds", api.arn_region(writer["DBClusterArn"])), api.arn_name(writer["DBClusterArn"]))
        except Exception as e:  # pylint: disable=broad-except  # the primary region may be down during a failover
            error = str(e).splitlines()[0] if str(e) else type(e).__name__
        plan.old_writer = (api.cluster_writer(primary, api.arn_region(writer["DBClusterArn"])) if primary else
                           api.unreachable_writer(writer["DBClusterArn"], api.arn_region(writer["DBClusterArn"]), writer["DBClusterArn"]))
    switchover = params["action"] == "global_switchover"
    if primary is not None:
        if switchover:
            same = primary.get("EngineVersion") == cluster.get("EngineVersion")
            rule = "a switchover needs the same engine version"
        else:
            same = api.major_version(primary.get("EngineVersion")) == api.major_version(cluster.get("EngineVersion"))
            rule = "a failover needs the same major version"
        plan.check("engine versions compatible", same, "primary %s runs %s, target %s runs %s (%s)" % (
            primary["DBClusterIdentifier"], primary.get("EngineVersion"), cluster["DBClusterIdentifier"], cluster.get("EngineVersion"), rule))
    elif switchover:
        plan.check("primary healthy", False, "the primary cluster could not be described (%s): a switchover needs a healthy primary; "
                   "use action=global_failover with allow_data_loss=true" % (error or "no writer member"))
    else:
        plan.check("engine versions compatible", True, "the primary could not be described (%s); target runs %s"
                   % (error or "no writer member", cluster.get("EngineVersion")))
    if primary is not None and switchover:
        plan.check("primary healthy", primary.get("Status") == "available", "primary %s is %s" % (primary["DBClusterIdentifier"], primary.get("Status")))
    _lag_check(ctx, plan, "AuroraGlobalDBReplicationLag", "DBClusterIdentifier", cluster["DBClusterIdentifier"], region,
               scale=1000.0, what="secondary %s" % cluster["DBClusterIdentifier"])
    return plan


PREFLIGHTS = {
    "multi_az": preflight_multi_az,
    "aurora_failover": preflight_aurora_failover,
    "promote_replica": preflight_promote_replica,
    "global_switchover": preflight_global,
    "global_failover": preflight_global,
}
