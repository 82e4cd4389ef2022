"""DB snapshots are real base backups: creating -> available, final snapshots, copies, deletion (boto3)."""

import pathlib

import pytest
from botocore.exceptions import ClientError

from dataplane_env import DataplaneEnv, connect, create, describe, query, wait_for, wait_snapshot


@pytest.fixture(scope="module")
def sn_env():
    env = DataplaneEnv("sn-env-").start()
    yield env
    env.stop()


def test_snapshots_are_base_backups(sn_env):
    rds = sn_env.client()
    instance = create(rds, "sn-source", StorageEncrypted=True)
    conn = connect(sn_env, instance)
    query(conn, "CREATE TABLE items (id int)")
    query(conn, "INSERT INTO items VALUES (1)")

    automated = rds.describe_db_snapshots(DBInstanceIdentifier="sn-source", SnapshotType="automated")["DBSnapshots"]
    assert len(automated) == 1 and automated[0]["DBSnapshotIdentifier"].startswith("rds:sn-source-")
    with pytest.raises(ClientError, match="InvalidDBSnapshotState.*Only manual snapshots"):
        rds.delete_db_snapshot(DBSnapshotIdentifier=automated[0]["DBSnapshotIdentifier"])

    before = {backup["backup_id"] for backup in sn_env.backups()}
    sn_env.transitions(creating=1)
    try:
        snapshot = rds.create_db_snapshot(DBInstanceIdentifier="sn-source", DBSnapshotIdentifier="sn-manual")["DBSnapshot"]
        assert snapshot["Status"] == "creating"
        snapshot = wait_snapshot(rds, "sn-manual")
    finally:
        sn_env.transitions()
    source = describe(rds, "sn-source")
    assert snapshot["Status"] == "available" and snapshot["SnapshotType"] == "manual"
    assert snapshot["PercentProgress"] == 100
    assert (snapshot["AllocatedStorage"], snapshot["Engine"], snapshot["EngineVersion"]) == (
        source["AllocatedStorage"], "postgres", source["EngineVersion"])
    assert snapshot["Encrypted"] is True and snapshot["KmsKeyId"] == source["KmsKeyId"]
    assert snapshot["MasterUsername"] == "master"
    (new_backup,) = [backup for backup in sn_env.backups() if backup["backup_id"] not in before]
    backup_dir = pathlib.Path(new_backup["root"])
    assert new_backup["status"] == "available" and new_backup["source"][2] == "sn-source"
    assert (backup_dir / "data" / "PG_VERSION").read_text().strip() == "15"
    assert (backup_dir / "data" / "backup_label").exists()
    events = rds.describe_events(SourceIdentifier="sn-manual", SourceType="db-snapshot")["Events"]
    assert [event["Message"] for event in events] == ["Creating manual snapshot", "Manual snapshot created"]

    copied = rds.copy_db_snapshot(SourceDBSnapshotIdentifier="sn-manual", TargetDBSnapshotIdentifier="sn-copy")
    assert wait_snapshot(rds, "sn-copy")["Status"] == "available"
    assert copied["DBSnapshot"]["DBSnapshotIdentifier"] == "sn-copy"

    # a final snapshot is taken before the server goes away; automated snapshots go with the instance
    query(conn, "INSERT INTO items VALUES (2)")
    conn.close()
    rds.delete_db_instance(DBInstanceIdentifier="sn-source", FinalDBSnapshotIdentifier="sn-final")
    final = wait_snapshot(rds, "sn-final")
    assert final["DBInstanceIdentifier"] == "sn-source" and final["SnapshotType"] == "manual"
    assert rds.describe_db_snapshots(DBInstanceIdentifier="sn-source", SnapshotType="automated")["DBSnapshots"] == []
    ids = {snap["DBSnapshotIdentifier"] for snap in rds.describe_db_snapshots(DBInstanceIdentifier="sn-source")["DBSnapshots"]}
    assert ids == {"sn-manual", "sn-copy", "sn-final"}

    # the final snapshot holds the last row: restore it to check
    restored = rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="sn-check",
                                                        DBSnapshotIdentifier="sn-final")["DBInstance"]
    check = connect(sn_env, describe(rds, "sn-check"))
    assert query(check, "SELECT id FROM items ORDER BY id") == [(1,), (2,)]
    check.close()
    assert restored["MasterUsername"] == "master"

    deleted = rds.delete_db_snapshot(DBSnapshotIdentifier="sn-manual")["DBSnapshot"]
    assert deleted["Status"] == "deleted"
    assert wait_for(lambda: not backup_dir.exists(), timeout=10)
    with pytest.raises(ClientError, match="DBSnapshotNotFound"):
        rds.describe_db_snapshots(DBSnapshotIdentifier="sn-manual")
    for name in ("sn-copy", "sn-final"):
        rds.delete_db_snapshot(DBSnapshotIdentifier=name)
    rds.delete_db_instance(DBInstanceIdentifier="sn-check", SkipFinalSnapshot=True)


def test_bad_snapshot_requests_fail_cleanly(sn_env):
    rds = sn_env.client()
    before = len(sn_env.backups())
    with pytest.raises(ClientError, match="DBInstanceNotFound"):
        rds.create_db_snapshot(DBInstanceIdentifier="sn-missing", DBSnapshotIdentifier="sn-orphan")
    with pytest.raises(ClientError, match="DBSnapshotNotFound"):
        rds.delete_db_snapshot(DBSnapshotIdentifier="sn-orphan")
    with pytest.raises(ClientError, match="DBSnapshotNotFound"):
        rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="sn-never", DBSnapshotIdentifier="sn-orphan")
    assert len(sn_env.backups()) == before
    assert "sn-never" not in sn_env.servers()
