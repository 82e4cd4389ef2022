# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one application connection secret in Secrets Manager (the work of ``db_secret``).

A run that changes nothing makes two reads (DescribeSecret, GetSecretValue); the KMS key is
looked up only when the task names it differently from how the secret reports it. Description,
KMS key and value change in one UpdateSecret call (one new version). The password is compared,
never returned.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import apply_tag_changes, compare_tags, normalize_tags, reserved_tag_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.db_secret.api import SecretApi, deleted_date, tags_of
from ansible_collections.innovate.aws_postgres.plugins.module_utils.db_secret.plan import (
    plan_rotation,
    rotation_after,
    rotation_errors,
    rotation_from_describe,
    same_kms_key,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.db_secret.value import (
    auth_of,
    merge_value,
    parse_value,
    public_keys,
    redacted,
    value_text,
)

_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
RECOVERY_WINDOW = (7, 30)
_VALUE_OPTIONS = ("host", "port", "dbname", "username", "password", "auth", "kms_key_id", "rotation", "tags")


def input_errors(params):
    """Every problem with the task's options that can be found without calling AWS."""
    errors = []
    if not _NAME.match(params["name"]):
        errors.append("name: %r is not a valid secret name; use 1 to 512 ASCII letters, digits and /_+=.@-" % params["name"])
    if params["state"] == "absent":
        window = params.get("recovery_window_days")
        if params.get("force_delete_without_recovery") and window is not None:
            errors.append("recovery_window_days: cannot be combined with force_delete_without_recovery=true "
                          "(the secret is deleted at once); remove one of them")
        if window is not None and not RECOVERY_WINDOW[0] <= window <= RECOVERY_WINDOW[1]:
            errors.append("recovery_window_days: %d is out of range; expected %d to %d days" % ((window,) + RECOVERY_WINDOW))
        errors += ["%s: cannot be used with state=absent (the secret is deleted); remove %s from the task" % (option, option)
                   for option in _VALUE_OPTIONS if params.get(option) is not None]
        return errors
    if params.get("port") is not None and not 1 <= params["port"] <= 65535:
        errors.append("port: %d is not a TCP port; expected 1 to 65535" % params["port"])
    if params.get("auth") == "iam" and params.get("password") is not None:
        errors.append("password: cannot be combined with auth=iam (IAM authentication uses tokens, not a password); remove one")
    if params.get("password") == "":
        errors.append("password: must not be empty")
    errors += rotation_errors(params.get("rotation"), lambda_known=True)
    errors += reserved_tag_errors(params.get("tags"))
    return errors


class DbSecretConverger(Converger):
    def __init__(self, module):
        super(DbSecretConverger, self).__init__(module)
        self.name = self.params["name"]
        self.api = None

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.api = SecretApi(self.module.client("secretsmanager"), self.name)
        described = self.step("reading secret %s" % self.name, self.api.describe)
        if self.params["state"] == "absent":
            return self.ensure_absent(described)
        if described is None:
            return self.create()
        return self.update(described)

    def output(self, described, value, rotation, tags, version_id=None, kms_key_id=None, description=None):
        described = described or {}
        return dict(
            arn=described.get("ARN"), name=self.name, version_id=version_id,
            description=description if description is not None else (described.get("Description") or ""),
            kms_key_id=kms_key_id if kms_key_id is not None else described.get("KmsKeyId"),
            connection=public_keys(value), auth=auth_of(value), rotation=rotation, tags=tags,
            deletion_date=deleted_date(described),
        )

    # state=absent

    def ensure_absent(self, described):
        if described is None:
            return dict(changed=False, secret=None, diff=dict(before={}, after={}))
        force = self.params["force_delete_without_recovery"]
        pending = deleted_date(described)
        before = dict(name=self.name, deletion="scheduled (%s)" % pending if pending else None)
        rotation = rotation_from_describe(described)
        secret = self.output(described, {}, rotation, tags_of(described))
        if pending and not force:
            return dict(changed=False, secret=secret, diff=dict(before=before, after=dict(before)))
        window = self.params.get("recovery_window_days") or RECOVERY_WINDOW[1]
        deletion_date = None
        if not self.check_mode:
            deletion_date = self.write("delete", "deleting secret %s" % self.name, self.api.delete, window, force)
        after = dict(name=self.name, deletion="immediate, without recovery" if force else
                     "scheduled in %d days%s" % (window, (" (%s)" % deletion_date) if deletion_date else ""))
        secret["deletion_date"] = deletion_date
        result = dict(changed=True, secret=secret, diff=dict(before=before, after=after))
        if not force:
            result["recovery_window_days"] = window
        return result

    # state=present

    def create(self):
        params = self.params
        missing = [option for option in ("host", "username") if params.get(option) is None]
        if params.get("password") is None and params.get("auth") != "iam":
            missing.append("password (or auth=iam)")
        if missing:
            self.fail("%s: required to create secret %s" % (", ".join(missing), self.name))
        rotation_problems = rotation_errors(params.get("rotation"))
        if rotation_problems:
            self.fail(rotation_problems)
        value, password_changed = merge_value(None, params, created=True)
        tags = normalize_tags(params.get("tags"))
        rotation = rotation_from_describe({})
        action = plan_rotation(rotation, params.get("rotation"))
        rotation = rotation_after(rotation, action)
        arn = version_id = None
        if not self.check_mode:
            arn, version_id = self.write("create", "creating secret %s" % self.name, self.api.create,
                                         params.get("description"), params.get("kms_key_id"), value_text(value), tags)
            if action is not None and action["action"] == "rotate":
                self.write("rotation", "configuring the rotation of %s" % self.name, self.api.rotate, action["lambda_arn"], action["rules"])
        secret = self.output(dict(ARN=arn), value, rotation, tags, version_id=version_id,
                             kms_key_id=params.get("kms_key_id"), description=params.get("description"))
        after = dict(description=params.get("description") or "", kms_key_id=params.get("kms_key_id"),
                     value=redacted(value, password_changed), rotation=rotation, tags=tags)
        return dict(changed=True, secret=secret, changed_keys=sorted(value), diff=dict(before={}, after=after))

    def resolve_key(self, identifier):
        try:
            return self.module.client("kms").describe_key(KeyId=identifier)["KeyMetadata"]["Arn"]
        except AWS_EXCEPTIONS:
            return None

    def update(self, described):
        params = self.params
        actions = []
        pending = deleted_date(described)
        if pending:
            actions.append("restore")
            if not self.check_mode:
                self.write("restore", "restoring secret %s (scheduled for deletion)" % self.name, self.api.restore)
        current_value, version_id = {}, None
        if not pending or not self.check_mode:
            text, version_id = self.step("reading the value of secret %s" % self.name, self.api.current_string)
            current_value = parse_value(text)
            if text is not None and current_value is None:
                self.fail("secret %s holds a value that is not a JSON object; this module manages JSON connection "
                          "secrets only (delete it or choose another name)" % self.name)
            current_value = current_value or {}
        rotation_now = rotation_from_describe(described)
        rotation_problems = rotation_errors(params.get("rotation"), lambda_known=bool(rotation_now["lambda_arn"]))
        if rotation_problems:
            self.fail(rotation_problems)
        value, password_changed = merge_value(current_value, params, created=False)
        value_changed = value != current_value
        if value_changed and auth_of(value) is None:
            self.fail("password: secret %s has no password and the task gives none; give password or auth=iam" % self.name)
        update = {}
        if value_changed:
            update["secret_string"] = value_text(value)
        if params.get("description") is not None and params["description"] != (described.get("Description") or ""):
            update["description"] = params["description"]
        kms_key_id = params.get("kms_key_id")
        if kms_key_id is not None and not same_kms_key(described.get("KmsKeyId"), kms_key_id, self.resolve_key):
            update["kms_key_id"] = kms_key_id
        rotation_action = plan_rotation(rotation_now, params.get("rotation"))
        tags_now = tags_of(described)
        to_set, to_remove = compare_tags(tags_now, params.get("tags"), params["purge_tags"])
        actions += ["update_%s" % key for key in sorted(update)]
        if rotation_action is not None:
            actions.append("rotation_%s" % rotation_action["action"])
        actions += (["untag"] if to_remove else []) + (["tag"] if to_set else [])
        if not self.check_mode:
            version_id = self.apply(update, rotation_action, to_set, to_remove) or version_id
        tags_after = apply_tag_changes(tags_now, to_set, to_remove)
        rotation = rotation_after(rotation_now, rotation_action)
        secret = self.output(described, value, rotation, tags_after, version_id=version_id,
                             kms_key_id=update.get("kms_key_id"), description=update.get("description"))
        secret["deletion_date"] = None
        before = dict(description=described.get("Description") or "", kms_key_id=described.get("KmsKeyId"),
                      value=redacted(current_value) if not pending or not self.check_mode else None,
                      rotation=rotation_now, tags=tags_now)
        after = dict(description=secret["description"], kms_key_id=secret["kms_key_id"],
                     value=redacted(value, password_changed), rotation=rotation, tags=tags_after)
        if pending:
            before["deletion"] = "scheduled (%s)" % pending
            after["deletion"] = "cancelled: secret restored"
        changed_keys = sorted(key for key in set(value) | set(current_value) if value.get(key) != current_value.get(key))
        return dict(changed=bool(actions), secret=secret, actions=actions, changed_keys=changed_keys, diff=dict(before=before, after=after))

    def apply(self, update, rotation_action, to_set, to_remove):
        version_id = None
        if update:
            version_id = self.write("update", "updating %s of secret %s" % (", ".join(sorted(update)), self.name), self.api.update, **update)
        if rotation_action is not None and rotation_action["action"] == "cancel":
            self.write("rotation_cancel", "turning off the rotation of %s" % self.name, self.api.cancel_rotation)
        elif rotation_action is not None:
            self.write("rotation", "configuring the rotation of %s" % self.name, self.api.rotate,
                       rotation_action["lambda_arn"], rotation_action["rules"])
        if to_remove:
            self.write("untag", "removing tags %s from %s" % (", ".join(to_remove), self.name), self.api.untag, to_remove)
        if to_set:
            self.write("tag", "tagging %s" % self.name, self.api.tag, to_set)
        return version_id
