# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Counts over a list of findings (the module's ``summary``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture.finding import FAIL, SEVERITIES, STATUSES

_ORDER = dict((severity, rank) for rank, severity in enumerate(SEVERITIES))


def summarize(findings):
    """``{total, by_status: {PASS, FAIL, NOT_APPLICABLE}, failed_by_severity: {CRITICAL..INFORMATIONAL}}``."""
    by_status = dict((status, 0) for status in STATUSES)
    failed = dict((severity, 0) for severity in SEVERITIES)
    for item in findings:
        by_status[item["status"]] += 1
        if item["status"] == FAIL:
            failed[item["severity"]] += 1
    return dict(total=len(findings), by_status=by_status, failed_by_severity=failed)


def sort_findings(findings):
    """Findings ordered by status (FAIL first), severity, control id and resource."""
    status_rank = {FAIL: 0}

    def key(item):
        number = item["control_id"].split(".", 1)[-1]
        return (status_rank.get(item["status"], 1), _ORDER[item["severity"]], item["control_id"].split(".", 1)[0],
                int(number) if number.isdigit() else 0, item["resource_type"], item["resource_id"])

    return sorted(findings, key=key)
