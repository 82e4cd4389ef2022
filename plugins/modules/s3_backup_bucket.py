#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: s3_backup_bucket
short_description: Manage a WORM S3 bucket for logical database backups (versioning, Object Lock, SSE-KMS, no public access)
version_added: 0.1.0
description:
  - Creates or updates, in one task, an S3 bucket that holds logical dumps (C(pg_dump)) safely,
    with versioning on; Object Lock (WORM) with a default retention (O(object_lock_mode),
    O(retention_days)) that every new object version gets; default encryption SSE-KMS with
    O(kms_key_id) and an S3 bucket key; the four public access blocks on; a bucket policy that
    denies requests not made over TLS and uploads that do not ask for SSE-KMS; a lifecycle rule
    (expiry of noncurrent versions, transition to a colder storage class, clean-up of incomplete
    multipart uploads); and tags.
  - The module owns the bucket's policy and lifecycle configuration; rules or statements added by
    hand are replaced.
  - Changes that would weaken the WORM protection are refused with the reason, whatever else the
    task asks. S3 never turns Object Lock off, so O(object_lock_enabled=false) on a bucket that has
    it fails. A COMPLIANCE default retention is never lowered, nor switched to GOVERNANCE.
    Raising the retention, or switching GOVERNANCE to COMPLIANCE, is done.
  - Object Lock is enabled on an existing bucket that does not have it (versioning is enabled first).
  - O(state=absent) deletes the bucket only when no object version is under retention or legal
    hold (those cannot be deleted before their retain-until date), and deletes the other object
    versions only with O(force=true).
author:
  - Innovate platform team (@innovate-platform)
options:
  name:
    description:
      - The bucket's name (3 to 63 lowercase letters, digits, V(-) and V(.)). Bucket names are global;
        include the account and region in it, e.g. V(innovate-prod-111111111111-us-east-1-pg-dumps).
    type: str
    required: true
  kms_key_id:
    description:
      - The KMS key of the default encryption (SSE-KMS), as a key ARN (recommended), an alias ARN,
        V(alias/NAME) or a key id. Required with O(state=present).
      - The key policy must let S3 use the key for the writers and readers of the bucket.
    type: str
  bucket_key_enabled:
    description:
      - Whether S3 uses a bucket key for SSE-KMS, which cuts the KMS requests (and their cost).
    type: bool
    default: true
  object_lock_enabled:
    description:
      - Whether the bucket has Object Lock (WORM). V(false) is only accepted for a bucket that does not
        have it; S3 never turns it off.
    type: bool
    default: true
  object_lock_mode:
    description:
      - The default retention mode of new object versions.
      - V(GOVERNANCE) versions can be deleted early by a principal with C(s3:BypassGovernanceRetention);
        V(COMPLIANCE) versions by nobody, not even the root user, until their retention ends.
    type: str
    choices: [GOVERNANCE, COMPLIANCE]
    default: GOVERNANCE
  retention_days:
    description:
      - The default retention of new object versions, in days (V(1) to V(36500)).
      - A COMPLIANCE retention is never lowered by this module.
    type: int
    default: 35
  noncurrent_version_expiration_days:
    description:
      - Delete object versions this many days after they stopped being current (S3 deletes them only
        when their retention has ended). Not set, noncurrent versions are kept.
    type: int
  transition_days:
    description:
      - Move objects to O(transition_storage_class) this many days after their creation. Not set,
        objects stay in S3 Standard.
      - V(STANDARD_IA) and V(ONEZONE_IA) need at least V(30) days.
    type: int
  transition_storage_class:
    description:
      - The storage class of O(transition_days).
    type: str
    choices: [GLACIER, GLACIER_IR, DEEP_ARCHIVE, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING]
    default: GLACIER
  abort_incomplete_multipart_upload_days:
    description:
      - Remove the parts of multipart uploads not completed after this many days.
    type: int
    default: 7
  force:
    description:
      - With O(state=absent), also delete the object versions and delete markers that are not under
        retention. Locked versions are never deleted; their presence makes the task fail.
    type: bool
    default: false
  wait:
    description:
      - Wait until a bucket just created is reported as existing.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds.
    type: int
    default: 120
  state:
    description:
      - V(present) creates or updates the bucket; V(absent) deletes it (see O(force)).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the result shows the bucket as it would be.
  diff_mode:
    support: full
    description: The diff shows versioning, Object Lock, encryption, public access block, policy (canonical form), lifecycle rules and tags.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and manages the bucket through the S3 API.
