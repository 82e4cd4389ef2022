# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What ``aurora_cluster`` returns and shows in its diff."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

CLUSTER_DIFF_FIELDS = (
    "engine_version", "database_name", "master_username", "manage_master_user_password", "master_user_secret_kms_key_id",
    "storage_encrypted", "kms_key_id", "db_subnet_group_name", "vpc_security_group_ids", "db_cluster_parameter_group_name",
    "iam_database_authentication", "backup_retention_period", "preferred_backup_window", "preferred_maintenance_window",
    "cloudwatch_logs_exports", "deletion_protection", "copy_tags_to_snapshot", "serverless_v2_scaling",
    "global_cluster_identifier", "tags",
)
INSTANCE_FIELDS = (
    "identifier", "role", "instance_class", "availability_zone", "promotion_tier", "db_parameter_group_name",
    "performance_insights", "monitoring_interval", "auto_minor_version_upgrade", "tags",
)


def cluster_view(cluster):
    if cluster is None:
        return {}
    return dict((field, cluster.get(field)) for field in CLUSTER_DIFF_FIELDS)


def instance_view(instance):
    return dict((field, instance.get(field)) for field in INSTANCE_FIELDS)


def predicted_instances(instances, plan, tags):
    """The instances after the member plan (new ones with the settings they will be created with)."""
    deleted = set(item["identifier"] for item in plan["delete"])
    result = []
    for item in instances:
        if item["identifier"] in deleted:
            continue
        after = dict(item)
        for change in plan["modify"]:
            if change["identifier"] == item["identifier"]:
                after.update((field, value) for field, (_before, value) in change["changes"].items())
        for change in plan["tags"]:
            if change["identifier"] == item["identifier"]:
                new_tags = dict(item["tags"])
                for key in change["remove"]:
                    new_tags.pop(key, None)
                new_tags.update(change["set"])
                after["tags"] = new_tags
        result.append(after)
    for member in plan["create"]:
        created = dict(member, tags=dict(tags or {}), status=None, arn=None, endpoint=None, port=None, autoscaled=False)
        result.append(created)
    return sorted(result, key=lambda item: (item["role"] != "writer", item["identifier"]))


def instance_result(instance):
    keys = INSTANCE_FIELDS + ("arn", "status", "endpoint", "port", "autoscaled", "pending_instance_class",
                              "performance_insights_retention_period", "parameter_apply_status")
    return dict((key, instance.get(key)) for key in keys)


def describe_changes(cluster_changes, plan, scaling_actions, creating=False):
    """Readable one-line descriptions of the planned changes."""
    lines = []
    if creating:
        lines.append("create cluster")
    for field in sorted(cluster_changes):
        before, after = cluster_changes[field]
        if field == "master_user_password":
            lines.append("set the master user password")
        else:
            lines.append("cluster %s: %s -> %s" % (field, before, after))
    for member in plan["create"]:
        lines.append("create %s %s (%s)" % (member["role"], member["identifier"], member["instance_class"]))
    for change in plan["modify"]:
        details = ", ".join("%s %s -> %s" % (field, before, after) for field, (before, after) in sorted(change["changes"].items()))
        lines.append("modify %s %s: %s" % (change["role"], change["identifier"], details))
    for member in plan["delete"]:
        lines.append("delete reader %s" % member["identifier"])
    for change in plan["tags"]:
        lines.append("tags of %s: set %s, remove %s" % (change["identifier"], sorted(change["set"]), change["remove"]))
    for kind, kwargs in scaling_actions:
        if kind == "register":
            lines.append("reader auto scaling: %d to %d readers" % (kwargs["MinCapacity"], kwargs["MaxCapacity"]))
        elif kind == "put_policy":
            config = kwargs["TargetTrackingScalingPolicyConfiguration"]
            lines.append("reader auto scaling policy %s: %s at %s" % (
                kwargs["PolicyName"], config["PredefinedMetricSpecification"]["PredefinedMetricType"], config["TargetValue"]))
        elif kind == "delete_policy":
            lines.append("delete reader auto scaling policy %s" % kwargs["PolicyName"])
        elif kind == "deregister":
            lines.append("remove reader auto scaling")
    return lines
