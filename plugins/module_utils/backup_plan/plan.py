# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Desired versus current: the changes to one vault, one plan and its selection (no AWS calls).

Each function returns the list of changes (dicts with an ``action``) and the state after them.
A change that must not be made (a locked vault's lock lowered, a vault's key changed) raises
``Refused`` with the reason, before anything is applied.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import apply_tag_changes, compare_tags, normalize_tags
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan import canonical
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.policy import canonical_policy, policies_equal


class Refused(Exception):
    """A change the module will not make; ``str()`` is the message for the user."""


def _days(value):
    return "none" if value is None else "%d days" % value


def describe_lock(lock):
    if not lock:
        return "no lock"
    text = "min_retention_days %s, max_retention_days %s" % (_days(lock.get("min_retention_days")), _days(lock.get("max_retention_days")))
    if lock.get("immutable"):
        return text + ", compliance mode, unchangeable since %s" % lock.get("lock_date")
    if lock.get("lock_date"):
        return text + ", compliance mode, changeable until %s" % lock.get("lock_date")
    return text + ", governance mode"


def _lowerings(current, desired):
    found = []
    if current.get("min_retention_days") is not None and (desired.get("min_retention_days") or 0) < current["min_retention_days"]:
        found.append("min_retention_days %s -> %s" % (current["min_retention_days"], desired.get("min_retention_days")))
    if current.get("max_retention_days") is not None and desired.get("max_retention_days") is not None \
            and desired["max_retention_days"] < current["max_retention_days"]:
        found.append("max_retention_days %s -> %s" % (current["max_retention_days"], desired["max_retention_days"]))
    if current.get("lock_date") and desired.get("changeable_for_days") is None:
        found.append("compliance mode -> governance mode (no changeable_for_days)")
    return found


def lock_changes(vault_name, current, desired, allow_lowering=False):
    """``(changes, lock after)`` for the vault lock; ``desired`` None = not managed, False = remove."""
    if desired is None:
        return [], current
    if desired is False:
        if current is None:
            return [], None
        if current.get("immutable"):
            raise Refused("vault.lock: the lock of vault %s cannot be removed: it is in compliance mode and unchangeable since %s "
                          "(AWS refuses any change); the vault stays locked (%s)" % (vault_name, current["lock_date"], describe_lock(current)))
        if not allow_lowering:
            raise Refused("vault.lock: removing the lock of vault %s (%s) lowers the protection of its recovery points; "
                          "set vault.lock.allow_lowering=true to do it" % (vault_name, describe_lock(current)))
        return [dict(action="delete_vault_lock")], None
    after = dict(min_retention_days=desired.get("min_retention_days"), max_retention_days=desired.get("max_retention_days"),
                 lock_date=None, immutable=False)
    if desired.get("changeable_for_days") is not None:
        after["lock_date"] = (current or {}).get("lock_date") or "in %d days" % desired["changeable_for_days"]
    if current is None:
        return [dict(action="put_vault_lock", lock=desired)], after
    same = (current.get("min_retention_days") == desired.get("min_retention_days")
            and current.get("max_retention_days") == desired.get("max_retention_days")
            and bool(current.get("lock_date")) == (desired.get("changeable_for_days") is not None))
    if same:
        return [], current
    if current.get("immutable"):
        raise Refused("vault.lock: the lock of vault %s cannot be changed: it is in compliance mode and unchangeable since %s "
                      "(AWS refuses any change); it is %s, the task asks for %s" % (
                          vault_name, current["lock_date"], describe_lock(current), describe_lock(after)))
    lowered = _lowerings(current, desired)
    if lowered and not allow_lowering:
        raise Refused("vault.lock: the task lowers the lock of vault %s (%s), which weakens the protection of its recovery points; "
                      "set vault.lock.allow_lowering=true to do it" % (vault_name, "; ".join(lowered)))
    if current.get("lock_date") and desired.get("changeable_for_days") is not None:
        after["lock_date"] = "in %d days" % desired["changeable_for_days"]
    return [dict(action="put_vault_lock", lock=desired)], after


