"""A manual snapshot shared by the data account is copied and restored in the nonprod account (boto3).

CopyDBSnapshot of another account's snapshot by ARN: refused until it is shared (DBSnapshotNotFound),
without KmsKeyId when encrypted, when the source key's policy does not let the copying account use
it, and when the source is encrypted with the default AWS managed key; the copy carries the base
backup, so a restore in the nonprod account holds the source's rows.
"""

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.rds.exceptions import RDSClientError

from dataplane_env import DataplaneEnv, connect, create, query, wait_available, wait_snapshot
from localenv import accounts
from localenv.emulator import snapshot_sharing

DATA, SECURITY, NONPROD = accounts.ACCOUNTS["data"], accounts.ACCOUNTS["security"], accounts.ACCOUNTS["nonprod"]


@pytest.fixture(scope="module")
def ss_env():
    env = DataplaneEnv("ss-env-").start()
    yield env
    env.stop()


def assumed(env, account_id, service, region="us-east-1"):
    creds = env.client("sts").assume_role(RoleArn=accounts.role_arn(account_id), RoleSessionName="ss-test")["Credentials"]
    return boto3.client(service, region_name=region, endpoint_url=env.endpoint_url, aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def key_policy(owner, *users):
    statements = [{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % owner}, "Action": "kms:*",
                   "Resource": "*"}]
    if users:
        statements.append({"Sid": "OtherAccountsUse", "Effect": "Allow",
                           "Principal": {"AWS": ["arn:aws:iam::%s:root" % user for user in users]},
                           "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
                           "Resource": "*"})
        statements.append({"Sid": "OtherAccountsGrants", "Effect": "Allow",
                           "Principal": {"AWS": ["arn:aws:iam::%s:root" % user for user in users]},
                           "Action": ["kms:CreateGrant", "kms:ListGrants"], "Resource": "*",
                           "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def error_code(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_the_nonprod_account_has_its_role_and_landing_zone_network(ss_env):
    assert assumed(ss_env, NONPROD, "sts").get_caller_identity()["Account"] == NONPROD
    ec2 = assumed(ss_env, NONPROD, "ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["innovate-nonprod"]}])["Vpcs"]
    assert [vpc["CidrBlock"] for vpc in vpcs] == ["10.50.0.0/16"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["private"]}])["Subnets"]
    assert sorted(subnet["AvailabilityZone"] for subnet in subnets) == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert {subnet["VpcId"] for subnet in subnets} == {vpcs[0]["VpcId"]}


def test_a_shared_snapshot_is_copied_and_restored_in_another_account(ss_env):
    security = assumed(ss_env, SECURITY, "kms")
    shared_key = security.create_key(Policy=key_policy(SECURITY, DATA, NONPROD))["KeyMetadata"]["Arn"]
    data_only_key = security.create_key(Policy=key_policy(SECURITY, DATA))["KeyMetadata"]["Arn"]
    nonprod_key = assumed(ss_env, NONPROD, "kms").create_key(Description="restore test copies")["KeyMetadata"]["Arn"]
    rds, target = assumed(ss_env, DATA, "rds"), assumed(ss_env, NONPROD, "rds")

    create(rds, "ss-source", StorageEncrypted=True, KmsKeyId=shared_key)
    create(rds, "ss-default-key", StorageEncrypted=True)
    conn = connect(ss_env, wait_available(rds, "ss-source"))
    query(conn, "CREATE TABLE items (note text)")
    query(conn, "INSERT INTO items VALUES ('from the data account')")
    conn.close()
    rds.create_db_snapshot(DBInstanceIdentifier="ss-source", DBSnapshotIdentifier="ss-manual")
    source = wait_snapshot(rds, "ss-manual")
    arn = source["DBSnapshotArn"]
    assert arn == "arn:aws:rds:us-east-1:%s:snapshot:ss-manual" % DATA

    # not shared yet: the nonprod account cannot see it
    code, message = error_code(target.copy_db_snapshot, SourceDBSnapshotIdentifier=arn, TargetDBSnapshotIdentifier="ss-copy",
                               KmsKeyId=nonprod_key)
    assert code == "DBSnapshotNotFound" and arn in message
    assert target.describe_db_snapshots(SnapshotType="shared")["DBSnapshots"] == []

    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="ss-manual", AttributeName="restore", ValuesToAdd=[NONPROD])
    attributes = rds.describe_db_snapshot_attributes(DBSnapshotIdentifier="ss-manual")["DBSnapshotAttributesResult"]
    assert attributes["DBSnapshotAttributes"] == [{"AttributeName": "restore", "AttributeValues": [NONPROD]}]
    assert [s["DBSnapshotArn"] for s in target.describe_db_snapshots(SnapshotType="shared")["DBSnapshots"]] == [arn]

    # encrypted and shared: a key of the copying account is required
    code, message = error_code(target.copy_db_snapshot, SourceDBSnapshotIdentifier=arn, TargetDBSnapshotIdentifier="ss-copy")
    assert code == "InvalidParameterValue" and "KmsKeyId" in message
    copy = target.copy_db_snapshot(SourceDBSnapshotIdentifier=arn, TargetDBSnapshotIdentifier="ss-copy", KmsKeyId=nonprod_key,
                                   CopyTags=True)["DBSnapshot"]
    assert copy["DBSnapshotArn"] == "arn:aws:rds:us-east-1:%s:snapshot:ss-copy" % NONPROD
    copy = wait_snapshot(target, "ss-copy")
    assert copy["SourceDBSnapshotIdentifier"] == arn and copy["KmsKeyId"] == nonprod_key and copy["Encrypted"] is True
    assert copy["SnapshotType"] == "manual" and copy["DBInstanceIdentifier"] == "ss-source"
    code, _message = error_code(target.copy_db_snapshot, SourceDBSnapshotIdentifier=arn, TargetDBSnapshotIdentifier="ss-copy",
                                KmsKeyId=nonprod_key)
    assert code == "DBSnapshotAlreadyExists"

    # the copy is a real base backup: the restore in nonprod holds the data account's row
    target.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="ss-restored", DBSnapshotIdentifier="ss-copy",
                                                DBInstanceClass="db.t3.micro")
    restored = wait_available(target, "ss-restored")
    assert restored["DBInstanceArn"].split(":")[4] == NONPROD and restored["KmsKeyId"] == nonprod_key
    check = connect(ss_env, restored)
    assert query(check, "SELECT note FROM items") == [("from the data account",)]
    check.close()
    assert [db["DBInstanceIdentifier"] for db in rds.describe_db_instances()["DBInstances"]] == ["ss-source", "ss-default-key"]

    # unshared (and then deleted) in the data account: no new copies; the copy made stays
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="ss-manual", AttributeName="restore", ValuesToRemove=[NONPROD])
    code, _message = error_code(target.copy_db_snapshot, SourceDBSnapshotIdentifier=arn, TargetDBSnapshotIdentifier="ss-copy2",
                                KmsKeyId=nonprod_key)
    assert code == "DBSnapshotNotFound"
    rds.delete_db_snapshot(DBSnapshotIdentifier="ss-manual")
    assert target.describe_db_snapshots(DBSnapshotIdentifier="ss-copy")["DBSnapshots"][0]["Status"] == "available"

    # a key whose policy does not let nonprod use it, and the default AWS managed key: refused
    rds.create_db_snapshot(DBInstanceIdentifier="ss-source", DBSnapshotIdentifier="ss-base")
    wait_snapshot(rds, "ss-base")
    rds.copy_db_snapshot(SourceDBSnapshotIdentifier="ss-base", TargetDBSnapshotIdentifier="ss-other-key", KmsKeyId=data_only_key)
    rds.create_db_snapshot(DBInstanceIdentifier="ss-default-key", DBSnapshotIdentifier="ss-default")
    wait_snapshot(rds, "ss-other-key")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="ss-other-key", AttributeName="restore", ValuesToAdd=[NONPROD])
    other = "arn:aws:rds:us-east-1:%s:snapshot:ss-other-key" % DATA
    code, message = error_code(target.copy_db_snapshot, SourceDBSnapshotIdentifier=other, TargetDBSnapshotIdentifier="ss-copy3",
                               KmsKeyId=nonprod_key)
    assert code == "KMSKeyNotAccessibleFault" and data_only_key in message and NONPROD in message
    wait_snapshot(rds, "ss-default")
    code, message = error_code(rds.modify_db_snapshot_attribute, DBSnapshotIdentifier="ss-default", AttributeName="restore",
                               ValuesToAdd=[NONPROD])
    assert code == "InvalidParameterValue" and "default AWS managed KMS key" in message
    assert sorted(s["DBSnapshotIdentifier"] for s in target.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]) == ["ss-copy"]


