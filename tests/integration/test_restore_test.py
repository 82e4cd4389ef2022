"""playbooks/restore_test.yml (role restore_test) on one seeded RDS for PostgreSQL deployment.

One source instance in the data account, encrypted with a customer managed key of the security
account that the data and nonprod accounts may use (as rds_encryption makes it), seeded with an
application schema, an application login (app_rw, its password in its connection secret) and a
marker table whose rows carry their write time. Playbook runs against it:

- a restore time outside the window fails cleanly before any instance is created (report FAIL);
  a target account without the landing-zone network (an unknown account's role) fails cleanly
  before anything is shared; a malformed target role fails at the input check; check mode only
  shows the plan;
- a corrupted snapshot (a row changed in the snapshot, not in the source) is restored in the
  nonprod account: the comparison finds the row, the verdict is FAIL, the random point in time
  (seeded) is still restored there, a later step fails (no such marker table), and the teardown
  still deletes everything made in both accounts;
- the latest snapshot and a given point in time between two marker rows, restored in the nonprod
  account 555555555555 (shared manual snapshots copied there with its own key; the point in time
  through a short-lived instance of the data account): PASS, the row written before the time is in
  the point-in-time copy and the row written after is not; everything made in both accounts is
  deleted, the shared snapshots unshared first.

The same-account path (restore_test_target_account '') is shown in check mode here and run by the
role's molecule scenario.
"""

import datetime
import json
import time
import uuid

import psycopg2
import pytest
import yaml

DATA, SECURITY, NONPROD = "111111111111", "222222222222", "555555555555"
UNKNOWN = "999999999999"
APP_PASSWORD = "App-Rw-Pass-0001"
ROLE = "arn:aws:iam::%s:role/InnovateAutomation"


def connect(localenv, record, user, password):
    conn = psycopg2.connect(host=record["Endpoint"]["Address"], port=record["Endpoint"]["Port"], user=user, password=password,
                            dbname="app", sslmode="verify-full", sslrootcert=localenv.ca_bundle, connect_timeout=10)
    conn.autocommit = True
    return conn


def execute(conn, *statements):
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        return cursor.fetchall() if cursor.description else None


def instances_named(rds, prefix):
    return [db["DBInstanceIdentifier"] for db in rds.describe_db_instances()["DBInstances"] if db["DBInstanceIdentifier"].startswith(prefix)]


def snapshots_named(rds, prefix):
    return [snap["DBSnapshotIdentifier"] for snap in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
            if snap["DBSnapshotIdentifier"].startswith(prefix)]


def leftovers(deployment, *accounts):
    """The temporary instances and manual snapshots (<name>-rt-*) left in each account."""
    prefix = deployment["name"] + "-rt"
    found = {}
    for account in accounts:
        rds = deployment["clients"].setdefault(account, deployment["localenv"].client("rds", account_id=account))
        found[account] = instances_named(rds, prefix) + snapshots_named(rds, prefix)
    return found


