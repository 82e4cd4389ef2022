"""rds_blue_green and playbooks/blue_green_upgrade.yml on the local environment, on real PostgreSQL servers.

One blue instance (PostgreSQL 15, rds.logical_replication=1) with data: bad inputs and unsupported sources fail
before any write; check mode writes nothing; the deployment is created (green = a standby labelled 16.4 with the
postgres16 group) and a second run changes nothing; the playbook switches over, checks that blue's endpoint answers
with the new version label and the old blue's data, and keeps the old blue (cleanup off); switched_over again
changes nothing; clean-up deletes the deployment and the old blue; a second clean-up changes nothing.
"""

import pathlib
import uuid

import psycopg2
import pytest

from rds_instance_helpers import ri_connect, ri_delete, ri_describe, ri_query
from step_play import failed, ok, run_steps, writes

MODULE = "innovate.aws_postgres.rds_blue_green"
PLAYBOOK = pathlib.Path(__file__).resolve().parents[2] / "playbooks" / "blue_green_upgrade.yml"
PASSWORD = "BlueGreen-Pass-01"


def bg_name(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def bg_play(ansible, steps):
    return run_steps(ansible, MODULE, steps)


@pytest.fixture(scope="module")
def env(localenv):
    rds = localenv.client("rds")
    names = dict(blue=bg_name("bgb"), managed=bg_name("bgm"), source_group=bg_name("bg-pg15"), target_group=bg_name("bg-pg16"))
    rds.create_db_parameter_group(DBParameterGroupName=names["source_group"], DBParameterGroupFamily="postgres15", Description="blue")
    rds.modify_db_parameter_group(DBParameterGroupName=names["source_group"], Parameters=[
        {"ParameterName": "rds.logical_replication", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    rds.create_db_parameter_group(DBParameterGroupName=names["target_group"], DBParameterGroupFamily="postgres16", Description="green")
    common = dict(Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.micro", AllocatedStorage=20, MasterUsername="owner",
                  DBName="app", BackupRetentionPeriod=1)
    rds.create_db_instance(DBInstanceIdentifier=names["blue"], MasterUserPassword=PASSWORD, DBParameterGroupName=names["source_group"],
                           DeletionProtection=True, **common)
    rds.create_db_instance(DBInstanceIdentifier=names["managed"], ManageMasterUserPassword=True, **common)
    for identifier in (names["blue"], names["managed"]):
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    yield dict(rds=rds, **names)
    for identifier in (names["blue"], names["blue"] + "-old1", names["managed"]):
        ri_delete(rds, identifier)


def test_blue_green_lifecycle(localenv, ansible, env):
    rds, blue_id = env["rds"], env["blue"]
    blue = ri_describe(rds, blue_id)
    conn = ri_connect(localenv, blue, "owner", PASSWORD)
    ri_query(conn, "CREATE TABLE orders (id int PRIMARY KEY, note text)")
    ri_query(conn, "INSERT INTO orders SELECT g, 'row ' || g FROM generate_series(1, 50) g")
    conn.close()
    name = bg_name("bgd")
    present = dict(blue_green_deployment_name=name, source=blue_id, target_engine_version="16.4",
                   target_db_parameter_group_name=env["target_group"], tags=dict(change="CHG-1"), wait_timeout=300)
    other_region_arn = blue["DBInstanceArn"].replace("us-east-1", "us-west-2")
    results = bg_play(ansible, [
        "reset",
        dict(present, blue_green_deployment_name="1-bad--name", switchover_timeout=10),
        dict(present, source=other_region_arn),
        dict(present, source="no-such-db"),
        dict(present, source=env["managed"]),
        dict(present, target_engine_version="14.9"),
        dict(present, target_db_parameter_group_name="default.postgres15"),
        dict(blue_green_deployment_name=name, state="switched_over"),
        dict(present, _check=True),
        "requests",
        present, present,
        dict(present, target_db_instance_class="db.r6g.large"),
        dict(blue_green_deployment_name=name, state="switched_over", _check=True),
    ])[1:]
    bad_name, region, missing, managed, lower, family, no_source, planned, requests, created, again, changed_class, switch_planned = results
    failed(bad_name, "2 problems", "blue_green_deployment_name: '1-bad--name'", "switchover_timeout: 10 seconds is below the minimum")
    failed(region, "is in us-west-2 but this task works in us-east-1")
    failed(missing, "source: DB instance no-such-db does not exist")
    failed(managed, "managed in AWS Secrets Manager", "rds.logical_replication=1")
    failed(lower, "14.9 is lower than its engine version 15")
    failed(family, "default.postgres15 is of family postgres15; engine version 16.4 needs a postgres16 group")
    failed(no_source, "no blue/green deployment named %s exists" % name)
    assert ok(planned, True)["changes"][0]["action"] == "create" and planned["blue_green_deployment"] is None
    assert planned["diff"]["after"]["status"] == "AVAILABLE"
    assert writes(requests) == {}, writes(requests)

    deployment = ok(created, True)["blue_green_deployment"]
    assert deployment["status"] == "AVAILABLE" and deployment["tags"] == {"change": "CHG-1"}
    green = created["target_instance"]
    assert green["engine_version"] == "16.4" and green["db_parameter_group_name"] == env["target_group"]
    assert green["identifier"].startswith(blue_id + "-green-") and created["source_instance"]["identifier"] == blue_id
    assert ok(again, False)["changes"] == [] and again["blue_green_deployment"]["identifier"] == deployment["identifier"]
    failed(changed_class, "target_db_instance_class: the green instance is db.t4g.micro, not db.r6g.large", "cannot be changed")
    assert ok(switch_planned, True)["changes"] == [dict(action="switchover", name=name, switchover_timeout=300)]
    assert switch_planned["blue_green_deployment"]["status"] == "AVAILABLE"

    # green streams from blue: a row written now is there after the switchover
    conn = ri_connect(localenv, blue, "owner", PASSWORD)
    ri_query(conn, "INSERT INTO orders VALUES (51, 'just before the switchover')")
    conn.close()
    run = ansible.playbook(str(PLAYBOOK), extra_vars=dict(
        blue_green_hosts="localhost", blue_green_source=blue_id, blue_green_deployment_name=name, blue_green_target_engine_version="16.4",
        blue_green_target_db_parameter_group_name=env["target_group"], blue_green_login_user="owner", blue_green_login_password=PASSWORD,
        blue_green_cleanup=False, aws_region="us-east-1"))
    assert run.failed_total() == 0, run.stdout[-4000:]
    assert run.result("Create the green environment and wait until it is in sync")["changed"] is False
    switched = run.result("Switch over")
    assert switched["changed"] is True and switched["blue_green_deployment"]["status"] == "SWITCHOVER_COMPLETED"
    assert run.result("Read the version label through blue's endpoint")["stdout"] == "16.4"
    assert run.result("Checksum the new blue instance and compare")["matches"] is True

    new_blue, old_blue = ri_describe(rds, blue_id), ri_describe(rds, blue_id + "-old1")
    assert new_blue["Endpoint"] == blue["Endpoint"] and new_blue["EngineVersion"] == "16.4"
    assert old_blue["EngineVersion"].startswith("15") and old_blue["DeletionProtection"] is True
    conn = ri_connect(localenv, new_blue, "owner", PASSWORD)
    assert ri_query(conn, "SELECT count(*), max(id) FROM orders") == [(51, 51)]
    ri_query(conn, "INSERT INTO orders VALUES (52, 'after the switchover')")
    conn.close()
    old = ri_connect(localenv, old_blue, "owner", PASSWORD)
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        ri_query(old, "INSERT INTO orders VALUES (53, 'refused on the old blue')")
    old.close()

    switched_again, absent_planned, absent, absent_again = bg_play(ansible, [
        dict(blue_green_deployment_name=name, state="switched_over"),
        dict(blue_green_deployment_name=name, state="absent", delete_old_source=True, _check=True),
        dict(blue_green_deployment_name=name, state="absent", delete_old_source=True, wait_timeout=300),
        dict(blue_green_deployment_name=name, source=blue_id, state="absent", delete_old_source=True),
    ])
    assert ok(switched_again, False)["changes"] == []
    planned_cleanup = [dict(action="delete", name=name, delete_target=False), dict(action="delete_old_source", identifier=blue_id + "-old1")]
    assert ok(absent_planned, True)["changes"] == planned_cleanup
    assert ok(absent, True)["blue_green_deployment"] is None
    assert ri_describe(rds, blue_id + "-old1") is None and ri_describe(rds, blue_id)["DBInstanceStatus"] == "available"
    assert rds.describe_blue_green_deployments()["BlueGreenDeployments"] == []
    assert ok(absent_again, False)["changes"] == []
