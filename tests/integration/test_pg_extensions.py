"""pg_extensions through ansible-playbook against real PostgreSQL 15 servers of the local environment.

The instances are created with boto3 like on RDS (a parameter group with shared_preload_libraries
and rds.force_ssl=1, IAM authentication enabled); the module connects as the master user, which
is a member of rds_superuser and not a superuser, with sslmode=verify-full. Results are checked in
the server's catalog, never only in the module's own result.
"""

import pytest

from ext_instances import MASTER_USER, create_instance, run_module

MODULE = "innovate.aws_postgres.pg_extensions"
SEED = ["pg_trgm", "uuid-ossp", "pgcrypto", "pgaudit"]


@pytest.fixture(scope="module")
def main_instance(localenv):
    instance = create_instance(
        localenv, "xm", {"shared_preload_libraries": "pgaudit,pg_stat_statements", "rds.force_ssl": "1"}
    )
    yield instance
    instance.delete()


@pytest.fixture(scope="module")
def restricted_instance(localenv):
    """No pgaudit preloaded, and rds.allowed_extensions without hstore."""
    instance = create_instance(
        localenv,
        "xr",
        {
            "shared_preload_libraries": "pg_stat_statements",
            "rds.force_ssl": "1",
            "rds.allowed_extensions": "pg_trgm,pgcrypto,uuid-ossp,pgaudit,pg_stat_statements",
        },
    )
    yield instance
    instance.delete()


@pytest.fixture
def ansible(localenv, tmp_path):
    """Runs one module task through ansible-playbook (see ext_instances.run_tasks)."""
    return lambda name, args, check=False, diff=False: run_module(localenv, tmp_path, name, args, check, diff)


def run(ansible, instance, extensions, check=False, diff=False, **overrides):
    args = instance.connection_args(**overrides)
    args["extensions"] = extensions
    return ansible(MODULE, args, check=check, diff=diff)


def ext_oids(instance):
    return dict(instance.query("SELECT extname, oid::int FROM pg_extension"))


