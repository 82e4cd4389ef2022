"""playbooks/break_glass.yml end to end on one RDS instance with a real PostgreSQL server.

Bad input fails before any change; an elevation that fails in the middle (Secrets Manager refuses the
secret) leaves the role closed and the database usable, and the next run opens it; the login is
time-boxed by VALID UNTIL, audited in the database and in a JSON line; revoke closes it, kills its
sessions and proves that the secret's password no longer logs in.
"""

import datetime
import json
import uuid

import psycopg2
import pytest

from harness import REPO
from day2_helpers import (
    DATA_ACCOUNT,
    assert_never_printed,
    connect,
    create_instance,
    logs_in,
    master_sql,
    secret_value,
    write_inventory,
)

PLAYBOOK = REPO / "playbooks" / "break_glass.yml"
ROLE = "break_glass_admin"


@pytest.fixture(scope="module")
def deployment(localenv, tmp_path_factory):
    instance = create_instance(localenv, "bg-%s" % uuid.uuid4().hex[:6])
    inventory = write_inventory(tmp_path_factory.mktemp("bg") / "hosts.yml", localenv, instance)
    yield dict(instance, inventory=inventory, secret="local/%s/%s" % (instance["identifier"], ROLE))
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.delete_db_instance(DBInstanceIdentifier=instance["identifier"], SkipFinalSnapshot=True)


def role_state(localenv, instance):
    rows = master_sql(localenv, instance, "SELECT rolcanlogin, rolvaliduntil, pg_has_role(oid, 'rds_superuser', 'MEMBER')"
                                          " FROM pg_roles WHERE rolname = '%s'" % ROLE)
    return rows[0] if rows else None


def audit_rows(localenv, instance):
    exists = master_sql(localenv, instance, "SELECT to_regclass('innovate_audit.break_glass_events') IS NOT NULL")[0][0]
    if not exists:
        return []
    return master_sql(localenv, instance, "SELECT action, role_name, login, actor, reason, ticket FROM innovate_audit.break_glass_events"
                                          " WHERE role_name = '%s' ORDER BY id" % ROLE)


def test_break_glass_elevate_fail_converge_expire_and_revoke(ansible, localenv, deployment, tmp_path):
    instance = deployment
    audit_log = tmp_path / "break_glass.jsonl"
    base = dict(break_glass_audit_log=str(audit_log), break_glass_actor="oncall@example.com")

    # Bad input fails before any change, the message naming each value.
    bad = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], extra_vars=dict(base, break_glass_action="open", break_glass_minutes="0"))
    assert bad.rc != 0
    message = bad.result("Check the inputs")["msg"]
    for expected in ("must be elevate or revoke (got open)", "number from 1 to 480 (got 0)", "break_glass_reason is required to elevate"):
        assert expected in message
    assert role_state(localenv, instance) is None and not audit_log.exists()

    # A scheduled revoke on a deployment that was never elevated (no secret yet) converges to a closed role.
    never = ansible.playbook(PLAYBOOK, inventory=instance["inventory"],
                             extra_vars=dict(base, break_glass_action="revoke", db_break_glass_role="bg_never"))
    assert never.rc == 0, never.stdout[-3000:]
    assert master_sql(localenv, instance, "SELECT rolcanlogin, rolvaliduntil <= now() FROM pg_roles WHERE rolname = 'bg_never'") == [
        (False, True)]

    # A failure in the middle: the secret cannot be written; the role stays closed, the database usable.
    elevate = dict(base, break_glass_action="elevate", break_glass_minutes=5, break_glass_reason="INC-42 outage",
                   break_glass_ticket="INC-42")
    localenv.set_faults(services=["secretsmanager"], operations=["CreateSecret", "UpdateSecret", "PutSecretValue"], error_rate=1)
    failed = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], extra_vars=elevate)
    localenv.clear_faults()
    assert failed.rc != 0
    message = failed.result("Explain the failed elevation")["msg"]
    assert 'failed at "Store the new break-glass password in its connection secret"' in message and "NOLOGIN" in message
    can_login, _until, superuser = role_state(localenv, instance)
    assert can_login is False and superuser is True
    assert audit_rows(localenv, instance) == []

    # The next run opens the window: the secret's password logs in until VALID UNTIL, audited twice.
    before = datetime.datetime.now(datetime.timezone.utc)
    run = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], extra_vars=elevate)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    secret = secret_value(localenv, instance["secret"])
    assert secret["username"] == ROLE and secret["host"] == instance["host"]
    assert logs_in(localenv, instance, ROLE, secret["password"])
    can_login, until, superuser = role_state(localenv, instance)
    assert can_login is True and superuser is True
    assert datetime.timedelta(minutes=4) < until - before < datetime.timedelta(minutes=6)
    assert audit_rows(localenv, instance) == [("break_glass_elevate", ROLE, True, "oncall@example.com", "INC-42 outage", "INC-42")]
    line = json.loads(audit_log.read_text().splitlines()[-1])
    assert line["action"] == "elevate" and line["role"] == ROLE and line["host"] == instance["identifier"]
    assert_never_printed(run, secret["password"])

    # Revoke: the open session is terminated, the login closed, the secret's password dead.
    session = connect(localenv, instance, ROLE, secret["password"])
    revoke = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], extra_vars=dict(base, break_glass_action="revoke"))
    assert revoke.rc == 0, revoke.stdout[-3000:] + revoke.stderr
    with pytest.raises(psycopg2.Error):
        with session.cursor() as cursor:
            cursor.execute("SELECT 1")
    session.close()
    assert not logs_in(localenv, instance, ROLE, secret["password"])
    assert role_state(localenv, instance)[0] is False
    assert [row[0] for row in audit_rows(localenv, instance)] == ["break_glass_elevate", "break_glass_revoke"]
    assert int(json.loads(audit_log.read_text().splitlines()[-1])["sessions_terminated"]) == 1

    # Expiry without a revoke: once VALID UNTIL passes, the password no longer logs in.
    again = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], extra_vars=dict(elevate, break_glass_minutes=1))
    assert again.rc == 0, again.stdout[-3000:]
    fresh = secret_value(localenv, instance["secret"])
    assert fresh["password"] != secret["password"] and logs_in(localenv, instance, ROLE, fresh["password"])
    master_sql(localenv, instance, "ALTER ROLE %s VALID UNTIL '%s'" % (
        ROLE, (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)).isoformat()))
    assert not logs_in(localenv, instance, ROLE, fresh["password"])


