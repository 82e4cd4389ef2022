"""db_secret through ansible-playbook against the local AWS environment.

Every test works on its own secret name; state is verified with boto3, never only with the
module's own result. The password must never appear in what ansible prints.
"""

import io
import json
import uuid
import zipfile

import pytest
import yaml

MODULE = "innovate.aws_postgres.db_secret"
PASSWORD = "Pw-4e1f-never-shown-9c2b"
READS = ("Describe", "Get", "List")


def unique(prefix):
    return "it/%s-%s" % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture
def sm(localenv):
    return localenv.client("secretsmanager")


@pytest.fixture(scope="module")
def rotation_lambda(localenv):
    """A rotation function in the emulator (its code never runs: rotation is only configured)."""
    iam, functions = localenv.client("iam"), localenv.client("lambda")
    name = "it-rotate-%s" % uuid.uuid4().hex[:8]
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("index.py", "def handler(event, context):\n    return event\n")
    return functions.create_function(FunctionName=name, Runtime="python3.12", Role=role_arn, Handler="index.handler",
                                     Code={"ZipFile": archive.getvalue()})["FunctionArn"]


def run(ansible, check=False, diff=False, **args):
    return ansible.module(MODULE, args, check=check, diff=diff)


def ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def value_of(sm, name):
    return json.loads(sm.get_secret_value(SecretId=name)["SecretString"])


def describe(sm, name):
    try:
        return sm.describe_secret(SecretId=name)
    except sm.exceptions.ResourceNotFoundException:
        return None


def tags_of(sm, name):
    return dict((t["Key"], t["Value"]) for t in describe(sm, name).get("Tags") or [])


def sm_requests(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items() if k.startswith("secretsmanager:"))


def writes(requests):
    return dict((k, v) for k, v in requests.items() if not k.split(":", 1)[1].startswith(READS))


def base(name, **extra):
    args = dict(name=name, host="orders.cluster.local", dbname="orders", username="orders_app", password=PASSWORD)
    args.update(extra)
    return args


def test_create_stores_the_connection_json_and_a_rerun_changes_nothing(ansible, localenv, sm):
    name = unique("create")
    created = ok(run(ansible, **base(name, description="orders app", tags={"team": "db"})))
    assert created["changed"] is True
    assert value_of(sm, name) == {"engine": "postgres", "host": "orders.cluster.local", "port": 5432, "dbname": "orders",
                                  "username": "orders_app", "password": PASSWORD}
    secret = created["secret"]
    assert secret["arn"] == describe(sm, name)["ARN"] and secret["version_id"]
    assert secret["connection"] == {"engine": "postgres", "host": "orders.cluster.local", "port": 5432, "dbname": "orders", "username": "orders_app"}
    assert secret["auth"] == "password" and secret["description"] == "orders app"
    assert tags_of(sm, name) == {"team": "db"}

    localenv.reset_requests()
    again = ok(run(ansible, **base(name, description="orders app", tags={"team": "db"})))
    assert again["changed"] is False and again["actions"] == []
    assert sm_requests(localenv) == {"secretsmanager:DescribeSecret": 1, "secretsmanager:GetSecretValue": 1}


