# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of rds_failover and the checks of their combinations that the argument spec cannot express."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ACTIONS = ("multi_az", "aurora_failover", "promote_replica", "global_switchover", "global_failover")

ROUTE53_SPEC = dict(
    hosted_zone_id=dict(type="str"),
    zone_name=dict(type="str"),
    record_name=dict(type="str", required=True),
    ttl=dict(type="int", default=30),
    type=dict(type="str", choices=["CNAME"], default="CNAME"),
)

# The re-pointing options (route53, secrets, secrets_region) of rds_failover and aurora_migration.
REPOINT_ARGUMENT_SPEC = dict(
    route53=dict(type="dict", options=ROUTE53_SPEC, mutually_exclusive=[["hosted_zone_id", "zone_name"]],
                 required_one_of=[["hosted_zone_id", "zone_name"]]),
    secrets=dict(type="list", elements="str", default=[], no_log=False),
    secrets_region=dict(type="str", no_log=False),
)

ARGUMENT_SPEC = dict(
    action=dict(type="str", required=True, choices=list(ACTIONS)),
    db_instance_identifier=dict(type="str"),
    db_cluster_identifier=dict(type="str"),
    target_db_instance_identifier=dict(type="str"),
    global_cluster_identifier=dict(type="str"),
    target_db_cluster_identifier=dict(type="str"),
    allow_data_loss=dict(type="bool", default=False),
    max_replica_lag_seconds=dict(type="int", default=60),
    force=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=1800),
    **REPOINT_ARGUMENT_SPEC
)

REQUIRED_IF = [
    ["action", "multi_az", ["db_instance_identifier"]],
    ["action", "promote_replica", ["db_instance_identifier"]],
    ["action", "aurora_failover", ["db_cluster_identifier"]],
    ["action", "global_switchover", ["global_cluster_identifier", "target_db_cluster_identifier"]],
    ["action", "global_failover", ["global_cluster_identifier", "target_db_cluster_identifier"]],
]

#: option -> the actions it applies to (given with another action, the task fails).
APPLIES_TO = {
    "db_instance_identifier": ("multi_az", "promote_replica"),
    "db_cluster_identifier": ("aurora_failover",),
    "target_db_instance_identifier": ("aurora_failover",),
    "global_cluster_identifier": ("global_switchover", "global_failover"),
    "target_db_cluster_identifier": ("global_switchover", "global_failover"),
}


def validate(params):
    """Messages for option values or combinations the argument spec accepts but the action cannot use."""
    errors = []
    action = params["action"]
    for option in sorted(APPLIES_TO):
        if params.get(option) and action not in APPLIES_TO[option]:
            errors.append("%s only applies to action %s, not to action=%s"
                          % (option, " or ".join(APPLIES_TO[option]), action))
    if params.get("allow_data_loss") and action != "global_failover":
        errors.append("allow_data_loss only applies to action=global_failover, not to action=%s" % action)
    if params["max_replica_lag_seconds"] < 0:
        errors.append("max_replica_lag_seconds must be 0 or more, got %d" % params["max_replica_lag_seconds"])
    if params["wait_timeout"] < 1:
        errors.append("wait_timeout must be at least 1 second, got %d" % params["wait_timeout"])
    return errors + repoint_errors(params)


def repoint_errors(params):
    """The problems with the re-pointing options that the argument spec cannot find."""
    errors = []
    route53 = params.get("route53")
    if route53:
        if not 0 <= route53["ttl"] <= 2147483647:
            errors.append("route53.ttl must be between 0 and 2147483647 seconds, got %d" % route53["ttl"])
        if not (route53["record_name"] or "").strip(". "):
            errors.append("route53.record_name must be a DNS name, got %r" % route53["record_name"])
    if any(not (name or "").strip() for name in params.get("secrets") or []):
        errors.append("secrets must hold secret names or ARNs, got an empty entry")
    return errors


def check_data_loss(params):
    """The refusal of global_failover without allow_data_loss (None when allowed)."""
    if params["action"] == "global_failover" and not params["allow_data_loss"]:
        return ("action=global_failover fails the global database over to %s without waiting for the secondary to catch "
                "up: writes not yet replicated are lost. Set allow_data_loss=true to accept that, or use "
                "action=global_switchover (no data loss, needs a healthy primary)."
                % params.get("target_db_cluster_identifier"))
    return None
