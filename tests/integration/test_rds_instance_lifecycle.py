"""rds_instance: a creation under throttling, 5xx errors and slow transitions; pending reboot;
stop, start and reboot; a given master password.

One instance with a given password and a custom parameter group; its real PostgreSQL server
shows that the reboot applied the static parameter and that the new password works.
"""

import datetime

import psycopg2
import pytest

from rds_instance_helpers import ri_connect, ri_delete, ri_describe, ri_failed, ri_name, ri_ok, ri_play, ri_query, ri_step, writes_of

PASSWORD = "Lifecycle-Pass-0001"
NEW_PASSWORD = "Lifecycle-Pass-0002"


@pytest.fixture(scope="module")
def rds(localenv):
    return localenv.client("rds")


@pytest.fixture(scope="module")
def group(rds):
    name = ri_name("rl-pg15")
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily="postgres15", Description="rds_instance lifecycle")
    return name


@pytest.fixture(scope="module")
def spec(rds, group):
    declared = dict(identifier=ri_name("rl"), engine_version="15", instance_class="db.t4g.micro", allocated_storage=20,
                    db_name="app", master_username="owner", master_user_password=PASSWORD, db_parameter_group_name=group,
                    backup_retention_period=1, deletion_protection=False, wait_timeout=300)
    yield declared
    ri_delete(rds, declared["identifier"])


def window_away_from(now):
    """A 30-minute maintenance window two days away from ``now``."""
    later = now + datetime.timedelta(days=2)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[later.weekday()]
    return "%s:%02d:00-%s:%02d:30" % (day, later.hour, day, later.hour)


def test_creation_converges_under_throttling_errors_and_slow_transitions(localenv, ansible, rds, spec):
    localenv.set_transitions(creating=4, modifying=2, rebooting=2)
    localenv.set_faults(throttle_rate=0.2, error_rate=0.15, services=["rds"], seed=20)
    try:
        created, again = ri_play(ansible, [ri_step(spec), ri_step(spec)])
        injected = localenv.status()["faults"]["injected"]
    finally:
        localenv.clear_faults()
        localenv.set_transitions(creating=0, modifying=0, rebooting=0)
    assert ri_ok(created)["changed"] is True
    assert created["instance"]["db_instance_status"] == "available"
    assert ri_ok(again)["changed"] is False
    assert injected > 0
    record = ri_describe(rds, spec["identifier"])
    assert record["DBInstanceStatus"] == "available" and record["DBParameterGroups"][0]["DBParameterGroupName"] == spec["db_parameter_group_name"]
    assert created["master_user_secret_arn"] is None
    assert PASSWORD not in str(created)
    conn = ri_connect(localenv, record, "owner", PASSWORD)
    conn.close()


def test_a_pending_reboot_is_done_once_when_asked(localenv, ansible, rds, spec):
    rds.modify_db_parameter_group(DBParameterGroupName=spec["db_parameter_group_name"], Parameters=[
        dict(ParameterName="max_connections", ParameterValue="42", ApplyMethod="pending-reboot")])
    assert ri_describe(rds, spec["identifier"])["DBParameterGroups"][0]["ParameterApplyStatus"] == "pending-reboot"
    elsewhere = window_away_from(datetime.datetime.now(datetime.timezone.utc))
    spec["preferred_maintenance_window"] = elsewhere
    _reset, left, outside, requests, rebooted, after = ri_play(ansible, [
        "reset", ri_step(spec), ri_step(dict(spec, reboot_for_pending="maintenance")), "requests",
        ri_step(dict(spec, reboot_for_pending="now")), ri_step(dict(spec, reboot_for_pending="now")),
    ])
    # never (the default): left for a later reboot, and said so
    assert ri_ok(left)["changed"] is True  # the maintenance window moved
    assert left["pending_reboot"] is True and "reboot" not in left["actions"]
    # maintenance: only inside the instance's maintenance window, which is two days away
    assert ri_ok(outside)["changed"] is False and outside["pending_reboot"] is True
    assert writes_of(requests) == {"rds:ModifyDBInstance": 1}
    # now: one reboot, then nothing pending
    assert ri_ok(rebooted)["changed"] is True and rebooted["actions"] == ["reboot"]
    assert rebooted["pending_reboot"] is False
    assert ri_ok(after)["changed"] is False and after["pending_reboot"] is False
    record = ri_describe(rds, spec["identifier"])
    assert record["DBParameterGroups"][0]["ParameterApplyStatus"] == "in-sync"
    conn = ri_connect(localenv, record, "owner", PASSWORD)
    try:
        assert ri_query(conn, "SHOW max_connections") == [("42",)]
    finally:
        conn.close()


def test_stop_start_reboot_and_a_new_password(localenv, ansible, rds, spec):
    stopped = dict(spec, state="stopped")
    (_reset, stop, still, refused, start, reboot, password, requests) = ri_play(ansible, [
        "reset", ri_step(stopped), ri_step(stopped), ri_step(dict(stopped, backup_retention_period=3)),
        ri_step(spec), ri_step(dict(spec, state="rebooted")),
        ri_step(dict(spec, master_user_password=NEW_PASSWORD, update_password="always")), "requests",
    ])
    assert ri_ok(stop)["changed"] is True and stop["actions"] == ["stop"]
    assert stop["instance"]["db_instance_status"] == "stopped"
    assert ri_ok(still)["changed"] is False
    ri_failed(refused, "cannot modify a stopped instance", "backup_retention_period")
    assert ri_ok(start)["changed"] is True and start["actions"] == ["start"]
    assert start["instance"]["db_instance_status"] == "available"
    assert ri_ok(reboot)["changed"] is True and reboot["actions"] == ["reboot"]
    assert ri_ok(password)["changed"] is True
    assert [c["option"] for c in password["changes"]] == ["master_user_password"]
    assert NEW_PASSWORD not in str(password) and PASSWORD not in str(password)
    assert requests["json"]["by_operation"].get("rds:RebootDBInstance") == 1
    record = ri_describe(rds, spec["identifier"])
    assert record["DBInstanceStatus"] == "available" and record["BackupRetentionPeriod"] == 1
    ri_connect(localenv, record, "owner", NEW_PASSWORD).close()
    with pytest.raises(psycopg2.OperationalError):
        ri_connect(localenv, record, "owner", PASSWORD)


def test_delete_without_a_final_snapshot(ansible, rds, spec):
    absent = dict(identifier=spec["identifier"], state="absent", skip_final_snapshot=True)
    deleted, = ri_play(ansible, [ri_step(absent)])
    assert ri_ok(deleted)["changed"] is True and deleted["actions"] == ["delete"]
    assert deleted["final_snapshot_identifier"] is None
    assert ri_describe(rds, spec["identifier"]) is None
    assert not [s for s in rds.describe_db_snapshots()["DBSnapshots"] if s["DBInstanceIdentifier"] == spec["identifier"]
                and s.get("SnapshotType") == "manual"]
