"""rds_instance restores: from a snapshot and to a point in time, with the task's settings.

The restored instances start from the source's data (a row written before the snapshot). Needs
the emulator's snapshots and restores (localenv/emulator/db_instances/snapshots.py, restores.py).
"""

import pytest

from rds_instance_helpers import ri_connect, ri_delete, ri_describe, ri_failed, ri_name, ri_ok, ri_play, ri_query, ri_step

PASSWORD = "Restore-Pass-0001"


@pytest.fixture(scope="module")
def rds(localenv):
    return localenv.client("rds")


@pytest.fixture(scope="module")
def names(rds):
    identifiers = dict(source=ri_name("ts"), snapshot=ri_name("tn"), pitr=ri_name("tp"))
    yield identifiers
    for identifier in (identifiers["snapshot"], identifiers["pitr"], identifiers["source"]):
        ri_delete(rds, identifier)


def test_restore_from_a_snapshot_and_to_a_point_in_time(localenv, ansible, rds, names):
    source = dict(identifier=names["source"], engine_version="15", instance_class="db.t4g.micro", allocated_storage=20,
                  db_name="app", master_username="owner", master_user_password=PASSWORD, backup_retention_period=1,
                  deletion_protection=False)
    created, = ri_play(ansible, [ri_step(source)])
    assert ri_ok(created)["changed"] is True
    conn = ri_connect(localenv, ri_describe(rds, names["source"]), "owner", PASSWORD)
    try:
        ri_query(conn, "CREATE TABLE kept (note text)")
        ri_query(conn, "INSERT INTO kept VALUES ('before the snapshot')")
    finally:
        conn.close()
    snapshot = names["source"] + "-snap"
    rds.create_db_snapshot(DBInstanceIdentifier=names["source"], DBSnapshotIdentifier=snapshot)
    rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier=snapshot, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    other_key = localenv.client("kms").create_key(Description="not the snapshot's key")["KeyMetadata"]["Arn"]
    from_snapshot = dict(identifier=names["snapshot"], restore=dict(source="snapshot", snapshot_identifier=snapshot),
                         instance_class="db.t4g.small", backup_retention_period=2, deletion_protection=False,
                         tags=dict(restored="yes"))
    to_time = dict(identifier=names["pitr"], restore=dict(source="point_in_time", source_db_instance_identifier=names["source"],
                                                          use_latest_restorable_time=True),
                   instance_class="db.t4g.micro", deletion_protection=False)
    wrong_key, missing, planned, restored, again, pitr = ri_play(ansible, [
        ri_step(dict(from_snapshot, kms_key_id=other_key)),
        ri_step(dict(from_snapshot, restore=dict(source="snapshot", snapshot_identifier="no-such-snapshot"))),
        ri_step(from_snapshot, check=True), ri_step(from_snapshot), ri_step(from_snapshot), ri_step(to_time),
    ])
    ri_failed(wrong_key, "a restore keeps that key")
    ri_failed(missing, "there is no DB snapshot no-such-snapshot")
    assert ri_ok(planned)["changed"] is True and planned["actions"] == ["restore"]
    assert ri_ok(restored)["changed"] is True
    assert ri_ok(again)["changed"] is False
    assert ri_ok(pitr)["changed"] is True
    record = ri_describe(rds, names["snapshot"])
    assert record["DBInstanceClass"] == "db.t4g.small" and record["BackupRetentionPeriod"] == 2
    assert dict((t["Key"], t["Value"]) for t in record["TagList"]).get("restored") == "yes"
    for identifier in (names["snapshot"], names["pitr"]):
        conn = ri_connect(localenv, ri_describe(rds, identifier), "owner", PASSWORD)
        try:
            assert ri_query(conn, "SELECT note FROM kept") == [("before the snapshot",)]
        finally:
            conn.close()
