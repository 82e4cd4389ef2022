# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Small catalog reads shared by the PostgreSQL modules: each function runs exactly one query.

Every function takes an open cursor (psycopg2 or psycopg 3) and only reads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def server_version(cursor):
    """The server's ``server_version_num`` as an int (for example ``150007``)."""
    cursor.execute("SELECT current_setting('server_version_num')::int")
    return cursor.fetchone()[0]


def current_user(cursor):
    """The name of the role the session runs as."""
    cursor.execute("SELECT current_user")
    return cursor.fetchone()[0]


def get_role(cursor, name):
    """The attributes of role ``name`` as a dict, or None when it does not exist.

    Keys: ``name``, ``superuser``, ``inherit``, ``createrole``, ``createdb``, ``login``,
    ``replication``, ``bypassrls``, ``connection_limit``, ``valid_until`` (ISO text or None).
    """
    cursor.execute(
        "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,"
        " rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil::text"
        " FROM pg_catalog.pg_roles WHERE rolname = %s",
        (name,),
    )
    row = cursor.fetchone()
    if row is None:
        return None
    keys = (
        "name",
        "superuser",
        "inherit",
        "createrole",
        "createdb",
        "login",
        "replication",
        "bypassrls",
        "connection_limit",
        "valid_until",
    )
    return dict(zip(keys, row))


def role_memberships(cursor, role=None):
    """Sorted names of the roles ``role`` (default: the current user) is a member of.

    Uses ``pg_has_role(role, other, 'MEMBER')``, so indirect memberships count, and a superuser
    is a member of every role. The role itself is not listed. An unknown ``role`` raises the
    server's error.
    """
    cursor.execute(
        "SELECT r.rolname FROM pg_catalog.pg_roles AS r, (SELECT COALESCE(%s, current_user)::name AS who) AS me"
        " WHERE r.rolname <> me.who AND pg_catalog.pg_has_role(me.who, r.oid, 'MEMBER')"
        " ORDER BY r.rolname",
        (role,),
    )
    return [row[0] for row in cursor.fetchall()]


def installed_extensions(cursor):
    """The extensions installed in the current database: ``{name: {"version", "schema"}}``."""
    cursor.execute(
        "SELECT e.extname, e.extversion, n.nspname FROM pg_catalog.pg_extension AS e"
        " JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace ORDER BY e.extname"
    )
    return dict((name, dict(version=version, schema=schema)) for name, version, schema in cursor.fetchall())


def available_extensions(cursor):
    """The extensions the server can install: ``{name: {"default_version", "installed_version"}}``.

    ``installed_version`` is None when the extension is not installed in the current database.
    """
    cursor.execute(
        "SELECT name, default_version, installed_version FROM pg_catalog.pg_available_extensions ORDER BY name"
    )
    return dict(
        (name, dict(default_version=default, installed_version=installed))
        for name, default, installed in cursor.fetchall()
    )
