# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""pg_role_model through ansible-playbook against a real PostgreSQL 15 server, as the RDS-like master user."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from pgrm_model import PASSWORDS, create_owned_table, reads, standard_model, writes


def _not_reads(statements):
    return [s for s in statements if s not in reads(statements)]


def test_second_run_changes_nothing_and_sends_no_grant(model_db):
    create_owned_table(model_db)
    model = standard_model(model_db, audit=dict(database=["ddl"], roles=[dict(role=model_db.role("writer"), log=["write"])]))
    first, sent_first = model_db.run(**model)
    assert first.get("failed") is not True, first.get("msg")
    assert first["changed"] is True
    assert any(s.startswith("GRANT SELECT ON ALL TABLES IN SCHEMA") for s in first["statements"])
    assert writes(sent_first), "the first run must have executed its statements"

    second, sent_second = model_db.run(**model)
    assert second.get("failed") is not True, second.get("msg")
    assert second["changed"] is False
    assert second["statements"] == []
    assert second["diff"]["before"] == second["diff"]["after"]
    assert writes(sent_second) == []
    assert not [s for s in sent_second if s.upper().startswith(("GRANT", "REVOKE"))]
    # the connection's facts query, the advisory lock and the constant catalog reads
    assert len(reads(sent_second)) == second["queries"] + 2
    assert second["queries"] == 8
    assert _not_reads(sent_second) == ["BEGIN", "ROLLBACK", "BEGIN", "ROLLBACK"]


def test_catalog_reads_do_not_grow_with_the_number_of_objects(model_db):
    small, _sent = model_db.run(**standard_model(model_db))
    assert small["changed"] is True
    unused_result, sent_small = model_db.run(**standard_model(model_db))
    for number in range(30):
        create_owned_table(model_db, table="t%02d" % number)
    model_db.execute(
        'SET ROLE "%s"' % model_db.role("owner"),
        "CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "RESET ROLE",
    )
    grown, _sent = model_db.run(**standard_model(model_db))
    assert grown["changed"] is False, grown["statements"]  # default privileges covered the new tables
    unused_result, sent_grown = model_db.run(**standard_model(model_db))
    assert len(sent_grown) == len(sent_small)
    assert grown["queries"] == small["queries"]


def test_check_mode_executes_nothing(model_db):
    create_owned_table_sql = 'CREATE TABLE public.keep (id int)'
    model_db.execute(create_owned_table_sql)
    before_roles = model_db.query("SELECT count(*) FROM pg_roles")
    before_acl = model_db.query("SELECT datacl::text FROM pg_database WHERE datname = current_database()")
    result, sent = model_db.run(check=True, **standard_model(model_db, audit=dict(database=["ddl"])))
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is True
    assert any(s.startswith("CREATE ROLE") for s in result["statements"])
    assert "REVOKE ALL ON DATABASE" in result["diff"]["prepared"]
    assert sent, "the check-mode run should have read the catalog"
    assert _not_reads(sent) == [], "check mode sent more than catalog reads: %s" % _not_reads(sent)
    assert model_db.query("SELECT count(*) FROM pg_roles") == before_roles
    assert model_db.query("SELECT datacl::text FROM pg_database WHERE datname = current_database()") == before_acl
    assert model_db.query("SELECT count(*) FROM pg_namespace WHERE nspname = 'app'") == [(0,)]
    assert model_db.query("SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase"
                          " WHERE d.datname = current_database()") == [(0,)]


def test_purge_revokes_what_the_model_does_not_declare(model_db):
    create_owned_table(model_db)
    model = standard_model(model_db, purge=True)
    first, _sent = model_db.run(**model)
    assert first["changed"] is True
    ro, rw, owner = model_db.role("ro"), model_db.role("rw"), model_db.role("owner")
    stranger = model_db.role("stranger")
    model_db.execute(
        'CREATE ROLE "%s" LOGIN' % stranger,
        'GRANT INSERT ON app.items TO "%s"' % ro,
        'GRANT SELECT ON app.items TO "%s"' % stranger,
        'GRANT CREATE ON SCHEMA app TO "%s"' % rw,
        'GRANT "%s" TO "%s"' % (rw, stranger),
        'ALTER DEFAULT PRIVILEGES FOR ROLE "%s" IN SCHEMA app GRANT TRUNCATE ON TABLES TO "%s"' % (owner, ro),
    )
    second, _sent = model_db.run(**model)
    assert second["changed"] is True
    statements = second["statements"]
    assert 'REVOKE INSERT ON ALL TABLES IN SCHEMA "app" FROM "%s"' % ro in statements
    assert 'REVOKE SELECT ON ALL TABLES IN SCHEMA "app" FROM "%s"' % stranger in statements
    assert 'REVOKE CREATE ON SCHEMA "app" FROM "%s"' % rw in statements
    assert 'REVOKE "%s" FROM "%s"' % (rw, stranger) in statements
    assert ('ALTER DEFAULT PRIVILEGES FOR ROLE "%s" IN SCHEMA "app" REVOKE TRUNCATE ON TABLES FROM "%s"' % (owner, ro)) in statements
    check = model_db.query(
        "SELECT has_table_privilege(%s, 'app.items', 'INSERT'), has_table_privilege(%s, 'app.items', 'SELECT'),"
        " has_schema_privilege(%s, 'app', 'CREATE'), pg_has_role(%s, %s, 'MEMBER')",
        (ro, stranger, rw, stranger, rw),
    )
    assert check == [(False, False, False, False)]
    # the declared grants stay, the undeclared role is not dropped
    assert model_db.query("SELECT has_table_privilege(%s, 'app.items', 'SELECT')", (ro,)) == [(True,)]
    assert model_db.query("SELECT count(*) FROM pg_roles WHERE rolname = %s", (stranger,)) == [(1,)]
    third, sent = model_db.run(**model)
    assert third["driver"] == "psycopg2"
    assert third["changed"] is False and writes(sent) == []


