# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one AWS Backup restore testing plan and its selections (the work of ``backup_restore_testing``).

Order: check the input, resolve vault and IAM role names to ARNs (the account ID from STS, only
when a name is given), read the plan, its tags and every selection, compute every change, and only
then, outside check mode, write: the plan (create or update), its tags, the selections (deletions,
updates, creations). With ``state=absent`` the selections are deleted first (AWS refuses to delete
a plan that still has selections), then the plan.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_restore_testing import spec
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_restore_testing.api import RestoreTestingApi
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_restore_testing.plan import (
    label,
    plan_changes,
    selection_changes,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_restore_testing.validation import input_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger


def _partition(region):
    if (region or "").startswith("cn-"):
        return "aws-cn"
    if (region or "").startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class RestoreTestingConverger(Converger):
    def __init__(self, module):
        super(RestoreTestingConverger, self).__init__(module)
        self.api = None
        self.name = self.params["name"]

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.api = RestoreTestingApi(self.module.client("backup"))
        if self.params["state"] == "absent":
            return self.ensure_absent()
        return self.ensure_present()

    # reads

    def context(self):
        region = self.module.session.region
        account = None
        if spec.needs_account(self.params):
            identity = self.step("reading the account ID (to turn vault and IAM role names into ARNs)",
                                 self.module.client("sts").get_caller_identity)
            account = identity["Account"]
        return spec.Context(account, region, _partition(region))

    def read(self):
        """``{"document", "arn", "tags", "selections"}`` in canonical form, or ``None``."""
        found = self.step("reading restore testing plan %s" % self.name, self.api.plan, self.name)
        if found is None:
            return None
        tags = self.step("reading the tags of restore testing plan %s" % self.name, self.api.tags, found["RestoreTestingPlanArn"])
        selections = self.step("reading the selections of restore testing plan %s" % self.name, self.api.selections, self.name)
        return dict(document=spec.plan(found), arn=found["RestoreTestingPlanArn"], tags=tags,
                    selections=sorted((spec.selection(item) for item in selections), key=lambda item: item["RestoreTestingSelectionName"]))

    # state=present

    def ensure_present(self):
        context = self.context()
        desired = spec.desired_plan(self.params, context)
        desired_selections = None
        if self.params.get("selections") is not None:
            desired_selections = [spec.desired_selection(options, context) for options in self.params["selections"]]
        current = self.read()
        changes, plan_after = plan_changes(current, desired, self.params.get("tags"), self.params["purge_tags"])
        current_selections = (current or {}).get("selections") or []
        selection_list, selections_after = selection_changes(current_selections, desired_selections, self.params["purge_selections"])
        changes += selection_list
        if not self.check_mode:
            self.apply(changes, plan_after, current_selections, selections_after)
        before = dict(plan=None, selections=[])
        if current is not None:
            before = dict(plan=spec.plan_view(current["document"], current["arn"], current["tags"]),
                          selections=[spec.selection_view(item) for item in current_selections])
        after = dict(plan=spec.plan_view(plan_after["document"], plan_after["arn"], plan_after["tags"]),
                     selections=[spec.selection_view(item) for item in selections_after])
        return dict(changed=bool(changes), actions=[label(change) for change in changes], plan=after["plan"],
                    selections=after["selections"], diff=dict(before=before, after=after))

    def apply(self, changes, plan_after, current_selections, selections_after):
        wanted = dict((item["RestoreTestingSelectionName"], item) for item in selections_after)
        current = dict((item["RestoreTestingSelectionName"], item) for item in current_selections)
        for change in changes:
            action = change["action"]
            if action == "create_plan":
                tags = plan_after["tags"] if self.params.get("tags") else None
                plan_after["arn"] = self.write(action, "creating restore testing plan %s" % self.name, self.api.create_plan,
                                               spec.create_plan_request(plan_after["document"]), tags)
            elif action == "update_plan":
                self.write(action, "updating restore testing plan %s (%s)" % (self.name, ", ".join(change["fields"])),
                           self.api.update_plan, self.name, plan_after["document"])
            elif action == "tag_plan":
                self.write(action, "tagging restore testing plan %s" % self.name, self.api.tag, plan_after["arn"], change["tags"])
            elif action == "untag_plan":
                self.write(action, "removing tags %s from restore testing plan %s" % (", ".join(change["keys"]), self.name),
                           self.api.untag, plan_after["arn"], change["keys"])
            elif action == "delete_selection":
                self.write(label(change), "deleting selection %s of restore testing plan %s" % (change["name"], self.name),
                           self.api.delete_selection, self.name, change["name"])
            elif action == "update_selection":
                self.write(label(change), "updating selection %s of restore testing plan %s (%s)" % (
                    change["name"], self.name, ", ".join(change["fields"])), self.api.update_selection, self.name, change["name"],
                    spec.update_selection_request(current[change["name"]], wanted[change["name"]]))
            elif action == "create_selection":
                self.write(label(change), "creating selection %s of restore testing plan %s" % (change["name"], self.name),
                           self.api.create_selection, self.name, spec.create_selection_request(wanted[change["name"]]))

    # state=absent

    def ensure_absent(self):
        current = self.read()
        if current is None:
            return dict(changed=False, actions=[], plan=None, selections=[], diff=dict(before=dict(plan=None, selections=[]),
                                                                                       after=dict(plan=None, selections=[])))
        changes = [dict(action="delete_selection", name=item["RestoreTestingSelectionName"], reason="state=absent")
                   for item in current["selections"]]
        changes.append(dict(action="delete_plan"))
        if not self.check_mode:
            for change in changes:
                if change["action"] == "delete_selection":
                    self.write(label(change), "deleting selection %s of restore testing plan %s" % (change["name"], self.name),
                               self.api.delete_selection, self.name, change["name"])
                else:
                    self.write("delete_plan", "deleting restore testing plan %s" % self.name, self.api.delete_plan, self.name)
        before = dict(plan=spec.plan_view(current["document"], current["arn"], current["tags"]),
                      selections=[spec.selection_view(item) for item in current["selections"]])
        return dict(changed=True, actions=[label(change) for change in changes], plan=None, selections=[],
                    diff=dict(before=before, after=dict(plan=None, selections=[])))
