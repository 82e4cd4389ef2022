# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The settings a task asks for, normalised the way RDS reports them.

Only the options the task sets are managed, with three safe defaults always applied:
``storage_encrypted`` (true), ``deletion_protection`` (true) and ``publicly_accessible``
(false). Names RDS stores in lower case (identifiers, group names, windows) are lowered here so
that a second run compares equal.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.fields import FIELDS

_LOWERED = ("db_subnet_group_name", "db_parameter_group_name", "preferred_maintenance_window")
_SORTED_LISTS = ("vpc_security_group_ids", "enable_cloudwatch_logs_exports")


def desired_settings(params):
    """``{option: value}`` for the settings of ``FIELDS`` the task sets (plus performance_insights)."""
    settings = {}
    for field in FIELDS:
        value = params.get(field.option)
        if value is None:
            continue
        if field.option in _LOWERED:
            value = value.lower()
        elif field.option in _SORTED_LISTS:
            value = sorted(set(value))
        settings[field.option] = value
    insights = params.get("performance_insights")
    if insights is not None:
        settings["performance_insights"] = dict((key, value) for key, value in insights.items() if value is not None)
    return settings
