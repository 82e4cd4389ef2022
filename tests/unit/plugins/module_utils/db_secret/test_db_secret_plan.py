"""Rotation planning, KMS key comparison and input checks of db_secret."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.db_secret.converge import input_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.db_secret.plan import (
    plan_rotation,
    rotation_after,
    rotation_errors,
    rotation_from_describe,
    same_kms_key,
)

LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:rotate"
KEY_ARN = "arn:aws:kms:us-east-1:222222222222:key/1234"


def test_rotation_from_describe():
    described = {"RotationEnabled": True, "RotationLambdaARN": LAMBDA, "RotationRules": {"AutomaticallyAfterDays": 30}}
    assert rotation_from_describe(described) == dict(enabled=True, lambda_arn=LAMBDA, schedule_days=30, schedule_expression=None, duration=None)
    assert rotation_from_describe({})["enabled"] is False


def test_rotation_is_left_alone_when_not_given_and_unchanged_when_equal():
    now = rotation_from_describe({"RotationEnabled": True, "RotationLambdaARN": LAMBDA, "RotationRules": {"AutomaticallyAfterDays": 30}})
    assert plan_rotation(now, None) is None
    assert plan_rotation(now, dict(enabled=True, lambda_arn=LAMBDA, schedule_days=30)) is None
    assert plan_rotation(now, dict(enabled=True, schedule_days=30)) is None


def test_rotation_changes_and_cancel():
    now = rotation_from_describe({"RotationEnabled": True, "RotationLambdaARN": LAMBDA, "RotationRules": {"AutomaticallyAfterDays": 30}})
    action = plan_rotation(now, dict(enabled=True, schedule_expression="rate(7 days)", duration="2h"))
    assert action["action"] == "rotate" and action["lambda_arn"] == LAMBDA
    assert action["rules"] == {"ScheduleExpression": "rate(7 days)", "Duration": "2h"}
    assert rotation_after(now, action)["schedule_days"] is None
    assert plan_rotation(now, dict(enabled=False)) == dict(action="cancel")
    assert rotation_after(now, dict(action="cancel"))["enabled"] is False
    assert plan_rotation(dict(now, enabled=False), dict(enabled=False)) is None


@pytest.mark.parametrize("rotation, lambda_known, expected", [
    (dict(enabled=True, schedule_days=30), False, "rotation.lambda_arn: required"),
    (dict(enabled=True, lambda_arn=LAMBDA), False, "give schedule_days (1-1000) or schedule_expression"),
    (dict(enabled=True, lambda_arn=LAMBDA, schedule_days=30, schedule_expression="rate(1 days)"), False, "mutually exclusive"),
    (dict(enabled=True, lambda_arn=LAMBDA, schedule_days=0), False, "schedule_days: 0 is out of range"),
    (dict(enabled=True, lambda_arn=LAMBDA, schedule_expression="weekly"), False, "is not a schedule"),
    (dict(enabled=True, lambda_arn=LAMBDA, schedule_days=7, duration="48h"), False, "expected 1h to 24h"),
])
def test_rotation_errors(rotation, lambda_known, expected):
    assert any(expected in error for error in rotation_errors(rotation, lambda_known))


def test_valid_rotation_and_disabled_rotation_need_nothing():
    assert rotation_errors(dict(enabled=True, schedule_days=30), lambda_known=True) == []
    assert rotation_errors(dict(enabled=False)) == []


def test_same_kms_key_resolves_only_when_identifiers_differ():
    calls = []

    def resolve(identifier):
        calls.append(identifier)
        return {"alias/orders": KEY_ARN, "1234": KEY_ARN}.get(identifier)

    assert same_kms_key(KEY_ARN, KEY_ARN, resolve) and calls == []
    assert same_kms_key(KEY_ARN, "alias/orders", resolve) and calls == ["alias/orders"]
    assert same_kms_key("1234", "alias/orders", resolve)
    assert not same_kms_key(None, "alias/orders", resolve)
    assert same_kms_key(None, "alias/aws/secretsmanager", resolve)
    assert not same_kms_key(KEY_ARN, "alias/unknown", resolve)


def params(**overrides):
    base = dict(name="orders/app", state="present", recovery_window_days=None, force_delete_without_recovery=False, port=None,
                auth=None, password=None, rotation=None, tags=None, host=None, dbname=None, username=None, kms_key_id=None)
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides, expected", [
    (dict(name="bad name"), "is not a valid secret name"),
    (dict(port=70000), "port: 70000 is not a TCP port"),
    (dict(auth="iam", password="x"), "password: cannot be combined with auth=iam"),
    (dict(state="absent", recovery_window_days=3), "recovery_window_days: 3 is out of range; expected 7 to 30 days"),
    (dict(state="absent", recovery_window_days=7, force_delete_without_recovery=True), "cannot be combined with force_delete"),
    (dict(state="absent", host="h"), "host: cannot be used with state=absent"),
    (dict(tags={"aws:x": "1"}), "reserved for AWS"),
])
def test_input_errors(overrides, expected):
    assert any(expected in error for error in input_errors(params(**overrides)))
