# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the ``kms_key`` options that need no AWS request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import reserved_tag_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.policy import parse_policy

ALIAS_PREFIX = "alias/"
_ALIAS_NAME = re.compile(r"^[a-zA-Z0-9/_-]+$")
_ACCOUNT = re.compile(r"^\d{12}$")
_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:(root|user/.+|role/.+|assumed-role/.+|federated-user/.+)$")
DELETION_WINDOW = (7, 30)
ROTATION_PERIOD = (90, 2560)
BUILDER_OPTIONS = ("key_administrators", "key_users", "allow_rds", "allow_backup", "grant_accounts")


def normalize_alias(alias):
    """``orders`` and ``alias/orders`` both name ``alias/orders``."""
    alias = (alias or "").strip()
    return alias if alias.startswith(ALIAS_PREFIX) else ALIAS_PREFIX + alias


def alias_errors(alias):
    name = alias[len(ALIAS_PREFIX):]
    if not name:
        return ["alias: %r has no name after 'alias/'; give for example alias/orders-db" % alias]
    errors = []
    if name.startswith("aws/") or name == "aws":
        errors.append("alias: %r is in the alias/aws/ namespace, which is reserved for AWS managed keys; "
                      "choose a name outside it, for example alias/orders-db" % alias)
    if not _ALIAS_NAME.match(name):
        errors.append("alias: %r may contain only letters, digits, '/', '_' and '-' after 'alias/'" % alias)
    if len(alias) > 256:
        errors.append("alias: %r is %d characters long; at most 256 are accepted" % (alias, len(alias)))
    return errors


def _range_error(option, value, bounds):
    if value is not None and not bounds[0] <= value <= bounds[1]:
        return ["%s: %d is out of range; expected %d to %d days" % (option, value, bounds[0], bounds[1])]
    return []


def input_errors(params):
    """Every problem with the task's options that can be found without calling AWS."""
    alias = normalize_alias(params["alias"])
    errors = alias_errors(alias)
    errors += _range_error("deletion_window_days", params.get("deletion_window_days"), DELETION_WINDOW)
    if params["state"] == "absent":
        return errors
    errors += _range_error("rotation_period_days", params.get("rotation_period_days"), ROTATION_PERIOD)
    if params.get("rotation_period_days") is not None and not params.get("enable_key_rotation"):
        errors.append("rotation_period_days: only applies with enable_key_rotation=true")
    if params.get("policy") is not None:
        try:
            parse_policy(params["policy"])
        except ValueError as e:
            errors.append("policy: %s" % e)
        given = [option for option in BUILDER_OPTIONS if params.get(option) is not None]
        if given:
            errors.append("policy: an explicit policy replaces the built one; remove %s or policy" % ", ".join(given))
    for option in ("key_administrators", "key_users"):
        for arn in params.get(option) or []:
            if not _PRINCIPAL_ARN.match(arn):
                errors.append("%s: %r is not an IAM principal ARN; expected for example "
                              "arn:aws:iam::111111111111:role/DbAdmin or arn:aws:iam::111111111111:root" % (option, arn))
    for account in params.get("grant_accounts") or []:
        if not _ACCOUNT.match(str(account)):
            errors.append("grant_accounts: %r is not an AWS account id (12 digits)" % (account,))
    errors += reserved_tag_errors(params.get("tags"))
    return errors


def manages_policy(params):
    """True when the task sets the key policy (explicitly or through the builder options)."""
    return params.get("policy") is not None or any(params.get(option) is not None for option in BUILDER_OPTIONS)
