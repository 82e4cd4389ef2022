# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The alarms and event subscriptions a deployment should have, from its targets and the task's settings.

``alarm_settings(params)`` merges the defaults of ``thresholds.ALARMS``, the task-wide options and
the per-alarm overrides (``thresholds``, ``alarms``) into one settings dict per alarm, and lists
every problem with them. ``desired_alarms`` turns settings and targets into PutMetricAlarm requests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.alarms import MARKER_TOOL, marker
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.thresholds import (
    ALARM_SETTINGS, ALARMS, EVENT_SOURCES, MAX_EVALUATION_SECONDS, NAMESPACE, STATISTICS, TREAT_MISSING_DATA, UNITS,
    VALID_PERIODS_BELOW_MINUTE, applies, default_event_kinds)

MIB = 1024 ** 2
GIB = 1024 ** 3
# Metrics RDS reports in seconds while their thresholds are given in milliseconds.
SECONDS_METRICS = ("ReplicaLag", "ReadLatency", "WriteLatency")
COMPARISON_TEXT = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=", "LessThanThreshold": "<"}
MANAGED_BY_TAG = "managed_by"
DEPLOYMENT_TAG = "rds_alarms_deployment"


def _suggest(name, choices):
    close = difflib.get_close_matches(str(name), list(choices), n=1)
    return " (did you mean %s?)" % close[0] if close else ""


def _as_number(value):
    """``value`` as int or float, or None when it is not a number (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        text = str(value).strip()
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except (TypeError, ValueError):
        return None


def _as_int(value):
    number = _as_number(value)
    if number is None or int(number) != number:
        return None
    return int(number)


def _period_errors(option, period):
    if period in VALID_PERIODS_BELOW_MINUTE or (period >= 60 and period % 60 == 0):
        return []
    return ["%s: %r is not a valid period; use 10, 20, 30 or a multiple of 60 seconds" % (option, period)]


def _threshold_errors(option, key, value):
    number = _as_number(value)
    unit = ALARMS[key]["unit"]
    if number is None:
        return None, ["%s: %r is not a number; give the threshold in %s" % (option, value, UNITS[unit]["text"] or "a count")]
    errors = []
    if number < 0:
        errors.append("%s: %r is negative; a threshold for %s must be 0 or more" % (option, value, key))
    maximum = UNITS[unit]["maximum"]
    if maximum is not None and number > maximum:
        errors.append("%s: %r is above %s; the threshold of %s is in %s" % (option, value, maximum, key, UNITS[unit]["text"]))
    if unit == "ACU" and number < 0.5:
        errors.append("%s: %r is below 0.5; Aurora Serverless v2 capacity is 0.5 ACU or more" % (option, value))
    return number, errors


def _base_settings(params):
    settings = {}
    for key, definition in ALARMS.items():
        settings[key] = dict(
            enabled=True, threshold=definition["threshold"], period=params.get("period") or definition["period"],
            evaluation_periods=params["evaluation_periods"], datapoints_to_alarm=None, statistic=definition["statistic"],
            treat_missing_data=params["treat_missing_data"],
        )
    return settings


def alarm_settings(params):
    """``(settings, errors)``: one settings dict per alarm key, and every problem found in the task's options."""
    errors = []
    settings = _base_settings(params)
    thresholds = params.get("thresholds") or {}
    overrides = params.get("alarms") or {}
    for option, given in (("thresholds", thresholds), ("alarms", overrides)):
        for key in sorted(given, key=str):
            if key not in ALARMS:
                errors.append("%s: %r is not an alarm of the standard set%s; known alarms: %s" % (
                    option, key, _suggest(key, ALARMS), ", ".join(sorted(ALARMS))))
    for key in sorted(k for k in thresholds if k in ALARMS):
        number, problems = _threshold_errors("thresholds.%s" % key, key, thresholds[key])
        errors += problems
        settings[key]["threshold"] = number
    for key in sorted(k for k in overrides if k in ALARMS):
        errors += _apply_override(key, overrides[key], settings[key], thresholds)
    if params["datapoints_to_alarm"] is not None and params["datapoints_to_alarm"] > params["evaluation_periods"]:
        errors.append("datapoints_to_alarm: %d is more than evaluation_periods (%d)" % (params["datapoints_to_alarm"],
                                                                                        params["evaluation_periods"]))
    if params["evaluation_periods"] < 1:
        errors.append("evaluation_periods: %d must be 1 or more" % params["evaluation_periods"])
    if params.get("period") is not None:
        errors += _period_errors("period", params["period"])
    for key, setting in settings.items():
        if setting["datapoints_to_alarm"] is None:
            wanted = params["datapoints_to_alarm"] if params["datapoints_to_alarm"] is not None else setting["evaluation_periods"]
            setting["datapoints_to_alarm"] = min(wanted, setting["evaluation_periods"])
        if setting["enabled"] and setting["period"] and setting["evaluation_periods"] and \
                setting["period"] * setting["evaluation_periods"] > MAX_EVALUATION_SECONDS:
            errors.append("%s: period %d x evaluation_periods %d is more than one day (%d seconds), the most CloudWatch evaluates" % (
                key, setting["period"], setting["evaluation_periods"], MAX_EVALUATION_SECONDS))
    return settings, errors


