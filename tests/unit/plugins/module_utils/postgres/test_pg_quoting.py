# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres import catalog
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import connect
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import (
    IdentifierError,
    ident,
    literal,
    sql,
    validate_identifier,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.statements import StatementRecorder

TRICKY_BASES = [
    'say "hi"',
    "has spaces",
    "dotted.name.here",
    "MixedCase",
    "ünïcødé ☃ ロール",
    "semi;colon -- and 'quote'",
    "back\\slash",
]


@pytest.mark.parametrize(
    "name",
    ["a", "x" * 63, "é" * 31 + "x", 'q"q', "a.b", "Upper", "  leading and trailing  ", "☃" * 21, "$1"],
)
def test_names_postgres_accepts_quoted_are_accepted(name):
    assert validate_identifier(name) == name


@pytest.mark.parametrize(
    "name, expected",
    [
        ("", "role name must not be empty"),
        ("a\x00b", "role name 'a\\x00b' contains a NUL character"),
        ("x" * 64, "is 64 bytes long in UTF-8; PostgreSQL identifiers are limited to 63 bytes"),
        ("é" * 32, "is 64 bytes long in UTF-8"),
        ("☃" * 22, "is 66 bytes long in UTF-8"),
        (None, "role name must be a string, got NoneType None"),
        (42, "role name must be a string, got int 42"),
        ("bad\udc80", "not valid Unicode text"),
    ],
)
def test_names_postgres_would_reject_or_change_are_refused(name, expected):
    with pytest.raises(IdentifierError) as err:
        validate_identifier(name, "role name")
    assert expected in str(err.value)


def test_too_long_name_is_refused_before_any_sql_is_built():
    name = "n" * 60 + "ü" * 2
    with pytest.raises(IdentifierError) as err:
        ident("public", name, what="table name")
    assert str(err.value).startswith("table name %r is 64 bytes long" % name)
    assert "silently truncated" in str(err.value)


def test_ident_and_literal_build_driver_objects(conn_facts):
    conn, _facts = conn_facts
    assert ident("My Schema", 'ta"ble').as_string(conn) == '"My Schema"."ta""ble"'
    assert literal("it's").as_string(conn) == "'it''s'"
    with pytest.raises(TypeError):
        ident()
    with pytest.raises(TypeError):
        ident("x", kind="role")


@pytest.fixture
def conn_facts(pg):
    conn, facts = connect(pg.params())
    yield conn, facts
    conn.close()


def test_tricky_role_names_round_trip_through_the_server(conn_facts, new_role, admin):
    conn, _facts = conn_facts
    names = [new_role(base) for base in TRICKY_BASES]
    group = new_role("Group.With \"Quotes\"")
    recorder = StatementRecorder(conn)
    recorder.add(sql.SQL("CREATE ROLE {}").format(ident(group)))
    for name in names:
        recorder.add(sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(ident(name), ident(group)))
    recorder.execute(conn.cursor())
    conn.commit()
    for name in names:
        role = catalog.get_role(admin, name)
        assert role is not None, name
        assert role["name"] == name
        assert catalog.role_memberships(admin, name) == [group]


def test_tricky_schema_qualified_names_round_trip(conn_facts, admin):
    conn, _facts = conn_facts
    schema = "Sch.ema %s" % uuid.uuid4().hex[:6]
    table = 'Tä"ble.One'
    recorder = StatementRecorder(conn)
    recorder.add(sql.SQL("CREATE SCHEMA {}").format(ident(schema)))
    recorder.add(sql.SQL("CREATE TABLE {} ({} int)").format(ident(schema, table), ident("Column X")))
    try:
        recorder.execute(conn.cursor())
        conn.commit()
        admin.execute(
            "SELECT n.nspname, c.relname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1 WHERE n.nspname = %s",
            (schema,),
        )
        assert admin.fetchall() == [(schema, table, "Column X")]
    finally:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
