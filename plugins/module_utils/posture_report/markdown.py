# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Markdown report for pull requests: a summary table and the table of failing findings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture_report.summary import SEVERITIES, STATUSES, severity_rank

# Markdown punctuation that could start emphasis, links, images, code or end a table cell; escaped with a backslash.
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")


def cell(value):
    """Text safe in a Markdown table cell on GitHub/GitLab: no HTML, no markup, no line breaks, no pipes."""
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _PUNCTUATION.sub(r"\\\1", text)
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip() or " "


def render(title, generated_at, summary, findings):
    lines = [
        # generated_at comes first: files.py recognises a report's timestamp as the first one in the file.
        "<!-- generated_at: %s -->" % generated_at,
        "# %s" % cell(title),
        "",
        "%d findings on %d resources in %d account/region pairs; generated at %s." % (
            summary["total"], summary["resources"], len(summary["targets"]), generated_at),
        "",
    ]
    threshold = summary["fail_on_severity"]
    if threshold == "none":
        lines.append("No severity fails the audit (fail_on_severity: none).")
    elif summary["failed_at_or_above"]:
        lines.append("**%d failing findings at or above %s: the audit fails.**" % (summary["failed_at_or_above"], threshold))
    else:
        lines.append("No failing finding at or above %s: the audit passes." % threshold)
    errors = summary["audit_errors"]
    if errors:
        lines += ["", "**%d account/region pairs could not be audited:**" % len(errors), "", "| Account | Region | Error |", "|---|---|---|"]
        lines += ["| %s | %s | %s |" % (cell(e["account_id"]), cell(e["region"]), cell(e["message"])) for e in errors]
    lines += ["", "| Severity | %s | Total |" % " | ".join(STATUSES), "|---|%s---:|" % ("---:|" * len(STATUSES))]
    matrix = summary["by_severity_and_status"]
    for severity in SEVERITIES:
        row = [str(matrix[severity][status]) for status in STATUSES]
        lines.append("| %s | %s | %d |" % (severity, " | ".join(row), summary["by_severity"][severity]))
    lines.append("| **Total** | %s | **%d** |" % (" | ".join("**%d**" % summary["by_status"][s] for s in STATUSES), summary["total"]))
    lines += ["", "| Account | Region | Findings | Failed | Passed | Not applicable |", "|---|---|---:|---:|---:|---:|"]
    for target in summary["targets"]:
        lines.append("| %s | %s | %d | %d | %d | %d |" % (
            cell(target["account_id"]), cell(target["region"]), target["total"], target["by_status"]["FAIL"],
            target["by_status"]["PASS"], target["by_status"]["NOT_APPLICABLE"]))
    failing = sorted((f for f in findings if f["status"] == "FAIL"), key=lambda f: severity_rank(f["severity"]))
    lines += ["", "## Failing findings (%d)" % len(failing), ""]
    if not failing:
        lines.append("None.")
    else:
        lines += ["| Severity | Control | Resource | Account | Region | Evidence | Remediation |",
                  "|---|---|---|---|---|---|---|"]
        for finding in failing:
            evidence = finding["evidence"]
            lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                finding["severity"], cell("%s %s" % (finding["control_id"], finding["title"])),
                cell("%s %s" % (finding["resource_type"], finding["resource_id"])), cell(finding["account_id"]),
                cell(finding["region"]), cell("%s = %s" % (evidence["field"], evidence["value"])), cell(finding["remediation"])))
    lines.append("")
    return "\n".join(lines)
