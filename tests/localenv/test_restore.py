"""Restores from snapshots and to a point in time start real servers; Multi-AZ failover and stop/start."""

import datetime
import time

import pytest
from botocore.exceptions import ClientError

from dataplane_env import DataplaneEnv, connect, create, describe, query, wait_snapshot


@pytest.fixture(scope="module")
def rs_env():
    env = DataplaneEnv("rs-env-").start()
    yield env
    env.stop()


def rs_ids(conn):
    return [row[0] for row in query(conn, "SELECT id FROM items ORDER BY id")]


def test_restore_from_snapshot_and_to_point_in_time(rs_env):
    rds, ec2 = rs_env.client(), rs_env.client("ec2")
    rds.create_db_parameter_group(DBParameterGroupName="rs-group", DBParameterGroupFamily="postgres15",
                                  Description="restore target")
    group_id = ec2.create_security_group(GroupName="rs-sg", Description="restore")["GroupId"]
    source = create(rs_env.client(), "rs-source", Tags=[{"Key": "team", "Value": "source"}])
    conn = connect(rs_env, source)
    query(conn, "CREATE TABLE items (id int PRIMARY KEY)")
    query(conn, "INSERT INTO items VALUES (1)")
    wait_snapshot(rds, rds.create_db_snapshot(DBInstanceIdentifier="rs-source", DBSnapshotIdentifier="rs-snap",
                                              Tags=[{"Key": "from", "Value": "snapshot"}])["DBSnapshot"]["DBSnapshotIdentifier"])
    query(conn, "INSERT INTO items VALUES (2)")
    time.sleep(0.2)
    between = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(0.2)
    query(conn, "INSERT INTO items VALUES (3)")

    restored = rds.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier="rs-from-snap", DBSnapshotIdentifier="rs-snap", DBInstanceClass="db.t3.small",
        DBParameterGroupName="rs-group", VpcSecurityGroupIds=[group_id], MultiAZ=True,
        Tags=[{"Key": "restored", "Value": "yes"}])["DBInstance"]
    assert restored["DBInstanceClass"] == "db.t3.small" and restored["MultiAZ"] is True
    assert restored["DBParameterGroups"][0]["DBParameterGroupName"] == "rs-group"
    assert [group["VpcSecurityGroupId"] for group in restored["VpcSecurityGroups"]] == [group_id]
    assert restored["TagList"] == [{"Key": "restored", "Value": "yes"}]
    assert restored["MasterUsername"] == "master" and "ReadReplicaSourceDBInstanceIdentifier" not in restored
    plain = rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="rs-plain", DBSnapshotIdentifier="rs-snap",
                                                     MultiAZ=False)["DBInstance"]
    assert plain["MultiAZ"] is False and plain["TagList"] == [{"Key": "from", "Value": "snapshot"}]
    assert plain["DBParameterGroups"][0]["DBParameterGroupName"].startswith("default.postgres")
    from_snap = connect(rs_env, describe(rds, "rs-from-snap"))
    assert rs_ids(from_snap) == [1]
    query(from_snap, "INSERT INTO items VALUES (100)")  # a restored instance is writable
    from_snap.close()

    latest = describe(rds, "rs-source")["LatestRestorableTime"]
    assert latest >= between
    pitr = rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="rs-source",
                                                    TargetDBInstanceIdentifier="rs-pitr", RestoreTime=between)["DBInstance"]
    assert "ReadReplicaSourceDBInstanceIdentifier" not in pitr and pitr["MultiAZ"] is False
    at_time = connect(rs_env, describe(rds, "rs-pitr"))
    assert rs_ids(at_time) == [1, 2]
    query(at_time, "INSERT INTO items VALUES (200)")
    at_time.close()
    query(conn, "INSERT INTO items VALUES (4)")
    newest = rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="rs-source",
                                                      TargetDBInstanceIdentifier="rs-latest",
                                                      UseLatestRestorableTime=True)["DBInstance"]
    assert newest["DBInstanceStatus"] in ("creating", "available")
    at_latest = connect(rs_env, describe(rds, "rs-latest"))
    assert rs_ids(at_latest) == [1, 2, 3, 4]
    at_latest.close()
    events = [event["Message"] for event in rds.describe_events(SourceIdentifier="rs-pitr", SourceType="db-instance")["Events"]]
    assert "Restored from DB instance to a point in time" in events

    too_late = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    too_early = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    for arguments, error in (
        ({"RestoreTime": too_late}, "InvalidRestoreFault"),
        ({"RestoreTime": too_early}, "InvalidRestoreFault"),
        ({"RestoreTime": between, "UseLatestRestorableTime": True}, "InvalidParameterCombination"),
        ({}, "InvalidParameterCombination"),
        ({"UseLatestRestorableTime": True, "DBParameterGroupName": "rs-missing"}, "DBParameterGroupNotFound"),
    ):
        with pytest.raises(ClientError, match=error):
            rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="rs-source",
                                                     TargetDBInstanceIdentifier="rs-bad", **arguments)
    with pytest.raises(ClientError, match="DBInstanceNotFound"):
        describe(rds, "rs-bad")
    assert "rs-bad" not in rs_env.servers()
    conn.close()
    for name in ("rs-source", "rs-from-snap", "rs-plain", "rs-pitr", "rs-latest"):
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)


def test_forced_failover_and_stop_start_keep_data_and_endpoint(rs_env):
    rds = rs_env.client()
    instance = create(rds, "rs-multi", MultiAZ=True)
    conn = connect(rs_env, instance)
    query(conn, "CREATE TABLE items (id int)")
    query(conn, "INSERT INTO items VALUES (1)")
    conn.close()
    before = describe(rds, "rs-multi")
    assert before["SecondaryAvailabilityZone"] != before["AvailabilityZone"]
    pid = rs_env.servers()["rs-multi"]["pid"]
    rds.reboot_db_instance(DBInstanceIdentifier="rs-multi", ForceFailover=True)
    after = describe(rds, "rs-multi")
    assert after["Endpoint"] == before["Endpoint"]
    assert (after["AvailabilityZone"], after["SecondaryAvailabilityZone"]) == (
        before["SecondaryAvailabilityZone"], before["AvailabilityZone"])
    assert rs_env.servers()["rs-multi"]["pid"] != pid
    events = [event["Message"] for event in rds.describe_events(SourceIdentifier="rs-multi", SourceType="db-instance")["Events"]]
    assert events[-3:] == ["Multi-AZ instance failover started.", "Multi-AZ instance failover completed",
                           "DB instance restarted"]
    conn = connect(rs_env, after)
    assert rs_ids(conn) == [1]
    conn.close()

    rds.stop_db_instance(DBInstanceIdentifier="rs-multi")
    stopped = describe(rds, "rs-multi")
    assert stopped["DBInstanceStatus"] == "stopped" and "LatestRestorableTime" in stopped
    rds.start_db_instance(DBInstanceIdentifier="rs-multi")
    conn = connect(rs_env, describe(rds, "rs-multi"))
    assert rs_ids(conn) == [1]
    conn.close()

    single = create(rds, "rs-single")
    with pytest.raises(ClientError, match="InvalidParameterCombination.*Multi-AZ"):
        rds.reboot_db_instance(DBInstanceIdentifier="rs-single", ForceFailover=True)
    assert describe(rds, "rs-single")["Endpoint"] == single["Endpoint"]
    for name in ("rs-multi", "rs-single"):
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
