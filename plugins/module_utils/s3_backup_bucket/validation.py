# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the ``s3_backup_bucket`` options made before any request (all problems at once)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import reserved_tag_errors

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
IP_ADDRESS = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
KMS_KEY = re.compile(r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+|alias/[A-Za-z0-9/_-]+"
                     r"|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")
MAX_RETENTION_DAYS = 36500
# Minimum age (days) before S3 accepts a transition to each storage class.
MIN_TRANSITION_DAYS = dict(STANDARD_IA=30, ONEZONE_IA=30)


def bucket_name_errors(name):
    if not BUCKET_NAME.match(name or "") or ".." in name or ".-" in name or "-." in name or IP_ADDRESS.match(name):
        return ["name: %r is not a valid S3 bucket name; use 3 to 63 lowercase letters, digits, '-' and '.', starting and "
                "ending with a letter or digit, not formatted like an IP address" % (name,)]
    if name.startswith("xn--") or name.endswith("-s3alias") or name.endswith("--ol-s3"):
        return ["name: %r uses a prefix or suffix reserved by S3 (xn--, -s3alias, --ol-s3)" % (name,)]
    return []


def _range_error(option, value, low, high=None):
    if value is None:
        return []
    if value < low or (high is not None and value > high):
        accepted = "%d to %d" % (low, high) if high is not None else "%d or more" % low
        return ["%s: %r is out of range; accepted: %s" % (option, value, accepted)]
    return []


def input_errors(params):
    """Every problem of the task's options, as messages naming the option, value and what is accepted."""
    errors = bucket_name_errors(params["name"])
    if params["state"] == "absent":
        return errors
    key = params.get("kms_key_id")
    if key is not None and not KMS_KEY.match(key):
        errors.append("kms_key_id: %r is not a KMS key reference; use a key ARN, an alias ARN, alias/NAME or a key id" % (key,))
    if params["object_lock_enabled"]:
        errors += _range_error("retention_days", params["retention_days"], 1, MAX_RETENTION_DAYS)
    errors += _range_error("noncurrent_version_expiration_days", params.get("noncurrent_version_expiration_days"), 1)
    errors += _range_error("abort_incomplete_multipart_upload_days", params.get("abort_incomplete_multipart_upload_days"), 1)
    transition_days = params.get("transition_days")
    storage_class = params["transition_storage_class"]
    errors += _range_error("transition_days", transition_days, MIN_TRANSITION_DAYS.get(storage_class, 0))
    errors += reserved_tag_errors(params.get("tags"))
    return errors
