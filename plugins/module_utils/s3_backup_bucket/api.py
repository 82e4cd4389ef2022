# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The S3 calls for one backup bucket, with their answers normalized.

Methods raise the SDK's exceptions; the caller turns them into messages. A configuration that does
not exist (no policy, no lifecycle...) reads as ``None`` or empty, never as an error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict, dict_to_boto3_tag_list

NOT_FOUND = ("404", "NoSuchBucket", "NotFound")
DAYS_PER_YEAR = 365


def _absent_on(codes, function, **params):
    """``function(**params)``, or ``None`` when it fails with one of ``codes`` (configuration not set)."""
    try:
        return function(**params)
    except AWS_EXCEPTIONS as e:
        if is_error(e, *codes):
            return None
        raise


def _without_empty(value):
    """``value`` without None, empty text, empty dicts and empty lists, at any depth."""
    if isinstance(value, dict):
        cleaned = dict((key, _without_empty(item)) for key, item in value.items())
        return dict((key, item) for key, item in cleaned.items() if item not in (None, "", {}, []))
    if isinstance(value, list):
        return [item for item in (_without_empty(item) for item in value) if item not in (None, "", {}, [])]
    return value


def normalize_rules(rules):
    """Lifecycle rules sorted by ID, without empty values (``Filter: {Prefix: ''}`` equals no filter)."""
    return sorted((_without_empty(rule) for rule in rules or []), key=lambda rule: rule.get("ID", ""))


def normalize_lock(config):
    if not config or get_path(config, "ObjectLockEnabled") != "Enabled":
        return dict(enabled=False, mode=None, days=None)
    retention = get_path(config, "Rule.DefaultRetention") or {}
    days = retention.get("Days") or None
    if not days and retention.get("Years"):
        days = retention["Years"] * DAYS_PER_YEAR
    return dict(enabled=True, mode=retention.get("Mode"), days=days)


