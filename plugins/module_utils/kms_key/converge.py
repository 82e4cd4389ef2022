# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one customer managed KMS key, found by its alias (the work of ``kms_key``).

A run that changes nothing reads four things: the key (by alias), its policy, its rotation status
and its tags. A key is never deleted at once: ``state=absent`` schedules the deletion, and
``state=present`` on a key pending deletion cancels it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.api import KmsKeyApi
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.plan import (
    PENDING_DELETION,
    diff_view,
    plan_existing,
    plan_new,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.policy import build_policy, parse_policy, policy_text
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.validation import input_errors, manages_policy, normalize_alias

DEFAULT_DESCRIPTION = "Managed by innovate.aws_postgres"


def _partition(arn):
    parts = (arn or "").split(":")
    return parts[1] if len(parts) > 1 and parts[1] else "aws"


class KmsKeyConverger(Converger):
    def __init__(self, module):
        super(KmsKeyConverger, self).__init__(module)
        self.alias = normalize_alias(self.params["alias"])
        self.api = None

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.api = KmsKeyApi(self.module.client("kms"), self.alias)
        key = self.step("reading the key of %s" % self.alias, self.api.describe)
        if key is not None and key["key_manager"] == "AWS":
            self.fail("alias: %s names an AWS managed key, which cannot be managed; choose another alias" % self.alias)
        if key is not None and (key["key_spec"] != "SYMMETRIC_DEFAULT" or key["key_usage"] != "ENCRYPT_DECRYPT"):
            self.fail("alias: %s names a %s key for %s; this module manages symmetric encryption keys only" % (
                self.alias, key["key_spec"], key["key_usage"]))
        if self.params["state"] == "absent":
            return self.ensure_absent(key)
        return self.ensure_present(key)

    def result(self, changed, state, before, after, **extra):
        key = None
        if state is not None:
            key = dict(
                key_id=state.get("key_id"), arn=state.get("arn"), alias=self.alias, description=state.get("description"),
                enabled=state.get("enabled"), key_state=state.get("key_state"), deletion_date=state.get("deletion_date"),
                policy=state.get("policy"), rotation=state.get("rotation"), tags=state.get("tags"),
            )
        result = dict(changed=changed, key=key, diff=dict(before=before, after=after))
        result.update(extra)
        return result

    # state=absent

    def ensure_absent(self, key):
        if key is None:
            return self.result(False, None, {}, {})
        key["alias"] = self.alias
        before = dict(alias=self.alias, key_state=key["key_state"], enabled=key["enabled"])
        if key["deletion_date"]:
            before["deletion"] = "scheduled for %s" % key["deletion_date"]
        if key["key_state"] == PENDING_DELETION:
            return self.result(False, key, before, dict(before))
        days = self.params["deletion_window_days"]
        deletion_date = None
        if not self.check_mode:
            deletion_date = self.write("schedule_deletion", "scheduling the deletion of %s" % self.alias,
                                       self.api.schedule_deletion, key["key_id"], days)
        key.update(key_state=PENDING_DELETION, enabled=False, deletion_date=deletion_date)
        after = dict(alias=self.alias, key_state=PENDING_DELETION, enabled=False,
                     deletion="scheduled in %d days%s" % (days, (" (%s)" % deletion_date) if deletion_date else ""))
        return self.result(True, key, before, after, deletion_window_days=days)

    # state=present

    def desired(self):
        return dict(
            description=self.params.get("description"), enabled=self.params["enabled"],
            rotation_enabled=self.params["enable_key_rotation"], rotation_period_days=self.params.get("rotation_period_days"),
            tags=self.params.get("tags"), purge_tags=self.params["purge_tags"],
        )

    def desired_policy(self, key):
        if not manages_policy(self.params):
            return None
        if self.params.get("policy") is not None:
            return parse_policy(self.params["policy"])
        if key is not None:
            account, partition = key["account_id"] or key["arn"].split(":")[4], _partition(key["arn"])
        else:
            sts = self.module.client("sts")
            identity = self.step("reading the caller's account", sts.get_caller_identity)
            account, partition = identity["Account"], _partition(get_path(identity, "Arn"))
        return build_policy(
            account, self.module.session.region,
            key_administrators=self.params.get("key_administrators"), key_users=self.params.get("key_users"),
            allow_rds=bool(self.params.get("allow_rds")), allow_backup=bool(self.params.get("allow_backup")),
            grant_accounts=[str(account_id) for account_id in self.params.get("grant_accounts") or []],
            partition=partition,
        )

    def ensure_present(self, key):
        desired = self.desired()
        policy = self.desired_policy(key)
        if key is None:
            return self.create(desired, policy)
        key_id = key["key_id"]
        key["alias"] = self.alias
        key["policy"] = self.step("reading the policy of %s" % self.alias, self.api.policy, key_id)
        key["rotation"] = self.step("reading the rotation status of %s" % self.alias, self.api.rotation, key_id)
        key["tags"] = self.step("reading the tags of %s" % self.alias, self.api.tags, key_id)
        desired["policy"] = policy
        actions, after = plan_existing(key, desired)
        if not self.check_mode:
            self.apply(key_id, actions, policy)
        before_view, after_view = diff_view(key), diff_view(after)
        cancelled = [action for action in actions if action["action"] == "cancel_deletion"]
        if cancelled:
            after_view["deletion"] = "cancelled (was scheduled for %s)" % cancelled[0]["deletion_date"]
        return self.result(bool(actions), after, before_view, after_view, actions=[a["action"] for a in actions])

    def create(self, desired, policy):
        description = desired["description"] if desired["description"] is not None else DEFAULT_DESCRIPTION
        desired["description"] = description
        state = plan_new(desired, policy)
        state["alias"] = self.alias
        if not self.check_mode:
            key_id, arn = self.write("create", "creating the key for %s" % self.alias, self.api.create,
                                     description, policy_text(policy) if policy is not None else None, state["tags"])
            state.update(key_id=key_id, arn=arn)
            self.write("create_alias", "creating alias %s for key %s" % (self.alias, key_id), self.api.create_alias, key_id)
            if desired["rotation_enabled"]:
                self.write("rotation", "enabling the rotation of %s" % self.alias, self.api.set_rotation,
                           key_id, True, desired.get("rotation_period_days"))
                state["rotation"] = self.step("reading the rotation status of %s" % self.alias, self.api.rotation, key_id)
            if not desired["enabled"]:
                self.write("disable", "disabling %s" % self.alias, self.api.set_enabled, key_id, False)
            if policy is None:
                state["policy"] = self.step("reading the policy of %s" % self.alias, self.api.policy, key_id)
        actions = ["create", "create_alias"] + (["rotation"] if desired["rotation_enabled"] else []) + ([] if desired["enabled"] else ["disable"])
        return self.result(True, state, {}, diff_view(state), actions=actions)

    def apply(self, key_id, actions, policy):
        for action in actions:
            kind = action["action"]
            if kind == "cancel_deletion":
                self.write(kind, "cancelling the scheduled deletion of %s" % self.alias, self.api.cancel_deletion, key_id)
            elif kind in ("enable", "disable"):
                self.write(kind, "%sing %s" % (kind[:-1], self.alias), self.api.set_enabled, key_id, kind == "enable")
            elif kind == "rotation":
                self.write(kind, "setting the rotation of %s" % self.alias, self.api.set_rotation,
                           key_id, action["enabled"], action["period_days"])
            elif kind == "policy":
                self.write(kind, "putting the key policy of %s" % self.alias, self.api.put_policy, key_id, policy_text(policy))
            elif kind == "description":
                self.write(kind, "updating the description of %s" % self.alias, self.api.update_description, key_id,
                           action["description"])
            elif kind == "untag":
                self.write(kind, "removing tags %s from %s" % (", ".join(action["keys"]), self.alias), self.api.untag,
                           key_id, action["keys"])
            elif kind == "tag":
                self.write(kind, "tagging %s" % self.alias, self.api.tag, key_id, action["tags"])
