"""S3 Object Lock as AWS does it, where moto 5.2 differs.

moto already refuses to delete a locked object version (AccessDenied, also in DeleteObjects) and
applies a bucket's default retention to new versions. It gets two things wrong:

- PutObjectLockConfiguration on a bucket that holds objects fails with ``InvalidBucket: Bucket
  needs to be empty``. AWS changes the default retention of a bucket at any time (it applies to
  new versions only), and enables Object Lock on an existing versioned bucket.
- PutBucketVersioning ``Suspended`` on an Object Lock bucket succeeds. AWS refuses it with
  ``InvalidBucketState``: an Object Lock bucket stays versioned.
- A bucket policy statement with a ``Condition`` is evaluated without the request: every
  conditional statement, Deny or Allow, denies every object request (so a bucket that denies
  non-TLS requests or unencrypted uploads refuses all uploads). Here the object requests' policy
  check sees the request's context: ``s3:x-amz-server-side-encryption`` and
  ``s3:x-amz-server-side-encryption-aws-kms-key-id`` from its headers, and ``aws:SecureTransport``.
  The emulator serves plain HTTP on loopback in place of AWS's HTTPS endpoints, so a request counts
  as TLS unless it carries ``X-Forwarded-Proto: http`` (tests use it to prove the TLS deny).
  Operators: Bool, Null, StringEquals, StringNotEquals and their ``IfExists`` forms; a statement
  with any other operator does not apply.
"""

import fnmatch
import json
import threading

from moto.iam.access_control import PermissionResult
from moto.s3.exceptions import InvalidBucketState
from moto.s3.models import FakeBucket, S3Backend
from moto.s3.responses import S3Response

_originals = {}
_request = threading.local()
CONTEXT_HEADERS = {
    "s3:x-amz-server-side-encryption": "x-amz-server-side-encryption",
    "s3:x-amz-server-side-encryption-aws-kms-key-id": "x-amz-server-side-encryption-aws-kms-key-id",
}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _operator_holds(operator, key, expected, context):
    """Whether one condition ``operator: {key: expected}`` holds for the request ``context``."""
    present = key in context and context[key] is not None
    actual = str(context.get(key)).lower() if operator == "Bool" and present else context.get(key)
    expected = [str(value).lower() if operator in ("Bool", "Null") else str(value) for value in _as_list(expected)]
    if operator == "Null":
        return ("true" if not present else "false") in expected
    base, if_exists = (operator[:-len("IfExists")], True) if operator.endswith("IfExists") else (operator, False)
    if not present:
        return if_exists or base == "StringNotEquals"
    if base in ("Bool", "StringEquals"):
        return actual in expected
    if base == "StringNotEquals":
        return actual not in expected
    return None


def _conditions_hold(conditions, context):
    for operator, pairs in (conditions or {}).items():
        for key, expected in pairs.items():
            if not _operator_holds(operator, key, expected, context):
                return False
    return True


def _matches(patterns, value):
    return any(fnmatch.fnmatchcase(value, pattern) for pattern in _as_list(patterns))


def _get_permission(self, action, resource):
    """The bucket policy's verdict on ``action`` for ``resource`` with the current request's context."""
    if self.policy is None:
        return PermissionResult.NEUTRAL
    context = getattr(_request, "context", None) or {"aws:SecureTransport": "true"}
    statements = json.loads(self.policy.decode() if isinstance(self.policy, bytes) else self.policy).get("Statement", [])
    verdict = PermissionResult.NEUTRAL
    for statement in _as_list(statements):
        principal = statement.get("Principal")
        if principal not in ("*", {"AWS": "*"}):
            continue
        if not _matches(statement.get("Action", []), action) or not _matches(statement.get("Resource", []), resource):
            continue
        if not _conditions_hold(statement.get("Condition"), context):
            continue
        if statement.get("Effect") == "Deny":
            return PermissionResult.DENIED
        verdict = PermissionResult.PERMITTED
    return verdict


def _key_response(self, request, full_url):
    headers = dict((name.lower(), value) for name, value in request.headers.items())
    context = dict((key, headers.get(header)) for key, header in CONTEXT_HEADERS.items())
    context["aws:SecureTransport"] = "false" if headers.get("x-forwarded-proto", "https").lower() == "http" else "true"
    _request.context = context
    try:
        return _originals["key_response"](self, request, full_url)
    finally:
        _request.context = None


def _put_object_lock_configuration(self, bucket_name, lock_enabled, mode=None, days=None, years=None):
    bucket = self.get_bucket(bucket_name)
    if not bucket.is_versioned:
        raise InvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
    if lock_enabled:
        bucket.object_lock_enabled = True
        bucket.versioning_status = "Enabled"
    bucket.default_lock_mode = mode
    bucket.default_lock_days = days
    bucket.default_lock_years = years


def _put_bucket_versioning(self, bucket_name, status):
    bucket = self.get_bucket(bucket_name)
    if bucket.object_lock_enabled and status != "Enabled":
        raise InvalidBucketState("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
    return _originals["put_bucket_versioning"](self, bucket_name, status)


def install(context):  # pylint: disable=unused-argument
    """Patch moto's S3 backend (idempotent)."""
    _originals.setdefault("put_object_lock_configuration", S3Backend.put_object_lock_configuration)
    _originals.setdefault("put_bucket_versioning", S3Backend.put_bucket_versioning)
    _originals.setdefault("key_response", S3Response._key_response)  # pylint: disable=protected-access
    S3Backend.put_object_lock_configuration = _put_object_lock_configuration
    FakeBucket.get_permission = _get_permission
    S3Response._key_response = _key_response  # pylint: disable=protected-access
    S3Backend.put_bucket_versioning = _put_bucket_versioning
