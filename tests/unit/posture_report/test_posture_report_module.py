"""posture_report as a module: files written once, unchanged on a second run, nothing in check mode, diff, bad input."""

import json
import os

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.innovate.aws_postgres.plugins.modules import posture_report
from posture_findings_data import finding, sample


def run(capsys, monkeypatch, args, check=False, diff=False):
    args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args})))
    if hasattr(basic, "_ANSIBLE_PROFILE"):
        monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
        monkeypatch.setattr(basic, "_PARSED_MODULE_ARGS", None)
    with pytest.raises(SystemExit):
        posture_report.main()
    return json.loads(capsys.readouterr().out)


def listing(directory):
    return sorted(os.listdir(str(directory))) if os.path.isdir(str(directory)) else []


def test_check_then_write_then_no_change_then_change(tmp_path, capsys, monkeypatch):
    out = tmp_path / "reports" / "nested"
    args = {"findings": sample(), "output_dir": str(out)}
    check = run(capsys, monkeypatch, args, check=True, diff=True)
    assert check["changed"] and check["failed_at_or_above"] == 3
    assert not out.exists(), "check mode writes nothing, not even the directory"
    assert len(check["diff"]) == 4 and all(d["before"] == "" for d in check["diff"])

    first = run(capsys, monkeypatch, args)
    assert first["changed"] and first["summary"]["by_status"] == {"FAIL": 5, "PASS": 5, "NOT_APPLICABLE": 2}
    assert listing(out) == ["posture.html", "posture.json", "posture.junit.xml", "posture.md"]
    assert first["paths"] == {"html": str(out / "posture.html"), "markdown": str(out / "posture.md"),
                              "json": str(out / "posture.json"), "junit": str(out / "posture.junit.xml")}
    stamp = json.loads((out / "posture.json").read_text())["generated_at"]
    contents = dict((name, (out / name).read_text()) for name in listing(out))

    again = run(capsys, monkeypatch, dict(args, findings=list(reversed(sample()))), diff=True)
    assert not again["changed"] and again["diff"] == [], "same findings in another order: nothing to rewrite"
    assert dict((name, (out / name).read_text()) for name in listing(out)) == contents

    fewer = sample()[:-1]
    check_change = run(capsys, monkeypatch, dict(args, findings=fewer), check=True, diff=True)
    assert check_change["changed"] and len(check_change["diff"]) == 4
    assert dict((name, (out / name).read_text()) for name in listing(out)) == contents, "check mode changes nothing"
    assert '"total": 12' in check_change["diff"][2]["before"] and '"total": 11' in check_change["diff"][2]["after"]

    changed = run(capsys, monkeypatch, dict(args, findings=fewer, fail_on_severity="none"))
    assert changed["changed"] and changed["failed_at_or_above"] == 0
    document = json.loads((out / "posture.json").read_text())
    assert document["summary"]["total"] == 11 and document["generated_at"] >= stamp
    assert listing(out) == ["posture.html", "posture.json", "posture.junit.xml", "posture.md"], "no temporary file left"


def test_chosen_formats_and_basename(tmp_path, capsys, monkeypatch):
    result = run(capsys, monkeypatch, {"findings": [finding("RDS.2", "FAIL", "LOW", "db")], "output_dir": str(tmp_path),
                                       "audit_errors": [{"message": "AccessDenied", "account_id": "333333333333", "region": "us-east-1"}],
                                       "formats": ["junit", "json"], "basename": "ci-posture", "fail_on_severity": "LOW"})
    assert result["changed"] and result["failed_at_or_above"] == 1
    assert listing(tmp_path) == ["ci-posture.json", "ci-posture.junit.xml"]
    assert sorted(result["paths"]) == ["json", "junit"]
    assert result["summary"]["audit_errors"] == [{"target": "", "account_id": "333333333333", "region": "us-east-1", "message": "AccessDenied"}]
    assert json.loads((tmp_path / "ci-posture.json").read_text())["summary"]["audit_errors"][0]["message"] == "AccessDenied"


@pytest.mark.parametrize("args, message", [
    ({"findings": [{"control_id": "RDS.2", "status": "FAILED", "severity": "HIGH"}]},
     "findings[0].status is 'FAILED'; expected one of FAIL, PASS, NOT_APPLICABLE"),
    ({"findings": [finding("RDS.2", "FAIL", "high", "db")]}, "findings[0].severity is 'high'"),
    ({"findings": ["RDS.2"]}, "findings[0] must be a dict, got str"),
    ({"findings": [], "basename": "../escape"}, "basename '../escape' must be a file name"),
    ({"findings": [], "formats": []}, "formats is empty"),
    ({"findings": [], "formats": ["pdf"]}, "value of formats must be one or more of: html, markdown, json, junit"),
    ({"findings": [], "fail_on_severity": "SEVERE"}, "value of fail_on_severity must be one of: CRITICAL, HIGH"),
    ({"findings": [], "audit_errors": [{"region": "us-east-1"}]}, "errors[0] has no message"),
])
def test_bad_input_fails_cleanly_and_writes_nothing(tmp_path, capsys, monkeypatch, args, message):
    out = tmp_path / "out"
    result = run(capsys, monkeypatch, dict(args, output_dir=str(out)))
    assert result["failed"] and message in result["msg"], result["msg"]
    assert not out.exists()


def test_an_output_dir_that_cannot_be_written_is_a_clear_error(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run(capsys, monkeypatch, {"findings": sample(), "output_dir": str(blocker / "sub")})
    assert result["failed"] and result["msg"].startswith("Cannot write the posture reports to output_dir %s" % (blocker / "sub"))
