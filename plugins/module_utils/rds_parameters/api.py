# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS operations and response keys of DB (instance) and DB cluster parameter groups.

The two kinds of group have the same life cycle through parallel APIs; ``SCOPES[scope]`` names
them so that the rest of the code is written once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

MAX_PARAMETERS_PER_CALL = 20

Scope = collections.namedtuple(
    "Scope",
    [
        "name",
        "label",
        "name_key",
        "arn_key",
        "describe_groups",
        "groups_key",
        "describe_parameters",
        "describe_engine_defaults",
        "create",
        "created_key",
        "modify",
        "reset",
        "delete",
        "not_found_codes",
    ],
)

SCOPES = {
    "instance": Scope(
        name="instance",
        label="DB parameter group",
        name_key="DBParameterGroupName",
        arn_key="DBParameterGroupArn",
        describe_groups="describe_db_parameter_groups",
        groups_key="DBParameterGroups",
        describe_parameters="describe_db_parameters",
        describe_engine_defaults="describe_engine_default_parameters",
        create="create_db_parameter_group",
        created_key="DBParameterGroup",
        modify="modify_db_parameter_group",
        reset="reset_db_parameter_group",
        delete="delete_db_parameter_group",
        not_found_codes=("DBParameterGroupNotFound",),
    ),
    "cluster": Scope(
        name="cluster",
        label="DB cluster parameter group",
        name_key="DBClusterParameterGroupName",
        arn_key="DBClusterParameterGroupArn",
        describe_groups="describe_db_cluster_parameter_groups",
        groups_key="DBClusterParameterGroups",
        describe_parameters="describe_db_cluster_parameters",
        describe_engine_defaults="describe_engine_default_cluster_parameters",
        create="create_db_cluster_parameter_group",
        created_key="DBClusterParameterGroup",
        modify="modify_db_cluster_parameter_group",
        reset="reset_db_cluster_parameter_group",
        delete="delete_db_cluster_parameter_group",
        not_found_codes=("DBParameterGroupNotFound", "DBClusterParameterGroupNotFound", "DBParameterGroupNotFoundFault"),
    ),
}

FAMILY_KEY = "DBParameterGroupFamily"
DESCRIPTION_KEY = "Description"
ENGINE_DEFAULTS_PATH = ("EngineDefaults", "Parameters")


def batches(items, size=MAX_PARAMETERS_PER_CALL):
    """``items`` in consecutive lists of at most ``size`` (AWS takes 20 parameters per call)."""
    items = list(items)
    return [items[start:start + size] for start in range(0, len(items), size)]
