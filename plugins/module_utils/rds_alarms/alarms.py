# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Alarms as comparable values, and the marker that says an alarm is managed by ``rds_alarms``.

The marker ends the alarm description: ``[innovate.aws_postgres.rds_alarms deployment=<id> target=<id>]``.
DescribeAlarms returns descriptions, so telling managed alarms from others needs no request per
alarm. Two alarms are the same when they mean the same: dimension order, ``80`` vs ``80.0``,
the order of actions and AWS's defaults (DatapointsToAlarm = EvaluationPeriods,
TreatMissingData = missing, ActionsEnabled = true) do not count as differences.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

MARKER_TOOL = "innovate.aws_postgres.rds_alarms"
_MARKER = re.compile(r"\[" + re.escape(MARKER_TOOL) + r" deployment=(?P<deployment>[^\s\]]+) target=(?P<target>[^\s\]]+)\]\s*$")

COMPARED_FIELDS = ("AlarmDescription", "Namespace", "MetricName", "Statistic", "Dimensions", "Period", "EvaluationPeriods",
                   "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData", "ActionsEnabled", "AlarmActions",
                   "OKActions", "InsufficientDataActions")


def marker(deployment, target):
    return "[%s deployment=%s target=%s]" % (MARKER_TOOL, deployment, target)


def parse_marker(description):
    """``{"deployment", "target"}`` of a managed alarm's description, or None for an alarm not managed here."""
    match = _MARKER.search(description or "")
    return match.groupdict() if match else None


def _number(value):
    if value is None:
        return None
    return float(value)


def comparable(alarm):
    """The fields of a DescribeAlarms entry or a PutMetricAlarm request, in a normal form."""
    evaluation_periods = alarm.get("EvaluationPeriods")
    return dict(
        AlarmDescription=alarm.get("AlarmDescription") or "",
        Namespace=alarm.get("Namespace"),
        MetricName=alarm.get("MetricName"),
        Statistic=alarm.get("Statistic"),
        Dimensions=sorted((d.get("Name"), d.get("Value")) for d in alarm.get("Dimensions") or []),
        Period=int(alarm["Period"]) if alarm.get("Period") is not None else None,
        EvaluationPeriods=int(evaluation_periods) if evaluation_periods is not None else None,
        DatapointsToAlarm=int(alarm.get("DatapointsToAlarm") or evaluation_periods or 0) or None,
        Threshold=_number(alarm.get("Threshold")),
        ComparisonOperator=alarm.get("ComparisonOperator"),
        TreatMissingData=alarm.get("TreatMissingData") or "missing",
        ActionsEnabled=alarm.get("ActionsEnabled") is not False,
        AlarmActions=sorted(set(alarm.get("AlarmActions") or [])),
        OKActions=sorted(set(alarm.get("OKActions") or [])),
        InsufficientDataActions=sorted(set(alarm.get("InsufficientDataActions") or [])),
    )


def _same(field, left, right):
    if field == "Threshold" and left is not None and right is not None:
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12)
    return left == right


def differences(current, desired):
    """The fields (AWS names) in which alarm ``current`` differs from ``desired``."""
    left, right = comparable(current), comparable(desired)
    return [field for field in COMPARED_FIELDS if not _same(field, left[field], right[field])]


def summary(alarm):
    """A short, readable form of an alarm, for diffs and results."""
    form = comparable(alarm)
    return dict(
        metric=form["MetricName"], dimensions=dict(form["Dimensions"]), statistic=form["Statistic"],
        comparison=form["ComparisonOperator"], threshold=form["Threshold"], period=form["Period"],
        evaluation_periods=form["EvaluationPeriods"], datapoints_to_alarm=form["DatapointsToAlarm"],
        treat_missing_data=form["TreatMissingData"], alarm_actions=form["AlarmActions"], ok_actions=form["OKActions"],
        description=form["AlarmDescription"],
    )
