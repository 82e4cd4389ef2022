# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shape of one posture finding, and the resource descriptions controls are evaluated on.

A finding is a dict with exactly the keys of :data:`FINDING_KEYS`; :func:`make_finding` builds one
from a control (``Control``), a resource (``resource()``), a status and the evidence seen.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

PASS = "PASS"
FAIL = "FAIL"
NOT_APPLICABLE = "NOT_APPLICABLE"
STATUSES = (PASS, FAIL, NOT_APPLICABLE)
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL")
RESOURCE_TYPES = ("db_instance", "db_cluster", "db_snapshot", "db_cluster_snapshot", "db_proxy", "db_parameter_group",
                  "db_cluster_parameter_group", "database")
FINDING_KEYS = ("control_id", "title", "resource_type", "resource_id", "resource_arn", "account_id", "region", "status",
                "severity", "evidence", "remediation")


class Control(object):
    """One control: its id, title, severity and the module option that fixes a failure."""

    def __init__(self, control_id, title, severity, remediation):
        if severity not in SEVERITIES:
            raise ValueError("control %s: unknown severity %s" % (control_id, severity))
        self.control_id = control_id
        self.title = title
        self.severity = severity
        self.remediation = remediation


def resource(resource_type, resource_id, resource_arn, account_id, region, record=None):
    """A resource as controls see it: its identity plus the API record (``record``) it came from."""
    if resource_type not in RESOURCE_TYPES:
        raise ValueError("unknown resource type %s" % resource_type)
    return dict(type=resource_type, id=resource_id, arn=resource_arn, account_id=account_id, region=region,
                record=record or {})


def make_finding(control, target, status, field, value, remediation=None):
    """The finding of ``control`` on ``target`` with ``status`` and the evidence ``field`` = ``value``."""
    if status not in STATUSES:
        raise ValueError("unknown status %s" % status)
    return dict(
        control_id=control.control_id,
        title=control.title,
        resource_type=target["type"],
        resource_id=target["id"],
        resource_arn=target["arn"],
        account_id=target["account_id"],
        region=target["region"],
        status=status,
        severity=control.severity,
        evidence=dict(field=field, value=value),
        remediation=remediation if remediation is not None else control.remediation,
    )


def verdict(ok):
    """PASS when ``ok`` is true, FAIL otherwise."""
    return PASS if ok else FAIL