def test_pg_login_password_refuses_bad_input_without_changing_anything(ansible, localenv, deployment):
    instance = deployment
    master = secret_value(localenv, instance["master_arn"])
    master_sql(localenv, instance, "DROP ROLE IF EXISTS bg_probe", "CREATE ROLE bg_probe LOGIN PASSWORD 'Probe-pass-1'")
    connection = dict(login_host=instance["host"], login_port=instance["port"], login_db="app", login_user=master["username"],
                      login_password=master["password"], ca_bundle=localenv.ca_bundle)
    cases = [
        (dict(name="nobody_here", login=False), "name: role 'nobody_here' does not exist"),
        (dict(name="bg_probe", valid_until="next tuesday-ish"), "valid_until: 'next tuesday-ish' is not a timestamp PostgreSQL accepts"),
        (dict(name="bg_probe", update_password="never"), "update_password: 'never' checks that role_password logs in"),
        (dict(name="bg_probe", role_password="New-pass-2", rejected_passwords=["New-pass-2"]), "rejected_passwords: it holds role_password"),
        (dict(name="rds_superuser", login=True), "'rds_superuser' is a role RDS reserves"),
        (dict(name=master["username"], login=False), "would lock out login_user"),
        (dict(name="bg_probe", audit=dict(table="Audit Table")), "audit.table: 'Audit Table' is not accepted"),
        (dict(name="bg_probe", role_password="Wrong-pass-3", update_password="never"), "role_password does not log in as bg_probe"),
        (dict(name="bg_probe", role_password="Other-pass-4", rejected_passwords=["Probe-pass-1"]), None),
    ]
    tasks = [{"name": "case %d" % index, "innovate.aws_postgres.pg_login_password": dict(connection, **args), "ignore_errors": True}
             for index, (args, _expected) in enumerate(cases)]
    tasks.insert(len(cases) - 1, {"name": "check mode", "innovate.aws_postgres.pg_login_password": dict(
        connection, name="bg_probe", role_password="Other-pass-4", login=False), "check_mode": True})
    tasks.insert(len(cases), {"name": "unchanged", "innovate.aws_postgres.pg_login_password": dict(
        connection, name="bg_probe", role_password="Probe-pass-1", update_password="never")})
    tasks.append({"name": "again", "innovate.aws_postgres.pg_login_password": dict(
        connection, name="bg_probe", role_password="Other-pass-4", rejected_passwords=["Probe-pass-1"])})
    run = ansible.playbook(json.dumps([{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]))
    for index, (_args, expected) in enumerate(cases[:-1]):
        result = run.result("case %d" % index)
        assert result.get("failed") is True and expected in result["msg"], (index, result)
        assert result.get("changed") is not True
    # Nothing above changed the probe (its password still logs in, verified by the module itself); check mode
    # plans without doing; then a real change and a no-op.
    unchanged = run.result("unchanged")
    assert unchanged["changed"] is False and unchanged["login_verified"] is True
    planned = run.result("check mode")
    assert planned["changed"] is True and planned["password_changed"] is True and planned["statements"] == [
        "ALTER ROLE \"bg_probe\" NOLOGIN PASSWORD '********'"]
    changed = run.result("case %d" % (len(cases) - 1))
    assert changed["changed"] is True and changed["login_verified"] is True and changed["rejected_verified"] == 1
    assert run.result("again")["changed"] is False
    assert not logs_in(localenv, instance, "bg_probe", "Probe-pass-1")
    assert_never_printed(run, "Probe-pass-1", "Other-pass-4", "New-pass-2", master["password"])
