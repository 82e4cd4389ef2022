"""playbooks/dr_drill.yml on the local environment: a writer keeps inserting sequenced rows through the connection
secret during a planned Multi-AZ failover (no acknowledged row may be lost) and an unplanned failover to the
cross-Region replica (promoted, secret re-pointed, old primary fenced): the report accounts for every acknowledged
row (acknowledged = present + lost) and gives RPO and the client-side RTO. Bad input fails before any change.
"""

import json
import pathlib
import uuid

from rds_instance_helpers import ri_connect, ri_delete, ri_describe, ri_query

PLAYBOOK = pathlib.Path(__file__).resolve().parents[2] / "playbooks" / "dr_drill.yml"
PASSWORD = "Drill-Pass-0001"


def dd_name(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def test_dr_drill_switchover_and_failover(localenv, ansible, tmp_path):
    rds, west = localenv.client("rds"), localenv.client("rds", region="us-west-2")
    secrets = localenv.client("secretsmanager")
    primary_id, replica_id, secret_name = dd_name("ddp"), dd_name("ddr"), dd_name("drill/app")
    try:
        rds.create_db_instance(DBInstanceIdentifier=primary_id, Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.micro",
                               AllocatedStorage=20, MasterUsername="owner", MasterUserPassword=PASSWORD, DBName="app", MultiAZ=True,
                               BackupRetentionPeriod=1)
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=primary_id, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
        primary = ri_describe(rds, primary_id)
        west.create_db_instance_read_replica(DBInstanceIdentifier=replica_id, SourceDBInstanceIdentifier=primary["DBInstanceArn"],
                                             DBInstanceClass="db.t4g.micro")
        west.get_waiter("db_instance_available").wait(DBInstanceIdentifier=replica_id, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
        replica = ri_describe(west, replica_id)
        secret_arn = secrets.create_secret(Name=secret_name, SecretString=json.dumps(dict(
            engine="postgres", host=primary["Endpoint"]["Address"], port=primary["Endpoint"]["Port"], username="owner",
            password=PASSWORD, dbname="app")))["ARN"]

        reports = tmp_path / "reports"
        base = dict(drill_hosts="localhost", aws_region="us-east-1", drill_secret_id=secret_arn, drill_report_dir=str(reports),
                    drill_work_dir=str(tmp_path / "work"), drill_write_seconds_before=1, drill_write_seconds_after=2)
        bad = ansible.playbook(str(PLAYBOOK), extra_vars=dict(base, drill_phases=[]))
        assert bad.failed_total() == 1 and "Set drill_secret_id" in json.dumps(bad.report)
        assert not reports.exists()
        bad_writer = ansible.module("pg_drill_writer", dict(state="fence", run_id="x", secret_id=secret_arn, work_dir=str(tmp_path / "work")))
        assert bad_writer["failed"] is True and "fence_host is required with state=fence" in bad_writer["msg"]
        assert "Traceback" not in json.dumps(bad_writer)

        phases = [
            dict(name="switchover", action="multi_az", db_instance_identifier=primary_id, expect_no_loss=True),
            dict(name="failover", action="promote_replica", db_instance_identifier=replica_id, region="us-west-2", fence_old_writer="before"),
        ]
        run = ansible.playbook(str(PLAYBOOK), extra_vars=dict(base, drill_phases=phases))
        assert run.failed_total() == 0, run.stdout[-5000:]
        [report_file] = list(reports.glob("*.json"))
        report = json.loads(report_file.read_text())
        markdown = report_file.with_suffix(".md").read_text()
        switchover, failover = report["phases"]

        # planned: every acknowledged commit is on the primary; the writer saw the restart and came back
        assert switchover["lost"] == 0 and switchover["rpo_seconds"] == 0 and switchover["consistent"] is True
        assert switchover["acknowledged"] == switchover["present_acknowledged"] > 20
        assert switchover["rto_seconds"] is not None and 0 < switchover["rto_seconds"] < 30
        assert switchover["new_primary"] == switchover["old_primary"]

        # unplanned: the accounting adds up, whatever was lost; the writer follows the secret to the promoted replica
        assert failover["consistent"] is True
        assert failover["acknowledged"] == failover["present_acknowledged"] + failover["lost"] and failover["rpo_rows"] == failover["lost"]
        assert failover["new_primary"] == dict(host=replica["Endpoint"]["Address"], port=replica["Endpoint"]["Port"])
        assert failover["old_primary"]["port"] == primary["Endpoint"]["Port"]
        assert failover["rto_seconds"] is not None and failover["failed_attempts"] > 0
        stored = json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"])
        assert stored["port"] == replica["Endpoint"]["Port"] and stored["password"] == PASSWORD

        # the report's numbers are the databases' numbers
        conn = ri_connect(localenv, ri_describe(west, replica_id), "owner", PASSWORD)
        rows = ri_query(conn, "SELECT run_id, count(*) FROM drill_writes GROUP BY run_id ORDER BY run_id")
        conn.close()
        counts = dict(rows)
        assert counts[report["drill"] + "-failover"] == failover["present_acknowledged"] + failover["unacknowledged_present"]
        assert "| switchover | multi_az |" in markdown and "| failover | promote_replica |" in markdown
        assert report["drill"] in markdown
        print("DRILL switchover rpo_rows=%s rto=%s service_rto=%s | failover rpo_rows=%s rpo_s=%s rto=%s service_rto=%s | total %ss" % (
            switchover["rpo_rows"], switchover["rto_seconds"], switchover["service_rto_seconds"], failover["rpo_rows"],
            failover["rpo_seconds"], failover["rto_seconds"], failover["service_rto_seconds"], report["seconds"]))
    finally:
        ri_delete(west, replica_id)
        ri_delete(rds, primary_id)
