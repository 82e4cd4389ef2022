# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the converged model allows and refuses, proven by logging in as the roles themselves."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import psycopg2
import pytest

from pgrm_model import PASSWORDS, create_owned_table, standard_model


@pytest.fixture
def converged(model_db):
    """The standard model converged on a database whose public schema was left open (as before PG15)."""
    model_db.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    create_owned_table(model_db)
    model = standard_model(model_db, audit=dict(database=["ddl"], roles=[dict(role=model_db.role("reader"), log=["read"])]))
    result, _sent = model_db.run(**model)
    assert result.get("failed") is not True, result.get("msg")
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC" in result["statements"]
    return model_db


def _denied(conn, statement):
    cursor = conn.cursor()
    with pytest.raises(psycopg2.errors.InsufficientPrivilege) as caught:
        cursor.execute(statement)
    conn.rollback()
    return str(caught.value)


def _login(db, base, dbname=None):
    conn = db.connect_as(db.role(base), PASSWORDS[base], dbname)
    conn.autocommit = False
    return conn


def test_read_only_login_reads_but_cannot_write(converged):
    conn = _login(converged, "reader")
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT label FROM app.items")
        assert cursor.fetchall() == [("first",)]
        conn.rollback()
        assert "permission denied for table items" in _denied(conn, "INSERT INTO app.items (label) VALUES ('x')")
        assert "permission denied for table items" in _denied(conn, "UPDATE app.items SET label = 'x'")
        assert "permission denied for table items" in _denied(conn, "DELETE FROM app.items")
        assert "permission denied for sequence" in _denied(conn, "SELECT nextval('app.items_id_seq')")
    finally:
        conn.close()


def test_read_write_login_writes_but_cannot_run_ddl_or_create_in_public(converged):
    conn = _login(converged, "writer")
    try:
        cursor = conn.cursor()
        cursor.execute("INSERT INTO app.items (label) VALUES ('by writer') RETURNING id")
        assert cursor.fetchone() == (2,)
        conn.commit()
        assert "permission denied for schema app" in _denied(conn, "CREATE TABLE app.evil (id int)")
        assert "permission denied for schema public" in _denied(conn, "CREATE TABLE public.evil (id int)")
        assert "must be owner of table items" in _denied(conn, "ALTER TABLE app.items ADD COLUMN x int")
        assert "must be owner of table items" in _denied(conn, "DROP TABLE app.items")
        assert "permission denied for table items" in _denied(conn, "TRUNCATE app.items")
    finally:
        conn.close()


def test_public_cannot_connect(converged):
    undeclared = converged.role("undeclared")
    converged.execute("CREATE ROLE \"%s\" LOGIN PASSWORD 'Undeclared-pw-1'" % undeclared)
    with pytest.raises(psycopg2.OperationalError) as caught:
        converged.connect_as(undeclared, "Undeclared-pw-1")
    assert "permission denied for database" in str(caught.value)
    # the same role can still connect where PUBLIC keeps CONNECT: the refusal is the hardening
    converged.connect_as(undeclared, "Undeclared-pw-1", "postgres").close()


def test_declared_login_without_membership_cannot_read(converged):
    conn = _login(converged, "outsider")
    try:
        assert "permission denied for schema app" in _denied(conn, "SELECT * FROM app.items")
    finally:
        conn.close()


def test_pgaudit_writes_audit_lines_for_the_audited_role(converged):
    position = converged.server.log_position()
    conn = _login(converged, "reader")
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT count(*) FROM app.items")
        assert cursor.fetchone() == (1,)
        conn.commit()
    finally:
        conn.close()
    writer = _login(converged, "writer")
    try:
        writer.cursor().execute("SELECT count(*) FROM app.items")
        writer.commit()
    finally:
        writer.close()
    log = converged.server.log_since(position, settle=0.5)
    reader_lines = [line for line in log.splitlines() if "user=%s " % converged.role("reader") in line and "AUDIT: SESSION" in line]
    assert any(",READ,SELECT," in line and "app.items" in line for line in reader_lines), log[-3000:]
    writer_lines = [line for line in log.splitlines() if "user=%s " % converged.role("writer") in line and "AUDIT: SESSION" in line]
    assert writer_lines == [], "the writer is not audited for reads (only ddl at database level)"
    settings = converged.query(
        "SELECT coalesce(r.rolname, '(database)'), s.setconfig FROM pg_db_role_setting s"
        " JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole"
        " WHERE d.datname = current_database() ORDER BY 1"
    )
    assert settings == sorted([("(database)", ["pgaudit.log=ddl"]), (converged.role("reader"), ["pgaudit.log=read"])])


def test_pgaudit_database_level_ddl_is_audited(converged):
    position = converged.server.log_position()
    converged.execute('SET ROLE "%s"' % converged.role("owner"), "CREATE TABLE app.audited_ddl (id int)", "RESET ROLE")
    log = converged.server.log_since(position, settle=0.5)
    assert any("AUDIT: SESSION" in line and ",DDL,CREATE TABLE," in line for line in log.splitlines()), log[-3000:]
