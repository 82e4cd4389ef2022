"""rds_snapshot through ansible-playbook on the local environment, on a real PostgreSQL instance.

One instance (encrypted with a customer managed key) is created with boto3; the module snapshots it
(check mode first), copies the snapshot to us-west-2 re-encrypted with a us-west-2 key, shares and
unshares the copy, shares a copy with the nonprod account, which copies it by ARN with its own key,
prunes nightly snapshots and deletes; bad inputs fail cleanly and write nothing.
A restore of the cross-region copy contains the row written before the snapshot.
"""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from rds_instance_helpers import ri_connect, ri_delete, ri_describe, ri_query
from step_play import failed, ok, run_steps, writes as step_writes

MODULE = "innovate.aws_postgres.rds_snapshot"
PASSWORD = "Snapshot-Pass-0001"
BACKUP_ACCOUNT = "333333333333"
NONPROD = "555555555555"
NONPROD_ROLE = "arn:aws:iam::%s:role/InnovateAutomation" % NONPROD


def sn_name(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def sn_play(ansible, steps):
    return run_steps(ansible, MODULE, steps)


def writes(requests_result):
    return step_writes(requests_result, ("rds", "kms"))


def snapshot(rds, identifier):
    try:
        return rds.describe_db_snapshots(DBSnapshotIdentifier=identifier)["DBSnapshots"][0]
    except ClientError as error:
        if error.response["Error"]["Code"] in ("DBSnapshotNotFound", "DBSnapshotNotFoundFault"):
            return None
        raise


def shared_with(rds, identifier):
    result = rds.describe_db_snapshot_attributes(DBSnapshotIdentifier=identifier)["DBSnapshotAttributesResult"]
    return [value for attribute in result["DBSnapshotAttributes"] if attribute["AttributeName"] == "restore"
            for value in attribute["AttributeValues"]]


@pytest.fixture(scope="module")
def env(localenv):
    rds, west = localenv.client("rds"), localenv.client("rds", region="us-west-2")
    east_key = localenv.client("kms").create_key(Description="rds_snapshot test east")["KeyMetadata"]["Arn"]
    west_kms = localenv.client("kms", region="us-west-2")
    west_key = west_kms.create_key(Description="rds_snapshot test west")["KeyMetadata"]["KeyId"]
    west_alias = "alias/" + sn_name("snaptest-west")
    west_kms.create_alias(AliasName=west_alias, TargetKeyId=west_key)
    names = dict(instance=sn_name("sn"), restored=sn_name("snr"))
    rds.create_db_instance(DBInstanceIdentifier=names["instance"], Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.micro",
                           AllocatedStorage=20, MasterUsername="owner", MasterUserPassword=PASSWORD, DBName="app",
                           StorageEncrypted=True, KmsKeyId=east_key, BackupRetentionPeriod=1, DeletionProtection=False)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=names["instance"], WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    account = localenv.client("sts").get_caller_identity()["Account"]
    # a key this account shares with nonprod (as kms_key grant_accounts makes it), and nonprod's own key for its copies
    grants = {"AWS": "arn:aws:iam::%s:root" % NONPROD}
    shareable_key = localenv.client("kms").create_key(Description="rds_snapshot test shared", Policy=json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % account}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": grants, "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:ReEncrypt*"], "Resource": "*"},
        {"Effect": "Allow", "Principal": grants, "Action": ["kms:CreateGrant"], "Resource": "*"}]}))["KeyMetadata"]["Arn"]
    nonprod_key = localenv.client("kms", account_id=NONPROD).create_key(Description="rds_snapshot test nonprod")["KeyMetadata"]["Arn"]
    yield dict(rds=rds, west=west, east_key=east_key, west_alias=west_alias, west_key_arn=west_kms.describe_key(KeyId=west_key)["KeyMetadata"]["Arn"],
               account=account, shareable_key=shareable_key, nonprod_key=nonprod_key, **names)
    ri_delete(west, names["restored"])
    ri_delete(rds, names["instance"])