def test_host_only_update_keeps_the_password_and_the_other_keys(ansible, sm):
    name = unique("repoint")
    ok(run(ansible, **base(name, port=5433)))
    sm.put_secret_value(SecretId=name, SecretString=json.dumps(dict(value_of(sm, name), dbClusterIdentifier="orders")))
    result = ok(run(ansible, diff=True, name=name, host="orders.dr.local"))
    assert result["changed"] is True and result["changed_keys"] == ["host"]
    assert value_of(sm, name) == {"engine": "postgres", "host": "orders.dr.local", "port": 5433, "dbname": "orders",
                                  "username": "orders_app", "password": PASSWORD, "dbClusterIdentifier": "orders"}
    assert result["diff"]["before"]["value"]["host"] == "orders.cluster.local"
    assert result["diff"]["after"]["value"]["host"] == "orders.dr.local"
    assert result["diff"]["after"]["value"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert ok(run(ansible, name=name, host="orders.dr.local"))["changed"] is False


def test_purge_keys_drops_keys_outside_the_connection_shape(ansible, sm):
    name = unique("purge")
    ok(run(ansible, **base(name)))
    sm.put_secret_value(SecretId=name, SecretString=json.dumps(dict(value_of(sm, name), proxy="p.local")))
    assert ok(run(ansible, name=name))["changed"] is False
    result = ok(run(ansible, name=name, purge_keys=True))
    assert result["changed"] is True and result["changed_keys"] == ["proxy"]
    assert "proxy" not in value_of(sm, name) and value_of(sm, name)["password"] == PASSWORD


def test_the_password_never_appears_in_results_diff_or_output(ansible, sm):
    name = unique("redact")
    new_password = "Pw-rotated-by-hand-77aa"
    task = {"name": "secret", MODULE: base(name), "register": "created"}
    change = {"name": "change", MODULE: dict(name=name, password=new_password), "register": "changed_password"}
    show = {"name": "show", "ansible.builtin.debug": {"var": "changed_password"}}
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [task, change, show]}]
    run_result = ansible.playbook(yaml.safe_dump(play, sort_keys=False), diff=True)
    assert run_result.rc == 0, run_result.stdout + run_result.stderr
    output = run_result.stdout + run_result.stderr
    assert PASSWORD not in output and new_password not in output
    changed = run_result.result("change")
    assert changed["changed"] is True and changed["changed_keys"] == ["password"]
    assert changed["diff"]["after"]["value"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER (changed)"
    assert "password" not in changed["secret"]["connection"]
    assert value_of(sm, name)["password"] == new_password


def test_update_password_on_create_keeps_the_stored_password(ansible, sm):
    name = unique("oncreate")
    ok(run(ansible, **base(name, update_password="on_create")))
    result = ok(run(ansible, **base(name, password="something-else-1", update_password="on_create")))
    assert result["changed"] is False
    assert value_of(sm, name)["password"] == PASSWORD
    assert ok(run(ansible, **base(name, password="something-else-1")))["changed"] is True
    assert value_of(sm, name)["password"] == "something-else-1"


def test_iam_auth_stores_the_marker_instead_of_a_password(ansible, sm):
    name = unique("iam")
    created = ok(run(ansible, name=name, host="h.local", username="reporting", auth="iam"))
    assert created["secret"]["auth"] == "iam"
    assert value_of(sm, name) == {"engine": "postgres", "host": "h.local", "port": 5432, "username": "reporting", "iam": True}
    assert ok(run(ansible, name=name, host="h.local", username="reporting", auth="iam"))["changed"] is False
    switched = ok(run(ansible, name=name, password=PASSWORD))
    assert switched["changed"] is True and switched["secret"]["auth"] == "password"
    assert "iam" not in value_of(sm, name) and value_of(sm, name)["password"] == PASSWORD


def test_check_mode_on_a_new_secret_creates_nothing(ansible, localenv, sm):
    name = unique("check-new")
    localenv.reset_requests()
    result = ok(run(ansible, check=True, diff=True, **base(name)))
    assert result["changed"] is True and result["secret"]["arn"] is None
    assert result["diff"]["after"]["value"]["host"] == "orders.cluster.local"
    assert describe(sm, name) is None
    assert writes(sm_requests(localenv)) == {}


def test_check_mode_on_an_existing_secret_changes_nothing(ansible, localenv, sm, rotation_lambda):
    name = unique("check-old")
    ok(run(ansible, **base(name, tags={"a": "1"})))
    version = describe(sm, name)["VersionIdsToStages"]
    localenv.reset_requests()
    result = ok(run(ansible, check=True, name=name, host="other", password="new-one-22", description="d", tags={"b": "2"},
                    rotation=dict(lambda_arn=rotation_lambda, schedule_days=30)))
    assert result["changed"] is True
    assert result["actions"] == ["update_description", "update_secret_string", "rotation_rotate", "untag", "tag"]
    assert writes(sm_requests(localenv)) == {}
    assert value_of(sm, name)["host"] == "orders.cluster.local" and value_of(sm, name)["password"] == PASSWORD
    assert describe(sm, name)["VersionIdsToStages"] == version
    assert tags_of(sm, name) == {"a": "1"} and not describe(sm, name).get("RotationEnabled")


def test_tags_are_added_without_purge_and_removed_with_it(ansible, sm):
    name = unique("tags")
    ok(run(ansible, **base(name, tags={"team": "a", "old": "x"})))
    assert ok(run(ansible, name=name, tags={"extra": "1"}, purge_tags=False))["changed"] is True
    assert tags_of(sm, name) == {"team": "a", "old": "x", "extra": "1"}
    assert ok(run(ansible, name=name, tags={"team": "b"}))["changed"] is True
    assert tags_of(sm, name) == {"team": "b"}
    assert ok(run(ansible, name=name, tags={"team": "b"}))["changed"] is False


def test_rotation_is_configured_changed_and_turned_off(ansible, sm, rotation_lambda):
    name = unique("rotation")
    created = ok(run(ansible, **base(name, rotation=dict(lambda_arn=rotation_lambda, schedule_days=30))))
    described = describe(sm, name)
    assert described["RotationEnabled"] is True and described["RotationLambdaARN"] == rotation_lambda
    assert described["RotationRules"] == {"AutomaticallyAfterDays": 30}
    assert created["secret"]["rotation"]["schedule_days"] == 30
    assert value_of(sm, name)["password"] == PASSWORD
    assert ok(run(ansible, name=name, rotation=dict(schedule_days=30)))["changed"] is False
    changed = ok(run(ansible, name=name, rotation=dict(schedule_expression="rate(10 days)", duration="2h")))
    assert changed["actions"] == ["rotation_rotate"]
    assert describe(sm, name)["RotationRules"] == {"ScheduleExpression": "rate(10 days)", "Duration": "2h"}
    off = ok(run(ansible, name=name, rotation=dict(enabled=False)))
    assert off["actions"] == ["rotation_cancel"] and describe(sm, name)["RotationEnabled"] is False
    assert ok(run(ansible, name=name, rotation=dict(enabled=False)))["changed"] is False


def test_a_missing_rotation_function_fails_with_the_aws_error(ansible, sm):
    name = unique("rotation-missing")
    ok(run(ansible, **base(name)))
    result = run(ansible, name=name, rotation=dict(lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:nope", schedule_days=7))
    assert result["failed"] is True
    assert "ResourceNotFoundException" in result["msg"] and "(while configuring the rotation of %s)" % name in result["msg"]
    assert not describe(sm, name).get("RotationEnabled")


def test_the_kms_key_is_set_and_compared_by_key(ansible, localenv, sm):
    kms = localenv.client("kms")
    first = kms.create_key()["KeyMetadata"]
    second = kms.create_key()["KeyMetadata"]
    alias = "alias/it-secret-%s" % uuid.uuid4().hex[:8]
    kms.create_alias(AliasName=alias, TargetKeyId=second["KeyId"])
    name = unique("kms")
    ok(run(ansible, **base(name, kms_key_id=first["Arn"])))
    assert describe(sm, name)["KmsKeyId"] == first["Arn"]
    assert ok(run(ansible, name=name, kms_key_id=first["KeyId"]))["changed"] is False
    moved = ok(run(ansible, name=name, kms_key_id=alias))
    assert moved["actions"] == ["update_kms_key_id"] and describe(sm, name)["KmsKeyId"] == alias
    assert ok(run(ansible, name=name, kms_key_id=second["Arn"]))["changed"] is False


@pytest.mark.parametrize("args, expected", [
    (dict(state="absent", recovery_window_days=3), "recovery_window_days: 3 is out of range; expected 7 to 30 days"),
    (dict(state="absent", recovery_window_days=7, force_delete_without_recovery=True), "cannot be combined with force_delete"),
    (dict(host="h", username="u", auth="iam", password="x"), "password: cannot be combined with auth=iam"),
    (dict(host="h", username="u", rotation=dict(schedule_days=2000, lambda_arn="arn:aws:lambda:us-east-1:1:function:f")),
     "rotation.schedule_days: 2000 is out of range"),
    (dict(name="bad name!", host="h"), "is not a valid secret name"),
])
def test_bad_input_fails_before_any_request(ansible, localenv, args, expected):
    args.setdefault("name", unique("bad"))
    localenv.reset_requests()
    result = run(ansible, **args)
    assert result["failed"] is True and expected in result["msg"]
    assert sm_requests(localenv) == {}


def test_creation_needs_host_username_and_a_password_or_iam(ansible, sm):
    name = unique("incomplete")
    result = run(ansible, name=name, dbname="orders")
    assert result["failed"] is True
    assert result["msg"] == "host, username, password (or auth=iam): required to create secret %s" % name
    assert describe(sm, name) is None


def test_a_secret_that_is_not_json_is_refused(ansible, sm):
    name = unique("plain")
    sm.create_secret(Name=name, SecretString="just a password")
    result = run(ansible, name=name, host="h")
    assert result["failed"] is True and "holds a value that is not a JSON object" in result["msg"]
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "just a password"


def test_absent_schedules_deletion_present_restores_and_force_deletes(ansible, sm):
    name = unique("absent")
    ok(run(ansible, **base(name)))
    checked = ok(run(ansible, check=True, name=name, state="absent"))
    assert checked["changed"] is True and describe(sm, name).get("DeletedDate") is None
    scheduled = ok(run(ansible, name=name, state="absent", recovery_window_days=7))
    assert scheduled["changed"] is True and scheduled["recovery_window_days"] == 7
    assert describe(sm, name)["DeletedDate"] is not None
    assert ok(run(ansible, name=name, state="absent"))["changed"] is False
    restored = ok(run(ansible, diff=True, name=name, host="restored.local"))
    assert restored["actions"][0] == "restore" and restored["diff"]["after"]["deletion"] == "cancelled: secret restored"
    assert describe(sm, name).get("DeletedDate") is None
    assert value_of(sm, name)["host"] == "restored.local" and value_of(sm, name)["password"] == PASSWORD
    forced = ok(run(ansible, name=name, state="absent", force_delete_without_recovery=True))
    assert forced["changed"] is True and describe(sm, name) is None
    assert ok(run(ansible, name=name, state="absent"))["changed"] is False


def test_throttling_is_absorbed_by_retries(ansible, localenv, sm):
    name = unique("throttle")
    localenv.set_faults(services=["secretsmanager"], throttle_rate=1, max_faults=3)
    result = run(ansible, **base(name))
    injected = localenv.status()["faults"]["injected"]
    localenv.clear_faults()
    ok(result)
    assert injected == 3
    assert value_of(sm, name)["password"] == PASSWORD
