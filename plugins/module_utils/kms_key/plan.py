# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Plan the fewest KMS writes that bring an existing key to the desired state.

``plan_existing(current, desired)`` returns the ordered actions (each a dict with ``action``)
and the key's state after them. The order matters to KMS: a key pending deletion is first
restored, a key is enabled before its rotation is changed, and disabled last.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import apply_tag_changes, compare_tags, normalize_tags
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.policy import canonical_policy, policies_equal

PENDING_DELETION = "PendingDeletion"


def rotation_matches(current, enabled, period_days):
    if bool(current.get("enabled")) != bool(enabled):
        return False
    return not enabled or period_days is None or current.get("period_days") == period_days


def plan_existing(current, desired):
    """``(actions, after)`` for an existing key.

    ``current``: describe facts plus ``policy`` (dict), ``rotation`` ({enabled, period_days}) and
    ``tags``. ``desired``: ``description`` (None: keep), ``enabled``, ``rotation_enabled``,
    ``rotation_period_days`` (None: AWS's period), ``policy`` (None: not managed), ``tags``
    (None: not managed) and ``purge_tags``.
    """
    actions = []
    after = dict(current)
    after["rotation"] = dict(current.get("rotation") or {})
    enabled_now = current["enabled"]
    if current.get("key_state") == PENDING_DELETION:
        actions.append(dict(action="cancel_deletion", deletion_date=current.get("deletion_date")))
        enabled_now = False
        after.update(deletion_date=None)
    if desired["enabled"] and not enabled_now:
        actions.append(dict(action="enable"))
    if not rotation_matches(current.get("rotation") or {}, desired["rotation_enabled"], desired.get("rotation_period_days")):
        period = desired.get("rotation_period_days")
        if desired["rotation_enabled"] and period is None:
            period = (current.get("rotation") or {}).get("period_days")
        actions.append(dict(action="rotation", enabled=desired["rotation_enabled"], period_days=period))
        after["rotation"] = dict(enabled=desired["rotation_enabled"], period_days=period if desired["rotation_enabled"] else None)
    if desired.get("policy") is not None and not policies_equal(current.get("policy"), desired["policy"]):
        actions.append(dict(action="policy"))
        after["policy"] = desired["policy"]
    if desired.get("description") is not None and desired["description"] != current.get("description"):
        actions.append(dict(action="description", description=desired["description"]))
        after["description"] = desired["description"]
    to_set, to_remove = compare_tags(current.get("tags"), desired.get("tags"), desired.get("purge_tags", True))
    if to_remove:
        actions.append(dict(action="untag", keys=to_remove))
    if to_set:
        actions.append(dict(action="tag", tags=to_set))
    after["tags"] = apply_tag_changes(current.get("tags"), to_set, to_remove)
    if not desired["enabled"] and (enabled_now or any(a["action"] == "enable" for a in actions)):
        actions.append(dict(action="disable"))
    after["enabled"] = desired["enabled"]
    after["key_state"] = "Enabled" if desired["enabled"] else "Disabled"
    return actions, after


def plan_new(desired, policy):
    """The state of a key that would be created (ids unknown until it exists)."""
    return dict(
        key_id=None, arn=None, description=desired.get("description") or "", enabled=desired["enabled"],
        key_state="Enabled" if desired["enabled"] else "Disabled", key_manager="CUSTOMER", deletion_date=None,
        policy=policy, tags=normalize_tags(desired.get("tags")),
        rotation=dict(enabled=desired["rotation_enabled"],
                      period_days=(desired.get("rotation_period_days") or 365) if desired["rotation_enabled"] else None),
    )


def diff_view(state):
    """The parts of a key state shown in ``--diff`` (policy in canonical form)."""
    if not state:
        return {}
    view = dict(
        alias=state.get("alias"), description=state.get("description"), enabled=state.get("enabled"),
        key_state=state.get("key_state"), rotation=state.get("rotation"), tags=state.get("tags"),
        policy=canonical_policy(state["policy"]) if state.get("policy") is not None else None,
    )
    if state.get("deletion_date"):
        view["deletion"] = "scheduled for %s" % state["deletion_date"]
    return view