class _Snapshot:
    """What check_source_key reads of a snapshot."""

    def __init__(self, kms_key_id):
        self.kms_key_id = kms_key_id
        self.backend = type("Backend", (), {"account_id": DATA})()


def test_key_rules_of_a_shared_copy():
    policy = json.loads(key_policy(SECURITY, DATA, NONPROD))
    assert snapshot_sharing.policy_allows(policy, NONPROD) and snapshot_sharing.policy_allows(json.dumps(policy), DATA)
    assert not snapshot_sharing.policy_allows(policy, "999999999999")
    assert not snapshot_sharing.policy_allows(key_policy(SECURITY, DATA), NONPROD)
    wildcard = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": NONPROD}, "Action": "kms:*", "Resource": "*"}]}
    assert snapshot_sharing.policy_allows(wildcard, NONPROD)
    denied = {"Statement": wildcard["Statement"] + [{"Effect": "Deny", "Principal": "*", "Action": "kms:CreateGrant", "Resource": "*"}]}
    assert not snapshot_sharing.policy_allows(denied, NONPROD)
    decrypt_only = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:role/Any" % NONPROD},
                                   "Action": "kms:Decrypt", "Resource": "*"}]}
    assert not snapshot_sharing.policy_allows(decrypt_only, NONPROD) and not snapshot_sharing.policy_allows("not json", NONPROD)
    # moto's stand-in for aws/rds (StorageEncrypted without KmsKeyId), as if it had been shared anyway
    for key in ("default_kms_key_id", None):
        with pytest.raises(RDSClientError, match="default AWS managed key cannot be copied"):
            snapshot_sharing.check_source_key(_Snapshot(key), "arn:aws:rds:us-east-1:%s:snapshot:x" % DATA, NONPROD, "us-east-1")
    assert snapshot_sharing.parse_snapshot_arn("arn:aws:rds:us-east-1:%s:snapshot:Ab-1" % DATA) == (DATA, "us-east-1", "ab-1")
    assert snapshot_sharing.parse_snapshot_arn("ab-1") is None