def test_seed_extensions_are_created_by_the_non_superuser_master_and_rerun_changes_nothing(ansible, main_instance):
    assert main_instance.query("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (MASTER_USER,)) == [(False,)]
    first = run(ansible, main_instance, [dict(name=name) for name in SEED], diff=True)
    assert not first.get("failed"), first.get("msg")
    assert first["changed"] is True
    assert first["statements"] == ['CREATE EXTENSION "%s"' % name for name in SEED]
    owners = dict(main_instance.query("SELECT extname, extowner::regrole::text FROM pg_extension"))
    assert {name: owners.get(name) for name in SEED} == {name: MASTER_USER for name in SEED}
    assert first["diff"]["before"]["extensions"]["pgaudit"] == {"state": "absent"}
    assert first["diff"]["after"]["extensions"]["pgaudit"]["state"] == "present"
    assert first["extensions"]["pg_trgm"] == dict(state="present", version="1.6", schema="public")
    before = ext_oids(main_instance)

    second = run(ansible, main_instance, [dict(name=name) for name in SEED])
    assert not second.get("failed"), second.get("msg")
    assert second["changed"] is False
    assert second["statements"] == []
    assert second["queries"] == 1
    assert ext_oids(main_instance) == before


def test_check_mode_creates_nothing_and_reports_the_plan(ansible, main_instance):
    result = run(ansible, main_instance, [dict(name="hstore"), dict(name="cube", version="1.4")], check=True, diff=True)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True
    assert result["statements"] == ['CREATE EXTENSION "hstore"', "CREATE EXTENSION \"cube\" VERSION '1.4'"]
    assert result["diff"]["after"]["extensions"]["cube"]["version"] == "1.4"
    installed = main_instance.extensions()
    assert "hstore" not in installed and "cube" not in installed


def test_version_update_rollback_of_a_refused_schema_move_and_drop(ansible, main_instance):
    main_instance.query("CREATE SCHEMA IF NOT EXISTS ext")
    created = run(ansible, main_instance, [dict(name="cube", version="1.4"), dict(name="earthdistance")])
    assert not created.get("failed"), created.get("msg")
    assert main_instance.extensions()["cube"] == "1.4"
    assert created["statements"] == ["CREATE EXTENSION \"cube\" VERSION '1.4'", 'CREATE EXTENSION "earthdistance"']

    # A trusted extension's objects belong to the bootstrap superuser, so PostgreSQL lets only a
    # superuser move them: the move fails, and the update before it in the same task is rolled back.
    moved = run(ansible, main_instance, [dict(name="cube", version="latest", schema="ext")])
    assert moved.get("failed") is True
    assert 'ALTER EXTENSION "cube" SET SCHEMA "ext": must be owner of type cube' in moved["msg"]
    assert "rolled back" in moved["msg"]
    assert main_instance.extensions()["cube"] == "1.4"

    updated = run(ansible, main_instance, [dict(name="cube", version="latest")], diff=True)
    assert not updated.get("failed"), updated.get("msg")
    assert updated["statements"] == ["ALTER EXTENSION \"cube\" UPDATE TO '1.5'"]
    assert updated["diff"]["before"]["extensions"]["cube"]["version"] == "1.4"
    assert updated["diff"]["after"]["extensions"]["cube"]["version"] == "1.5"
    assert main_instance.query(
        "SELECT e.extversion, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'cube'"
    ) == [("1.5", "public")]
    assert run(ansible, main_instance, [dict(name="cube", version="latest")])["changed"] is False

    refused = run(ansible, main_instance, [dict(name="cube", state="absent")])
    assert refused.get("failed") is True
    assert "earthdistance depend on it" in refused["msg"]
    assert "cube" in main_instance.extensions()

    dropped = run(ansible, main_instance, [dict(name="cube", state="absent", cascade=True)])
    assert not dropped.get("failed"), dropped.get("msg")
    assert dropped["statements"] == ['DROP EXTENSION "cube" CASCADE']
    installed = main_instance.extensions()
    assert "cube" not in installed and "earthdistance" not in installed


def test_a_failing_statement_rolls_back_the_whole_task(ansible, main_instance):
    main_instance.query("CREATE SCHEMA IF NOT EXISTS ext")
    created = run(ansible, main_instance, [dict(name="hstore", schema="ext")])
    assert created["statements"] == ['CREATE EXTENSION "hstore" SCHEMA "ext"']
    assert main_instance.query(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'hstore'"
    ) == [("ext",)]
    main_instance.query("CREATE TABLE IF NOT EXISTS uses_hstore (h ext.hstore)")
    result = run(ansible, main_instance, [dict(name="btree_gin"), dict(name="hstore", state="absent")])
    assert result.get("failed") is True
    assert "rolled back" in result["msg"] and "uses_hstore" in result["msg"]
    installed = main_instance.extensions()
    assert "btree_gin" not in installed and "hstore" in installed
    main_instance.query("DROP TABLE uses_hstore")


def test_extension_needing_preload_fails_before_any_change_with_the_remedy(ansible, restricted_instance):
    result = run(ansible, restricted_instance, [dict(name="pg_trgm"), dict(name="pgaudit")])
    assert result.get("failed") is True
    message = result["msg"]
    assert "pgaudit need pgaudit in shared_preload_libraries" in message
    assert "innovate.aws_postgres.rds_parameter_group" in message
    assert "{shared_preload_libraries: [pg_stat_statements, pgaudit]}" in message
    assert "reboot" in message and "innovate.aws_postgres.rds_instance with reboot_for_pending: now" in message
    assert "Nothing was changed" in message
    assert result["statements"] == []
    assert restricted_instance.extensions() == {}


def test_extension_outside_rds_allowed_extensions_fails_clearly(ansible, restricted_instance):
    result = run(ansible, restricted_instance, [dict(name="pg_trgm"), dict(name="hstore")])
    assert result.get("failed") is True
    assert "extension hstore is not allowed on this server" in result["msg"]
    assert "rds.allowed_extensions is 'pg_trgm,pgcrypto,uuid-ossp,pgaudit,pg_stat_statements'" in result["msg"]
    assert "pg_trgm" not in restricted_instance.extensions()
    allowed = run(ansible, restricted_instance, [dict(name="pg_trgm"), dict(name="pgcrypto")])
    assert not allowed.get("failed"), allowed.get("msg")
    assert set(restricted_instance.extensions()) == {"pg_trgm", "pgcrypto"}


def test_unknown_extension_or_version_fails_listing_what_is_available(ansible, main_instance):
    unknown = run(ansible, main_instance, [dict(name="pg_trgmm")])
    assert unknown.get("failed") is True
    assert "extension pg_trgmm is not available on this server. Did you mean pg_trgm?" in unknown["msg"]
    assert "Available extensions: " in unknown["msg"] and "uuid-ossp" in unknown["msg"]

    version = run(ansible, main_instance, [dict(name="cube", version="9.9")])
    assert version.get("failed") is True
    assert "extension cube has no version 9.9 on this server; available versions: 1.2, 1.3, 1.4, 1.5 (default 1.5)" in version["msg"]


def test_invalid_names_fail_before_connecting(ansible, main_instance):
    result = run(ansible, main_instance, [dict(name='x"; DROP TABLE t; --' + "y" * 60)])
    assert result.get("failed") is True
    assert "PostgreSQL identifiers are limited to 63 bytes" in result["msg"]


def test_plain_password_login_without_tls_is_refused_by_force_ssl(ansible, main_instance):
    result = run(ansible, main_instance, [dict(name="pg_trgm")], sslmode="disable")
    assert result.get("failed") is True
    assert "no encryption" in result["msg"]