def shared_key_policy():
    """The security account's key as rds_encryption makes it: the data and nonprod accounts may use it."""
    users = {"AWS": ["arn:aws:iam::%s:root" % account for account in (DATA, NONPROD)]}
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % SECURITY}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "OtherAccountsUse", "Effect": "Allow", "Principal": users, "Resource": "*",
         "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]},
        {"Sid": "OtherAccountsGrantsForAwsResources", "Effect": "Allow", "Principal": users, "Resource": "*",
         "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}]})


@pytest.fixture(scope="module")
def deployment(localenv, tmp_path_factory):
    rds = localenv.client("rds", account_id=DATA)
    secrets = localenv.client("secretsmanager", account_id=DATA)
    name = "rt-%s" % uuid.uuid4().hex[:6]
    key = localenv.client("kms", account_id=SECURITY).create_key(Description="restore test source", Policy=shared_key_policy())
    rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.micro",
                           AllocatedStorage=20, DBName="app", MasterUsername="dbadmin", ManageMasterUserPassword=True,
                           BackupRetentionPeriod=1, DeletionProtection=False, StorageEncrypted=True, KmsKeyId=key["KeyMetadata"]["Arn"])
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    record = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
    master = json.loads(secrets.get_secret_value(SecretId=record["MasterUserSecret"]["SecretArn"])["SecretString"])
    conn = connect(localenv, record, master["username"], master["password"])
    execute(conn,
            "CREATE ROLE app_rw LOGIN PASSWORD '%s'" % APP_PASSWORD,
            "CREATE SCHEMA app",
            "CREATE TABLE app.orders (id serial PRIMARY KEY, customer text NOT NULL, note text)",
            "CREATE TABLE app.events (id serial PRIMARY KEY, note text, created_at timestamptz NOT NULL DEFAULT now())",
            "INSERT INTO app.orders (customer, note) SELECT 'customer-' || g, 'order ' || g FROM generate_series(1, 50) g",
            "GRANT USAGE ON SCHEMA app TO app_rw",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO app_rw",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA app TO app_rw")
    secrets.create_secret(Name="it/%s/app_rw" % name, SecretString=json.dumps(dict(username="app_rw", password=APP_PASSWORD)))
    inventory = tmp_path_factory.mktemp("restore-test") / "hosts.yml"
    host_vars = dict(db_engine="postgres", db_name="app", db_instance_class="db.t4g.micro", env_name="it", aws_region="us-east-1",
                     aws_endpoint_url=localenv.endpoint_url, aws_access_key="testing", aws_secret_key="testing",
                     aws_assume_role_arn=ROLE % DATA, pg_ca_bundle=localenv.ca_bundle, aws_automation_role_name="InnovateAutomation",
                     aws_accounts=dict(data=DATA, security=SECURITY, nonprod=NONPROD),
                     ansible_connection="local", ansible_python_interpreter="{{ ansible_playbook_python }}")
    inventory.write_text(yaml.safe_dump({"all": {"children": {"databases": {"hosts": {name: host_vars}}}}}))
    try:
        yield dict(name=name, rds=rds, conn=conn, record=record, inventory=inventory, created=time.time(), localenv=localenv,
                   clients={DATA: rds})
    finally:
        conn.close()
        for identifier in instances_named(rds, name):
            rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)


def snapshot(rds, instance, identifier):
    rds.create_db_snapshot(DBInstanceIdentifier=instance, DBSnapshotIdentifier=identifier)
    rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier=identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 120})


def run(ansible, deployment, report_dir, **extra):
    extra_vars = dict(restore_test_report_dir=str(report_dir), restore_test_smoke_table="app.orders",
                      restore_test_smoke_values={"customer": "smoke-test", "note": "rolled back"},
                      restore_test_pitr_marker={"table": "app.events", "time_column": "created_at"})
    extra_vars.update(extra)
    started = time.time()
    result = ansible.playbook("playbooks/restore_test.yml", inventory=deployment["inventory"], extra_vars=extra_vars)
    print("restore_test.yml run %s: %.1f s" % (extra.get("restore_test_run_id"), time.time() - started))
    reports = sorted(report_dir.glob("*.json"))
    assert len(reports) == 1, "one report expected in %s:\n%s\n%s" % (report_dir, result.stdout[-3000:], result.stderr[-2000:])
    report = json.loads(reports[0].read_text())
    assert reports[0].with_suffix(".md").exists(), "no Markdown report:\n%s" % "\n".join(
        "%s: %s" % (item["task"], item.get("msg")) for item in result.task_results if item.get("failed"))
    markdown = reports[0].with_suffix(".md").read_text()
    assert markdown.startswith("# Restore test of %s: %s" % (deployment["name"], report["verdict"]))
    return result, report, markdown


