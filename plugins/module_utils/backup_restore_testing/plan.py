# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Desired against current restore testing plan and selections: the list of changes, in the order they are applied.

Every field of a plan but its name can be updated, and every field of a selection but its name and
its protected resource type. A selection whose protected resource type differs is replaced: deleted,
then created with the same name (a selection is configuration only; nothing is restored then).
Changes come in the order they are applied: the plan (create or update, tags), then the selections
(deletions, updates, creations).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import apply_tag_changes, compare_tags, normalize_tags
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_restore_testing import spec


def tag_changes(current, desired, purge):
    """``(changes, tags after)`` of the plan's tags; ``desired`` ``None`` leaves them as they are."""
    to_set, to_remove = compare_tags(current, desired, purge)
    changes = []
    if to_remove:
        changes.append(dict(action="untag_plan", keys=to_remove))
    if to_set:
        changes.append(dict(action="tag_plan", tags=to_set))
    return changes, apply_tag_changes(current, to_set, to_remove)


def plan_changes(current, desired, tags, purge_tags):
    """``(changes, plan after)``; ``current`` and the result are ``{"document", "arn", "tags"}`` (current may be None)."""
    if current is None:
        return [dict(action="create_plan")], dict(document=desired, arn=None, tags=normalize_tags(tags))
    changes = []
    fields = spec.differing_keys(current["document"], desired)
    if fields:
        points = spec.differing_keys(current["document"]["RecoveryPointSelection"], desired["RecoveryPointSelection"])
        fields = [field for field in fields if field != "RecoveryPointSelection"] + ["RecoveryPointSelection.%s" % key for key in points]
        changes.append(dict(action="update_plan", fields=fields))
    tag_list, tags_after = tag_changes(current.get("tags"), tags, purge_tags)
    return changes + tag_list, dict(document=desired, arn=current.get("arn"), tags=tags_after)


def selection_changes(current, desired, purge):
    """``(changes, selections after)``; ``desired`` ``None`` leaves the selections as they are."""
    if desired is None:
        return [], list(current)
    wanted = dict((item["RestoreTestingSelectionName"], item) for item in desired)
    deletions, updates, creations, after = [], [], [], []
    for item in current:
        name = item["RestoreTestingSelectionName"]
        if name in wanted:
            continue
        if purge:
            deletions.append(dict(action="delete_selection", name=name, reason="not in the task"))
        else:
            after.append(item)
    by_name = dict((item["RestoreTestingSelectionName"], item) for item in current)
    for item in desired:
        name = item["RestoreTestingSelectionName"]
        found = by_name.get(name)
        if found is None:
            creations.append(dict(action="create_selection", name=name))
        elif found["ProtectedResourceType"] != item["ProtectedResourceType"]:
            deletions.append(dict(action="delete_selection", name=name, reason="replaced: protected_resource_type %s -> %s cannot be updated"
                                  % (found["ProtectedResourceType"], item["ProtectedResourceType"])))
            creations.append(dict(action="create_selection", name=name))
        elif not spec.same(found, item):
            updates.append(dict(action="update_selection", name=name, fields=spec.differing_keys(found, item)))
        after.append(item)
    return deletions + updates + creations, sorted(after, key=lambda value: value["RestoreTestingSelectionName"])


def label(change):
    """The change as listed in the ``actions`` result."""
    action = change["action"]
    if action == "delete_selection":
        return "delete_selection %s (%s)" % (change["name"], change["reason"])
    if action in ("create_selection", "update_selection"):
        return "%s %s" % (action, change["name"])
    return action
