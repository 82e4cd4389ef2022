# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reader auto scaling: the Application Auto Scaling target ``rds:cluster:ReadReplicaCount`` of
the cluster and one target-tracking policy on the readers' average CPU or connections."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

NAMESPACE = "rds"
DIMENSION = "rds:cluster:ReadReplicaCount"
METRICS = dict(cpu="RDSReaderAverageCPUUtilization", connections="RDSReaderAverageDatabaseConnections")
POLICY_TYPE = "TargetTrackingScaling"


def resource_id(cluster_identifier):
    return "cluster:%s" % cluster_identifier


def policy_name(cluster_identifier, scaling):
    return scaling.get("policy_name") or "%s-readers-%s" % (cluster_identifier, scaling.get("metric") or "cpu")


def desired_policy(scaling):
    return dict(
        TargetValue=float(scaling["target_value"]),
        PredefinedMetricSpecification=dict(PredefinedMetricType=METRICS[scaling.get("metric") or "cpu"]),
        ScaleInCooldown=int(scaling.get("scale_in_cooldown") or 0),
        ScaleOutCooldown=int(scaling.get("scale_out_cooldown") or 0),
        DisableScaleIn=bool(scaling.get("disable_scale_in")),
    )


def _policy_differs(current, desired):
    config = (current or {}).get("TargetTrackingScalingPolicyConfiguration") or {}
    current_metric = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    return (
        current is None
        or current.get("PolicyType") != POLICY_TYPE
        or current_metric != desired["PredefinedMetricSpecification"]["PredefinedMetricType"]
        or float(config.get("TargetValue") or 0) != desired["TargetValue"]
        or int(config.get("ScaleInCooldown") or 0) != desired["ScaleInCooldown"]
        or int(config.get("ScaleOutCooldown") or 0) != desired["ScaleOutCooldown"]
        or bool(config.get("DisableScaleIn")) != desired["DisableScaleIn"]
    )


def summarize(target, policy):
    """The auto scaling as returned by the module (None when there is no scalable target)."""
    if target is None:
        return None
    config = (policy or {}).get("TargetTrackingScalingPolicyConfiguration") or {}
    metric_type = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    metric = next((name for name, value in METRICS.items() if value == metric_type), metric_type)
    return dict(
        min_capacity=target.get("MinCapacity"),
        max_capacity=target.get("MaxCapacity"),
        policy_name=(policy or {}).get("PolicyName"),
        metric=metric,
        target_value=config.get("TargetValue"),
        scale_in_cooldown=config.get("ScaleInCooldown"),
        scale_out_cooldown=config.get("ScaleOutCooldown"),
        disable_scale_in=config.get("DisableScaleIn"),
    )


def plan_scaling(cluster_identifier, scaling, target, policies):
    """The actions: [("register", kwargs), ("put_policy", kwargs), ("delete_policy", kwargs), ("deregister", kwargs)]."""
    rid = resource_id(cluster_identifier)
    base = dict(ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION)
    actions = []
    if scaling is None:
        return actions
    if not scaling.get("enabled", True):
        if target is not None:
            for name in sorted(policies):
                actions.append(("delete_policy", dict(base, PolicyName=name)))
            actions.append(("deregister", dict(base)))
        return actions
    low, high = int(scaling["min_capacity"]), int(scaling["max_capacity"])
    if target is None or target.get("MinCapacity") != low or target.get("MaxCapacity") != high:
        actions.append(("register", dict(base, MinCapacity=low, MaxCapacity=high)))
    name = policy_name(cluster_identifier, scaling)
    desired = desired_policy(scaling)
    if _policy_differs(policies.get(name), desired):
        actions.append(("put_policy", dict(base, PolicyName=name, PolicyType=POLICY_TYPE,
                                           TargetTrackingScalingPolicyConfiguration=desired)))
    return actions


def predicted(cluster_identifier, scaling, target, policies, actions):
    """The auto scaling summary after ``actions`` (for check mode and the diff)."""
    if scaling is None:
        name = next(iter(sorted(policies)), None)
        return summarize(target, policies.get(name) if name else None)
    if not scaling.get("enabled", True):
        return None
    registered = dict(target or {})
    policy = policies.get(policy_name(cluster_identifier, scaling))
    for kind, kwargs in actions:
        if kind == "register":
            registered.update(MinCapacity=kwargs["MinCapacity"], MaxCapacity=kwargs["MaxCapacity"])
        elif kind == "put_policy":
            policy = dict(PolicyName=kwargs["PolicyName"], PolicyType=POLICY_TYPE,
                          TargetTrackingScalingPolicyConfiguration=kwargs["TargetTrackingScalingPolicyConfiguration"])
    return summarize(registered, policy)