def _apply_override(key, override, setting, thresholds):
    option = "alarms.%s" % key
    if not isinstance(override, dict):
        return ["%s: give a dict of settings (%s), got %r" % (option, ", ".join(ALARM_SETTINGS), override)]
    errors = []
    for name in sorted(override, key=str):
        if name not in ALARM_SETTINGS:
            errors.append("%s: unknown setting %r%s; accepted: %s" % (option, name, _suggest(name, ALARM_SETTINGS), ", ".join(ALARM_SETTINGS)))
    if "enabled" in override:
        if not isinstance(override["enabled"], bool):
            errors.append("%s.enabled: %r is not a boolean" % (option, override["enabled"]))
        else:
            setting["enabled"] = override["enabled"]
    if override.get("threshold") is not None:
        number, problems = _threshold_errors(option + ".threshold", key, override["threshold"])
        errors += problems
        if key in thresholds and _as_number(thresholds[key]) != number:
            errors.append("%s.threshold: %r and thresholds.%s: %r disagree; give the threshold once" % (
                option, override["threshold"], key, thresholds[key]))
        setting["threshold"] = number
    for name in ("period", "evaluation_periods", "datapoints_to_alarm"):
        if override.get(name) is None:
            continue
        value = _as_int(override[name])
        if value is None or value < 1:
            errors.append("%s.%s: %r is not a positive whole number" % (option, name, override[name]))
            continue
        if name == "period":
            errors += _period_errors(option + ".period", value)
        setting[name] = value
    if override.get("datapoints_to_alarm") is not None and setting["datapoints_to_alarm"] and \
            setting["datapoints_to_alarm"] > setting["evaluation_periods"]:
        errors.append("%s.datapoints_to_alarm: %s is more than the alarm's evaluation_periods (%s)" % (
            option, setting["datapoints_to_alarm"], setting["evaluation_periods"]))
    if override.get("statistic") is not None:
        if override["statistic"] not in STATISTICS:
            errors.append("%s.statistic: %r is not one of %s" % (option, override["statistic"], ", ".join(STATISTICS)))
        setting["statistic"] = override["statistic"]
    if override.get("treat_missing_data") is not None:
        if override["treat_missing_data"] not in TREAT_MISSING_DATA:
            errors.append("%s.treat_missing_data: %r is not one of %s" % (option, override["treat_missing_data"], ", ".join(TREAT_MISSING_DATA)))
        setting["treat_missing_data"] = override["treat_missing_data"]
    return errors


def alarm_name(prefix, target_id, key):
    return "%s-%s-%s" % (prefix, target_id, key)


def _format(number):
    return ("%d" % number) if float(number) == int(number) else ("%g" % number)


