# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The JUnit XML report: one testsuite per account and region, one testcase per finding.

A failed control is a <failure> (type = its severity), a control that does not apply is <skipped>,
so that AWX, Jenkins, GitLab and GitHub test reporters list the failures.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from xml.etree import ElementTree

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture_report.summary import group_by_target


def _detail(finding):
    evidence = finding["evidence"]
    return u"\n".join([
        u"Control: %s %s" % (finding["control_id"], finding["title"]),
        u"Severity: %s" % finding["severity"],
        u"Resource: %s %s" % (finding["resource_type"], finding["resource_arn"] or finding["resource_id"]),
        u"Evidence: %s = %s" % (evidence["field"], evidence["value"]),
        u"Remediation: %s" % finding["remediation"],
    ])


def _testcase(parent, finding):
    name = u"%s %s" % (finding["control_id"], finding["resource_id"])
    testcase = ElementTree.SubElement(parent, "testcase", name=name, time="0",
                                      classname=u"%s.%s.%s" % (finding["account_id"], finding["region"], finding["control_id"]))
    if finding["status"] == "FAIL":
        failure = ElementTree.SubElement(testcase, "failure", type=finding["severity"],
                                         message=u"[%s] %s: %s" % (finding["severity"], finding["control_id"], finding["title"]))
        failure.text = _detail(finding)
    elif finding["status"] == "NOT_APPLICABLE":
        ElementTree.SubElement(testcase, "skipped", message=u"%s does not apply: %s = %s" % (
            finding["control_id"], finding["evidence"]["field"], finding["evidence"]["value"]))
    ElementTree.SubElement(testcase, "system-out").text = _detail(finding)


def render(title, generated_at, summary, findings):
    # timestamp is the first attribute: files.py recognises a report's timestamp as the first one in the file.
    root = ElementTree.Element("testsuites")
    root.set("timestamp", generated_at)
    root.set("name", title)
    root.set("tests", str(summary["total"]))
    root.set("failures", str(summary["by_status"]["FAIL"]))
    root.set("skipped", str(summary["by_status"]["NOT_APPLICABLE"]))
    root.set("errors", str(len(summary["audit_errors"])))
    root.set("time", "0")
    for account_id, region, items in group_by_target(findings):
        suite = ElementTree.SubElement(root, "testsuite")
        suite.set("name", u"%s/%s" % (account_id, region))
        suite.set("timestamp", generated_at)
        suite.set("tests", str(len(items)))
        suite.set("failures", str(sum(1 for f in items if f["status"] == "FAIL")))
        suite.set("skipped", str(sum(1 for f in items if f["status"] == "NOT_APPLICABLE")))
        suite.set("errors", "0")
        suite.set("time", "0")
        properties = ElementTree.SubElement(suite, "properties")
        ElementTree.SubElement(properties, "property", name="account_id", value=account_id)
        ElementTree.SubElement(properties, "property", name="region", value=region)
        for finding in items:
            _testcase(suite, finding)
    for error in summary["audit_errors"]:
        suite = ElementTree.SubElement(root, "testsuite")
        suite.set("name", u"%s/%s" % (error["account_id"], error["region"]))
        for name, value in (("timestamp", generated_at), ("tests", "1"), ("failures", "0"), ("skipped", "0"), ("errors", "1"), ("time", "0")):
            suite.set(name, value)
        testcase = ElementTree.SubElement(suite, "testcase", name=u"audit of %s" % (error["target"] or suite.get("name")), time="0",
                                          classname=u"%s.%s" % (error["account_id"], error["region"]))
        ElementTree.SubElement(testcase, "error", type="AuditError", message=error["message"]).text = error["message"]
    if hasattr(ElementTree, "indent"):  # Python 3.9+
        ElementTree.indent(root)
    return u'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + u"\n"
