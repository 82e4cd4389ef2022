# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Freezing and re-enabling the writes of application roles in one database, and the write probe (pg_write_freeze).

``read_only`` sets ``default_transaction_read_only = on`` for each role in the database
(``ALTER ROLE .. IN DATABASE .. SET``): new sessions of the role are read-only. ``revoke_connect``
revokes CONNECT on the database from each role. Either way the role's open sessions are then
terminated, so that no session keeps writing with the old setting.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import ident, literal, sql_text

SETTING = "default_transaction_read_only=on"


class FreezeError(Exception):
    """A role or server the freeze cannot act on (the message says why)."""


def role_state(cursor, role, database):
    """``{"exists", "read_only", "can_connect", "direct_connect"}`` of ``role`` in ``database``."""
    cursor.execute("SELECT oid FROM pg_roles WHERE rolname = %s", (role,))
    row = cursor.fetchone()
    if row is None:
        return {"exists": False}
    cursor.execute(
        "SELECT coalesce(bool_or(%s = ANY (s.setconfig)), false) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
        "WHERE s.setrole = %s AND d.datname = %s", (SETTING, row[0], database))
    read_only = cursor.fetchone()[0]
    cursor.execute("SELECT has_database_privilege(%s, %s, 'CONNECT')", (role, database))
    can_connect = cursor.fetchone()[0]
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a "
                   "WHERE d.datname = %s AND a.grantee = %s AND a.privilege_type = 'CONNECT')", (database, row[0]))
    return {"exists": True, "read_only": bool(read_only), "can_connect": bool(can_connect), "direct_connect": bool(cursor.fetchone()[0])}


def frozen(state, method):
    return state["read_only"] if method == "read_only" else not state["can_connect"]


def statements_for(role, database, method, freeze, state):
    """The statements that bring ``role`` to the frozen (``freeze``) or thawed state; [] when it is there."""
    if frozen(state, method) == freeze:
        return []
    if method == "read_only":
        text = "ALTER ROLE {} IN DATABASE {} SET default_transaction_read_only = on" if freeze else \
            "ALTER ROLE {} IN DATABASE {} RESET default_transaction_read_only"
        return [sql_text(text).format(ident(role, what="role"), ident(database, what="database"))]
    if freeze and not state["direct_connect"]:
        raise FreezeError("role %s may connect to %s through PUBLIC or a group role, not a grant of its own: revoking CONNECT from it "
                          "would not stop it; use method=read_only" % (role, database))
    text = "REVOKE CONNECT ON DATABASE {} FROM {}" if freeze else "GRANT CONNECT ON DATABASE {} TO {}"
    return [sql_text(text).format(ident(database, what="database"), ident(role, what="role"))]


def sessions(cursor, roles, database):
    """The pids of the other sessions of ``roles`` in ``database``."""
    cursor.execute("SELECT pid FROM pg_stat_activity WHERE usename = ANY (%s) AND datname = %s AND pid <> pg_backend_pid() ORDER BY pid",
                   (list(roles), database))
    return [row[0] for row in cursor.fetchall()]


def terminate(cursor, pids):
    terminated = 0
    for pid in pids:
        cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
        terminated += 1 if cursor.fetchone()[0] else 0
    return terminated


def probe(cursor, table, label):
    """Write one row into ``table`` (schema.table, created when missing) and read it back; returns it."""
    schema, name = table.split(".", 1)
    target = ident(schema, name, what="table")
    cursor.execute(sql_text("SET LOCAL default_transaction_read_only = off"))
    cursor.execute(sql_text("SET LOCAL transaction_read_only = off"))
    cursor.execute(sql_text("CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, label text NOT NULL, "
                            "written_at timestamptz NOT NULL DEFAULT clock_timestamp())").format(target))
    cursor.execute(sql_text("INSERT INTO {} (label) VALUES ({}) RETURNING id, label, written_at").format(target, literal(label)))
    row = cursor.fetchone()
    cursor.execute(sql_text("SELECT count(*) FROM {} WHERE id = {}").format(target, literal(row[0])))
    if cursor.fetchone()[0] != 1:
        raise FreezeError("the probe row %s written into %s could not be read back" % (row[0], table))
    return {"id": row[0], "label": row[1], "written_at": row[2].isoformat()}
