"""s3_backup_bucket through ansible-playbook against the local AWS environment.

One WORM bucket goes through create (check mode first), idempotent re-run, a stronger retention,
the refusals that would weaken it, and a refused deletion while it holds a locked dump; a second,
unlocked bucket covers Object Lock enabled later and the forced deletion. State is verified with
boto3, never only with the module's result.
"""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

MODULE = "innovate.aws_postgres.s3_backup_bucket"
READS = ("GET", "HEAD")  # the emulator counts S3 REST requests by HTTP method


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def run(ansible, args, check=False, diff=False):
    return ansible.module(MODULE, args, check=check, diff=diff)


def ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def failed(result):
    assert result.get("failed") is True, result
    assert "Traceback" not in result.get("msg", "") and "module_stderr" not in result, result
    return result


def s3_writes(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items()
                if k.startswith("s3:") and k.split(":", 1)[1] not in READS)


def exists(s3, name):
    try:
        s3.head_bucket(Bucket=name)
    except ClientError:
        return False
    return True


@pytest.fixture(scope="module")
def key_arn(localenv):
    return localenv.client("kms").create_key(Description="s3_backup_bucket tests")["KeyMetadata"]["Arn"]


@pytest.fixture
def s3(localenv):
    return localenv.client("s3")


def test_worm_bucket_lifecycle(ansible, localenv, s3, key_arn):
    name = unique("it-pg-dumps")
    args = dict(name=name, kms_key_id=key_arn, object_lock_mode="GOVERNANCE", retention_days=7,
                noncurrent_version_expiration_days=400, transition_days=30, tags={"env": "it", "purpose": "dumps"})

    localenv.reset_requests()
    planned = ok(run(ansible, args, check=True, diff=True))
    assert planned["changed"] is True and planned["diff"]["before"] == {}
    assert planned["actions"] == ["create", "public_access_block", "encryption", "object_lock", "policy", "lifecycle", "tags"]
    assert planned["bucket"]["object_lock"] == {"enabled": True, "mode": "GOVERNANCE", "days": 7}
    assert not exists(s3, name) and s3_writes(localenv) == {}

    created = ok(run(ansible, args, diff=True))
    assert created["changed"] is True and created["actions"] == planned["actions"]
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    lock = s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    assert lock["Rule"]["DefaultRetention"]["Mode"] == "GOVERNANCE" and lock["Rule"]["DefaultRetention"]["Days"] == 7
    rule = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
    assert rule["BucketKeyEnabled"] is True
    assert set(s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"].values()) == {True}
    policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
    conditions = dict((s["Sid"], s["Condition"]) for s in policy["Statement"] if s["Effect"] == "Deny")
    assert conditions == {"DenyInsecureTransport": {"Bool": {"aws:SecureTransport": "false"}},
                          "DenyUnencryptedObjectUploads": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert lifecycle[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 400
    assert lifecycle[0]["Transitions"] == [{"Days": 30, "StorageClass": "GLACIER"}]
    assert dict((t["Key"], t["Value"]) for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]) == {"env": "it", "purpose": "dumps"}

    localenv.reset_requests()
    again = ok(run(ansible, args))
    assert again["changed"] is False and again["actions"] == []
    assert s3_writes(localenv) == {}
    assert localenv.requests()["by_operation"] == {"s3:HEAD": 1, "s3:GET": 7}

    # A dump lands in the bucket; the default retention locks it.
    version = s3.put_object(Bucket=name, Key="app/app.dump", Body=b"PGDMP", ServerSideEncryption="aws:kms")["VersionId"]

    # Stronger: GOVERNANCE -> COMPLIANCE 10 days on a bucket that holds objects, and a tag changed (check mode first).
    stronger = dict(args, object_lock_mode="COMPLIANCE", retention_days=10, tags={"env": "it"})
    localenv.reset_requests()
    planned = ok(run(ansible, stronger, check=True, diff=True))
    assert planned["changed"] is True and planned["actions"] == ["object_lock", "tags"]
    assert planned["diff"]["before"]["object_lock"]["mode"] == "GOVERNANCE"
    assert planned["diff"]["after"]["object_lock"] == {"enabled": True, "mode": "COMPLIANCE", "days": 10}
    assert s3_writes(localenv) == {}
    assert ok(run(ansible, stronger))["changed"] is True
    assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"

    # Refused: anything that weakens the WORM protection; nothing is written.
    localenv.reset_requests()
    lower = failed(run(ansible, dict(stronger, retention_days=5)))
    assert "retention_days: 5 is refused" in lower["msg"] and "10 days" in lower["msg"]
    governance = failed(run(ansible, dict(stronger, object_lock_mode="GOVERNANCE")))
    assert "object_lock_mode: GOVERNANCE is refused" in governance["msg"]
    unlock = failed(run(ansible, dict(stronger, object_lock_enabled=False)))
    assert "never turns off" in unlock["msg"]
    assert s3_writes(localenv) == {}
    assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Days"] == 10

    # Deleting the bucket is refused while it holds a locked version (check mode too).
    for check in (True, False):
        refused = failed(run(ansible, dict(name=name, state="absent", force=True), check=check))
        assert "Object Lock retention" in refused["msg"] and "app/app.dump" in refused["msg"]
        assert refused["locked_versions"][0]["version_id"] == version
    assert exists(s3, name) and s3_writes(localenv) == {}


def test_bad_input_fails_cleanly_and_changes_nothing(ansible, localenv, key_arn):
    localenv.reset_requests()
    bad = dict(name="Bad_Bucket", kms_key_id="not-a-key", retention_days=0, transition_days=10, transition_storage_class="STANDARD_IA",
               tags={"aws:owner": "x"})
    result = failed(run(ansible, bad))
    assert result["msg"].startswith("5 problems")
    for expected in ("name: 'Bad_Bucket'", "kms_key_id: 'not-a-key'", "retention_days: 0 is out of range; accepted: 1 to 36500",
                     "transition_days: 10 is out of range; accepted: 30 or more", "aws:owner"):
        assert expected in result["msg"]
    missing = failed(run(ansible, dict(name=unique("it-no-key"))))
    assert "kms_key_id" in missing["msg"]
    mode = failed(run(ansible, dict(name=unique("it-bad-mode"), kms_key_id=key_arn, object_lock_mode="LEGAL")))
    assert "GOVERNANCE, COMPLIANCE" in mode["msg"]
    assert s3_writes(localenv) == {}


def test_lock_added_later_and_forced_deletion(ansible, localenv, s3, key_arn):
    name = unique("it-pg-plain")
    plain = dict(name=name, kms_key_id=key_arn, object_lock_enabled=False)
    created = ok(run(ansible, plain))
    assert created["actions"] == ["create", "public_access_block", "encryption", "versioning", "policy", "lifecycle"]
    assert created["bucket"]["object_lock"]["enabled"] is False
    s3.put_object(Bucket=name, Key="old.dump", Body=b"old", ServerSideEncryption="aws:kms")
    s3.delete_object(Bucket=name, Key="old.dump")

    refused = failed(run(ansible, dict(name=name, state="absent")))
    assert "2 object version(s) or delete marker(s)" in refused["msg"] and "force: true" in refused["msg"]
    assert exists(s3, name)

    # Object Lock enabled on the existing bucket that already holds versions; the old version is not locked.
    locked = ok(run(ansible, dict(plain, object_lock_enabled=True, retention_days=1)))
    assert locked["actions"] == ["object_lock"]
    assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]["ObjectLockEnabled"] == "Enabled"

    planned = ok(run(ansible, dict(name=name, state="absent", force=True), check=True))
    assert planned["changed"] is True and exists(s3, name)
    deleted = ok(run(ansible, dict(name=name, state="absent", force=True)))
    assert deleted["changed"] is True and deleted["deleted_versions"] == 2
    assert not exists(s3, name)
    assert ok(run(ansible, dict(name=name, state="absent")))["changed"] is False
