# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one parameter group to the task's desired state (the work of ``rds_parameter_group``).

Reads first (group, user-set parameters, tags; engine defaults only when a value must be
validated), computes the plan, and in check mode stops there. Otherwise it creates the group,
modifies and resets parameters in batches of 20 and converges tags. A failure part-way reports
what was already applied; the next run converges the rest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import (
    apply_tag_changes,
    compare_tags,
    normalize_tags,
    reserved_tag_errors,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.api import SCOPES
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.group import ParameterGroupApi
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.plan import (
    build_changes,
    modify_batches,
    pending_candidates,
    pending_reboot,
    reset_batches,
    user_values,
    values_after,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.validation import (
    duplicate_name_errors,
    validate_family,
    validate_group_name,
    validate_values,
    value_type_errors,
)

DEFAULT_DESCRIPTION = "Managed by innovate.aws_postgres"
_ABSENT_CONFLICTS = ("parameters", "tags")


def input_errors(params):
    """Every problem with the task's options that can be found without calling AWS."""
    errors = validate_group_name(params["name"]) + validate_family(params.get("family"))
    if params["state"] == "absent":
        conflicting = [option for option in _ABSENT_CONFLICTS if params.get(option) is not None]
        if params.get("purge_parameters"):
            conflicting.append("purge_parameters")
        errors += [
            "%s: cannot be used with state=absent (the group is deleted); remove %s from the task" % (option, option)
            for option in conflicting
        ]
        return errors
    parameters = params.get("parameters") or {}
    errors += value_type_errors(parameters) + duplicate_name_errors(parameters) + reserved_tag_errors(params.get("tags"))
    return errors


def failure_message(errors):
    if len(errors) == 1:
        return errors[0]
    return "%d problems: %s" % (len(errors), " | ".join("%d) %s" % (index + 1, error) for index, error in enumerate(errors)))


class ParameterGroupConverger(object):
    """Plan and apply one task of ``rds_parameter_group``."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = self.params["name"].lower()
        self.scope = SCOPES[self.params["scope"]]
        self.api = None
        self.applied = []

    def fail(self, errors, **extra):
        self.module.fail_json(msg=failure_message(errors), errors=list(errors), changed=bool(self.applied), **extra)

    def step(self, doing, function, *args):
        """Run one AWS call; on error fail with ``doing`` and what was applied before it."""
        try:
            return function(*args)
        except AWS_EXCEPTIONS as e:
            extra = dict(changed=bool(self.applied))
            if self.applied:
                extra["applied_changes"] = list(self.applied)
            self.module.fail_aws(e, doing=doing, **extra)

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.api = ParameterGroupApi(self.module.client("rds"), self.scope.name, self.name)
        if self.params["state"] == "absent":
            return self.ensure_absent()
        return self.ensure_present()

    def describe(self):
        return self.step("reading %s %s" % (self.scope.label, self.name), self.api.describe)

    def ensure_absent(self):
        group = self.describe()
        result = dict(changed=False, parameter_group=None, deleted=None)
        if group is None:
            return result
        before = dict(description=group["description"])
        if self.module._diff:
            before["parameters"] = user_values(self.step("reading the parameters of %s" % self.name, self.api.user_parameters))
            if group["arn"]:
                before["tags"] = self.step("reading the tags of %s" % self.name, self.api.tags, group["arn"])
        if not self.module.check_mode:
            try:
                self.api.delete()
            except AWS_EXCEPTIONS as e:
                if is_error(e, "InvalidDBParameterGroupState"):
                    self.module.fail_json(
                        msg="%s %s is in use and cannot be deleted: attach another parameter group to the DB "
                            "instances or clusters that use it (or delete them), then retry" % (self.scope.label, self.name),
                        error_code="InvalidDBParameterGroupState",
                        changed=False,
                    )
                if not is_error(e, *self.scope.not_found_codes):
                    self.module.fail_aws(e, doing="deleting %s %s" % (self.scope.label, self.name))
        group["scope"] = self.scope.name
        result.update(changed=True, parameter_group=group, deleted=dict(name=group["name"], arn=group["arn"], scope=self.scope.name))
        result["diff"] = dict(before=before, after={})
        return result

    def read_existing(self, group):
        family = self.params.get("family")
        if family and group["family"] and family != group["family"]:
            self.fail([
                "family: %s %s has family %s, the task asks for %s; a parameter group's family cannot change: "
                "create a group with a new name for %s and attach that instead" % (
                    self.scope.label, self.name, group["family"], family, family)
            ])
        description = self.params.get("description")
        if description is not None and description != group["description"]:
            self.module.warn(
                "description: %s %s keeps its description %r; AWS cannot change a parameter group's description "
                "after creation (the task asks for %r)" % (self.scope.label, self.name, group["description"], description)
            )
        current = self.step("reading the user-set parameters of %s" % self.name, self.api.user_parameters)
        tags = {}
        if group["arn"]:
            tags = self.step("reading the tags of %s" % self.name, self.api.tags, group["arn"])
        return current, tags

    def plan(self, family, current):
        to_check, unchanged = pending_candidates(self.params.get("parameters") or {}, current)
        metadata, validated = {}, {}
        if to_check:
            metadata = self.step("reading the engine defaults of family %s" % family, self.api.engine_defaults, family)
            if not metadata:
                self.fail(["family: AWS lists no %s parameters for family %r; check the family name" % (self.scope.name, family)])
            validated, errors = validate_values(to_check, metadata, family)
            if errors:
                self.fail(errors)
        normalized = dict(unchanged)
        normalized.update(validated)
        return build_changes(normalized, current, metadata, purge=self.params["purge_parameters"])

    def ensure_present(self):
        group = self.describe()
        if group is None:
            if not self.params.get("family"):
                self.fail(["family: required to create %s %s (for example postgres16 or aurora-postgresql16)" % (self.scope.label, self.name)])
            current, tags_now = {}, {}
            group = dict(name=self.name, arn=None, family=self.params["family"],
                         description=self.params.get("description") or DEFAULT_DESCRIPTION)
            created = True
        else:
            group["family"] = group["family"] or self.params.get("family")
            current, tags_now = self.read_existing(group)
            created = False
        changes = self.plan(group["family"], current)
        to_set, to_remove = compare_tags(tags_now, self.params.get("tags"), self.params["purge_tags"])
        tags_after = normalize_tags(self.params.get("tags")) if created else apply_tag_changes(tags_now, to_set, to_remove)
        before = {} if created else dict(parameters=user_values(current), tags=normalize_tags(tags_now), description=group["description"])
        if not self.module.check_mode:
            group = self.apply(created, group, changes, to_set, to_remove, tags_after)
        group.update(scope=self.scope.name, tags=tags_after)
        parameters = values_after(user_values(current), changes)
        after = dict(parameters=parameters, tags=tags_after, description=self.params.get("description") or group["description"])
        return dict(
            changed=bool(created or changes or to_set or to_remove),
            parameter_group=group,
            parameters=parameters,
            changes=changes,
            pending_reboot=pending_reboot(changes),
            diff=dict(before=before, after=after),
        )

    def apply(self, created, group, changes, to_set, to_remove, tags_after):
        if created:
            group = self.step("creating %s %s" % (self.scope.label, self.name), self.api.create,
                              group["family"], group["description"], tags_after)
            self.applied.append(dict(name=self.name, action="create"))
        for batch in modify_batches(changes):
            self.step("setting %s on %s" % (", ".join(item["ParameterName"] for item in batch), self.name), self.api.modify, batch)
            self.applied.extend(change for change in changes if change["action"] == "set" and change["name"] in _names(batch))
        for batch in reset_batches(changes):
            self.step("resetting %s on %s" % (", ".join(item["ParameterName"] for item in batch), self.name), self.api.reset, batch)
            self.applied.extend(change for change in changes if change["action"] == "reset" and change["name"] in _names(batch))
        if not created and group["arn"]:
            if to_remove:
                self.step("removing tags %s from %s" % (", ".join(to_remove), self.name), self.api.remove_tags, group["arn"], to_remove)
            if to_set:
                self.step("tagging %s" % self.name, self.api.add_tags, group["arn"], to_set)
        return group


def _names(batch):
    return set(item["ParameterName"] for item in batch)
