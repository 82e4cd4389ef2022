# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The configuration a backup bucket should have, built from the module's options.

Every part is in the normalized shape ``api.S3BackupBucketApi.read`` returns, so that the plan
compares like with like.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import normalize_tags

LIFECYCLE_RULE_ID = "innovate-backup-retention"
PUBLIC_ACCESS_BLOCK = dict(block_public_acls=True, ignore_public_acls=True, block_public_policy=True, restrict_public_buckets=True)


def bucket_arn(name, partition="aws"):
    return "arn:%s:s3:::%s" % (partition, name)


def bucket_policy(name):
    """Deny any request not made over TLS, and any upload that does not ask for SSE-KMS."""
    arn = bucket_arn(name)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, arn + "/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyUnencryptedObjectUploads",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": arn + "/*",
                "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
            },
        ],
    }


def lifecycle_rules(params):
    rule = {
        "ID": LIFECYCLE_RULE_ID,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": params["abort_incomplete_multipart_upload_days"]},
    }
    if params.get("noncurrent_version_expiration_days") is not None:
        rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": params["noncurrent_version_expiration_days"]}
    if params.get("transition_days") is not None:
        rule["Transitions"] = [{"Days": params["transition_days"], "StorageClass": params["transition_storage_class"]}]
    return [rule]


def desired_state(params):
    """The bucket's desired configuration (``tags`` None: tags not managed)."""
    lock = dict(enabled=False, mode=None, days=None)
    if params["object_lock_enabled"]:
        lock = dict(enabled=True, mode=params["object_lock_mode"], days=params["retention_days"])
    return dict(
        name=params["name"],
        versioning="Enabled",
        object_lock=lock,
        encryption=dict(algorithm="aws:kms", kms_key_id=params["kms_key_id"], bucket_key_enabled=params["bucket_key_enabled"]),
        public_access_block=dict(PUBLIC_ACCESS_BLOCK),
        policy=bucket_policy(params["name"]),
        lifecycle=lifecycle_rules(params),
        tags=normalize_tags(params["tags"]) if params.get("tags") is not None else None,
        purge_tags=params["purge_tags"],
    )