class S3BackupBucketApi(object):
    def __init__(self, client, name, region):
        self.client = client
        self.name = name
        self.region = region

    def exists(self):
        """True when the bucket exists and is ours; raises on 403 (someone else's bucket)."""
        try:
            self.client.head_bucket(Bucket=self.name)
        except AWS_EXCEPTIONS as e:
            if is_error(e, *NOT_FOUND):
                return False
            raise
        return True

    def read(self):
        """The bucket's configuration, in the shape of ``desired.desired_state``."""
        bucket = dict(Bucket=self.name)
        versioning = self.client.get_bucket_versioning(**bucket).get("Status") or "Disabled"
        lock = _absent_on(("ObjectLockConfigurationNotFoundError",), self.client.get_object_lock_configuration, **bucket)
        encryption = _absent_on(("ServerSideEncryptionConfigurationNotFoundError",), self.client.get_bucket_encryption, **bucket)
        blocks = _absent_on(("NoSuchPublicAccessBlockConfiguration",), self.client.get_public_access_block, **bucket)
        policy = _absent_on(("NoSuchBucketPolicy",), self.client.get_bucket_policy, **bucket)
        lifecycle = _absent_on(("NoSuchLifecycleConfiguration",), self.client.get_bucket_lifecycle_configuration, **bucket)
        tags = _absent_on(("NoSuchTagSet",), self.client.get_bucket_tagging, **bucket)
        rule = (get_path(encryption or {}, "ServerSideEncryptionConfiguration.Rules") or [{}])[0]
        blocks = get_path(blocks or {}, "PublicAccessBlockConfiguration")
        return dict(
            name=self.name,
            versioning=versioning,
            object_lock=normalize_lock(get_path(lock or {}, "ObjectLockConfiguration")),
            encryption=dict(
                algorithm=get_path(rule, "ApplyServerSideEncryptionByDefault.SSEAlgorithm"),
                kms_key_id=get_path(rule, "ApplyServerSideEncryptionByDefault.KMSMasterKeyID"),
                bucket_key_enabled=bool(rule.get("BucketKeyEnabled")),
            ) if encryption else None,
            public_access_block=dict(
                block_public_acls=bool(blocks.get("BlockPublicAcls")), ignore_public_acls=bool(blocks.get("IgnorePublicAcls")),
                block_public_policy=bool(blocks.get("BlockPublicPolicy")), restrict_public_buckets=bool(blocks.get("RestrictPublicBuckets")),
            ) if blocks else None,
            policy=json.loads(policy["Policy"]) if policy and policy.get("Policy") else None,
            lifecycle=normalize_rules(get_path(lifecycle or {}, "Rules")),
            tags=boto3_tag_list_to_dict(get_path(tags or {}, "TagSet")),
        )

    # writes

    def create(self, object_lock):
        params = dict(Bucket=self.name, ObjectLockEnabledForBucket=bool(object_lock))
        if self.region and self.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        self.client.create_bucket(**params)

    def put_public_access_block(self, blocks):
        self.client.put_public_access_block(Bucket=self.name, PublicAccessBlockConfiguration=dict(
            BlockPublicAcls=blocks["block_public_acls"], IgnorePublicAcls=blocks["ignore_public_acls"],
            BlockPublicPolicy=blocks["block_public_policy"], RestrictPublicBuckets=blocks["restrict_public_buckets"]))

    def put_encryption(self, encryption):
        self.client.put_bucket_encryption(Bucket=self.name, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": encryption["kms_key_id"]},
            "BucketKeyEnabled": encryption["bucket_key_enabled"],
        }]})

    def enable_versioning(self):
        self.client.put_bucket_versioning(Bucket=self.name, VersioningConfiguration={"Status": "Enabled"})

    def put_object_lock(self, lock):
        self.client.put_object_lock_configuration(Bucket=self.name, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": lock["mode"], "Days": lock["days"]}}})

    def put_policy(self, policy):
        self.client.put_bucket_policy(Bucket=self.name, Policy=json.dumps(policy, sort_keys=True))

    def put_lifecycle(self, rules):
        self.client.put_bucket_lifecycle_configuration(Bucket=self.name, LifecycleConfiguration={"Rules": rules})

    def put_tags(self, tags):
        if tags:
            self.client.put_bucket_tagging(Bucket=self.name, Tagging={"TagSet": dict_to_boto3_tag_list(tags)})
        else:
            self.client.delete_bucket_tagging(Bucket=self.name)

    # deletion

    def versions(self):
        """Every object version and delete marker: dicts with Key and VersionId (and IsMarker)."""
        found = []
        paginator = self.client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.name):
            found += [dict(Key=v["Key"], VersionId=v.get("VersionId"), IsMarker=False) for v in page.get("Versions") or []]
            found += [dict(Key=v["Key"], VersionId=v.get("VersionId"), IsMarker=True) for v in page.get("DeleteMarkers") or []]
        return found

    def locked(self, versions, now=None):
        """The versions under retention or legal hold, as ``{key, version_id, mode, retain_until, legal_hold}``."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        locked = []
        for version in versions:
            if version["IsMarker"]:
                continue
            head = self.client.head_object(Bucket=self.name, Key=version["Key"], VersionId=version["VersionId"])
            until = head.get("ObjectLockRetainUntilDate")
            hold = head.get("ObjectLockLegalHoldStatus") == "ON"
            if hold or (until is not None and until > now):
                locked.append(dict(key=version["Key"], version_id=version["VersionId"], mode=head.get("ObjectLockMode"),
                                   retain_until=until.isoformat() if until is not None else None, legal_hold=hold))
        return locked

    def delete_versions(self, versions):
        """Delete ``versions``; return the per-object errors S3 answered (empty when all went)."""
        errors = []
        for start in range(0, len(versions), 1000):
            chunk = [dict(Key=v["Key"], VersionId=v["VersionId"]) for v in versions[start:start + 1000]]
            response = self.client.delete_objects(Bucket=self.name, Delete={"Objects": chunk, "Quiet": True})
            errors += response.get("Errors") or []
        return errors

    def delete(self):
        self.client.delete_bucket(Bucket=self.name)
