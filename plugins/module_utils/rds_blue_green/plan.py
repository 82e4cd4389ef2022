# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a run of ``rds_blue_green`` changes: the desired state against the deployment found (a list of changes)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_blue_green.api import SWITCHED, identifier_of, original_source_id


def mismatches(params, deployment, green):
    """Differences between the task and an existing deployment (a deployment cannot change)."""
    problems = []
    wanted = params.get("source")
    if wanted and identifier_of(wanted).lower() != original_source_id(deployment).lower():
        problems.append("source: the deployment's blue instance is %s, not %s" % (original_source_id(deployment), identifier_of(wanted)))
    if green and deployment.get("Status") != SWITCHED:
        version = params.get("target_engine_version")
        if version and not (green.get("EngineVersion") == version or green.get("EngineVersion", "").startswith(version + ".")):
            problems.append("target_engine_version: the green instance runs %s, not %s" % (green.get("EngineVersion"), version))
        group = params.get("target_db_parameter_group_name")
        current = ((green.get("DBParameterGroups") or [{}])[0]).get("DBParameterGroupName")
        if group and group != current:
            problems.append("target_db_parameter_group_name: the green instance uses %s, not %s" % (current, group))
        klass = params.get("target_db_instance_class")
        if klass and klass != green.get("DBInstanceClass"):
            problems.append("target_db_instance_class: the green instance is %s, not %s" % (green.get("DBInstanceClass"), klass))
    if problems:
        problems.append("a blue/green deployment cannot be changed: delete it (state=absent) and create it again")
    return problems


def plan(params, deployment, old_source_exists):
    """The list of changes (dicts with ``action``) that bring the deployment to ``params['state']``."""
    name = params["blue_green_deployment_name"]
    state = params["state"]
    changes = []
    if state in ("present", "switched_over") and deployment is None:
        changes.append(dict(action="create", name=name, source=identifier_of(params["source"]),
                            target_engine_version=params.get("target_engine_version"),
                            target_db_parameter_group_name=params.get("target_db_parameter_group_name"),
                            target_db_instance_class=params.get("target_db_instance_class")))
    if state == "switched_over" and (deployment is None or deployment.get("Status") != SWITCHED):
        changes.append(dict(action="switchover", name=name, switchover_timeout=params["switchover_timeout"]))
    if state == "absent":
        if deployment is not None:
            switched = deployment.get("Status") == SWITCHED
            changes.append(dict(action="delete", name=name, delete_target=bool(params["delete_target"] and not switched)))
        if params["delete_old_source"] and old_source_exists:
            changes.append(dict(action="delete_old_source", identifier=old_source_exists))
    return changes
