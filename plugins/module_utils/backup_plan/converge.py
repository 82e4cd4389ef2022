# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one AWS Backup vault, one plan (found by name) and its selection (the work of ``backup_plan``).

Order: check the input, read everything (vault, its access policy and tags; the plan, its tags
and selections; target vaults the task does not manage), compute every change, refuse what
must not be done, and only then, outside check mode, write: vault, access policy, lock, vault
tags, plan, plan tags, selections (deleted, then created).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan import spec
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan.api import BackupApi
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan.plan import (
    Refused,
    lock_retention_problems,
    plan_changes,
    selection_changes,
    vault_changes,
    vault_view,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan.validation import input_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.policy import parse_policy


def _plan_view(state):
    if state is None:
        return None
    document = state["document"]
    return dict(name=document["BackupPlanName"], id=state.get("id"), arn=state.get("arn"), version_id=state.get("version_id"),
                rules=spec.snake(document["Rules"]), tags=state.get("tags"))


def _selection_view(state):
    if state is None:
        return None
    view = spec.snake(state["selection"])
    view["name"] = view.pop("selection_name")
    view["id"] = state.get("id")
    for key in ("resources", "not_resources", "list_of_tags"):
        view.setdefault(key, [])
    view.setdefault("conditions", {})
    return view


class BackupPlanConverger(Converger):
    def __init__(self, module):
        super(BackupPlanConverger, self).__init__(module)
        self.api = None
        self.vault_options = self.params.get("vault")
        self.plan_options = self.params.get("plan")
        self.selection_options = self.params.get("selection")

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.api = BackupApi(self.module.client("backup"))
        if self.params["state"] == "absent":
            return self.ensure_absent()
        return self.ensure_present()

    # reads

    def read_vault(self, name):
        vault = self.step("reading backup vault %s" % name, self.api.vault, name)
        if vault is not None:
            vault["access_policy"] = self.step("reading the access policy of vault %s" % name, self.api.access_policy, name)
            vault["tags"] = self.step("reading the tags of vault %s" % name, self.api.tags, vault["arn"])
        return vault

    def read_plan(self, name, with_selections):
        found = self.step("looking up backup plan %s" % name, self.api.find_plans, name)
        if len(found) > 1:
            self.fail("plan.name: %d backup plans are named %s (%s); delete the extra ones or rename them so that the name "
                      "identifies one plan" % (len(found), name, ", ".join(sorted(p["BackupPlanId"] for p in found))))
        if not found:
            return None
        plan = self.step("reading backup plan %s" % name, self.api.plan, found[0]["BackupPlanId"])
        plan["tags"] = self.step("reading the tags of plan %s" % name, self.api.tags, plan["arn"])
        plan["selections"] = []
        if with_selections:
            plan["selections"] = self.step("reading the selections of plan %s" % name, self.api.selections, plan["id"])
        return plan

    # state=present

    def desired_vault(self):
        options = dict(self.vault_options)
        policy = options.get("access_policy")
        if policy is not None:
            options["access_policy"] = parse_policy(policy) if policy not in ("", "{}") else {}
            if options["access_policy"] == {}:
                options["access_policy"] = False
        return options

    def ensure_present(self):
        tags, purge = self.params.get("tags"), self.params["purge_tags"]
        changes, before, after = [], {}, {}
        vault_after = None
        lock_options = (self.vault_options or {}).get("lock") or {}
        if self.vault_options:
            name = self.vault_options["name"]
            current = self.read_vault(name)
            before["vault"] = vault_view(current)
            try:
                vault_list, vault_after = vault_changes(current, self.desired_vault(), spec.lock(self.vault_options), tags, purge,
                                                        bool(lock_options.get("allow_lowering")))
            except Refused as e:
                self.fail(str(e))
            changes += [dict(change, target=name) for change in vault_list]
            after["vault"] = vault_view(vault_after)
        plan_after = selection_after = None
        if self.plan_options:
            document = spec.plan_document(self.plan_options, self.vault_options)
            self.check_targets(document, vault_after)
            current_plan = self.read_plan(self.plan_options["name"], self.selection_options is not None)
            plan_list, plan_after = plan_changes(current_plan, document, tags, purge)
            before["plan"] = _plan_view(current_plan)
            after["plan"] = _plan_view(plan_after)
            changes += plan_list
            if self.selection_options:
                current_selections = (current_plan or {}).get("selections") or []
                selection_list, selection_after = selection_changes(current_selections, spec.selection(self.selection_options),
                                                                    self.params["purge_selections"])
                before["selections"] = [_selection_view(dict(id=item["id"], selection=item["selection"])) for item in current_selections]
                deleted = set(change["id"] for change in selection_list if change["action"] == "delete_selection")
                kept = [_selection_view(dict(id=item["id"], selection=item["selection"])) for item in current_selections
                        if item["id"] not in deleted and item["id"] != selection_after["id"]]
                after["selections"] = kept + [_selection_view(selection_after)]
                changes += selection_list
        if not self.check_mode:
            self.apply(changes, vault_after, plan_after, selection_after)
        return dict(changed=bool(changes), actions=[self.label(change) for change in changes],
                    vault=vault_view(vault_after), plan=_plan_view(plan_after), selection=_selection_view(selection_after),
                    diff=dict(before=before, after=after))

    def check_targets(self, document, vault_after):
        """Rules target existing vaults (or the one this task manages) within their lock's retention."""
        problems = []
        seen = {}
        for rule in document["Rules"]:
            target = rule["TargetBackupVaultName"]
            if vault_after is not None and target == vault_after["name"]:
                problems += lock_retention_problems(dict(Rules=[rule]), target, vault_after.get("lock"))
                continue
            if target not in seen:
                seen[target] = self.step("reading backup vault %s" % target, self.api.vault, target)
            if seen[target] is None:
                problems.append("plan.rules %s: target vault %s does not exist in %s; create it first (vault option) or fix target_vault"
                                % (rule["RuleName"], target, self.module.session.region))
            else:
                problems += lock_retention_problems(dict(Rules=[rule]), target, seen[target].get("lock"))
        if problems:
            self.fail(problems)

    @staticmethod
    def label(change):
        action = change["action"]
        if action == "delete_selection":
            return "delete_selection %s (%s)" % (change["name"], change["reason"])
        if action in ("create_selection", "replace_selection"):
            return "%s %s" % (action, change["name"])
        return action

    def apply(self, changes, vault_after, plan_after, selection_after):
        tags = self.params.get("tags")
        for change in changes:
            action = change["action"]
            if action == "create_vault":
                name = vault_after["name"]
                vault_after["arn"] = self.write(action, "creating backup vault %s" % name, self.api.create_vault, name,
                                                vault_after.get("kms_key_arn"), vault_after.get("tags"))
                created = self.step("reading backup vault %s" % name, self.api.vault, name)
                vault_after["kms_key_arn"] = created["kms_key_arn"]
            elif action == "put_vault_access_policy":
                self.write(action, "putting the access policy of vault %s" % vault_after["name"], self.api.put_access_policy,
                           vault_after["name"], change["policy"])
            elif action == "delete_vault_access_policy":
                self.write(action, "deleting the access policy of vault %s" % vault_after["name"], self.api.delete_access_policy,
                           vault_after["name"])
            elif action == "put_vault_lock":
                self.write(action, "putting the lock of vault %s" % vault_after["name"], self.api.put_lock, vault_after["name"], change["lock"])
                vault_after["lock"] = self.step("reading backup vault %s" % vault_after["name"], self.api.vault, vault_after["name"])["lock"]
            elif action == "delete_vault_lock":
                self.write(action, "removing the lock of vault %s" % vault_after["name"], self.api.delete_lock, vault_after["name"])
            elif action in ("tag_vault", "untag_vault", "tag_plan", "untag_plan"):
                self.apply_tags(change, vault_after if action.endswith("vault") else plan_after)
            elif action == "create_plan":
                created = self.write(action, "creating backup plan %s" % plan_after["document"]["BackupPlanName"], self.api.create_plan,
                                     plan_after["document"], dict(plan_after["tags"]) if tags else None)
                plan_after.update(created)
            elif action == "update_plan":
                plan_after["version_id"] = self.write(action, "updating backup plan %s" % plan_after["document"]["BackupPlanName"],
                                                      self.api.update_plan, plan_after["id"], plan_after["document"])
            elif action == "delete_selection":
                self.write(self.label(change), "deleting selection %s of plan %s" % (change["name"], plan_after["document"]["BackupPlanName"]),
                           self.api.delete_selection, plan_after["id"], change["id"])
            elif action in ("create_selection", "replace_selection"):
                selection_after["id"] = self.write(self.label(change), "creating selection %s of plan %s" % (
                    change["name"], plan_after["document"]["BackupPlanName"]), self.api.create_selection, plan_after["id"],
                    selection_after["selection"])

    def apply_tags(self, change, state):
        action = change["action"]
        if action.startswith("untag"):
            self.write(action, "removing tags %s from %s" % (", ".join(change["keys"]), state["arn"]), self.api.untag, state["arn"], change["keys"])
        else:
            self.write(action, "tagging %s" % state["arn"], self.api.tag, state["arn"], change["tags"])

    # state=absent

    def ensure_absent(self):
        changes, before, after = [], {}, {}
        plan = None
        if self.plan_options:
            plan = self.read_plan(self.plan_options["name"], True)
            if plan is not None:
                before["plan"] = _plan_view(plan)
                before["selections"] = [_selection_view(dict(id=item["id"], selection=item["selection"])) for item in plan["selections"]]
                after["plan"] = None
                after["selections"] = []
                changes += [dict(action="delete_selection", id=item["id"], name=item["name"], reason="state=absent")
                            for item in plan["selections"]]
                changes.append(dict(action="delete_plan"))
        vault = None
        if self.vault_options and self.params["delete_vault"]:
            vault = self.read_vault(self.vault_options["name"])
            if vault is not None:
                if vault["recovery_points"]:
                    self.fail("delete_vault: vault %s still holds %d recovery points; AWS Backup deletes only empty vaults. Delete or "
                              "let the recovery points expire first, or set delete_vault=false to keep the vault" % (
                                  vault["name"], vault["recovery_points"]))
                before["vault"] = vault_view(vault)
                after["vault"] = None
                changes.append(dict(action="delete_vault"))
        if not self.check_mode:
            for change in changes:
                action = change["action"]
                if action == "delete_selection":
                    self.write(self.label(change), "deleting selection %s of plan %s" % (change["name"], plan["document"]["BackupPlanName"]),
                               self.api.delete_selection, plan["id"], change["id"])
                elif action == "delete_plan":
                    self.write(action, "deleting backup plan %s" % plan["document"]["BackupPlanName"], self.api.delete_plan, plan["id"])
                elif action == "delete_vault":
                    self.write(action, "deleting backup vault %s" % vault["name"], self.api.delete_vault, vault["name"])
        return dict(changed=bool(changes), actions=[self.label(change) for change in changes], vault=None, plan=None, selection=None,
                    diff=dict(before=before, after=after))