notes:
  - A run that changes nothing makes eight read requests (the bucket, its versioning, Object Lock,
    encryption, public access block, policy, lifecycle and tags).
  - The bucket is created in the O(region) of the task.
seealso:
  - module: innovate.aws_postgres.kms_key
  - module: innovate.aws_postgres.backup_plan
"""

EXAMPLES = r"""
- name: WORM bucket for the weekly pg_dump of the production databases
  innovate.aws_postgres.s3_backup_bucket:
    name: innovate-prod-111111111111-us-east-1-pg-dumps
    kms_key_id: arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab
    object_lock_mode: COMPLIANCE
    retention_days: 35
    noncurrent_version_expiration_days: 400
    transition_days: 30
    transition_storage_class: GLACIER
    tags:
      env: prod
      purpose: logical-backups
    region: us-east-1

- name: Delete a test bucket and its (unlocked) dumps
  innovate.aws_postgres.s3_backup_bucket:
    name: innovate-dev-111111111111-us-east-1-pg-dumps
    state: absent
    force: true
"""

RETURN = r"""
bucket:
  description: The bucket as it is (or, in check mode, would be) after the task; null after O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: The bucket's name.
      type: str
      sample: innovate-prod-111111111111-us-east-1-pg-dumps
    arn:
      description: The bucket's ARN.
      type: str
      sample: arn:aws:s3:::innovate-prod-111111111111-us-east-1-pg-dumps
    region:
      description: The region of the task.
      type: str
      sample: us-east-1
    versioning:
      description: V(Enabled), V(Suspended) or V(Disabled).
      type: str
      sample: Enabled
    object_lock:
      description: Object Lock and its default retention (O(retention_days) as days).
      type: dict
      sample: {enabled: true, mode: COMPLIANCE, days: 35}
    encryption:
      description: The default encryption.
      type: dict
      sample: {algorithm: "aws:kms", kms_key_id: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
               bucket_key_enabled: true}
    public_access_block:
      description: The four public access blocks.
      type: dict
      sample: {block_public_acls: true, ignore_public_acls: true, block_public_policy: true, restrict_public_buckets: true}
    policy:
      description: The bucket policy document.
      type: dict
    lifecycle:
      description: The lifecycle rules, in S3's shape.
      type: list
      elements: dict
    tags:
      description: The bucket's tags.
      type: dict
      sample: {env: prod}
actions:
  description: The writes made (or, in check mode, planned), in order.
  returned: with O(state=present)
  type: list
  elements: str
  sample: [create, public_access_block, encryption, object_lock, policy, lifecycle, tags]
deleted_versions:
  description: How many object versions and delete markers were deleted with the bucket.
  returned: when the bucket was deleted
  type: int
  sample: 0
locked_versions:
  description: Up to ten of the object versions under retention or legal hold that prevented the deletion.
  returned: when O(state=absent) failed because of them
  type: list
  elements: dict
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.s3_backup_bucket.converge import S3BackupBucketConverger

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    kms_key_id=dict(type="str", no_log=False),
    bucket_key_enabled=dict(type="bool", default=True, no_log=False),
    object_lock_enabled=dict(type="bool", default=True),
    object_lock_mode=dict(type="str", choices=["GOVERNANCE", "COMPLIANCE"], default="GOVERNANCE"),
    retention_days=dict(type="int", default=35),
    noncurrent_version_expiration_days=dict(type="int"),
    transition_days=dict(type="int"),
    transition_storage_class=dict(type="str", default="GLACIER",
                                  choices=["GLACIER", "GLACIER_IR", "DEEP_ARCHIVE", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING"]),
    abort_incomplete_multipart_upload_days=dict(type="int", default=7),
    force=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=120),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, required_if=[("state", "present", ["kms_key_id"])])
    module.exit_json(**S3BackupBucketConverger(module).run())


if __name__ == "__main__":
    main()
