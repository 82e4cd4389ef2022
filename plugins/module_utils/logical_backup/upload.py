# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Upload one dump to the WORM bucket with SSE-KMS and its SHA-256 as object metadata.

The object gets the bucket's default Object Lock retention (no per-object retention is asked);
the version id and the retention S3 applied are read back after the upload.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii

SHA256_METADATA = "sha256"


def upload(client, path, bucket, key, kms_key_id, sha256, metadata=None):
    """Upload ``path``; return ``{key, version_id, size, sha256, retain_until, lock_mode, etag}``."""
    meta = dict(metadata or {})
    meta[SHA256_METADATA] = sha256
    params = dict(Bucket=bucket, Key=key, ServerSideEncryption="aws:kms", Metadata=meta, ChecksumAlgorithm="SHA256",
                  ChecksumSHA256=base64.b64encode(binascii.unhexlify(sha256)).decode("ascii"))
    if kms_key_id:
        params["SSEKMSKeyId"] = kms_key_id
    with open(path, "rb") as body:
        answer = client.put_object(Body=body, **params)
    head = client.head_object(Bucket=bucket, Key=key, VersionId=answer.get("VersionId")) if answer.get("VersionId") else \
        client.head_object(Bucket=bucket, Key=key)
    until = head.get("ObjectLockRetainUntilDate")
    return dict(
        key=key, version_id=head.get("VersionId") or answer.get("VersionId"), size=head.get("ContentLength"), sha256=sha256,
        lock_mode=head.get("ObjectLockMode"), retain_until=until.isoformat() if until is not None else None,
        encryption=head.get("ServerSideEncryption"), kms_key_id=head.get("SSEKMSKeyId"),
    )
