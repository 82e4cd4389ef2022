# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Plan the writes that bring a backup bucket to its desired configuration, and the changes refused.

``refusals(current, desired)`` names what the module never does, because it would weaken a WORM
bucket: turning Object Lock off (S3 cannot), and lowering a COMPLIANCE default retention or
leaving COMPLIANCE mode. ``plan(current, desired)`` returns the ordered writes (each a dict with
``action``) and the state after them; the order matters to S3 (versioning before Object Lock).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import apply_tag_changes, compare_tags
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.policy import canonical_policy, policies_equal
from ansible_collections.innovate.aws_postgres.plugins.module_utils.s3_backup_bucket.api import normalize_rules


def refusals(current, desired):
    """Messages for the requested changes that would weaken the bucket's WORM protection."""
    if current is None:
        return []
    now, wanted = current["object_lock"], desired["object_lock"]
    if now["enabled"] and not wanted["enabled"]:
        return ["object_lock_enabled: false is refused: bucket %s has Object Lock, which S3 never turns off once enabled "
                "(that is what makes its backups WORM); keep object_lock_enabled: true, or use another bucket" % current["name"]]
    if now["enabled"] and now["mode"] == "COMPLIANCE":
        if wanted["mode"] != "COMPLIANCE":
            return ["object_lock_mode: %s is refused: bucket %s has a COMPLIANCE default retention, which this module never "
                    "weakens (GOVERNANCE retention can be bypassed); keep object_lock_mode: COMPLIANCE" % (wanted["mode"], current["name"])]
        if now["days"] and wanted["days"] < now["days"]:
            return ["retention_days: %d is refused: bucket %s has a COMPLIANCE default retention of %d days, which this module "
                    "never lowers (it is a compliance commitment); use retention_days >= %d" % (
                        wanted["days"], current["name"], now["days"], now["days"])]
    return []


def plan(current, desired):
    """``(actions, after)``; ``current`` None plans the creation."""
    actions = []
    after = copy.deepcopy(current) if current is not None else dict(
        name=desired["name"], versioning="Disabled", object_lock=dict(enabled=False, mode=None, days=None), encryption=None,
        public_access_block=None, policy=None, lifecycle=[], tags={})
    if current is None:
        actions.append(dict(action="create", object_lock=desired["object_lock"]["enabled"]))
        if desired["object_lock"]["enabled"]:
            after["versioning"] = "Enabled"
            after["object_lock"] = dict(enabled=True, mode=None, days=None)
    if after["public_access_block"] != desired["public_access_block"]:
        actions.append(dict(action="public_access_block"))
    if after["encryption"] != desired["encryption"]:
        actions.append(dict(action="encryption"))
    if after["versioning"] != "Enabled":
        actions.append(dict(action="versioning"))
    if desired["object_lock"]["enabled"] and after["object_lock"] != desired["object_lock"]:
        actions.append(dict(action="object_lock"))
    if not policies_equal(after["policy"], desired["policy"]):
        actions.append(dict(action="policy"))
    if normalize_rules(after["lifecycle"]) != normalize_rules(desired["lifecycle"]):
        actions.append(dict(action="lifecycle"))
    to_set, to_remove = compare_tags(after["tags"], desired["tags"], purge=desired.get("purge_tags", True))
    tags = apply_tag_changes(after["tags"], to_set, to_remove)
    if to_set or to_remove:
        actions.append(dict(action="tags", tags=tags))
    for key in ("public_access_block", "encryption", "policy"):
        after[key] = desired[key]
    after.update(versioning="Enabled", lifecycle=normalize_rules(desired["lifecycle"]), tags=tags)
    if desired["object_lock"]["enabled"]:
        after["object_lock"] = dict(desired["object_lock"])
    return actions, after


def diff_view(state):
    """The parts of a bucket state shown in ``--diff`` (policy in canonical form)."""
    if not state:
        return {}
    view = dict(state)
    view["policy"] = canonical_policy(state["policy"]) if state.get("policy") is not None else None
    view["lifecycle"] = normalize_rules(state.get("lifecycle"))
    return view