def test_snapshot_copy_share_prune_delete(localenv, ansible, env):
    rds, west, instance = env["rds"], env["west"], env["instance"]
    conn = ri_connect(localenv, ri_describe(rds, instance), "owner", PASSWORD)
    try:
        ri_query(conn, "CREATE TABLE kept (note text)")
        ri_query(conn, "INSERT INTO kept VALUES ('before the snapshot')")
    finally:
        conn.close()
    snap = instance + "-manual"
    arn = "arn:aws:rds:us-east-1:%s:snapshot:%s" % (env["account"], snap)
    create = dict(snapshot_identifier=snap, db_instance_identifier=instance, tags=dict(purpose="test"), wait_timeout=300)
    copy = dict(snapshot_identifier=snap, region="us-west-2", source_snapshot=arn, kms_key_id=env["west_alias"], copy_tags=True)
    # a copy with the key nonprod may use, shared with nonprod; nonprod copies it by ARN with its own key
    shared_arn = "arn:aws:rds:us-east-1:%s:snapshot:%s-np" % (env["account"], snap)
    to_nonprod = dict(snapshot_identifier=snap + "-np", source_snapshot=snap, kms_key_id=env["shareable_key"], shared_accounts=[NONPROD])
    in_nonprod = dict(snapshot_identifier=snap + "-np", source_snapshot=shared_arn, kms_key_id=env["nonprod_key"], assume_role_arn=NONPROD_ROLE)
    results = sn_play(ansible, [
        "reset", dict(create, _check=True), "requests", create, create,
        dict(copy, _check=True), copy, copy,
        dict(copy, shared_accounts=[BACKUP_ACCOUNT]), dict(copy, shared_accounts=[BACKUP_ACCOUNT]),
        dict(snapshot_identifier=snap, region="us-west-2", shared_accounts=[]),
        to_nonprod, dict(in_nonprod, _check=True), in_nonprod, in_nonprod,
        dict(snapshot_identifier=snap + "-np", state="absent", assume_role_arn=NONPROD_ROLE),
    ])[1:]
    planned, planned_requests, created, again, copy_planned, copied, copied_again, shared, shared_again, unshared = results[:10]
    np_shared, np_planned, np_copied, np_again, np_deleted = results[10:]
    assert ok(planned, True)["changes"] == [dict(action="create", snapshot=snap, source=instance)]
    assert planned["snapshot"] is None and planned["diff"]["after"]["tags"] == {"purpose": "test"}
    assert writes(planned_requests) == {}
    record = ok(created, True)["snapshot"]
    assert record["status"] == "available" and record["db_instance_identifier"] == instance and record["tags"] == {"purpose": "test"}
    assert record["kms_key_id"] == env["east_key"]
    assert ok(again, False)["changes"] == []
    assert ok(copy_planned, True)["changes"][0]["action"] == "copy" and copy_planned["snapshot"] is None
    copy_record = ok(copied, True)["snapshot"]
    assert copy_record["kms_key_id"] == env["west_key_arn"] and copy_record["source_region"] == "us-east-1"
    assert copy_record["status"] == "available" and copy_record["tags"] == {"purpose": "test"}
    assert ok(copied_again, False)["changes"] == []
    assert ok(shared, True)["shared_accounts"] == [BACKUP_ACCOUNT]
    assert ok(shared_again, False)["changes"] == []
    assert ok(unshared, True)["changes"] == [dict(action="share", add=[], remove=[BACKUP_ACCOUNT])]
    assert shared_with(west, snap) == []
    assert ok(np_shared, True)["shared_accounts"] == [NONPROD] and np_shared["snapshot"]["kms_key_id"] == env["shareable_key"]
    assert ok(np_planned, True)["changes"][0] == dict(action="copy", snapshot=snap + "-np", source=shared_arn, source_region=None,
                                                      kms_key_id=env["nonprod_key"], copy_tags=False)
    np_record = ok(np_copied, True)["snapshot"]
    assert np_record["db_snapshot_arn"] == "arn:aws:rds:us-east-1:%s:snapshot:%s-np" % (NONPROD, snap)
    assert np_record["source_db_snapshot_identifier"] == shared_arn and np_record["kms_key_id"] == env["nonprod_key"]
    assert np_record["status"] == "available"
    assert ok(np_again, False)["changes"] == []
    assert ok(np_deleted, True)["changes"] == [dict(action="delete", snapshot=snap + "-np")]

    # bad inputs: each fails before any write
    automated = rds.describe_db_snapshots(DBInstanceIdentifier=instance, SnapshotType="automated")["DBSnapshots"][0]["DBSnapshotIdentifier"]
    aws_key_copy = snap + "-awskey"
    results = sn_play(ansible, [
        dict(snapshot_identifier=aws_key_copy, source_snapshot=snap, kms_key_id="alias/aws/rds"),
        "reset",
        dict(snapshot_identifier="x-" + snap, db_instance_identifier=instance, db_cluster_identifier="some-cluster"),
        dict(snapshot_identifier="1bad--id", db_instance_identifier=instance),
        dict(mode="prune", db_instance_identifier=instance, name_prefix="nightly-", keep_count=-1),
        dict(snapshot_identifier="x-" + snap, region="us-west-2", source_snapshot=arn),
        dict(snapshot_identifier=aws_key_copy, shared_accounts=[BACKUP_ACCOUNT]),
        dict(snapshot_identifier=snap, db_instance_identifier="some-other-db"),
        dict(snapshot_identifier=automated, state="absent"),
        dict(snapshot_identifier="x-" + snap, db_instance_identifier="no-such-db"),
        dict(snapshot_identifier=snap, shared_accounts=["12345"]),
        dict(in_nonprod, snapshot_identifier="x-" + snap, kms_key_id=None),
        dict(in_nonprod, snapshot_identifier="x-" + snap, source_snapshot=arn),
        "requests",
    ])
    ok(results[0], True)
    both, bad_id, negative, no_key, aws_key, other_source, auto, missing, bad_account, np_no_key, np_not_shared, requests = results[2:]
    failed(both, "mutually exclusive", "db_instance_identifier", "db_cluster_identifier")
    failed(bad_id, "snapshot_identifier", "'1bad--id'", "starting with a letter")
    failed(negative, "keep_count", "-1", "at least 1")
    failed(no_key, "kms_key_id", "encrypted", "us-west-2")
    failed(aws_key, "shared_accounts", "aws/rds")
    failed(other_source, "already exists", instance, "some-other-db")
    failed(auto, "automated", "cannot be deleted")
    failed(missing, "db_instance_identifier", "no-such-db")
    failed(bad_account, "shared_accounts", "'12345'", "12 digits")
    failed(np_no_key, "kms_key_id", "shared by account %s" % env["account"], "KMS key of this account")
    failed(np_not_shared, "source_snapshot", arn, "not shared with this account")
    assert writes(requests) == {}
    assert snapshot(west, "x-" + snap) is None and snapshot(rds, "x-" + snap) is None and shared_with(rds, aws_key_copy) == []

    # prune: three nightly snapshots, keep the newest
    nightly = ["nightly-%s-%d" % (instance, index) for index in range(3)]
    for identifier in nightly:
        rds.create_db_snapshot(DBInstanceIdentifier=instance, DBSnapshotIdentifier=identifier)
        rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier=identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    prune = dict(mode="prune", db_instance_identifier=instance, name_prefix="nightly-", keep_count=1)
    listed, dry, pruned, pruned_again, deleted, deleted_again = sn_play(ansible, [
        dict(prune, _check=True), dict(prune, prune_dry_run=True), prune, prune,
        dict(snapshot_identifier=snap, state="absent"), dict(snapshot_identifier=snap, state="absent"),
    ])
    assert ok(listed, True)["deleted"] == [nightly[1], nightly[0]] and listed["kept"] == [nightly[2]] and listed["dry_run"] is True
    assert ok(dry, False)["deleted"] == [nightly[1], nightly[0]]
    assert ok(pruned, True)["deleted"] == [nightly[1], nightly[0]] and pruned["dry_run"] is False
    assert ok(pruned_again, False)["deleted"] == []
    assert [snapshot(rds, identifier) is None for identifier in nightly] == [True, True, False]
    assert snapshot(rds, aws_key_copy) is not None  # not matching the prefix: never pruned
    assert ok(deleted, True)["changes"] == [dict(action="delete", snapshot=snap)] and snapshot(rds, snap) is None
    assert ok(deleted_again, False)["changes"] == []

    # the cross-region copy is a real backup: a restore of it holds the row
    west.restore_db_instance_from_db_snapshot(DBInstanceIdentifier=env["restored"], DBSnapshotIdentifier=snap,
                                              DBInstanceClass="db.t4g.micro", DeletionProtection=False)
    west.get_waiter("db_instance_available").wait(DBInstanceIdentifier=env["restored"], WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    conn = ri_connect(localenv, ri_describe(west, env["restored"]), "owner", PASSWORD)
    try:
        assert ri_query(conn, "SELECT note FROM kept") == [("before the snapshot",)]
    finally:
        conn.close()
