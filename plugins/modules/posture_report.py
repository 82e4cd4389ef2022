#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: posture_report
short_description: Write the reports of a posture audit (HTML, Markdown, JSON, JUnit XML) from its findings
version_added: 0.1.0
description:
  - Takes the findings of M(innovate.aws_postgres.rds_posture_info) (from one or many accounts and
    regions) and writes, in O(output_dir), the reports people and tools read
    C(<basename>.html), C(<basename>.md), C(<basename>.json) and C(<basename>.junit.xml).
  - The HTML report is one self-contained page (inline CSS and JavaScript, no external asset, a
    Content-Security-Policy that forbids any request) with the summary by severity and status, a
    table per account and region with each finding's evidence and remediation, and filters by
    status, severity and text. Every value is HTML-escaped.
  - The Markdown report (for pull requests) has the summary tables and the table of failing
    findings; the JSON report every finding, the summary and C(generated_at); the JUnit XML report
    one testsuite per account and region and one testcase per finding (a failure for C(FAIL), skipped
    for C(NOT_APPLICABLE)) so that AWX and CI systems show the failures.
  - A report is only rewritten when its content changes; the generation time of an unchanged report
    is kept, so a second run with the same findings reports no change.
  - The module never fails because of findings or O(audit_errors). It returns RV(failed_at_or_above), the number of
    failed findings at or above O(fail_on_severity), so that a playbook can fail after the reports are
    written (as C(playbooks/posture_audit.yml) does).
  - It runs where the reports are written (usually C(localhost)) and makes no AWS request.
author:
  - Innovate platform team (@innovate-platform)
options:
  findings:
    description:
      - The findings, as returned by M(innovate.aws_postgres.rds_posture_info) in its C(findings) result;
        the findings of several accounts and regions can be concatenated.
      - Each is a dict with C(control_id), C(status) (V(PASS), V(FAIL) or V(NOT_APPLICABLE)) and C(severity)
        (V(CRITICAL), V(HIGH), V(MEDIUM), V(LOW) or V(INFORMATIONAL)), and optionally C(title),
        C(resource_type), C(resource_id), C(resource_arn), C(account_id), C(region),
        C(evidence) (a dict with C(field) and C(value)) and C(remediation).
    type: list
    elements: raw
    required: true
  audit_errors:
    description:
      - The account and region pairs that could not be audited, each a dict with C(message) and optionally
        C(account_id), C(region) and C(target). The reports show them (in JUnit XML as errors) and
        RV(summary.audit_errors) returns them.
    type: list
    elements: dict
    default: []
  output_dir:
    description:
      - The directory the reports are written to; it is created when missing.
    type: path
    required: true
  basename:
    description:
      - The file name of the reports without extension.
      - Letters, digits, V(.), V(_) and V(-).
    type: str
    default: posture
  formats:
    description:
      - The reports to write.
    type: list
    elements: str
    choices: [html, markdown, json, junit]
    default: [html, markdown, json, junit]
  title:
    description:
      - The title of the reports.
    type: str
    default: RDS PostgreSQL posture audit
  fail_on_severity:
    description:
      - The lowest severity whose failed findings count in RV(failed_at_or_above) (and make the
        reports announce that the audit fails). V(none) counts nothing.
    type: str
    choices: [CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, none]
    default: HIGH
notes:
  - Check mode renders the reports and reports what would change, and writes nothing.
  - With C(--diff) the module returns the before and after content of every report that changes.
seealso:
  - module: innovate.aws_postgres.rds_posture_info
"""

EXAMPLES = r"""
- name: Audit the data account in us-east-1
  innovate.aws_postgres.rds_posture_info:
    region: us-east-1
    environment_tier: production
  register: posture

- name: Write the reports and fail on HIGH or CRITICAL failures once they are written
  innovate.aws_postgres.posture_report:
    findings: "{{ posture.findings }}"
    output_dir: "{{ playbook_dir }}/../build/posture"
    fail_on_severity: HIGH
  register: report

