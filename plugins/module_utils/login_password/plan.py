# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The current state of one login role and the statements that bring it to the desired one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.login_password.attempt import accepts
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import DRIVER
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import ident, literal, sql_text
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.statements import Secret, StatementRecorder

ROLE_QUERY = (
    "SELECT rolcanlogin, rolvaliduntil::text, rolvaliduntil IS NOT NULL AND rolvaliduntil <= now(),"
    " rolsuper FROM pg_catalog.pg_roles WHERE rolname = %s"
)
VALID_UNTIL_QUERY = (
    "SELECT %s::timestamptz::text, %s::timestamptz <= now(),"
    " %s::timestamptz IS NOT DISTINCT FROM (SELECT rolvaliduntil FROM pg_catalog.pg_roles WHERE rolname = %s)"
)


class PlanError(Exception):
    pass


def read_role(cursor, name):
    """``login``, ``valid_until`` (text or None), ``expired`` and ``superuser`` of role ``name``, or None."""
    cursor.execute(ROLE_QUERY, (name,))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(login=bool(row[0]), valid_until=row[1], expired=bool(row[2]), superuser=bool(row[3]))


def read_valid_until(cursor, name, value):
    """``(normalised text, in the past, equal to the role's)`` for the ``valid_until`` option, parsed by the server."""
    cursor.execute(VALID_UNTIL_QUERY, (value, value, value, name))
    row = cursor.fetchone()
    return row[0], bool(row[1]), bool(row[2])


class Plan:
    """What changes for the role: attributes, password, audit row; and the statements."""

    def __init__(self, name, current):
        self.name = name
        self.before = dict(login=current["login"], valid_until=current["valid_until"])
        self.after = dict(self.before)
        self.expired_after = current["expired"]
        self.password_changed = False
        self.clauses = []
        self.recorder = None

    @property
    def changed(self):
        return bool(self.clauses)

    def diff(self):
        before = dict(self.before, password="(unchanged)")
        after = dict(self.after, password="(changed)" if self.password_changed else "(unchanged)")
        return dict(before=before, after=after)


def build_plan(conn, params, hasher):
    """The :class:`Plan` for ``params``; raises :class:`PlanError` with a message naming the option."""
    name = params["name"]
    cursor = conn.cursor()
    try:
        current = read_role(cursor, name)
        if current is None:
            raise PlanError("name: role %r does not exist in this server; create it first (for example with "
                            "innovate.aws_postgres.pg_role_model) and run this task again" % name)
        if current["superuser"]:
            raise PlanError("name: %r is a superuser; this module manages application and break-glass logins only" % name)
        plan = Plan(name, current)
        if params.get("login") is not None and params["login"] != current["login"]:
            plan.after["login"] = params["login"]
            plan.clauses.append(sql_text("LOGIN" if params["login"] else "NOLOGIN"))
        if params.get("valid_until") is not None:
            try:
                normalised, past, same = read_valid_until(cursor, name, params["valid_until"])
            except DRIVER.Error as exc:
                conn.rollback()
                raise PlanError("valid_until: %r is not a timestamp PostgreSQL accepts (%s); give for example "
                                "'2030-01-01 00:00:00+00' or 'infinity'" % (params["valid_until"], first_line(exc)))
            if not same:
                plan.after["valid_until"] = normalised
                plan.expired_after = past
                plan.clauses.append(sql_text("VALID UNTIL {}").format(literal(normalised)))
    finally:
        cursor.close()
    password = params.get("role_password")
    if password is not None and params["update_password"] == "on_mismatch":
        can_try = current["login"] and not current["expired"]
        if not (can_try and accepts(params, name, password)):
            plan.password_changed = True
            plan.clauses.append(sql_text("PASSWORD {}").format(literal(Secret(hasher(password, name)))))
    return plan


def statements(conn, plan, audit, actor_default):
    """A :class:`StatementRecorder` with the ALTER ROLE statement and, when ``audit`` is set, the audit row."""
    recorder = StatementRecorder(conn)
    if not plan.clauses:
        return recorder
    recorder.add(sql_text("ALTER ROLE {} ").format(ident(plan.name, what="name")) + sql_text(" ").join(plan.clauses))
    if audit is not None:
        schema, table = audit["table"].split(".")
        recorder.add(sql_text("CREATE SCHEMA IF NOT EXISTS {}").format(ident(schema)))
        recorder.add(sql_text(
            "CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(),"
            " role_name name NOT NULL, action text NOT NULL, login boolean, valid_until timestamptz,"
            " password_changed boolean NOT NULL, actor text, reason text, ticket text,"
            " session_role name NOT NULL DEFAULT session_user)").format(ident(schema, table)))
        recorder.add(sql_text(
            "INSERT INTO {} (role_name, action, login, valid_until, password_changed, actor, reason, ticket)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)").format(ident(schema, table)),
            params=[plan.name, audit.get("action") or "change", plan.after["login"], plan.after["valid_until"],
                    plan.password_changed, audit.get("actor") or actor_default, audit.get("reason"), audit.get("ticket")])
    return recorder


def first_line(exc):
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
