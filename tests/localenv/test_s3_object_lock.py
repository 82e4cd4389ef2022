"""S3 Object Lock in the emulator: locked versions refused deletion, retention on upload,
default retention changed on a bucket that holds objects, versioning never suspended."""

import datetime
import json
import uuid

import pytest
from botocore.exceptions import ClientError


def ol_code(raised):
    return raised.value.response["Error"]["Code"]


@pytest.fixture
def s3(emu_env):
    return emu_env.client("s3", max_attempts=1)


@pytest.fixture
def locked_bucket(s3):
    name = "emu-lock-%s" % uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 3}}})
    return name


def test_locked_versions_are_refused_deletion(s3, locked_bucket):
    until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
    explicit = s3.put_object(Bucket=locked_bucket, Key="explicit.dump", Body=b"one",
                             ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until)
    default = s3.put_object(Bucket=locked_bucket, Key="default.dump", Body=b"two")
    head = s3.head_object(Bucket=locked_bucket, Key="explicit.dump", VersionId=explicit["VersionId"])
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert abs((head["ObjectLockRetainUntilDate"] - until).total_seconds()) < 2
    head = s3.head_object(Bucket=locked_bucket, Key="default.dump", VersionId=default["VersionId"])
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
    for key, version in (("explicit.dump", explicit["VersionId"]), ("default.dump", default["VersionId"])):
        with pytest.raises(ClientError) as raised:
            s3.delete_object(Bucket=locked_bucket, Key=key, VersionId=version)
        assert ol_code(raised) == "AccessDenied"
    answer = s3.delete_objects(Bucket=locked_bucket, Delete={"Objects": [{"Key": "default.dump", "VersionId": default["VersionId"]}]})
    assert [error["Code"] for error in answer["Errors"]] == ["AccessDenied"]
    # A delete without a version id only adds a delete marker: the locked version stays.
    s3.delete_object(Bucket=locked_bucket, Key="default.dump")
    versions = s3.list_object_versions(Bucket=locked_bucket)
    assert sorted(v["VersionId"] for v in versions["Versions"]) == sorted([explicit["VersionId"], default["VersionId"]])
    with pytest.raises(ClientError) as raised:
        s3.delete_bucket(Bucket=locked_bucket)
    assert ol_code(raised) == "BucketNotEmpty"


def test_default_retention_changes_on_a_bucket_with_objects(s3, locked_bucket):
    s3.put_object(Bucket=locked_bucket, Key="first.dump", Body=b"x")
    s3.put_object_lock_configuration(Bucket=locked_bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 10}}})
    rule = s3.get_object_lock_configuration(Bucket=locked_bucket)["ObjectLockConfiguration"]["Rule"]
    assert rule["DefaultRetention"]["Days"] == 10
    second = s3.put_object(Bucket=locked_bucket, Key="second.dump", Body=b"y")
    head = s3.head_object(Bucket=locked_bucket, Key="second.dump", VersionId=second["VersionId"])
    assert head["ObjectLockRetainUntilDate"] > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=9)


def test_object_lock_needs_versioning_and_keeps_it(s3, locked_bucket):
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_versioning(Bucket=locked_bucket, VersioningConfiguration={"Status": "Suspended"})
    assert ol_code(raised) == "InvalidBucketState"
    assert s3.get_bucket_versioning(Bucket=locked_bucket)["Status"] == "Enabled"
    plain = "emu-plain-%s" % uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=plain)
    lock = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    with pytest.raises(ClientError) as raised:
        s3.put_object_lock_configuration(Bucket=plain, ObjectLockConfiguration=lock)
    assert ol_code(raised) == "InvalidBucketState"
    s3.put_bucket_versioning(Bucket=plain, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=plain, Key="before-lock", Body=b"z")
    s3.put_object_lock_configuration(Bucket=plain, ObjectLockConfiguration=lock)
    assert s3.get_object_lock_configuration(Bucket=plain)["ObjectLockConfiguration"]["ObjectLockEnabled"] == "Enabled"
    s3.put_bucket_versioning(Bucket=plain, VersioningConfiguration={"Status": "Enabled"})


def test_bucket_policy_conditions_see_the_request(emu_env, s3, locked_bucket):
    arn = "arn:aws:s3:::%s" % locked_bucket
    s3.put_bucket_policy(Bucket=locked_bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, arn + "/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "DenyUnencryptedObjectUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": arn + "/*",
         "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}))
    s3.put_object(Bucket=locked_bucket, Key="kms.dump", Body=b"k", ServerSideEncryption="aws:kms")
    for extra in ({}, {"ServerSideEncryption": "AES256"}):
        with pytest.raises(ClientError) as raised:
            s3.put_object(Bucket=locked_bucket, Key="plain.dump", Body=b"p", **extra)
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    insecure = emu_env.client("s3", max_attempts=1)
    insecure.meta.events.register("before-sign.s3.*", lambda request, **kwargs: request.headers.__setitem__("X-Forwarded-Proto", "http"))
    with pytest.raises(ClientError) as raised:
        insecure.put_object(Bucket=locked_bucket, Key="insecure.dump", Body=b"i", ServerSideEncryption="aws:kms")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert [v["Key"] for v in s3.list_object_versions(Bucket=locked_bucket)["Versions"]] == ["kms.dump"]
