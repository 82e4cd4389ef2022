# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Recorded catalog rows (in the shapes the catalog queries return) and a renderer for plans.

The rows follow an RDS-like server: the bootstrap superuser ``rdsadmin``, ``rds_superuser``,
``rds_iam`` and the master user ``app_admin`` (CREATEROLE, member of rds_superuser) who owns the
database ``appdb``. :func:`render` turns a composed statement into SQL text the way PostgreSQL
quotes it (standard_conforming_strings on), showing ``Secret`` values as ``'********'``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from psycopg2 import sql

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.statements import Secret
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.catalog_read import Catalog
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.spec import normalise

PG15 = 150007
PG16 = 160003
FACTS = dict(current_user="app_admin", is_superuser=False, database="appdb")


def role_row(name, login=False, superuser=False, createrole=False, limit=-1, valid_until=None, comment=None):
    """A row of the roles query: rolname, rolsuper, rolinherit, rolcreaterole, rolcanlogin, rolconnlimit, valid_until, comment."""
    return (name, superuser, True, createrole, login, limit, valid_until, comment)


def base_rows(version=PG15):
    rows = dict(
        roles=[
            role_row("rdsadmin", login=True, superuser=True, createrole=True),
            role_row("rds_superuser"),
            role_row("rds_iam"),
            role_row("app_admin", login=True, createrole=True),
            role_row("pg_read_all_data"),
        ],
        memberships=[("rds_superuser", "app_admin", "rdsadmin", False, True, True)],
        schemas=[("public", "pg_database_owner", "PUBLIC", "USAGE")],
        objects=[],
        default_acls=[],
        database=[("appdb", "app_admin", "PUBLIC", "CONNECT", "superuser"), ("appdb", "app_admin", "PUBLIC", "TEMPORARY", "superuser")],
        settings=[],
        valid_until=[],
    )
    return rows


def catalog(rows, version=PG15):
    return Catalog.from_rows(version, rows)


def model(**params):
    full = dict(groups=[], logins=[], schemas=[], privileges=[], default_privileges=[], hardening=True, audit=None, purge=False)
    for entry in params.get("groups", []):
        entry.setdefault("state", "present")
        entry.setdefault("member_of", [])
        entry.setdefault("reassign_to", None)
    for entry in params.get("logins", []):
        for key, value in dict(state="present", member_of=[], reassign_to=None, password=None, update_password="on_create",
                               valid_until=None, connection_limit=None, iam=False).items():
            entry.setdefault(key, value)
    for entry in params.get("schemas", []):
        entry.setdefault("state", "present")
        entry.setdefault("owner", None)
    if params.get("audit") is not None:
        params["audit"].setdefault("roles", [])
        params["audit"].setdefault("database", None)
    full.update(params)
    return normalise(full)


def render(composable):
    if isinstance(composable, sql.Composed):
        return "".join(render(part) for part in composable.seq)
    if isinstance(composable, sql.SQL):
        return composable.string
    if isinstance(composable, sql.Identifier):
        return ".".join('"%s"' % part.replace('"', '""') for part in composable.strings)
    if isinstance(composable, sql.Literal):
        value = composable.wrapped
        if isinstance(value, Secret):
            return "'********'"
        if isinstance(value, int):
            return str(value)
        return "'%s'" % value.replace("'", "''")
    raise TypeError("cannot render %r" % (composable,))


def secrets_in(composable):
    """The values wrapped in Secret inside ``composable``."""
    if isinstance(composable, sql.Composed):
        return [value for part in composable.seq for value in secrets_in(part)]
    if isinstance(composable, sql.Literal) and isinstance(composable.wrapped, Secret):
        return [composable.wrapped.value]
    return []
