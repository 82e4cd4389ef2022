# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

import psycopg2
import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres import catalog
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import (
    PostgresConnectionError,
    connect,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import ident, literal, sql
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.statements import (
    Secret,
    StatementError,
    StatementRecorder,
)


@pytest.fixture
def conn(pg):
    connection, _facts = connect(pg.params())
    yield connection
    connection.close()


def _quoted(name):
    return '"%s"' % name.replace('"', '""')


def _login(pg, user, password):
    login, facts = connect(pg.params(login_user=user, login_password=password))
    login.close()
    return facts["current_user"]


def test_password_is_redacted_in_statements_but_the_real_one_is_set(pg, conn, new_role):
    role = new_role("App Owner")
    password = "s3cr'et %s pw " + pg.password[:6]
    recorder = StatementRecorder(conn)
    recorder.add(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident(role), literal(Secret(password))))
    assert recorder.statements == ["CREATE ROLE %s LOGIN PASSWORD '********'" % _quoted(role)]
    cursor = conn.cursor()
    assert recorder.execute(cursor) == 1
    conn.commit()
    assert _login(pg, role, password) == role
    assert all(password not in statement for statement in recorder.statements)


def test_secret_params_and_secret_values_in_params_are_redacted(pg, conn, new_role):
    role = new_role("param role")
    first, second = "first-" + pg.password[:8], "second-" + pg.password[-8:]
    recorder = StatementRecorder(conn)
    recorder.add(sql.SQL("CREATE ROLE {} LOGIN").format(ident(role)))
    recorder.add(sql.SQL("ALTER ROLE {} PASSWORD %s").format(ident(role)), params=[first], secret_params=[0])
    recorder.add(sql.SQL("COMMENT ON ROLE {} IS %(note)s").format(ident(role)), params={"note": "owner's role"})
    recorder.add(sql.SQL("ALTER ROLE {} PASSWORD %(pw)s").format(ident(role)), params={"pw": Secret(second)})
    quoted = _quoted(role)
    assert recorder.statements == [
        "CREATE ROLE %s LOGIN" % quoted,
        "ALTER ROLE %s PASSWORD '********'" % quoted,
        "COMMENT ON ROLE %s IS 'owner''s role'" % quoted,
        "ALTER ROLE %s PASSWORD '********'" % quoted,
    ]
    recorder.execute(conn.cursor())
    conn.commit()
    assert _login(pg, role, second) == role
    with pytest.raises(PostgresConnectionError) as err:
        _login(pg, role, first)
    assert "password authentication failed" in str(err.value)
    assert first not in str(err.value)


def test_check_mode_records_without_executing_anything(pg, conn, new_role, admin):
    role, group = new_role("planned"), new_role("planned group")
    recorder = StatementRecorder(conn)
    recorder.add(sql.SQL("CREATE ROLE {}").format(ident(group)))
    recorder.add(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident(role), literal(Secret("never-set"))))
    recorder.add(sql.SQL("GRANT {} TO {}").format(ident(group), ident(role)))
    assert len(recorder) == 3 and recorder
    assert recorder.statements[2] == "GRANT %s TO %s" % (_quoted(group), _quoted(role))
    # Rendering talked to nobody: no transaction was opened on the module's connection ...
    assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE
    # ... and the catalog, read on another connection, is unchanged.
    assert catalog.get_role(admin, role) is None
    assert catalog.get_role(admin, group) is None


def test_failing_statement_names_it_redacted_and_leaves_the_secret_out(pg, conn, new_role):
    role = new_role("broken")
    secret = "leak-me-not-" + pg.password[:10]
    recorder = StatementRecorder(conn)
    recorder.add(sql.SQL("CREATE ROLE {}").format(ident(role)))
    recorder.add(sql.SQL("ALTER ROLE {} PASSWORD {} ))").format(ident(role), literal(Secret(secret))))
    with pytest.raises(StatementError) as err:
        recorder.execute(conn.cursor())
    conn.rollback()
    msg = str(err.value)
    assert msg.startswith("statement 2 of 2 failed: ALTER ROLE %s PASSWORD '********' )): " % _quoted(role))
    assert 'syntax error at or near ")"' in msg
    assert secret not in msg
    assert err.value.index == 1
    assert err.value.sqlstate == "42601"
    # The driver's exception quotes the statement back (LINE 1: ...), secret included, so it is
    # neither kept nor chained: not even a full traceback shows the secret.
    assert err.value.__cause__ is None and err.value.__context__ is None
    assert secret not in "".join(traceback.format_exception(err.type, err.value, err.tb))


def test_server_message_quoting_a_secret_is_scrubbed(conn):
    secret = "quoted-back-by-the-server"
    recorder = StatementRecorder(conn)
    recorder.add(sql.SQL("SELECT {}::int").format(literal(Secret(secret))))
    with pytest.raises(StatementError) as err:
        recorder.execute(conn.cursor())
    conn.rollback()
    msg = str(err.value)
    assert 'invalid input syntax for type integer: "********"' in msg
    assert secret not in msg


def test_statements_run_in_the_order_they_were_added(conn):
    recorder = StatementRecorder(conn)
    recorder.add(sql.SQL("CREATE TEMPORARY TABLE {} (n int)").format(ident("Order Log")))
    for number in (3, 1, 2):
        recorder.add(sql.SQL("INSERT INTO {} VALUES (%s)").format(ident("Order Log")), params=[number])
    cursor = conn.cursor()
    assert recorder.execute(cursor) == 4
    cursor.execute('SELECT array_agg(n) FROM "Order Log"')
    assert cursor.fetchone()[0] == [3, 1, 2]
    conn.rollback()


def test_plain_strings_are_refused(conn):
    recorder = StatementRecorder(conn)
    with pytest.raises(TypeError) as err:
        recorder.add("DROP ROLE bob")
    assert "composed with psycopg2.sql" in str(err.value)
    assert len(recorder) == 0 and not recorder


def test_secret_params_must_name_existing_params(conn):
    recorder = StatementRecorder(conn)
    with pytest.raises(ValueError) as err:
        recorder.add(sql.SQL("SELECT %s"), params=["a"], secret_params=[1])
    assert str(err.value) == "secret_params 1 do not name any of the params"
    with pytest.raises(ValueError):
        recorder.add(sql.SQL("SELECT 1"), secret_params=[0])


def test_rendering_needs_a_connection(conn):
    recorder = StatementRecorder()
    recorder.add(sql.SQL("SELECT {}").format(literal(Secret("x"))))
    with pytest.raises(ValueError) as err:
        recorder.statements
    assert "needs a connection" in str(err.value)
    assert recorder.render(conn) == ["SELECT '********'"]


def test_a_secret_cannot_be_rendered_outside_the_recorder(conn):
    secret = Secret("top-secret-value")
    assert "top-secret-value" not in repr(secret)
    assert "top-secret-value" not in str(secret)
    assert "top-secret-value" not in repr(literal(secret))
    with pytest.raises(psycopg2.ProgrammingError):
        literal(secret).as_string(conn)
    cursor = conn.cursor()
    with pytest.raises(psycopg2.ProgrammingError):
        cursor.execute("SELECT %s", [secret])
    conn.rollback()
