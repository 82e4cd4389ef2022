"""playbooks/migrate_schema.yml end to end on one RDS instance with a real PostgreSQL server.

The migration (a small Python script using libpq's environment, as alembic would) runs as the migrator
login with lock_timeout and statement_timeout from PGOPTIONS, after a snapshot. A migration blocked by
an application's lock gives up after lock_timeout: the playbook fails with the server's message, the
database keeps answering with nothing half-applied, the snapshot is kept and its id reported; the next
run (lock released) converges.
"""

import json
import sys
import uuid

import pytest

from harness import REPO
from day2_helpers import (
    DATA_ACCOUNT,
    assert_never_printed,
    connect,
    create_instance,
    master_sql,
    write_inventory,
)

PLAYBOOK = REPO / "playbooks" / "migrate_schema.yml"
MIGRATION = """
import psycopg2

conn = psycopg2.connect("")
cursor = conn.cursor()
for setting in ("lock_timeout", "statement_timeout"):
    cursor.execute("SHOW " + setting)
    print(setting, cursor.fetchone()[0])
cursor.execute("CREATE TABLE IF NOT EXISTS app.schema_version (version int NOT NULL)")
cursor.execute("ALTER TABLE app.accounts ADD COLUMN IF NOT EXISTS email text")
cursor.execute("INSERT INTO app.schema_version VALUES (2)")
conn.commit()
print("migrated to 2")
"""


@pytest.fixture(scope="module")
def deployment(localenv, tmp_path_factory):
    instance = create_instance(localenv, "mig-%s" % uuid.uuid4().hex[:6])
    master_sql(localenv, instance, "CREATE ROLE app_migrator LOGIN PASSWORD 'Migrator-pass-1/x@y'",
               "GRANT app_migrator TO CURRENT_USER", "CREATE SCHEMA app AUTHORIZATION app_migrator",
               "CREATE TABLE app.accounts (id int PRIMARY KEY)", "ALTER TABLE app.accounts OWNER TO app_migrator",
               "INSERT INTO app.accounts VALUES (1), (2)")
    localenv.client("secretsmanager", account_id=DATA_ACCOUNT).create_secret(
        Name="local/%s/app_migrator" % instance["identifier"], SecretString=json.dumps(dict(
            engine="postgres", host=instance["host"], port=instance["port"], dbname="app", username="app_migrator",
            password="Migrator-pass-1/x@y")))
    directory = tmp_path_factory.mktemp("mig")
    script = directory / "migrate.py"
    script.write_text(MIGRATION)
    inventory = write_inventory(directory / "hosts.yml", localenv, instance)
    yield dict(instance, inventory=inventory, command="%s %s" % (sys.executable, script), directory=directory)
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.delete_db_instance(DBInstanceIdentifier=instance["identifier"], SkipFinalSnapshot=True)


def columns(localenv, instance):
    rows = master_sql(localenv, instance, "SELECT column_name FROM information_schema.columns"
                                          " WHERE table_schema = 'app' AND table_name = 'accounts' ORDER BY 1")
    return [row[0] for row in rows]


def test_migration_blocked_by_a_lock_fails_safely_then_converges(ansible, localenv, deployment):
    instance = deployment
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    report_dir = instance["directory"] / "reports"
    report_dir.mkdir()
    extra = dict(migrate_schema_command=instance["command"], migrate_schema_lock_timeout="1s",
                 migrate_schema_statement_timeout="30s", migrate_schema_report_dir=str(report_dir))

    bad = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], extra_vars=dict(extra, migrate_schema_lock_timeout="soon"))
    assert bad.rc != 0 and "(got soon / 30s)" in bad.result("Check the inputs")["msg"]

    # An application transaction holds a lock on app.accounts: the migration gives up after lock_timeout.
    application = connect(localenv, instance, "app_migrator", "Migrator-pass-1/x@y")
    with application.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM app.accounts")
    failed = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], extra_vars=extra)
    with application.cursor() as cursor:  # the application was never blocked
        cursor.execute("SELECT count(*) FROM app.accounts")
        assert cursor.fetchone()[0] == 2
    application.rollback()
    application.close()
    assert failed.rc != 0
    message = failed.result("Fail with the migration's error")["msg"]
    assert "lock timeout" in message and "The database still answers" in message
    report = failed.result("Leave the snapshot id and the report for the next workflow node")["ansible_stats"]["data"]["migrate_schema"]
    report = report[instance["identifier"]]
    assert report["status"] == "failed" and report["database_answers"] is True
    assert "lock_timeout 1s" in report["stdout_tail"] and "statement_timeout 30s" in report["stdout_tail"]
    snapshot = rds.describe_db_snapshots(DBSnapshotIdentifier=report["snapshot_id"])["DBSnapshots"][0]
    assert snapshot["Status"] == "available" and snapshot["DBInstanceIdentifier"] == instance["identifier"]
    assert "snapshot %s taken before the migration is kept" % report["snapshot_id"] in message
    assert columns(localenv, instance) == ["id"]
    assert master_sql(localenv, instance, "SELECT to_regclass('app.schema_version') IS NULL")[0][0] is True
    assert json.loads((report_dir / ("%s-migration.json" % instance["identifier"])).read_text())["status"] == "failed"

    # The next run (nothing holds the lock) migrates, with a new snapshot.
    run = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], extra_vars=extra)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    done = run.result("Leave the snapshot id and the report for the next workflow node")["ansible_stats"]["data"]["migrate_schema"]
    done = done[instance["identifier"]]
    assert done["status"] == "succeeded" and done["stdout_tail"][-1] == "migrated to 2"
    assert done["snapshot_id"] != report["snapshot_id"]
    assert rds.describe_db_snapshots(DBSnapshotIdentifier=done["snapshot_id"])["DBSnapshots"][0]["Status"] == "available"
    assert columns(localenv, instance) == ["email", "id"]
    markdown = (report_dir / ("%s-migration.md" % instance["identifier"])).read_text()
    assert "succeeded" in markdown and done["snapshot_id"] in markdown
    assert_never_printed(run, "Migrator-pass-1")
    assert_never_printed(failed, "Migrator-pass-1")