def _metric_threshold(key, threshold, target):
    """``(value for CloudWatch, text for people)`` or ``(None, problem)``."""
    unit = ALARMS[key]["unit"]
    if unit == "MiB":
        return threshold * MIB, "%s MiB" % _format(threshold)
    if unit == "ms":
        value = threshold / 1000.0 if key in SECONDS_METRICS else threshold
        return value, "%s ms" % _format(threshold)
    if unit == "percent_of_max_connections":
        if not target.get("max_connections"):
            return None, "%s: max_connections of %s is not known" % (key, target["id"])
        count = int(target["max_connections"] * threshold // 100)
        return count, "%s%% of max_connections %d (%d connections)" % (_format(threshold), target["max_connections"], count)
    if unit == "percent_of_storage":
        if not target.get("allocated_storage"):
            return None, "%s: the allocated storage of %s is not known" % (key, target["id"])
        value = int(target["allocated_storage"] * GIB * threshold // 100)
        return value, "%s%% of %d GiB (%d bytes)" % (_format(threshold), target["allocated_storage"], value)
    if unit == "ACU":
        if threshold is None:
            if not target.get("max_acu"):
                return None, "%s: the maximum capacity of the cluster of %s is not known" % (key, target["id"])
            threshold = target["max_acu"]
            return float(threshold), "%s ACU (the cluster's maximum)" % _format(threshold)
        return float(threshold), "%s ACU" % _format(threshold)
    if unit == "percent":
        return threshold, "%s%%" % _format(threshold)
    return threshold, _format(threshold)


def desired_alarms(deployment, settings, params, topic_arn):
    """``(alarms, problems)``: one record per alarm, ``{"name", "key", "target", "request", "threshold_text"}``."""
    records, problems = [], []
    actions = ([topic_arn] if topic_arn else []) + list(params.get("extra_alarm_actions") or [])
    for target in deployment["targets"]:
        for key in sorted(ALARMS):
            definition, setting = ALARMS[key], settings[key]
            if not setting["enabled"] or not applies(definition, target):
                continue
            value, text = _metric_threshold(key, setting["threshold"], target)
            if value is None:
                problems.append(text)
                continue
            name = alarm_name(params["name_prefix"], target["id"], key)
            dimension = "DBClusterIdentifier" if target["kind"] == "cluster" else "DBInstanceIdentifier"
            description = "%s of %s %s %s for %d of %d periods of %d s. %s" % (
                key, target["id"], COMPARISON_TEXT[definition["comparison"]], text, setting["datapoints_to_alarm"],
                setting["evaluation_periods"], setting["period"], marker(deployment["id"], target["id"]))
            request = dict(
                AlarmName=name, AlarmDescription=description, ActionsEnabled=True,
                AlarmActions=sorted(set(actions)), OKActions=[topic_arn] if topic_arn and params["notify_ok"] else [],
                InsufficientDataActions=[], MetricName=definition["metric"], Namespace=NAMESPACE, Statistic=setting["statistic"],
                Dimensions=[{"Name": dimension, "Value": target["id"]}], Period=setting["period"],
                EvaluationPeriods=setting["evaluation_periods"], DatapointsToAlarm=setting["datapoints_to_alarm"],
                Threshold=float(value), ComparisonOperator=definition["comparison"], TreatMissingData=setting["treat_missing_data"],
            )
            records.append(dict(name=name, key=key, target=target["id"], target_kind=target["kind"], request=request,
                                threshold_text=text))
    return records, problems


def alarm_tags(params, deployment_id):
    tags = dict(params.get("tags") or {})
    tags.update({MANAGED_BY_TAG: MARKER_TOOL, DEPLOYMENT_TAG: deployment_id})
    return tags


def subscription_name(prefix, deployment_id, kind):
    return "%s-%s-%s-events" % (prefix, deployment_id, kind.replace("_", "-"))


def event_kinds(params, is_cluster):
    kinds = params.get("event_subscriptions")
    return list(default_event_kinds(is_cluster) if kinds is None else kinds)


def event_errors(params, is_cluster):
    """Problems with ``event_subscriptions`` / ``event_categories``, and warnings for categories the controls require."""
    errors, warnings = [], []
    kinds = event_kinds(params, is_cluster)
    if "cluster" in kinds and not is_cluster:
        errors.append("event_subscriptions: 'cluster' needs db_cluster_identifier; an RDS instance has no cluster events")
    for kind, categories in sorted((params.get("event_categories") or {}).items()):
        if kind not in EVENT_SOURCES:
            errors.append("event_categories: %r is not a subscription kind; use %s" % (kind, ", ".join(sorted(EVENT_SOURCES))))
            continue
        source = EVENT_SOURCES[kind]
        if not isinstance(categories, list) or not categories:
            errors.append("event_categories.%s: give a non-empty list of categories from %s" % (kind, ", ".join(source["known"])))
            continue
        unknown = [c for c in categories if c not in source["known"]]
        if unknown:
            errors.append("event_categories.%s: %s not an RDS event category of %s; known: %s" % (
                kind, ", ".join(repr(c) for c in unknown), source["source_type"], ", ".join(source["known"])))
        missing = [c for c in source["required"] if c not in categories]
        if missing and kind in kinds:
            warnings.append("event_categories.%s leaves out %s, which AWS Security Hub control %s requires" % (
                kind, ", ".join(missing), source["control"]))
    return errors, warnings


def desired_subscriptions(deployment, params, topic_arn):
    """``{name: {"name", "kind", "source_type", "source_ids", "categories", "enabled", "topic_arn"}}``."""
    is_cluster = deployment["kind"] == "cluster"
    instances = [t for t in deployment["targets"] if t["kind"] == "instance"]
    sources = dict(
        instance=sorted(t["id"] for t in instances),
        cluster=[deployment["id"]] if is_cluster else [],
        parameter_group=sorted(set(t["parameter_group"] for t in instances if t.get("parameter_group"))),
        security_group=[],
    )
    result = {}
    for kind in event_kinds(params, is_cluster):
        if kind != "security_group" and not sources[kind]:
            continue  # no source ids would mean every source of the account
        name = subscription_name(params["name_prefix"], deployment["id"], kind)
        categories = (params.get("event_categories") or {}).get(kind) or EVENT_SOURCES[kind]["default"]
        result[name] = dict(name=name, kind=kind, source_type=EVENT_SOURCES[kind]["source_type"], source_ids=sources[kind],
                            categories=sorted(set(categories)), enabled=True, topic_arn=topic_arn)
    return result
