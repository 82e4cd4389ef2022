# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the ``rds_proxy`` options that need no AWS request.

``input_errors(params)`` returns every problem at once; each message names the option, the
value and what would be accepted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import reserved_tag_errors

_NAME = re.compile(r"^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$")
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9/_+=,.@-]+$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]+$")
_GROUP_ID = re.compile(r"^sg-[0-9a-f]+$")
_INSTANCE_ID = re.compile(r"^[A-Za-z](?:-?[A-Za-z0-9]+)*$")
IDLE_TIMEOUT = (1, 28800)
BORROW_TIMEOUT = (0, 300)
_ABSENT_CONFLICTS = ("role_arn", "vpc_subnet_ids", "db_subnet_group_name", "vpc_security_group_ids", "auth", "idle_client_timeout",
                     "debug_logging", "max_connections_percent", "max_idle_connections_percent", "connection_borrow_timeout",
                     "session_pinning_filters", "init_query", "target", "tags")


def _name_errors(option, value, what):
    if value is None:
        return []
    if not 1 <= len(value) <= 63 or not _NAME.match(value):
        return ["%s: %r is not a valid %s; use 1 to 63 letters, digits and hyphens, starting with a letter, without two "
                "consecutive hyphens or a hyphen at the end" % (option, value, what)]
    return []


def _range_error(option, value, bounds, unit=""):
    if value is not None and not bounds[0] <= value <= bounds[1]:
        return ["%s: %s is out of range; expected %d to %d%s" % (option, value, bounds[0], bounds[1], unit)]
    return []


def auth_errors(auth, allow_iam_auth_disabled):
    errors = []
    seen = set()
    for index, entry in enumerate(auth or []):
        option = "auth[%d]" % index
        arn = entry.get("secret_arn") or ""
        if not _SECRET_ARN.match(arn):
            errors.append("%s.secret_arn: %r is not a Secrets Manager secret ARN; expected "
                          "arn:aws:secretsmanager:<region>:<account>:secret:<name> (the ARN, not the secret's name)" % (option, arn))
        if arn in seen:
            errors.append("%s.secret_arn: %s is given twice; give each secret once" % (option, arn))
        seen.add(arn)
        if entry.get("iam_auth") == "DISABLED" and not allow_iam_auth_disabled:
            errors.append("%s.iam_auth: DISABLED lets clients log in to the proxy with the database password instead of a "
                          "short-lived IAM token; keep REQUIRED, or set allow_iam_auth_disabled=true if this is intended" % option)
    return errors


def pool_errors(params):
    errors = _range_error("max_connections_percent", params.get("max_connections_percent"), (1, 100), " (percent of max_connections)")
    errors += _range_error("max_idle_connections_percent", params.get("max_idle_connections_percent"), (0, 100),
                           " (percent of max_connections)")
    errors += _range_error("connection_borrow_timeout", params.get("connection_borrow_timeout"), BORROW_TIMEOUT, " seconds")
    maximum, idle = params.get("max_connections_percent"), params.get("max_idle_connections_percent")
    if maximum is not None and idle is not None and idle > maximum:
        errors.append("max_idle_connections_percent: %d is more than max_connections_percent (%d); the idle pool cannot be "
                      "larger than the pool" % (idle, maximum))
    return errors


def target_errors(target):
    if not target:
        return []
    errors = []
    for key in ("db_instance_identifier", "db_cluster_identifier"):
        value = target.get(key)
        if value is not None and (not 1 <= len(value) <= 63 or not _INSTANCE_ID.match(value)):
            errors.append("target.%s: %r is not a valid identifier; use 1 to 63 letters, digits and hyphens, starting with "
                          "a letter" % (key, value))
    return errors


def network_errors(params):
    errors = ["vpc_subnet_ids: %r is not a subnet id (subnet-...)" % value
              for value in params.get("vpc_subnet_ids") or [] if not _SUBNET_ID.match(value)]
    errors += ["vpc_security_group_ids: %r is not a security group id (sg-...)" % value
               for value in params.get("vpc_security_group_ids") or [] if not _GROUP_ID.match(value)]
    if params.get("vpc_security_group_ids") == []:
        errors.append("vpc_security_group_ids: an empty list is not accepted; give the proxy's security groups, or leave the "
                      "option out to keep the current ones (the VPC's default group for a new proxy)")
    if params.get("vpc_subnet_ids") is not None and len(set(params["vpc_subnet_ids"])) < 2:
        errors.append("vpc_subnet_ids: a proxy needs at least two subnets, in two availability zones (got %d)"
                      % len(set(params["vpc_subnet_ids"])))
    return errors


def input_errors(params):
    """Every problem with the task's options that can be found without calling AWS."""
    errors = _name_errors("name", params["name"], "DB proxy name")
    if params["state"] == "absent":
        errors += ["%s: cannot be used with state=absent (the proxy is deleted); remove %s from the task" % (option, option)
                   for option in _ABSENT_CONFLICTS if params.get(option) is not None]
        return errors
    role_arn = params.get("role_arn")
    if role_arn is not None and not _ROLE_ARN.match(role_arn):
        errors.append("role_arn: %r is not an IAM role ARN; expected arn:aws:iam::<account>:role/<name> (the role the proxy "
                      "assumes to read the secrets)" % role_arn)
    if params.get("auth") is not None and not params["auth"]:
        errors.append("auth: give at least one secret (secret_arn) for the proxy to log in to the database with")
    errors += auth_errors(params.get("auth"), params["allow_iam_auth_disabled"])
    if not params["require_tls"] and not params["allow_tls_not_required"]:
        errors.append("require_tls: false lets clients connect to the proxy without TLS; keep true, or set "
                      "allow_tls_not_required=true if this is intended")
    errors += _range_error("idle_client_timeout", params.get("idle_client_timeout"), IDLE_TIMEOUT, " seconds")
    errors += pool_errors(params)
    errors += target_errors(params.get("target"))
    errors += network_errors(params)
    errors += reserved_tag_errors(params.get("tags"))
    return errors


def security_warnings(params):
    """Warnings for the weaker settings the task explicitly allowed."""
    warnings = []
    disabled = [entry["secret_arn"] for entry in params.get("auth") or [] if entry.get("iam_auth") == "DISABLED"]
    if disabled:
        warnings.append("auth: IAM authentication is not required for %s; clients can log in to the proxy with the database "
                        "password" % ", ".join(disabled))
    if not params["require_tls"]:
        warnings.append("require_tls: the proxy accepts connections without TLS; credentials and data can cross the network "
                        "in clear text")
    return warnings
