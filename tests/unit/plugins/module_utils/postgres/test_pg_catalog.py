# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import psycopg2
import pytest
from psycopg2 import sql

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres import catalog
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import connect


def test_server_version_and_current_user(pg, admin, new_role):
    conn, facts = connect(pg.params())
    try:
        cursor = conn.cursor()
        assert catalog.server_version(cursor) == facts["server_version_num"]
        assert 150000 <= catalog.server_version(cursor) < 160000
        assert catalog.current_user(cursor) == "postgres"
    finally:
        conn.close()
    role = new_role("Reader")
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(role)), ["reader-pw-1"])
    conn, _facts = connect(pg.params(login_user=role, login_password="reader-pw-1"))
    try:
        assert catalog.current_user(conn.cursor()) == role
    finally:
        conn.close()


def test_get_role_returns_its_attributes(admin, new_role):
    role = new_role("Attr Role")
    admin.execute(
        sql.SQL("CREATE ROLE {} LOGIN CREATEDB NOINHERIT CONNECTION LIMIT 5 VALID UNTIL '2030-01-01 00:00:00+00'").format(
            sql.Identifier(role)
        )
    )
    admin.execute("SET TIME ZONE 'UTC'")
    assert catalog.get_role(admin, role) == dict(
        name=role,
        superuser=False,
        inherit=False,
        createrole=False,
        createdb=True,
        login=True,
        replication=False,
        bypassrls=False,
        connection_limit=5,
        valid_until="2030-01-01 00:00:00+00",
    )
    assert catalog.get_role(admin, role + " (absent)") is None


def test_role_memberships_follow_indirect_grants(admin, new_role):
    member, middle, top, other = new_role("member"), new_role("middle"), new_role("Top"), new_role("other")
    for name in (member, middle, top, other):
        admin.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(name)))
    admin.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(middle), sql.Identifier(member)))
    admin.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(top), sql.Identifier(middle)))
    assert catalog.role_memberships(admin, member) == sorted([middle, top])
    assert catalog.role_memberships(admin, middle) == [top]
    assert catalog.role_memberships(admin, top) == []
    # A superuser is a member of every role (pg_has_role semantics), the current user by default.
    mine = catalog.role_memberships(admin)
    assert {member, middle, top, other, "pg_read_all_data"} <= set(mine)
    assert "postgres" not in mine


def test_role_memberships_of_unknown_role_raise_the_server_error(admin):
    with pytest.raises(psycopg2.errors.UndefinedObject):
        catalog.role_memberships(admin, "no such role anywhere")


def test_installed_and_available_extensions(pg, scratch_db):
    conn, _facts = connect(pg.params(login_db=scratch_db), autocommit=True)
    try:
        cursor = conn.cursor()
        assert catalog.installed_extensions(cursor) == {"plpgsql": {"version": "1.0", "schema": "pg_catalog"}}
        available = catalog.available_extensions(cursor)
        assert available["citext"]["installed_version"] is None
        default_version = available["citext"]["default_version"]
        assert default_version
        cursor.execute('CREATE SCHEMA "Ext Schema"')
        cursor.execute('CREATE EXTENSION citext SCHEMA "Ext Schema"')
        assert catalog.installed_extensions(cursor)["citext"] == {"version": default_version, "schema": "Ext Schema"}
        assert catalog.available_extensions(cursor)["citext"] == {
            "default_version": default_version,
            "installed_version": default_version,
        }
    finally:
        conn.close()