def vault_changes(current, desired, lock, tags, purge_tags, allow_lowering=False):
    """``(changes, vault after)``; ``current`` has ``access_policy`` and ``tags`` read, or is None."""
    name = desired["name"]
    policy = desired.get("access_policy")
    if current is None:
        after = dict(name=name, arn=None, kms_key_arn=desired.get("kms_key_arn"), recovery_points=0, lock=None,
                     access_policy=None, tags=normalize_tags(tags))
        changes = [dict(action="create_vault")]
        if policy:
            changes.append(dict(action="put_vault_access_policy", policy=policy))
            after["access_policy"] = policy
        lock_list, after["lock"] = lock_changes(name, None, lock or None, allow_lowering)
        return changes + lock_list, after
    after = dict(current)
    changes = []
    if desired.get("kms_key_arn") and current.get("kms_key_arn") and desired["kms_key_arn"] != current["kms_key_arn"]:
        raise Refused("vault.kms_key_arn: vault %s is encrypted with %s; the key of a backup vault cannot be changed. Keep %s, or "
                      "create a new vault (another vault.name) with %s" % (name, current["kms_key_arn"], current["kms_key_arn"],
                                                                           desired["kms_key_arn"]))
    if policy is not None:
        if not policy and current.get("access_policy") is not None:
            changes.append(dict(action="delete_vault_access_policy"))
            after["access_policy"] = None
        elif policy and (current.get("access_policy") is None or not policies_equal(policy, current["access_policy"])):
            changes.append(dict(action="put_vault_access_policy", policy=policy))
            after["access_policy"] = policy
    lock_list, after["lock"] = lock_changes(name, current.get("lock"), lock, allow_lowering)
    changes += lock_list
    changes += tag_changes("vault", current.get("tags"), tags, purge_tags, after)
    return changes, after


def tag_changes(kind, current, desired, purge, after):
    to_set, to_remove = compare_tags(current, desired, purge)
    changes = []
    if to_remove:
        changes.append(dict(action="untag_%s" % kind, keys=to_remove))
    if to_set:
        changes.append(dict(action="tag_%s" % kind, tags=to_set))
    after["tags"] = apply_tag_changes(current, to_set, to_remove)
    return changes


def plan_changes(current, document, tags, purge_tags):
    """``(changes, plan after)``; ``current`` is ``{"id", "arn", "version_id", "document", "tags"}`` or None."""
    if current is None:
        return [dict(action="create_plan")], dict(id=None, arn=None, version_id=None, document=document, tags=normalize_tags(tags))
    after = dict(current, document=document)
    changes = []
    if not canonical.same(canonical.plan_document(current["document"]), document):
        changes.append(dict(action="update_plan"))
    else:
        after["document"] = canonical.plan_document(current["document"])
    changes += tag_changes("plan", current.get("tags"), tags, purge_tags, after)
    return changes, after


def selection_changes(current, desired, purge):
    """``(changes, selection after)``: a changed selection is replaced (AWS selections are immutable)."""
    changes = []
    kept = None
    named = [item for item in current if item["name"] == desired["SelectionName"]]
    for item in named:
        if kept is None and canonical.same(canonical.selection(item["selection"]), desired):
            kept = item
    for item in named:
        if item is not kept:
            changes.append(dict(action="delete_selection", id=item["id"], name=item["name"], reason="replaced" if kept is None else "duplicate"))
    if purge:
        for item in current:
            if item["name"] != desired["SelectionName"]:
                changes.append(dict(action="delete_selection", id=item["id"], name=item["name"], reason="not in the task"))
    if kept is None:
        changes.append(dict(action="replace_selection" if named else "create_selection", name=desired["SelectionName"]))
        return changes, dict(id=None, selection=desired)
    return changes, dict(id=kept["id"], selection=canonical.selection(kept["selection"]))


def lock_retention_problems(document, vault_name, lock):
    """Rules writing to a locked vault with a retention outside the lock's range (their backup jobs would fail)."""
    if not lock:
        return []
    low, high = lock.get("min_retention_days"), lock.get("max_retention_days")
    problems = []
    for rule in document["Rules"]:
        if rule["TargetBackupVaultName"] != vault_name:
            continue
        days = (rule.get("Lifecycle") or {}).get("DeleteAfterDays")
        if high is not None and days is None:
            problems.append("plan.rules %s: keeps recovery points forever but vault %s is locked with max_retention_days %d; "
                            "set lifecycle.delete_after_days to at most %d" % (rule["RuleName"], vault_name, high, high))
        elif days is not None and ((low is not None and days < low) or (high is not None and days > high)):
            problems.append("plan.rules %s: lifecycle.delete_after_days %d is outside the lock of vault %s (%s to %s days); "
                            "its backup jobs would fail" % (rule["RuleName"], days, vault_name, low or 1, high or "unlimited"))
    return problems


def vault_view(state):
    if state is None:
        return None
    view = dict(state)
    if view.get("access_policy") is not None:
        view["access_policy"] = canonical_policy(view["access_policy"])
    return view
