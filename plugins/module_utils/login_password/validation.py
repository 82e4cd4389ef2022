# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the ``pg_login_password`` options that need no server (each message names option, value and what is accepted)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import IdentifierError, validate_identifier

#: schema.table, each part a plain lower-case identifier (the audit table is created when missing).
AUDIT_TABLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$")
MAX_AUDIT_TEXT = 1000


def input_problems(params):
    problems = []
    try:
        validate_identifier(params["name"], "name")
    except IdentifierError as exc:
        problems.append("name: %s" % exc)
    if params["name"] in ("rdsadmin", "rdsrepladmin", "rds_superuser", "rds_iam", "rds_replication", "rds_password"):
        problems.append("name: %r is a role RDS reserves for itself; give an application or break-glass login" % params["name"])
    if params["name"] == params.get("login_user") and params.get("login") is False:
        problems.append("login: false would lock out login_user %r, the role this task connects as; connect as another role"
                        % params["name"])
    if params["update_password"] == "never" and params.get("role_password") is None:
        problems.append("update_password: 'never' checks that role_password logs in; give role_password too")
    if params.get("role_password") == "":
        problems.append("role_password: an empty password is not accepted; give the new password or omit the option")
    rejected = params.get("rejected_passwords") or []
    if params.get("role_password") is not None and params["role_password"] in rejected:
        problems.append("rejected_passwords: it holds role_password itself; list only the passwords that must no longer log in")
    if any(not value for value in rejected):
        problems.append("rejected_passwords: empty entries are not accepted; list the previous passwords")
    audit = params.get("audit")
    if audit is not None:
        if not AUDIT_TABLE.match(audit.get("table") or ""):
            problems.append("audit.table: %r is not accepted; give schema.table in lower case, for example innovate_audit.login_events"
                            % audit.get("table"))
        for key in ("actor", "reason", "ticket"):
            if len(audit.get(key) or "") > MAX_AUDIT_TEXT:
                problems.append("audit.%s: %d characters is too long; at most %d are accepted"
                                % (key, len(audit[key]), MAX_AUDIT_TEXT))
    return problems
