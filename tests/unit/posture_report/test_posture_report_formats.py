"""Each report format from synthetic findings: counts, order, escaping of hostile strings, valid XML."""

import json
import re
from xml.etree import ElementTree

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture_report import html, json_report, junit, markdown, summary
from posture_findings_data import HOSTILE, finding, sample

STAMP = "2026-11-22T05:00:00Z"


@pytest.fixture(name="prepared")
def prepared_findings():
    return summary.prepare(sample())


def render(module, prepared, threshold="HIGH", title="Posture <audit> & co"):
    return module.render(title, STAMP, summary.summarize(prepared, threshold), prepared)


def test_summary_counts_and_threshold(prepared):
    counts = summary.summarize(prepared, "HIGH")
    assert counts["total"] == 12
    assert counts["by_status"] == {"FAIL": 5, "PASS": 5, "NOT_APPLICABLE": 2}
    assert counts["failed_by_severity"] == {"CRITICAL": 1, "HIGH": 2, "MEDIUM": 1, "LOW": 1, "INFORMATIONAL": 0}
    assert counts["failed_at_or_above"] == 3
    assert summary.failed_at_or_above(prepared, "CRITICAL") == 1
    assert summary.failed_at_or_above(prepared, "LOW") == 5
    assert summary.failed_at_or_above(prepared, "INFORMATIONAL") == 5
    assert summary.failed_at_or_above(prepared, "none") == 0
    assert [(t["account_id"], t["region"], t["total"]) for t in counts["targets"]] == [
        ("111111111111", "us-east-1", 6), ("111111111111", "us-west-2", 3), ("444444444444", "us-east-1", 3)]
    assert counts["resources"] == 5


def test_findings_are_ordered_failures_first_most_severe_first_and_controls_naturally(prepared):
    first = [(f["status"], f["severity"], f["control_id"]) for f in prepared if f["region"] == "us-east-1" and f["account_id"] == "111111111111"]
    assert first == [("FAIL", "CRITICAL", "RDS.2"), ("FAIL", "HIGH", "BASE.FORCE_SSL"), ("FAIL", "HIGH", "RDS.10"),
                     ("PASS", "MEDIUM", "RDS.3"), ("PASS", "MEDIUM", "RDS.11"), ("NOT_APPLICABLE", "MEDIUM", "RDS.5")]
    # Control characters XML cannot carry are replaced, evidence lists and dicts become text.
    hostile = [f for f in prepared if f["control_id"] == "BASE.FORCE_SSL"][0]
    assert "\x00" not in hostile["resource_id"] and "\ufffd" in hostile["resource_id"]
    assert hostile["evidence"]["value"].startswith("<script>") and "k=<script>" in hostile["evidence"]["value"]


def test_invalid_findings_are_reported_with_their_index():
    errors = summary.validate_findings([finding("RDS.2", "FAIL", "HIGH", "x"), "nope", {"control_id": "", "status": "BAD", "severity": "high"},
                                        finding("RDS.3", "PASS", "LOW", "y", evidence="text")])
    assert errors == [
        "findings[1] must be a dict, got str",
        "findings[2] has no control_id",
        "findings[2].status is 'BAD'; expected one of FAIL, PASS, NOT_APPLICABLE",
        "findings[2].severity is 'high'; expected one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL",
        "findings[3].evidence must be a dict with field and value, got str",
    ]


def test_json_report_has_every_finding_the_summary_and_generated_at_first(prepared):
    text = render(json_report, prepared)
    assert text.lstrip("{\n ").startswith('"generated_at": "%s"' % STAMP)
    document = json.loads(text)
    assert document["generated_at"] == STAMP and document["title"] == "Posture <audit> & co"
    assert len(document["findings"]) == 12 and document["summary"]["by_status"]["FAIL"] == 5
    assert document["summary"]["failed_at_or_above"] == 3
    assert HOSTILE.replace("\x00", "\ufffd").replace("\x1b", "\ufffd") in [f["resource_id"] for f in document["findings"]]


def test_markdown_has_the_summary_and_only_failing_findings_with_markup_neutralised(prepared):
    text = render(markdown, prepared)
    assert text.startswith("<!-- generated_at: %s -->\n" % STAMP)
    assert "**3 failing findings at or above HIGH: the audit fails.**" in text
    assert "| CRITICAL | 1 | 0 | 0 | 1 |" in text and "| HIGH | 2 | 0 | 0 | 2 |" in text
    assert "| **Total** | **5** | **5** | **2** | **12** |" in text
    assert "| 444444444444 | us-east-1 | 3 | 1 | 1 | 1 |" in text
    assert "## Failing findings (5)" in text
    failing = [line for line in text.split("## Failing findings")[1].splitlines() if re.match(r"\| [A-Z]+ \| ", line)]
    assert [line.split(" | ")[0] for line in failing] == ["| CRITICAL", "| HIGH", "| HIGH", "| MEDIUM", "| LOW"]
    assert "RDS.3 " not in text.split("## Failing findings")[1], "passing findings are not listed"
    hostile_row = [line for line in failing if "FORCE" in line][0]
    # No raw HTML, no unescaped pipe (which would add a column) and no line break inside the row.
    assert "<script>" not in text and "<img" not in text and "&lt;script&gt;" in hostile_row
    assert hostile_row.count(" | ") == 6 and hostile_row.replace("\\|", "").count("|") == 8
    assert "\\[l\\](http://e)" in hostile_row