def test_restore_test_detects_corruption_checks_pitr_and_always_tears_down(localenv, ansible, deployment, tmp_path):
    rds, conn, name = deployment["rds"], deployment["conn"], deployment["name"]
    nothing_left = {DATA: [], NONPROD: []}

    # A restore time outside the window fails before anything is created.
    result, report, markdown = run(ansible, deployment, tmp_path / "bad", restore_test_pitr_time="2000-01-01T00:00:00Z",
                                   restore_test_pitr_margin_seconds=0, restore_test_run_id="bad")
    assert result.rc != 0 and report["verdict"] == "FAIL"
    assert "outside the window" in report["reasons"][0]
    assert [step["name"] for step in report["steps"]] == ["choose the restore points", "tear down"]
    assert report["steps"][-1]["detail"].startswith("deleted nothing")
    assert leftovers(deployment, DATA, NONPROD) == nothing_left

    # An account whose role leads nowhere prepared (no landing-zone network): it fails before anything is shared.
    result, report, markdown = run(ansible, deployment, tmp_path / "unknown", restore_test_target_account=UNKNOWN,
                                   restore_test_pitr=False, restore_test_run_id="u1")
    assert result.rc != 0 and report["verdict"] == "FAIL" and report["target_account_id"] == UNKNOWN
    steps = dict((step["name"], step) for step in report["steps"])
    assert steps["prepare the target account"]["status"] == "failed" and "subnet" in steps["prepare the target account"]["detail"]
    assert "restore the snapshot" not in steps and steps["tear down"]["status"] == "ok"
    assert all(item["result"] == "did not exist" for item in report["teardown"]) and "| prepare the target account | failed |" in markdown
    assert leftovers(deployment, DATA, NONPROD, UNKNOWN) == dict(nothing_left, **{UNKNOWN: []})
    assert [alias for alias in localenv.client("kms", account_id=UNKNOWN).list_aliases()["Aliases"] if "restore-test" in alias["AliasName"]] == []

    # A role of another account than the target account is refused by the input check (no report, nothing made).
    bad_role = ansible.playbook("playbooks/restore_test.yml", inventory=deployment["inventory"], extra_vars=dict(
        restore_test_report_dir=str(tmp_path / "bad-role"), restore_test_target_assume_role_arn=ROLE % UNKNOWN))
    assert bad_role.rc != 0 and "restore_test_target_assume_role_arn" in bad_role.stdout and "not the ARN of a role of account %s" % NONPROD in bad_role.stdout
    assert not (tmp_path / "bad-role").exists()

    # Check mode only chooses the restore points and shows the plan: no instance, no report. (The same-account path is the
    # molecule scenario's: restore_test_target_account '' restores straight from the snapshot and to the point in time.)
    check = ansible.playbook("playbooks/restore_test.yml", inventory=deployment["inventory"], check=True,
                             extra_vars=dict(restore_test_report_dir=str(tmp_path / "check"), restore_test_pitr=False,
                                             restore_test_target_account=""))
    assert check.rc == 0 and check.changed_total() == 0, check.stdout[-2000:]
    plan = check.result("Show the plan in check mode (a restore test creates instances, so nothing else runs)")["msg"]
    assert "Would restore snapshot rds:%s" % name in plan and "in account %s" % DATA in plan and "shared" not in plan
    assert not (tmp_path / "check").exists() and leftovers(deployment, DATA, NONPROD) == nothing_left

    # A snapshot whose data differs from the source (a row changed in it only), and a step failing once both copies are
    # restored in nonprod (the marker table does not exist): both reported, and everything made in both accounts deleted.
    execute(conn, "UPDATE app.orders SET note = 'corrupted' WHERE id = 7")
    snapshot(rds, name, name + "-corrupt")
    execute(conn, "UPDATE app.orders SET note = 'order 7' WHERE id = 7")
    time.sleep(max(0.0, deployment["created"] + 30 - time.time()))  # a restorable window wider than the margins
    result, report, markdown = run(ansible, deployment, tmp_path / "corrupt", restore_test_snapshot_identifier=name + "-corrupt",
                                   restore_test_pitr_seed="it-seed", restore_test_pitr_margin_seconds=10, restore_test_run_id="c1",
                                   restore_test_pitr_marker={"table": "app.no_such_table", "time_column": "created_at"})
    assert result.rc != 0 and report["verdict"] == "FAIL", report
    assert len(report["reasons"]) == 2 and "no_such_table" in report["reasons"][0], report["reasons"]
    assert report["reasons"][1] == "the snapshot copy differs from the source"
    snap = report["comparisons"]["snapshot"]
    assert snap["matches"] is False and snap["source_digest"] != snap["copy_digest"]
    assert any("app.orders" in line for line in snap["summary"]), snap["summary"]
    assert "DIFFERS" in markdown and "app.orders" in markdown
    pitr = report["point_in_time"]
    assert pitr["chosen"] == "random" and pitr["seed"] == "it-seed"
    assert pitr["window_start"] <= pitr["restore_time"] <= pitr["window_end"]
    steps = dict((step["name"], step) for step in report["steps"])
    assert [step["status"] for step in report["steps"]] == ["ok", "ok", "mismatch", "ok", "ok", "failed", "ok"], report["steps"]
    assert steps["compare the snapshot copy with the source"]["status"] == "mismatch"
    assert steps["smoke test the snapshot copy as app_rw"]["status"] == "ok"
    assert steps["restore the point in time"]["status"] == "ok" and "in account %s" % NONPROD in steps["restore the point in time"]["detail"]
    assert steps["tear down"]["status"] == "ok" and all(step["seconds"] >= 0 for step in report["steps"])
    assert report["instances"]["point_in_time_copy"]["account_id"] == report["instances"]["snapshot_copy"]["account_id"] == NONPROD
    assert sorted(item["result"] for item in report["teardown"]) == ["deleted"] * 6 + ["did not exist"], report["teardown"]
    assert leftovers(deployment, DATA, NONPROD) == nothing_left

    # Marker rows around a point in time, then the latest snapshot (taken after them: it matches the source); into nonprod.
    execute(conn, "INSERT INTO app.events (note) VALUES ('before')")
    time.sleep(1.5)
    target = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    time.sleep(1.5)
    execute(conn, "INSERT INTO app.events (note) VALUES ('after')")
    before = execute(conn, "SET TimeZone = 'UTC'", "SELECT created_at::text FROM app.events WHERE note = 'before'")[0][0]
    snapshot(rds, name, name + "-latest")
    localenv.reset_requests()
    result, report, markdown = run(ansible, deployment, tmp_path / "good", restore_test_pitr_time=target.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                   restore_test_pitr_margin_seconds=0, restore_test_run_id="g1")
    requests = localenv.requests()["by_operation"]
    assert result.rc == 0 and report["verdict"] == "PASS", (report["reasons"], result.stdout[-3000:])
    assert report["snapshot"]["identifier"] == name + "-latest" and report["snapshot"]["chosen"] == "latest"
    assert report["source_account_id"] == DATA and report["target_account_id"] == NONPROD
    assert "non-production account %s" % NONPROD in report["restored_in"] and "in account %s" % NONPROD in markdown
    copies = report["instances"]
    assert copies["snapshot_copy"] == {"identifier": name + "-rt-s-g1", "account_id": NONPROD, "shared_snapshot": name + "-rt-s-g1"}
    assert copies["point_in_time_copy"] == {"identifier": name + "-rt-p-g1", "account_id": NONPROD, "shared_snapshot": name + "-rt-p-g1"}
    assert report["comparisons"]["snapshot"]["matches"] is True
    assert report["comparisons"]["snapshot"]["source_rows"] == report["comparisons"]["snapshot"]["copy_rows"] == 52
    marker = report["comparisons"]["point_in_time"]["marker"]
    assert marker["source"]["rows_after"] == 1 and marker["restored"]["rows_after"] == 0
    assert marker["restored"]["last_before"] == marker["source"]["last_before"] == before
    smoke = dict((check["name"], check["passed"]) for check in report["smoke_test"])
    assert smoke == {"session": True, "read": True, "write": True}
    assert [step["status"] for step in report["steps"]] == ["ok"] * 7, report["steps"]
    assert "| tear down | ok |" in markdown and "PASS" in markdown
    teardown = sorted((item["kind"], item["account_id"], item["identifier"], item["result"]) for item in report["teardown"])
    assert teardown == [("instance", DATA, name + "-rt-p-g1", "did not exist"),  # the short-lived instance went at once
                        ("instance", NONPROD, name + "-rt-p-g1", "deleted"), ("instance", NONPROD, name + "-rt-s-g1", "deleted"),
                        ("snapshot", DATA, name + "-rt-p-g1", "deleted"), ("snapshot", DATA, name + "-rt-s-g1", "deleted"),
                        ("snapshot", NONPROD, name + "-rt-p-g1", "deleted"), ("snapshot", NONPROD, name + "-rt-s-g1", "deleted")]
    # shared twice, unshared twice (then deleted); copied from the data account three times (the automated one is not shared)
    assert requests.get("rds:ModifyDBSnapshotAttribute") == 4 and requests.get("rds:CopyDBSnapshot") == 3, requests
    assert leftovers(deployment, DATA, NONPROD) == nothing_left
    assert sorted(snapshots_named(rds, name)) == [name + "-corrupt", name + "-latest"]
    # The smoke test's row was rolled back.
    assert execute(conn, "SELECT count(*) FROM app.orders WHERE customer = 'smoke-test'") == [(0,)]
