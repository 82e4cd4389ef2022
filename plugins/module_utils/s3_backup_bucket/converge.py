# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one S3 bucket for logical backups (the work of ``s3_backup_bucket``).

A run that changes nothing reads the bucket's versioning, Object Lock, encryption, public access
block, policy, lifecycle and tags. ``state=absent`` never deletes a bucket that holds a version
under retention or legal hold, and deletes other versions only with ``force``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.waiters import wait
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.s3_backup_bucket.api import S3BackupBucketApi
from ansible_collections.innovate.aws_postgres.plugins.module_utils.s3_backup_bucket.desired import bucket_arn, desired_state
from ansible_collections.innovate.aws_postgres.plugins.module_utils.s3_backup_bucket.plan import diff_view, plan, refusals
from ansible_collections.innovate.aws_postgres.plugins.module_utils.s3_backup_bucket.validation import input_errors

MAX_LOCKED_REPORTED = 10
WAIT_DELAY = 5


class S3BackupBucketConverger(Converger):
    def __init__(self, module):
        super(S3BackupBucketConverger, self).__init__(module)
        self.name = self.params["name"]
        self.api = None

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.api = S3BackupBucketApi(self.module.client("s3"), self.name, self.module.session.region)
        exists = self.step("reading bucket %s" % self.name, self.api.exists)
        if self.params["state"] == "absent":
            return self.ensure_absent(exists)
        return self.ensure_present(exists)

    def result(self, changed, state, before, after, **extra):
        bucket = None
        if state is not None:
            bucket = dict(state, arn=bucket_arn(self.name), region=self.module.session.region)
            bucket.pop("purge_tags", None)
        result = dict(changed=changed, bucket=bucket, diff=dict(before=before, after=after))
        result.update(extra)
        return result

    # state=present

    def ensure_present(self, exists):
        desired = desired_state(self.params)
        current = self.step("reading the configuration of bucket %s" % self.name, self.api.read) if exists else None
        problems = refusals(current, desired)
        if problems:
            self.fail(problems)
        actions, after = plan(current, desired)
        if not self.check_mode:
            self.apply(actions, desired)
        return self.result(bool(actions), after, diff_view(current), diff_view(after), actions=[a["action"] for a in actions])

    def apply(self, actions, desired):
        api, name = self.api, self.name
        for action in actions:
            kind = action["action"]
            if kind == "create":
                self.write(kind, "creating bucket %s" % name, api.create, action["object_lock"])
                if self.params["wait"]:
                    self.step("waiting for bucket %s to exist" % name, wait, api.client, "bucket_exists",
                              self.params["wait_timeout"], delay=WAIT_DELAY, what="bucket %s" % name, Bucket=name)
            elif kind == "public_access_block":
                self.write(kind, "blocking public access to bucket %s" % name, api.put_public_access_block, desired["public_access_block"])
            elif kind == "encryption":
                self.write(kind, "setting the default encryption of bucket %s" % name, api.put_encryption, desired["encryption"])
            elif kind == "versioning":
                self.write(kind, "enabling versioning on bucket %s" % name, api.enable_versioning)
            elif kind == "object_lock":
                self.write(kind, "setting the Object Lock configuration of bucket %s" % name, api.put_object_lock, desired["object_lock"])
            elif kind == "policy":
                self.write(kind, "putting the policy of bucket %s" % name, api.put_policy, desired["policy"])
            elif kind == "lifecycle":
                self.write(kind, "putting the lifecycle rules of bucket %s" % name, api.put_lifecycle, desired["lifecycle"])
            elif kind == "tags":
                self.write(kind, "tagging bucket %s" % name, api.put_tags, action["tags"])

    # state=absent

    def ensure_absent(self, exists):
        if not exists:
            return self.result(False, None, {}, {})
        before = dict(name=self.name, state="present")
        versions = self.step("listing the object versions of bucket %s" % self.name, self.api.versions)
        locked = self.step("reading the retention of the objects in bucket %s" % self.name, self.api.locked, versions)
        if locked:
            first = locked[0]
            self.fail("state: absent is refused: bucket %s holds %d object version(s) under Object Lock retention or legal hold "
                      "(first: %s version %s, %s until %s); S3 refuses to delete them before their retention ends, so the bucket "
                      "cannot be deleted until then" % (self.name, len(locked), first["key"], first["version_id"],
                                                        first["mode"] or "legal hold", first["retain_until"]),
                      locked_versions=locked[:MAX_LOCKED_REPORTED])
        if versions and not self.params["force"]:
            self.fail("state: absent is refused: bucket %s holds %d object version(s) or delete marker(s) (none locked); "
                      "set force: true to delete them with the bucket" % (self.name, len(versions)))
        if not self.check_mode:
            if versions:
                refused = self.write("delete_versions", "deleting the %d object versions of bucket %s" % (len(versions), self.name),
                                     self.api.delete_versions, versions)
                if refused:
                    self.fail("S3 refused to delete %d object version(s) of bucket %s (first: %s: %s %s); the bucket is kept" % (
                        len(refused), self.name, refused[0].get("Key"), refused[0].get("Code"), refused[0].get("Message")))
            self.write("delete", "deleting bucket %s" % self.name, self.api.delete)
        return self.result(True, None, before, {}, deleted_versions=len(versions))
