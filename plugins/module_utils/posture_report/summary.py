# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Normalise posture findings, order them and count them (shared by every report format)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL")
STATUSES = ("FAIL", "PASS", "NOT_APPLICABLE")
THRESHOLDS = SEVERITIES + ("none",)
TEXT_FIELDS = ("control_id", "title", "resource_type", "resource_id", "resource_arn", "account_id", "region", "remediation")
# Characters XML 1.0 does not allow (and that have no business in a report): replaced, never passed on.
_INVALID_CHARS = re.compile(u"[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DIGITS = re.compile(r"(\d+)")


def clean_text(value):
    """Any value as report text: None becomes '', other values their str(), invalid characters U+FFFD."""
    if value is None:
        return u""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif not isinstance(value, str):
        value = u"%s" % (value,)
    return _INVALID_CHARS.sub(u"\ufffd", value)


def severity_rank(severity):
    """0 for CRITICAL ... 4 for INFORMATIONAL."""
    return SEVERITIES.index(severity)


def natural_key(text):
    """RDS.2 before RDS.10."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in _DIGITS.split(text))


def validate_findings(findings):
    """Every problem with the findings given (a list of messages, empty when they are usable)."""
    errors = []
    for index, finding in enumerate(findings):
        if not isinstance(finding, dict):
            errors.append("findings[%d] must be a dict, got %s" % (index, type(finding).__name__))
            continue
        if not clean_text(finding.get("control_id")).strip():
            errors.append("findings[%d] has no control_id" % index)
        status = finding.get("status")
        if status not in STATUSES:
            errors.append("findings[%d].status is %r; expected one of %s" % (index, status, ", ".join(STATUSES)))
        severity = finding.get("severity")
        if severity not in SEVERITIES:
            errors.append("findings[%d].severity is %r; expected one of %s" % (index, severity, ", ".join(SEVERITIES)))
        evidence = finding.get("evidence")
        if evidence is not None and not isinstance(evidence, dict):
            errors.append("findings[%d].evidence must be a dict with field and value, got %s" % (index, type(evidence).__name__))
    return errors


def validate_errors(errors):
    """Every problem with the audit errors given: each a dict with a message, optionally account_id, region, target."""
    problems = []
    for index, error in enumerate(errors):
        if not isinstance(error, dict):
            problems.append("errors[%d] must be a dict, got %s" % (index, type(error).__name__))
        elif not clean_text(error.get("message")).strip():
            problems.append("errors[%d] has no message" % index)
    return problems


def normalize_error(error):
    return dict((name, clean_text(error.get(name))) for name in ("target", "account_id", "region", "message"))


def normalize_finding(finding):
    """A finding with every text field present and clean, and evidence as {field, value} text."""
    result = dict((name, clean_text(finding.get(name))) for name in TEXT_FIELDS)
    result["status"] = finding["status"]
    result["severity"] = finding["severity"]
    evidence = finding.get("evidence") or {}
    result["evidence"] = {"field": clean_text(evidence.get("field")), "value": evidence_text(evidence.get("value"))}
    return result


def evidence_text(value):
    """Evidence values are often lists or dicts: shown compactly and deterministically."""
    if isinstance(value, (list, tuple)):
        return u", ".join(evidence_text(item) for item in value) if value else u"[]"
    if isinstance(value, dict):
        return u", ".join(u"%s=%s" % (clean_text(key), evidence_text(value[key])) for key in sorted(value, key=clean_text)) or u"{}"
    if value is None:
        return u"null"
    return clean_text(value)


def sort_key(finding):
    return (finding["account_id"], finding["region"], STATUSES.index(finding["status"]), severity_rank(finding["severity"]),
            natural_key(finding["control_id"]), finding["resource_id"], finding["resource_arn"])


def prepare(findings):
    """Normalised findings in report order: account, region, failures first, most severe first, control id."""
    return sorted((normalize_finding(finding) for finding in findings), key=sort_key)


def failed_at_or_above(findings, threshold):
    """How many findings failed with a severity at or above threshold ('none' counts nothing)."""
    if threshold == "none":
        return 0
    limit = severity_rank(threshold)
    return sum(1 for finding in findings if finding["status"] == "FAIL" and severity_rank(finding["severity"]) <= limit)


def group_by_target(findings):
    """[(account_id, region, findings)] in report order (findings must be prepared)."""
    groups = []
    for finding in findings:
        key = (finding["account_id"], finding["region"])
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(finding)
    return [(key[0], key[1], items) for key, items in groups]


def count(findings):
    """total, by_status, by_severity (every finding), failed_by_severity and the severity x status matrix."""
    by_status = dict((status, 0) for status in STATUSES)
    by_severity = dict((severity, 0) for severity in SEVERITIES)
    failed_by_severity = dict((severity, 0) for severity in SEVERITIES)
    matrix = dict((severity, dict((status, 0) for status in STATUSES)) for severity in SEVERITIES)
    for finding in findings:
        by_status[finding["status"]] += 1
        by_severity[finding["severity"]] += 1
        matrix[finding["severity"]][finding["status"]] += 1
        if finding["status"] == "FAIL":
            failed_by_severity[finding["severity"]] += 1
    return {"total": len(findings), "by_status": by_status, "by_severity": by_severity,
            "failed_by_severity": failed_by_severity, "by_severity_and_status": matrix}


def summarize(findings, threshold, errors=()):
    """The summary every format shows (findings must be prepared); errors are the account/region pairs not audited."""
    summary = count(findings)
    summary["audit_errors"] = sorted((normalize_error(error) for error in errors),
                                     key=lambda error: (error["account_id"], error["region"], error["target"], error["message"]))
    summary["fail_on_severity"] = threshold
    summary["failed_at_or_above"] = failed_at_or_above(findings, threshold)
    summary["targets"] = []
    for account_id, region, items in group_by_target(findings):
        target = count(items)
        del target["by_severity_and_status"]
        target.update(account_id=account_id, region=region)
        summary["targets"].append(target)
    summary["resources"] = len(set((f["account_id"], f["region"], f["resource_arn"] or f["resource_id"]) for f in findings))
    return summary
