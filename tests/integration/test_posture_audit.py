"""playbooks/posture_audit.yml -i inventories/local: each account and region of the inventory is audited once,
the reports are written (also when the audit fails), and the run fails only at or above the chosen severity.

One non-compliant instance made with boto3 in the data account (public, unencrypted, no backups) is the
deployment the audit finds; the inventory's deployments (app-db, orders-aurora) only give the pairs to audit.
"""

import json
from xml.etree import ElementTree

import pytest

DATA_ACCOUNT = "111111111111"
IDENTIFIER = "posture-audit-open"
INVENTORY = "inventories/local"
TARGETS = {"posture-%s-us-east-1" % DATA_ACCOUNT, "posture-%s-us-west-2" % DATA_ACCOUNT}
WRITE_PREFIXES = ("Create", "Modify", "Delete", "Put", "Update", "Start", "Stop", "Reboot", "Add", "Remove", "Tag", "Untag")


@pytest.fixture(scope="module")
def audit(localenv, tmp_path_factory):
    from harness import Ansible

    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.create_db_instance(DBInstanceIdentifier=IDENTIFIER, Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.medium",
                           AllocatedStorage=20, MasterUsername="postgres", MasterUserPassword="posture-Audit-1", PubliclyAccessible=True,
                           StorageEncrypted=False, BackupRetentionPeriod=0)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=IDENTIFIER, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    tmp = tmp_path_factory.mktemp("posture-audit")
    runner = Ansible(localenv, tmp)
    report_dir = tmp / "reports"
    localenv.reset_requests()
    failing = runner.playbook("playbooks/posture_audit.yml", inventory=INVENTORY, extra_vars={"posture_report_dir": str(report_dir)})
    requests = localenv.requests()["by_operation"]
    return runner, report_dir, failing, requests


def test_each_account_and_region_is_audited_once_and_nothing_is_written_to_aws(audit):
    _runner, _report_dir, failing, requests = audit
    audited = {result["host"] for result in failing.task_results if result["task"] == "Read the RDS posture of the account and region"}
    assert audited == TARGETS, "two deployments in one account and two regions: two audits, not one per database"
    assert requests["rds:DescribeDBInstances"] == len(TARGETS)
    assert not [op for op in requests if op.split(":", 1)[1].startswith(WRITE_PREFIXES)]


def test_a_high_failure_fails_the_run_after_the_reports_are_written(audit):
    _runner, report_dir, failing, _requests = audit
    assert failing.rc != 0
    report = failing.result("Write the HTML, Markdown, JSON and JUnit XML reports", "localhost")
    assert report["changed"] and report["failed_at_or_above"] > 0
    failure = failing.result("Fail when a finding at or above the threshold failed or an account and region was not audited", "localhost")
    assert failure["failed"]
    assert failure["msg"].startswith("%d failed findings at or above HIGH (" % report["failed_at_or_above"])
    assert str(report_dir / "posture.html") in failure["msg"] and "Not audited" not in failure["msg"]

    document = json.loads((report_dir / "posture.json").read_text())
    assert document["summary"]["failed_at_or_above"] == report["failed_at_or_above"]
    mine = {(f["control_id"], f["status"]) for f in document["findings"] if f["resource_id"] == IDENTIFIER}
    assert {("RDS.2", "FAIL"), ("RDS.3", "FAIL"), ("RDS.11", "FAIL"), ("RDS.25", "FAIL")} <= mine
    assert {(t["account_id"], t["region"]) for t in document["summary"]["targets"]} <= {(DATA_ACCOUNT, "us-east-1"), (DATA_ACCOUNT, "us-west-2")}

    suites = ElementTree.parse(str(report_dir / "posture.junit.xml")).getroot()
    assert int(suites.get("tests")) == document["summary"]["total"] == len(document["findings"])
    assert int(suites.get("failures")) == document["summary"]["by_status"]["FAIL"] == len(list(suites.iter("failure")))
    assert "RDS.2" in (report_dir / "posture.md").read_text().split("## Failing findings")[1]
    assert IDENTIFIER in (report_dir / "posture.html").read_text()


def test_threshold_none_passes_and_formats_not_asked_for_are_left_alone(audit):
    runner, report_dir, _failing, _requests = audit
    before = dict((path.name, path.read_text()) for path in report_dir.iterdir())
    passing = runner.playbook("playbooks/posture_audit.yml", inventory=INVENTORY,
                              extra_vars={"posture_report_dir": str(report_dir), "posture_fail_on_severity": "none", "posture_report_formats": ["json"]})
    assert passing.rc == 0, passing.stdout[-4000:] + passing.stderr[-2000:]
    written = passing.result("Write the HTML, Markdown, JSON and JUnit XML reports", "localhost")
    assert written["failed_at_or_above"] == 0 and list(written["paths"]) == ["json"]
    assert json.loads((report_dir / "posture.json").read_text())["summary"]["fail_on_severity"] == "none"
    assert (report_dir / "posture.html").read_text() == before["posture.html"], "formats not asked for are left alone"
    stats = passing.result("Publish the report paths and the summary to AWX", "localhost")
    assert stats["ansible_stats"]["data"]["posture_failed_at_or_above"] == 0
    assert stats["ansible_stats"]["data"]["posture_summary"]["total"] == written["summary"]["total"]
