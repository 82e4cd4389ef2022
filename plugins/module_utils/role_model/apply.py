# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run the role model: validate, connect, read the catalog once, plan, apply in one transaction.

In check mode the connection is in autocommit mode and only the catalog SELECTs are sent: the
plan is computed and reported, nothing is executed, not even inside a rolled-back transaction.
Otherwise the catalog is read and the plan applied in one transaction, after taking a
transaction-scoped advisory lock so that two runs against the same server do not interleave.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import (
    DRIVER,
    connect,
    driver_missing_message,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.statements import (
    StatementError,
    StatementRecorder,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.catalog_read import (
    CatalogReadError,
    read_catalog,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.plan import PlanError, build_plan
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.spec import ModelError, normalise

#: Serialises concurrent runs of the role model on one server (roles are cluster-wide).
ADVISORY_LOCK = "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('innovate.aws_postgres.pg_role_model', 0))"


def password_hasher(conn):
    """``hasher(password, role)``: the SCRAM-SHA-256 verifier of ``password``, computed by libpq.

    The verifier is computed on the client (libpq's PQencryptPasswordConn with an explicit
    algorithm, which sends nothing to the server), so the clear-text password never appears in
    the server's statement log or in pgaudit's ROLE audit lines.
    """
    if DRIVER.name == "psycopg2":
        encrypt = DRIVER.module.extensions.encrypt_password

        def hasher(password, role):
            return encrypt(password, role, conn, "scram-sha-256")
    else:
        def hasher(password, role):
            verifier = conn.pgconn.encrypt_password(password.encode("utf-8"), role.encode("utf-8"), b"scram-sha-256")
            return verifier.decode("ascii")
    return hasher


def _valid_until_culprits(model, message):
    """``logins[N].valid_until='value'`` for the values the server's ``message`` names (all if none)."""
    entries = [(login["index"], login["valid_until"]) for login in model.logins.values()
               if login["state"] == "present" and login["valid_until"] is not None]
    named = [entry for entry in entries if '"%s"' % entry[1] in message] or entries
    return ", ".join("logins[%d].valid_until=%r" % entry for entry in sorted(named))


def _finish(conn, commit):
    if conn.autocommit:
        return
    if commit:
        conn.commit()
    else:
        conn.rollback()


def converge(module, conn, facts, model):
    """Plan and (unless in check mode) apply ``model`` on ``conn``; return the result dict.

    Failures call ``module.fail_json`` after rolling back.
    """
    started = time.time()
    cursor = conn.cursor()
    failure = None
    plan = None
    statements = []
    queries = 0
    try:
        if not module.check_mode:
            cursor.execute(ADVISORY_LOCK)
        catalog, queries = read_catalog(cursor, facts["server_version_num"], model.managed_schemas(), model.valid_until_values())
        plan = build_plan(model, catalog, facts, password_hasher(conn))
        recorder = StatementRecorder(conn)
        for statement in plan.statements:
            recorder.add(statement)
        statements = recorder.statements
        if statements and not module.check_mode:
            recorder.execute(cursor)
            _finish(conn, commit=True)
        else:
            _finish(conn, commit=False)
    except CatalogReadError as exc:
        if exc.query == "valid_until":
            msg = "%s: the server does not accept it as a timestamp: %s (use for example '2030-01-01 00:00:00+00' or 'infinity')" % (
                _valid_until_culprits(model, exc.msg), exc.msg)
        else:
            msg = "could not read the catalog (%s query): %s" % (exc.query, exc.msg)
        failure = dict(msg=msg)
    except PlanError as exc:
        failure = dict(msg=str(exc), problems=exc.problems)
    except StatementError as exc:
        failure = dict(msg="the role model was not applied (rolled back): %s" % exc.msg, statements=statements, failed_statement=exc.statement)
    except DRIVER.Error as exc:
        failure = dict(msg="the role model was not applied: %s" % DRIVER.error_message(exc))
    finally:
        cursor.close()
    if failure is not None:
        if not conn.autocommit:
            conn.rollback()
        module.fail_json(changed=False, **failure)
    for warning in plan.warnings:
        module.warn(warning)
    result = dict(
        changed=bool(statements),
        statements=statements,
        roles_created=plan.roles_created,
        roles_dropped=plan.roles_dropped,
        queries=queries,
        server_version_num=facts["server_version_num"],
        driver=facts["driver"],
        elapsed=round(time.time() - started, 3),
        diff=dict(before=plan.before, after=plan.after, prepared="\n".join(statements)),
    )
    return result


def run(module):
    """The whole module run: ``module.exit_json`` or ``module.fail_json``."""
    if DRIVER is None:
        module.fail_json(msg=driver_missing_message())
    try:
        model = normalise(module.params)
    except ModelError as exc:
        module.fail_json(msg=str(exc), problems=exc.problems)
    conn, facts = connect(module, autocommit=module.check_mode)
    try:
        result = converge(module, conn, facts, model)
    finally:
        conn.close()
    module.exit_json(**result)
