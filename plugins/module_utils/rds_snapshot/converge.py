# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one manual snapshot, or prune the manual snapshots of an instance or cluster (the work of ``rds_snapshot``).

A run validates the input, reads the snapshot (and, when it must be created, its source; when it
must be copied, the source snapshot in its region; when accounts are added to its sharing, its
KMS key), plans, and writes only outside check mode. A run that changes nothing writes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import camel_dict_to_snake_dict
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_snapshot.api import KINDS, SnapshotApi, normalize
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_snapshot.plan import plan_absent, plan_present, view
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_snapshot.prune import describe_rule, select
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_snapshot.validation import input_errors, parse_snapshot_arn
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_snapshot.wait import SnapshotStuck, is_available, is_gone, wait_until

SOURCE_READY = ("available", "stopped", "backing-up", "storage-optimization")


def snapshot_output(record):
    """The record in snake_case with ``tags`` as a dict (None for no record)."""
    if not record:
        return None
    record = dict(record)
    tags = boto3_tag_list_to_dict(record.pop("TagList", None))
    output = camel_dict_to_snake_dict(record)
    output["tags"] = tags
    return output


class SnapshotConverger(Converger):
    def __init__(self, module):
        super(SnapshotConverger, self).__init__(module)
        self.region = None
        self.api = None
        self.kind = None
        self.identifier = (self.params.get("snapshot_identifier") or "").lower() or None

    # frame

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.region = self.module.session.region
        if self.params["mode"] == "prune":
            return self.prune()
        self.kind = self.step("finding snapshot %s" % self.identifier, self.find_kind)
        self.api = SnapshotApi(self.module.client("rds"), self.kind, kms=self.module.client("kms"))
        record = self.step("reading %s %s" % (self.label, self.identifier), self.api.describe, self.identifier)
        if self.params["state"] == "absent":
            return self.ensure_absent(record)
        return self.ensure_present(record)

    @property
    def label(self):
        return KINDS[self.kind]["label"]

    def find_kind(self):
        """``instance`` or ``cluster``: from the options, the source ARN, or (by reading) where the snapshot exists."""
        if self.params.get("db_cluster_identifier"):
            return "cluster"
        if self.params.get("db_instance_identifier"):
            return "instance"
        arn = parse_snapshot_arn(self.params.get("source_snapshot"))
        if arn:
            return arn["kind"]
        rds = self.module.client("rds")
        if SnapshotApi(rds, "instance").describe(self.identifier) is not None:
            return "instance"
        if SnapshotApi(rds, "cluster").describe(self.identifier) is not None:
            return "cluster"
        source = self.params.get("source_snapshot")
        if source:
            source_rds = self.module.client("rds", region=self.params.get("source_region") or self.region)
            if SnapshotApi(source_rds, "cluster").describe(source) is not None:
                return "cluster"
        return "instance"

    def waiting(self, what, describe, done):
        try:
            return wait_until(describe, done, self.params["wait_timeout"], what)
        except SnapshotStuck as e:
            self.fail(str(e))
        except AwsWaitTimeout as e:
            self.fail(str(e), **({"applied_changes": list(self.applied)} if self.applied else {}))
        return None

    def wait_available(self, api, identifier):
        return self.waiting("%s %s to be available" % (self.label, identifier),
                            lambda: self.step("reading %s %s" % (self.label, identifier), api.describe, identifier), is_available)

    def wait_gone(self, identifier):
        return self.waiting("%s %s to be deleted" % (self.label, identifier),
                            lambda: self.step("reading %s %s" % (self.label, identifier), self.api.describe, identifier), is_gone)

    def result(self, changed, record, shared, changes, before, after, **extra):
        result = dict(changed=changed, snapshot=snapshot_output(record), shared_accounts=list(shared or []), changes=changes,
                      diff=dict(before=before, after=after))
        result.update(extra)
        return result

    # state=absent

    def ensure_absent(self, record):
        current = normalize(self.kind, record)
        changes, errors = plan_absent(current, self.label)
        if errors:
            self.fail(errors)
        if current is None:
            return self.result(False, None, [], [], {}, {})
        shared = self.step("reading who %s %s is shared with" % (self.label, self.identifier), self.api.shared_accounts, self.identifier)
        before = view(current, shared, current["tags"])
        if not self.check_mode:
            if current["status"] != "available" and self.params["wait"]:
                self.wait_available(self.api, self.identifier)
            self.write("delete", "deleting %s %s" % (self.label, self.identifier), self.api.delete, self.identifier)
            if self.params["wait"]:
                self.wait_gone(self.identifier)
        return self.result(True, None, [], changes, before, {})

    # state=present

    def source_option(self):
        return KINDS[self.kind]["source_option"]

    def read_source(self):
        """The instance or cluster to snapshot (only read when the snapshot must be created); fails when it cannot be."""
        option = self.source_option()
        identifier = self.params[option].lower()
        record = self.step("reading %s %s" % (KINDS[self.kind]["source_label"], identifier), self.api.describe_source, identifier)
        if record is None:
            self.fail("%s: there is no %s %s in %s" % (option, KINDS[self.kind]["source_label"], identifier, self.region))
        status = record.get(KINDS[self.kind]["source_status"])
        if status not in SOURCE_READY and not self.params["wait"]:
            self.fail("%s: %s %s is %s; a snapshot can be taken when it is available (or set wait=true to wait for it)"
                      % (option, KINDS[self.kind]["source_label"], identifier, status))
        return record

    def read_copy_source(self):
        """``(copy, key_id)`` for a copy: the source snapshot read in its region, and the KMS key of the copy."""
        source = self.params["source_snapshot"]
        arn = parse_snapshot_arn(source)
        source_region = self.params.get("source_region") or (arn["region"] if arn else self.region)
        cross_region = source_region != self.region
        source_api = SnapshotApi(self.module.client("rds", region=source_region), self.kind)
        lookup = arn["identifier"] if arn else source
        record = self.step("reading source snapshot %s in %s" % (source, source_region), source_api.describe, lookup)
        shared_by = None
        if arn and (record is None or (record.get(KINDS[self.kind]["arn"]) or source) != source):
            # not this account's snapshot: one another account shared with this one, read by its ARN
            record = self.step("reading the snapshots shared with this account in %s" % source_region, source_api.shared, source)
            if record is None:
                self.fail("source_snapshot: %s %s is not shared with this account (or does not exist); account %s must share it "
                          "first (its restore attribute, shared_accounts of this module run in that account)"
                          % (self.label, source, arn["account"]))
            shared_by, lookup = arn["account"], source
        if record is None:
            self.fail("source_snapshot: there is no %s %s in %s" % (self.label, lookup, source_region))
        source_view = normalize(self.kind, record)
        if source_view["status"] != "available":
            if not self.params["wait"] or self.check_mode:
                self.fail("source_snapshot: %s %s is %s; it can be copied once it is available (set wait=true to wait for it)"
                          % (self.label, lookup, source_view["status"]))
        kms_key_id = self.params.get("kms_key_id")
        if cross_region and source_view["encrypted"] and not kms_key_id:
            self.fail("kms_key_id: %s %s is encrypted and a copy to another region (%s -> %s) must be encrypted with a KMS key of "
                      "%s; give kms_key_id (a key ARN, id or alias in %s)" % (self.label, lookup, source_region, self.region,
                                                                              self.region, self.region))
        if shared_by and source_view["encrypted"] and not kms_key_id:
            self.fail("kms_key_id: %s %s is encrypted and shared by account %s; a copy of a shared encrypted snapshot must be "
                      "encrypted with a KMS key of this account: give kms_key_id (a key ARN, id or alias)" % (self.label, source, shared_by))
        key_arn = None
        if kms_key_id:
            key = self.step("reading KMS key %s" % kms_key_id, self.api.key, kms_key_id)
            if key is None:
                self.fail("kms_key_id: there is no KMS key %s in %s (the copy's region); give a key ARN, id or alias of %s"
                          % (kms_key_id, self.region, self.region))
            key_arn = key["arn"]
        copy = dict(source_arn=source_view["arn"], source_identifier=source_view["source_identifier"],
                    source_region=source_region if cross_region else None, kms_key_arn=key_arn, kms_key_id=kms_key_id,
                    copy_tags=self.params["copy_tags"], lookup=lookup, source_api=source_api, status=source_view["status"],
                    shared_by=shared_by)
        return copy, key_arn or source_view["kms_key_id"], source_view["encrypted"] or bool(key_arn)

    def aws_managed(self, key_id):
        if not key_id:
            return False
        key = self.step("reading KMS key %s" % key_id, self.api.key, key_id)
        return bool(key) and key.get("manager") == "AWS"

    def ensure_present(self, record):
        current = normalize(self.kind, record)
        desired = dict(identifier=self.identifier, source_identifier=(self.params.get(self.source_option()) or "").lower() or None,
                       copy=None, shared_accounts=self.params.get("shared_accounts"),
                       purge_shared_accounts=self.params["purge_shared_accounts"], tags=self.params.get("tags"),
                       purge_tags=self.params["purge_tags"], aws_managed_key=False)
        key_id, encrypted = None, False
        if current is not None:
            key_id, encrypted = current["kms_key_id"], current["encrypted"]
        if self.params.get("source_snapshot"):
            desired["copy"], new_key, new_encrypted = self.read_copy_source()
            if current is None:
                key_id, encrypted = new_key, new_encrypted
        elif current is None and desired["source_identifier"]:
            source = self.read_source()
            key_id, encrypted = source.get("KmsKeyId"), bool(source.get("StorageEncrypted"))
        shared = []
        if current is not None:
            shared = self.step("reading who %s %s is shared with" % (self.label, self.identifier), self.api.shared_accounts, self.identifier)
        wanted = set(str(account) for account in desired["shared_accounts"] or [])
        if encrypted and wanted - set(shared):
            desired["aws_managed_key"] = self.aws_managed(key_id)
        changes, errors, after = plan_present(current, shared, desired, self.label)
        if errors:
            self.fail(errors)
        before = view(current, shared, current["tags"]) if current else {}
        if changes and not self.check_mode:
            record = self.apply(changes, record, desired)
        return self.result(bool(changes), record, after["shared_accounts"], changes, before, after)

    def apply(self, changes, record, desired):
        needs_available = self.params["wait"] or any(change["action"] == "share" for change in changes)
        for change in changes:
            action = change["action"]
            if action == "create":
                record = self.write("create", "creating %s %s of %s" % (self.label, self.identifier, change["source"]),
                                    self.api.create, self.identifier, change["source"], desired.get("tags"))
            elif action == "copy":
                copy = desired["copy"]
                if copy["status"] != "available" and copy.get("shared_by"):
                    self.waiting("%s %s to be available" % (self.label, copy["lookup"]),
                                 lambda: self.step("reading shared %s %s" % (self.label, copy["lookup"]), copy["source_api"].shared,
                                                   copy["lookup"]), is_available)
                elif copy["status"] != "available":
                    self.wait_available(copy["source_api"], copy["lookup"])
                record = self.write("copy", "copying %s %s to %s" % (self.label, change["source"], self.identifier),
                                    self.api.copy, change["source"], self.identifier, kms_key_id=copy.get("kms_key_arn"),
                                    copy_tags=copy.get("copy_tags"), tags=desired.get("tags"), source_region=copy.get("source_region"))
            elif action == "tag":
                arn = normalize(self.kind, record)["arn"]
                if change["remove"]:
                    self.write("untag", "removing tags %s from %s" % (", ".join(change["remove"]), self.identifier),
                               self.api.remove_tags, arn, change["remove"])
                if change["set"]:
                    self.write("tag", "tagging %s" % self.identifier, self.api.add_tags, arn, change["set"])
            elif action == "share":
                if normalize(self.kind, record)["status"] != "available":
                    record = self.wait_available(self.api, self.identifier)
                self.write("share", "changing who %s %s is shared with" % (self.label, self.identifier),
                           self.api.share, self.identifier, change["add"], change["remove"])
        if needs_available and normalize(self.kind, record)["status"] != "available":
            return self.wait_available(self.api, self.identifier)
        return self.step("reading %s %s" % (self.label, self.identifier), self.api.describe, self.identifier)

    # mode=prune

    def prune(self):
        self.kind = "cluster" if self.params.get("db_cluster_identifier") else "instance"
        option = self.source_option()
        source = self.params[option].lower()
        self.api = SnapshotApi(self.module.client("rds"), self.kind)
        records = self.step("listing the manual snapshots of %s" % source, self.api.manual_snapshots, source)
        snapshots = [normalize(self.kind, record) for record in records]
        keep, delete, skipped = select(snapshots, self.params["name_prefix"], self.params.get("keep_count"), self.params.get("keep_days"))
        dry_run = self.check_mode or self.params["prune_dry_run"]
        changes = [dict(action="delete", snapshot=s["identifier"], created=s["created"]) for s in delete]
        if not dry_run:
            for snapshot in delete:
                self.write("delete %s" % snapshot["identifier"], "deleting %s %s" % (self.label, snapshot["identifier"]),
                           self.api.delete, snapshot["identifier"])
            if self.params["wait"]:
                for snapshot in delete:
                    self.wait_gone(snapshot["identifier"])
        names = [s["identifier"] for s in keep + skipped]
        before = dict(snapshots=sorted(names + [s["identifier"] for s in delete]))
        after = dict(snapshots=sorted(names))
        changed = bool(delete) and not self.params["prune_dry_run"]
        return dict(changed=changed, deleted=[s["identifier"] for s in delete], kept=[s["identifier"] for s in keep],
                    skipped=[s["identifier"] for s in skipped], dry_run=dry_run, rule=describe_rule(
                        self.params["name_prefix"], self.params.get("keep_count"), self.params.get("keep_days")),
                    changes=changes, snapshot=None, shared_accounts=[], diff=dict(before=before, after=after))
