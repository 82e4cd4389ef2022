# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks made inside PostgreSQL (IAP.14 to IAP.16).

:func:`inspect` logs in to one database as its master user (the managed master user secret),
over TLS with ``verify-full``, and reads the catalog; it never writes. It returns the facts or,
when the database cannot be reached, ``{"error": why}``. :func:`findings` turns the facts of every
inspected database into findings (NOT_APPLICABLE with the reason when it was not reachable).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture.finding import NOT_APPLICABLE, Control, make_finding, verdict

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import DRIVER, PostgresConnectionError, connect

#: Roles RDS (and PostgreSQL) own: not application roles.
SYSTEM_ROLES = ("rdsadmin", "rdsrepladmin", "rdstopmgr", "rdsproxyadmin")
_SYSTEM_FILTER = "r.rolname !~ '^(pg_|rds_)' AND r.rolname <> ALL(%(system)s) AND r.rolname <> %(master)s"

PUBLIC_CREATE_SQL = ("SELECT COALESCE((SELECT has_schema_privilege('public', oid, 'CREATE') FROM pg_catalog.pg_namespace"
                     " WHERE nspname = 'public'), false)")
PRIVILEGED_SQL = ("SELECT r.rolname FROM pg_catalog.pg_roles r WHERE " + _SYSTEM_FILTER +
                  " AND (r.rolsuper OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles s WHERE s.rolname = 'rds_superuser'"
                  " AND pg_catalog.pg_has_role(r.oid, s.oid, 'MEMBER'))) ORDER BY 1")
NO_EXPIRY_SQL = ("SELECT r.rolname FROM pg_catalog.pg_roles r WHERE " + _SYSTEM_FILTER +
                 " AND r.rolcanlogin AND (r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity')"
                 " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles i WHERE i.rolname = 'rds_iam'"
                 " AND pg_catalog.pg_has_role(r.oid, i.oid, 'MEMBER')) ORDER BY 1")

R = "innovate.aws_postgres.pg_role_model"
CATALOGUE = (
    Control("IAP.14", "PUBLIC cannot create objects in schema public", "HIGH",
            "%s: public_hardening (REVOKE CREATE ON SCHEMA public FROM PUBLIC)" % R),
    Control("IAP.15", "Application roles are neither superuser nor members of rds_superuser", "HIGH",
            "%s: logins/groups without member_of rds_superuser (purge: true)" % R),
    Control("IAP.16", "Password logins expire (valid_until) or the login uses IAM (rds_iam)", "LOW",
            "%s: logins[].valid_until or logins[].iam: true" % R),
)


def _rows(conn, statement, params=None):
    cursor = conn.cursor()
    try:
        cursor.execute(statement, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def inspect(connection_params, master_user):
    """``{public_create, privileged, no_expiry}`` read from the database, or ``{error}``."""
    if DRIVER is None:
        return dict(error="no PostgreSQL driver: psycopg2 (or psycopg 3) is not installed")
    try:
        conn = connect(connection_params, autocommit=True)[0]
    except PostgresConnectionError as exc:
        return dict(error=str(exc))
    try:
        names = dict(system=list(SYSTEM_ROLES), master=master_user or "")
        return dict(
            public_create=bool(_rows(conn, PUBLIC_CREATE_SQL)[0][0]),
            privileged=[row[0] for row in _rows(conn, PRIVILEGED_SQL, names)],
            no_expiry=[row[0] for row in _rows(conn, NO_EXPIRY_SQL, names)],
        )
    except DRIVER.Error as exc:
        return dict(error="reading the catalog failed: %s" % DRIVER.error_message(exc))
    finally:
        conn.close()


def findings(context):
    found = []
    for target in context.get("databases") or []:
        facts = target.get("inspection") or dict(error="not inspected")
        for control in CATALOGUE:
            if "error" in facts:
                outcome = (NOT_APPLICABLE, "connection", "not inspected: %s" % facts["error"])
            elif control.control_id == "IAP.14":
                outcome = (verdict(not facts["public_create"]), "has_schema_privilege('public', 'public', 'CREATE')", facts["public_create"])
            elif control.control_id == "IAP.15":
                outcome = (verdict(not facts["privileged"]), "pg_roles rolsuper or member of rds_superuser", facts["privileged"])
            else:
                outcome = (verdict(not facts["no_expiry"]), "pg_roles LOGIN with rolvaliduntil NULL, not member of rds_iam", facts["no_expiry"])
            found.append(make_finding(control, target, *outcome))
    return found
