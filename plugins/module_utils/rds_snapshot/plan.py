# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The changes that take one snapshot from what it is to what the task asks (no request here).

A snapshot is immutable: an existing one is only checked against the task (its source, the
snapshot it was copied from, its KMS key); a difference is an error, never a replacement. What
can change on an existing snapshot is who it is shared with and its tags.

``desired`` holds: ``identifier``, ``source_identifier`` (the instance or cluster to snapshot),
``copy`` (``dict(source_arn, source_identifier, source_region, kms_key_arn, kms_key_id, copy_tags)``
or None), ``shared_accounts`` (None: not managed), ``purge_shared_accounts``, ``tags`` (None: not
managed), ``purge_tags``, and ``aws_managed_key`` (the snapshot is, or will be, encrypted with
the AWS managed ``aws/rds`` key, which cannot be shared).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import apply_tag_changes, compare_tags, normalize_tags

AWS_KEY_SHARE_ERROR = (
    "shared_accounts: snapshot %s is encrypted with the AWS managed key aws/rds, and AWS does not allow sharing snapshots "
    "encrypted with it (other accounts cannot use that key). Copy the snapshot with source_snapshot and a customer managed "
    "kms_key_id whose key policy grants those accounts, and share the copy"
)


IMMUTABLE = "; a snapshot cannot change (choose another snapshot_identifier, or delete this one first)"


def _copy_errors(current, copy, label):
    errors = []
    copied_from = current.get("copied_from")
    held = (current.get("source_identifier") or "").lower()
    if copied_from and copied_from != copy["source_arn"]:
        values = (label, current["identifier"], copied_from, copy["source_arn"], IMMUTABLE)
        errors.append("%s %s already exists as a copy of %s, not of %s%s" % values)
    elif not copied_from and copy.get("source_identifier") and held != copy["source_identifier"].lower():
        values = (label, current["identifier"], current.get("source_identifier"), copy["source_arn"], IMMUTABLE)
        errors.append("%s %s already exists and holds %s, not a copy of %s%s" % values)
    if copy.get("kms_key_arn") and current.get("kms_key_id") and current["kms_key_id"] != copy["kms_key_arn"]:
        errors.append("kms_key_id: %s %s already exists, encrypted with %s, not %s%s"
                      % (label, current["identifier"], current["kms_key_id"], copy["kms_key_arn"], IMMUTABLE))
    return errors


def _source_errors(current, desired, label):
    errors = []
    wanted = desired.get("source_identifier")
    if wanted and (current.get("source_identifier") or "").lower() != wanted.lower():
        values = (label, current["identifier"], current.get("source_identifier"), wanted, IMMUTABLE)
        errors.append("%s %s already exists and was taken from %s, not %s%s" % values)
    if desired.get("copy"):
        errors.extend(_copy_errors(current, desired["copy"], label))
    return errors


def _share_changes(current_shared, desired):
    wanted = desired.get("shared_accounts")
    if wanted is None:
        return [], []
    wanted = sorted(set(str(account) for account in wanted))
    add = [account for account in wanted if account not in current_shared]
    remove = sorted(account for account in current_shared if account not in wanted) if desired.get("purge_shared_accounts") else []
    return add, remove


def plan_present(current, current_shared, desired, label="DB snapshot"):
    """``(changes, errors, after)``: the changes in order, the problems, and the snapshot's view after them."""
    errors, changes = [], []
    current_shared = list(current_shared or [])
    if current is None:
        copy = desired.get("copy")
        if copy:
            changes.append(dict(action="copy", snapshot=desired["identifier"], source=copy["source_arn"],
                                source_region=copy.get("source_region"), kms_key_id=copy.get("kms_key_arn") or copy.get("kms_key_id"),
                                copy_tags=bool(copy.get("copy_tags"))))
        elif desired.get("source_identifier"):
            changes.append(dict(action="create", snapshot=desired["identifier"], source=desired["source_identifier"]))
        else:
            errors.append("%s %s does not exist; to create it give %s, or source_snapshot to copy another snapshot"
                          % (label, desired["identifier"], "db_cluster_identifier" if "cluster" in label else "db_instance_identifier"))
        tags_after = normalize_tags(desired.get("tags"))
    else:
        errors.extend(_source_errors(current, desired, label))
        try:
            to_set, to_remove = compare_tags(current.get("tags"), desired.get("tags"), desired.get("purge_tags", True))
        except ValueError as e:
            errors.append(str(e))
            to_set, to_remove = {}, []
        if to_set or to_remove:
            changes.append(dict(action="tag", set=to_set, remove=to_remove))
        tags_after = apply_tag_changes(current.get("tags"), to_set, to_remove)
    add, remove = _share_changes(current_shared, desired)
    if add and desired.get("aws_managed_key"):
        errors.append(AWS_KEY_SHARE_ERROR % desired["identifier"])
    if add or remove:
        changes.append(dict(action="share", add=add, remove=remove))
    shared_after = sorted(set(current_shared + add) - set(remove))
    after = view(current, shared_after, tags_after, desired)
    return changes, errors, after


def plan_absent(current, label="DB snapshot"):
    """``(changes, errors)`` for deleting the snapshot ``current`` (None: nothing to do)."""
    if current is None:
        return [], []
    if current.get("snapshot_type") != "manual" or (current.get("identifier") or "").startswith("rds:"):
        return [], ["%s %s is an %s snapshot; RDS deletes those itself (with their retention period or their instance or "
                    "cluster) and they cannot be deleted by request. Only manual snapshots can be deleted"
                    % (label, current["identifier"], current.get("snapshot_type") or "automated")]
    return [dict(action="delete", snapshot=current["identifier"])], []


def view(current, shared, tags, desired=None):
    """The before/after view of a snapshot for the diff ({} when there is none)."""
    if current is None and desired is None:
        return {}
    if current is None:
        copy = desired.get("copy") or {}
        return dict(snapshot_identifier=desired["identifier"], source=desired.get("source_identifier") or copy.get("source_identifier"),
                    copied_from=copy.get("source_arn"), kms_key_id=copy.get("kms_key_arn") or copy.get("kms_key_id"),
                    shared_accounts=list(shared or []), tags=dict(tags or {}))
    return dict(snapshot_identifier=current["identifier"], source=current.get("source_identifier"),
                copied_from=current.get("copied_from"), kms_key_id=current.get("kms_key_id"),
                shared_accounts=list(shared or []), tags=dict(tags or {}))
