# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The model the integration tests converge: an owner, read-only and read-write groups, logins."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

PASSWORDS = dict(reader="Reader-pw-7f3a9c", writer="Writer-pw-2b8e1d", outsider="Outsider-pw-9c4f0a")
WRITE_VERBS = re.compile(r"^\s*(GRANT|REVOKE|CREATE|ALTER|DROP|REASSIGN|COMMENT|INSERT|UPDATE|DELETE)\b", re.I)


def standard_model(db, schema="app", purge=False, audit=None):
    """The standard model for ``db`` (a ModelDatabase); role names are unique to the test."""
    owner, ro, rw = db.role("owner"), db.role("ro"), db.role("rw")
    model = dict(
        groups=[dict(name=owner), dict(name=ro), dict(name=rw, member_of=[ro])],
        logins=[
            dict(name=db.role("reader"), password=PASSWORDS["reader"], member_of=[ro], connection_limit=5),
            dict(name=db.role("writer"), password=PASSWORDS["writer"], member_of=[rw], valid_until="2099-01-01 00:00:00+00"),
            dict(name=db.role("outsider"), password=PASSWORDS["outsider"]),
        ],
        schemas=[dict(name=schema, owner=owner)],
        privileges=[
            dict(role=ro, schema=schema, on="schema", privileges=["USAGE"]),
            dict(role=ro, schema=schema, on="tables", privileges=["SELECT"]),
            dict(role=ro, schema=schema, on="sequences", privileges=["SELECT"]),
            dict(role=rw, schema=schema, on="tables", privileges=["INSERT", "UPDATE", "DELETE"]),
            dict(role=rw, schema=schema, on="sequences", privileges=["USAGE"]),
        ],
        default_privileges=[
            dict(owner=owner, role=ro, schema=schema, on="tables", privileges=["SELECT"]),
            dict(owner=owner, role=ro, schema=schema, on="sequences", privileges=["SELECT"]),
            dict(owner=owner, role=rw, schema=schema, on="tables", privileges=["INSERT", "UPDATE", "DELETE"]),
            dict(owner=owner, role=rw, schema=schema, on="sequences", privileges=["USAGE"]),
        ],
        purge=purge,
    )
    if audit is not None:
        model["audit"] = audit
    return model


def create_owned_table(db, schema="app", table="items"):
    """Create ``schema.table`` (serial key) as the owner role, like a migration run by the owner.

    The owner role and the schema are created first when they do not exist yet (an existing
    application database brought under the model).
    """
    owner = db.role("owner")
    if db.query("SELECT count(*) FROM pg_roles WHERE rolname = %s", (owner,)) == [(0,)]:
        db.execute('CREATE ROLE "%s" NOLOGIN' % owner)
    if db.query("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)) == [(0,)]:
        db.execute('CREATE SCHEMA "%s" AUTHORIZATION "%s"' % (schema, owner))
    db.execute(
        'SET ROLE "%s"' % db.role("owner"),
        'CREATE TABLE "%s"."%s" (id serial PRIMARY KEY, label text)' % (schema, table),
        'INSERT INTO "%s"."%s" (label) VALUES (\'first\')' % (schema, table),
        "RESET ROLE",
    )


def reads(statements):
    """The statements of a run that are catalog reads (SELECT, or WITH ... SELECT)."""
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def writes(statements):
    """The statements of a run that are not reads."""
    return [s for s in statements if WRITE_VERBS.match(s)]
