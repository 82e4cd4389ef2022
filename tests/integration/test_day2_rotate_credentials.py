"""playbooks/rotate_credentials.yml end to end on one RDS instance with a real PostgreSQL server.

The alternating-users rotation of an application login (its connection secret switches between
app_rw_a and app_rw_b, both in app_readwrite), the managed master password rotation, the proof that the
old passwords are dead, and a failure in the middle (Secrets Manager refuses the switch) that leaves the
application's login working and is converged by the next run.
"""

import json
import uuid

import pytest

from harness import REPO
from day2_helpers import (
    DATA_ACCOUNT,
    assert_never_printed,
    create_instance,
    logs_in,
    master_sql,
    secret_value,
    write_inventory,
)

PLAYBOOK = REPO / "playbooks" / "rotate_credentials.yml"


@pytest.fixture(scope="module")
def deployment(localenv, tmp_path_factory):
    instance = create_instance(localenv, "rot-%s" % uuid.uuid4().hex[:6])
    master_sql(localenv, instance, "CREATE ROLE app_readwrite NOLOGIN",
               "CREATE ROLE app_rw LOGIN PASSWORD 'first-Password-1' IN ROLE app_readwrite",
               "CREATE SCHEMA app", "GRANT USAGE, CREATE ON SCHEMA app TO app_readwrite")
    secret_name = "local/%s/app_rw" % instance["identifier"]
    localenv.client("secretsmanager", account_id=DATA_ACCOUNT).create_secret(Name=secret_name, SecretString=json.dumps(dict(
        engine="postgres", host=instance["host"], port=instance["port"], dbname="app", username="app_rw", password="first-Password-1")))
    inventory = write_inventory(
        tmp_path_factory.mktemp("rot") / "hosts.yml", localenv, instance,
        db_app_secrets=[{"login": "app_rw", "auth": "password"}, {"login": "reporting", "auth": "iam"}],
        db_role_model={"logins": [{"name": "app_rw", "member_of": ["app_readwrite"]}]})
    yield dict(instance, secret=secret_name, inventory=inventory)
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.delete_db_instance(DBInstanceIdentifier=instance["identifier"], SkipFinalSnapshot=True)


def test_rotation_fails_safely_then_converges_and_alternates(ansible, localenv, deployment):
    instance = deployment
    master_before = secret_value(localenv, instance["master_arn"])

    # A failure in the middle: Secrets Manager refuses the switch after the idle user got its new password.
    localenv.set_faults(services=["secretsmanager"], operations=["UpdateSecret"], error_rate=1)
    failed = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], extra_vars={"rotate_credentials_master": False})
    localenv.clear_faults()
    assert failed.rc != 0
    message = failed.result("Explain the failed rotation of app_rw")["msg"]
    assert message.startswith('rotating app_rw on %s failed at "Switch the connection secret' % instance["identifier"]), message
    assert "run the playbook again" in message
    unchanged = secret_value(localenv, instance["secret"])
    assert unchanged["username"] == "app_rw" and unchanged["password"] == "first-Password-1"
    assert logs_in(localenv, instance, "app_rw", "first-Password-1"), "the application lost its login"

    # The next run converges: the secret names app_rw_a with a password that works, the old one is dead,
    # the master password rotated and the old one is dead.
    run = ansible.playbook(PLAYBOOK, inventory=instance["inventory"])
    assert run.rc == 0, run.stdout[-3000:] + run.stderr
    first = secret_value(localenv, instance["secret"])
    assert first["username"] == "app_rw_a" and first["host"] == instance["host"]
    assert logs_in(localenv, instance, "app_rw_a", first["password"])
    assert not logs_in(localenv, instance, "app_rw", "first-Password-1")
    master_after = secret_value(localenv, instance["master_arn"])
    assert master_after["password"] != master_before["password"]
    assert logs_in(localenv, instance, "dbadmin", master_after["password"])
    assert not logs_in(localenv, instance, "dbadmin", master_before["password"])
    members = master_sql(localenv, instance, "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
                                             " WHERE m.roleid = 'app_readwrite'::regrole ORDER BY 1")
    assert [row[0] for row in members] == ["app_rw", "app_rw_a", "app_rw_b"]
    stats = run.result("Report the rotation for the next workflow node")["ansible_stats"]["data"]["rotated_credentials"]
    assert stats[instance["identifier"]]["logins"] == {"app_rw": "app_rw_a"}
    assert stats[instance["identifier"]]["master_secret_version"]
    assert_never_printed(run, first["password"], master_after["password"], master_before["password"])

    # The next rotation alternates to app_rw_b; app_rw_a's password stops working only after the switch.
    second_run = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], extra_vars={"rotate_credentials_master": False})
    assert second_run.rc == 0, second_run.stdout[-3000:]
    second = secret_value(localenv, instance["secret"])
    assert second["username"] == "app_rw_b" and second["password"] != first["password"]
    assert logs_in(localenv, instance, "app_rw_b", second["password"])
    assert not logs_in(localenv, instance, "app_rw_a", first["password"])
    assert secret_value(localenv, instance["master_arn"]) == master_after

    # Check mode plans a rotation and changes nothing.
    planned = ansible.playbook(PLAYBOOK, inventory=instance["inventory"], check=True)
    assert planned.rc == 0, planned.stdout[-3000:]
    assert secret_value(localenv, instance["secret"]) == second
    assert secret_value(localenv, instance["master_arn"]) == master_after
    assert logs_in(localenv, instance, "app_rw_b", second["password"])


def test_rds_master_password_refuses_bad_targets_and_plans_in_check_mode(ansible, localenv, deployment):
    instance = deployment
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.create_db_instance(DBInstanceIdentifier=instance["identifier"] + "-given", Engine="postgres", DBInstanceClass="db.t4g.medium",
                           AllocatedStorage=20, MasterUsername="dbadmin", MasterUserPassword="Given-pass-123")
    before = secret_value(localenv, instance["master_arn"])
    connection = dict(region="us-east-1", endpoint_url=localenv.endpoint_url, access_key="testing", secret_key="testing",
                      assume_role_arn="arn:aws:iam::%s:role/InnovateAutomation" % DATA_ACCOUNT)
    cases = [
        (dict(db_instance_identifier="no-such-db"), False, "DB instance no-such-db does not exist"),
        (dict(db_instance_identifier=instance["identifier"] + "-given"), False, "has no master password managed in Secrets Manager"),
        (dict(db_instance_identifier=instance["identifier"], db_cluster_identifier="x"), False, "mutually exclusive"),
        (dict(db_instance_identifier=instance["identifier"], wait_timeout=0), False, "wait_timeout: 0 is not accepted"),
        (dict(db_instance_identifier=instance["identifier"]), True, None),
    ]
    tasks = [{"name": "case %d" % index, "innovate.aws_postgres.rds_master_password": dict(connection, **args), "ignore_errors": True,
              "check_mode": check} for index, (args, check, _expected) in enumerate(cases)]
    run = ansible.playbook(json.dumps([{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]))
    for index, (_args, _check, expected) in enumerate(cases[:-1]):
        result = run.result("case %d" % index)
        assert result.get("failed") is True and expected in result["msg"], (index, result)
    planned = run.result("case %d" % (len(cases) - 1))
    assert planned["changed"] is True and planned["version_id"] is None and planned["secret_arn"] == instance["master_arn"]
    assert secret_value(localenv, instance["master_arn"]) == before
    rds.delete_db_instance(DBInstanceIdentifier=instance["identifier"] + "-given", SkipFinalSnapshot=True)