def test_markdown_verdicts(prepared):
    assert "No failing finding at or above CRITICAL" not in render(markdown, prepared, "CRITICAL")
    passing = [f for f in prepared if f["status"] != "FAIL"]
    assert "No failing finding at or above HIGH: the audit passes." in render(markdown, passing)
    assert "No severity fails the audit (fail_on_severity: none)." in render(markdown, prepared, "none")
    assert "## Failing findings (0)\n\nNone." in render(markdown, passing)


def test_junit_is_valid_xml_with_a_suite_per_account_and_region(prepared):
    text = render(junit, prepared)
    root = ElementTree.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites" and root.get("timestamp") == STAMP
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == ("12", "5", "2", "0")
    suites = root.findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures"), s.get("skipped")) for s in suites] == [
        ("111111111111/us-east-1", "6", "3", "1"), ("111111111111/us-west-2", "3", "1", "0"), ("444444444444/us-east-1", "3", "1", "1")]
    for suite in suites:
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests"))
        assert sum(1 for c in cases if c.find("failure") is not None) == int(suite.get("failures"))
        assert sum(1 for c in cases if c.find("skipped") is not None) == int(suite.get("skipped"))
    critical = [c for c in root.iter("testcase") if c.get("name") == "RDS.2 app-db"][0]
    failure = critical.find("failure")
    assert failure.get("type") == "CRITICAL" and failure.get("message") == "[CRITICAL] RDS.2: Title of RDS.2"
    assert "Evidence: PubliclyAccessible = true" in failure.text and "Remediation: rds_instance: publicly_accessible=false" in failure.text
    assert critical.get("classname") == "111111111111.us-east-1.RDS.2"
    hostile = [c for c in root.iter("testcase") if c.get("name").startswith("BASE.FORCE_SSL")][0]
    assert hostile.get("name") == "BASE.FORCE_SSL " + HOSTILE.replace("\x00", "\ufffd").replace("\x1b", "\ufffd")
    skipped = [c for c in root.iter("testcase") if c.get("name") == "RDS.37 reports-db"][0]
    assert skipped.find("skipped").get("message") == "RDS.37 does not apply:  = null"


def test_html_escapes_every_value_and_is_self_contained(prepared):
    text = render(html, prepared)
    assert text.startswith('<!DOCTYPE html>\n<html lang="en"><head>\n<meta name="generated-at" content="%s">' % STAMP)
    assert "<script>window" not in text and "<img" not in text and "onerror=\"" not in text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in text
    assert "<title>Posture &lt;audit&gt; &amp; co</title>" in text
    # Only the report's own script; nothing is loaded from anywhere.
    assert text.count("<script>") == 1 and not re.search(r"""(src|href)=["']?(https?:|//)""", text)
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert text.count('<tr class="finding') == 12 and text.count('<section class="target"') == 3
    assert '<span class="n" id="count-fail">5</span>' in text
    assert '<td class="num" data-severity="HIGH" data-status="FAIL">2</td>' in text
    assert 'data-failed-at-or-above="3"' in text


def test_an_empty_audit_renders_everywhere():
    for module in (html, markdown, json_report, junit):
        text = module.render("t", STAMP, summary.summarize([], "HIGH"), [])
        assert STAMP in text
    assert ElementTree.fromstring(junit.render("t", STAMP, summary.summarize([], "HIGH"), []).encode()).get("tests") == "0"
    assert "No findings." in html.render("t", STAMP, summary.summarize([], "HIGH"), [])


def test_account_regions_that_could_not_be_audited_are_shown_in_every_format(prepared):
    errors = [{"target": "posture-333333333333-us-west-2", "account_id": "333333333333", "region": "us-west-2", "message": "AccessDenied <b>|x|</b>"}]
    counts = summary.summarize(prepared, "HIGH", errors)
    assert counts["audit_errors"] == errors
    document = json.loads(json_report.render("t", STAMP, counts, prepared))
    assert document["summary"]["audit_errors"] == errors
    text = markdown.render("t", STAMP, counts, prepared)
    assert "**1 account/region pairs could not be audited:**" in text
    assert "| 333333333333 | us-west-2 | AccessDenied &lt;b&gt;\\|x\\|&lt;/b&gt; |" in text
    root = ElementTree.fromstring(junit.render("t", STAMP, counts, prepared).encode("utf-8"))
    assert root.get("errors") == "1" and root.get("tests") == "12"
    suite = root.findall("testsuite")[-1]
    assert (suite.get("name"), suite.get("errors"), suite.get("tests")) == ("333333333333/us-west-2", "1", "1")
    assert suite.find("testcase/error").get("message") == "AccessDenied <b>|x|</b>"
    page = html.render("t", STAMP, counts, prepared)
    assert '<li class="audit-error">Account 333333333333 &middot; us-west-2: AccessDenied &lt;b&gt;|x|&lt;/b&gt;</li>' in page
    assert "audit-errors" not in html.render("t", STAMP, summary.summarize(prepared, "HIGH"), prepared)