- name: Stop when a failed finding is HIGH or CRITICAL
  ansible.builtin.assert:
    that: report.failed_at_or_above == 0
    fail_msg: "{{ report.failed_at_or_above }} failed findings at or above HIGH; see {{ report.paths.html }}"

- name: Only the JUnit XML for CI, failing on anything but informational findings
  innovate.aws_postgres.posture_report:
    findings: "{{ posture.findings }}"
    output_dir: /tmp/ci
    basename: rds-posture
    formats: [junit]
    fail_on_severity: LOW
"""

RETURN = r"""
paths:
  description: The path of each report written (or, in check mode, that would be written), by format.
  returned: always
  type: dict
  sample: {html: /srv/build/posture/posture.html, markdown: /srv/build/posture/posture.md,
           json: /srv/build/posture/posture.json, junit: /srv/build/posture/posture.junit.xml}
summary:
  description: The counts the reports show.
  returned: always
  type: dict
  contains:
    total:
      description: The number of findings.
      type: int
    by_status:
      description: The number of findings by status (C(FAIL), C(PASS), C(NOT_APPLICABLE)).
      type: dict
    by_severity:
      description: The number of findings by severity, whatever their status.
      type: dict
    failed_by_severity:
      description: The number of failed findings by severity.
      type: dict
    by_severity_and_status:
      description: The number of findings by severity, then status.
      type: dict
    targets:
      description: Per account and region, C(account_id), C(region), C(total), C(by_status), C(by_severity), C(failed_by_severity).
      type: list
      elements: dict
    audit_errors:
      description: O(audit_errors), normalised (C(target), C(account_id), C(region), C(message)) and sorted.
      type: list
      elements: dict
    resources:
      description: The number of distinct resources with findings.
      type: int
    fail_on_severity:
      description: O(fail_on_severity).
      type: str
    failed_at_or_above:
      description: The same as RV(failed_at_or_above).
      type: int
  sample: {total: 40, by_status: {FAIL: 3, PASS: 30, NOT_APPLICABLE: 7}, failed_by_severity: {CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 0, INFORMATIONAL: 0}}
failed_at_or_above:
  description: The number of failed findings with a severity at or above O(fail_on_severity) (0 with V(none)).
  returned: always
  type: int
  sample: 2
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
"""

import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture_report.files import FORMATS, write_reports
from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture_report.summary import THRESHOLDS, validate_errors, validate_findings

ARGUMENT_SPEC = dict(
    findings=dict(type="list", elements="raw", required=True),
    audit_errors=dict(type="list", elements="dict", default=[]),
    output_dir=dict(type="path", required=True),
    basename=dict(type="str", default="posture"),
    formats=dict(type="list", elements="str", choices=list(FORMATS), default=list(FORMATS)),
    title=dict(type="str", default="RDS PostgreSQL posture audit"),
    fail_on_severity=dict(type="str", choices=list(THRESHOLDS), default="HIGH"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    errors = validate_findings(params["findings"]) + validate_errors(params["audit_errors"])
    if not re.match(r"^[A-Za-z0-9._-]+$", params["basename"]) or params["basename"].strip(".") == "":
        errors.append("basename %r must be a file name made of letters, digits, '.', '_' and '-'" % params["basename"])
    if not params["formats"]:
        errors.append("formats is empty; give one or more of %s" % ", ".join(FORMATS))
    if errors:
        module.fail_json(msg="Invalid input: %s" % "; ".join(errors), errors=errors)
    formats = [fmt for fmt in FORMATS if fmt in params["formats"]]
    try:
        changed, paths, summary, diffs = write_reports(params["output_dir"], params["basename"], formats, params["title"],
                                                       params["findings"], params["fail_on_severity"], module.check_mode,
                                                       errors=params["audit_errors"])
    except (IOError, OSError) as e:
        module.fail_json(msg="Cannot write the posture reports to output_dir %s: %s" % (params["output_dir"], to_native(e)))
    result = dict(changed=changed, paths=paths, summary=summary, failed_at_or_above=summary["failed_at_or_above"])
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
