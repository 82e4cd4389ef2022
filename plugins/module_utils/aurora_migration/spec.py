# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of aurora_migration and the checks of their combinations that the argument spec cannot express."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover.spec import REPOINT_ARGUMENT_SPEC, repoint_errors

STATES = ("replicating", "promoted", "repointed", "absent")
SOURCE_TAG = "innovate:aurora-migration-source"
_IDENTIFIER = re.compile(r"^[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*$")

ARGUMENT_SPEC = dict(
    state=dict(type="str", required=True, choices=list(STATES)),
    db_cluster_identifier=dict(type="str", required=True),
    source_db_instance_identifier=dict(type="str"),
    writer_instance_identifier=dict(type="str"),
    writer_instance_class=dict(type="str"),
    engine_version=dict(type="str"),
    db_subnet_group_name=dict(type="str"),
    vpc_security_group_ids=dict(type="list", elements="str"),
    db_cluster_parameter_group_name=dict(type="str"),
    kms_key_id=dict(type="str", no_log=False),
    tags=dict(type="dict", default={}),
    max_replication_lag_seconds=dict(type="int"),
    repoint_target=dict(type="str", choices=["cluster", "source"], default="cluster"),
    final_snapshot_identifier=dict(type="str"),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=1800),
    **REPOINT_ARGUMENT_SPEC
)

REQUIRED_IF = [
    ["state", "replicating", ["source_db_instance_identifier"]],
    ["repoint_target", "source", ["source_db_instance_identifier"]],
]


def problems(params):
    """Messages for option values and combinations the argument spec cannot check."""
    errors = []
    for option in ("db_cluster_identifier", "writer_instance_identifier", "final_snapshot_identifier"):
        value = params.get(option)
        if value is not None and (not _IDENTIFIER.match(value) or len(value) > 63):
            errors.append("%s must be 1 to 63 letters, digits or hyphens, start with a letter and not end with a hyphen"
                          " or hold two consecutive hyphens, got %r" % (option, value))
    if params["state"] != "repointed" and (params.get("route53") or params.get("secrets")):
        errors.append("route53 and secrets are only used with state=repointed (got state=%s)" % params["state"])
    if params["state"] == "repointed" and not (params.get("route53") or params.get("secrets")):
        errors.append("state=repointed needs route53 or secrets to re-point")
    lag = params.get("max_replication_lag_seconds")
    if lag is not None and lag < 0:
        errors.append("max_replication_lag_seconds must be 0 or more, got %d" % lag)
    if params["wait_timeout"] <= 0:
        errors.append("wait_timeout must be a positive number of seconds, got %d" % params["wait_timeout"])
    errors.extend(repoint_errors(params))
    if params.get("engine_version") and not re.match(r"^[0-9]+(\.[0-9]+)?$", params["engine_version"]):
        errors.append("engine_version must be a major version such as 16 or a version such as 16.4, got %r" % params["engine_version"])
    return errors