def test_without_purge_out_of_model_grants_stay(model_db):
    create_owned_table(model_db)
    model = standard_model(model_db)
    model_db.run(**model)
    model_db.execute('GRANT INSERT ON app.items TO "%s"' % model_db.role("ro"))
    result, sent = model_db.run(**model)
    assert result["changed"] is False and writes(sent) == []
    assert model_db.query("SELECT has_table_privilege(%s, 'app.items', 'INSERT')", (model_db.role("ro"),)) == [(True,)]


def test_default_privileges_apply_to_a_table_the_owner_creates_later(model_db):
    result, _sent = model_db.run(**standard_model(model_db))
    assert result["changed"] is True
    create_owned_table(model_db, table="later")
    reader = model_db.connect_as(model_db.role("reader"), PASSWORDS["reader"])
    writer = model_db.connect_as(model_db.role("writer"), PASSWORDS["writer"])
    try:
        cursor = reader.cursor()
        cursor.execute("SELECT label FROM app.later")
        assert cursor.fetchall() == [("first",)]
        cursor = writer.cursor()
        cursor.execute("INSERT INTO app.later (label) VALUES ('second') RETURNING id")
        assert cursor.fetchone() == (2,)  # USAGE on the serial's sequence came from the default privileges too
    finally:
        reader.close()
        writer.close()
    again, sent = model_db.run(**standard_model(model_db))
    assert again["changed"] is False and writes(sent) == []


def test_absent_role_is_reassigned_then_dropped(model_db):
    model = standard_model(model_db)
    model["logins"].append(dict(name=model_db.role("batch"), password="Batch-pw-1"))
    model_db.run(**model)
    batch = model_db.role("batch")
    model_db.execute('GRANT CREATE ON SCHEMA app TO "%s"' % batch, 'SET ROLE "%s"' % batch,
                     "CREATE TABLE app.batch_data (id int)", "RESET ROLE")
    model["logins"][-1] = dict(name=batch, state="absent", reassign_to=model_db.role("owner"))
    result, _sent = model_db.run(**model)
    assert result.get("failed") is not True, result.get("msg")
    assert result["roles_dropped"] == [batch]
    order = [s.split(" ")[0] for s in result["statements"] if batch in s]
    assert order[-3:] == ["REASSIGN", "DROP", "DROP"]
    assert model_db.query("SELECT count(*) FROM pg_roles WHERE rolname = %s", (batch,)) == [(0,)]
    assert model_db.query("SELECT tableowner FROM pg_tables WHERE tablename = 'batch_data'") == [(model_db.role("owner"),)]
    again, sent = model_db.run(**model)
    assert again["changed"] is False and writes(sent) == []


def test_a_failing_statement_rolls_the_whole_model_back(model_db):
    conn = model_db.server.master(model_db.name)
    try:
        conn.cursor().execute("CREATE SCHEMA legacy; CREATE TABLE legacy.keep (id int)")
    finally:
        conn.close()
    model = standard_model(model_db)
    model["schemas"].append(dict(name="legacy", state="absent"))  # DROP SCHEMA (RESTRICT) fails: it holds a table
    result, sent = model_db.run(**model)
    assert result.get("failed") is True
    assert result["changed"] is False
    assert "the role model was not applied (rolled back)" in result["msg"]
    assert 'DROP SCHEMA "legacy"' in result["msg"] and "cannot drop schema legacy because other objects depend on it" in result["msg"]
    assert sent[-1] == "ROLLBACK" and "COMMIT" not in sent
    assert any(s.startswith("CREATE ROLE") for s in sent), "the statements before the failure were executed"
    assert model_db.query("SELECT count(*) FROM pg_roles WHERE strpos(rolname, %s) > 0", (model_db.suffix,)) == [(0,)]
    assert model_db.query("SELECT count(*) FROM pg_namespace WHERE nspname IN ('app', 'legacy')") == [(1,)]


def test_psycopg3_driver_converges_the_same_model(model_db, tmp_path):
    # A psycopg2 package that cannot be imported makes the connection helper fall back to psycopg 3.
    shim = tmp_path / "no_psycopg2" / "psycopg2"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError('psycopg2 is hidden to exercise the psycopg 3 driver')\n")
    env = dict(PYTHONPATH=str(shim.parent))
    create_owned_table(model_db)
    model = standard_model(model_db, audit=dict(database=["ddl"]))
    first, _sent = model_db.run(extra_env=env, **model)
    assert first.get("failed") is not True, first.get("msg")
    assert first["changed"] is True
    assert first["driver"] == "psycopg"
    assert 'CREATE ROLE "%s" WITH LOGIN PASSWORD \'********\' CONNECTION LIMIT 5' % model_db.role("reader") in first["statements"]
    model_db.connect_as(model_db.role("reader"), PASSWORDS["reader"]).close()
    second, sent = model_db.run(extra_env=env, **model)
    assert second["changed"] is False and writes(sent) == []
    # and the psycopg2 driver agrees that nothing is left to do
    third, sent = model_db.run(**model)
    assert third["driver"] == "psycopg2"
    assert third["changed"] is False and writes(sent) == []
