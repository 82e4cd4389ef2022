"""KMS rotation periods and Secrets Manager rotation settings added to moto by the emulator."""

import io
import json
import zipfile

import pytest
from botocore.exceptions import ClientError


def test_kms_rotation_period_is_stored_and_returned(emu_env):
    kms = emu_env.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    kms.enable_key_rotation(KeyId=key_id)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["RotationPeriodInDays"] == 365 and status["KeyId"] == key_id
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=120)
    assert kms.get_key_rotation_status(KeyId=key_id)["RotationPeriodInDays"] == 120
    kms.disable_key_rotation(KeyId=key_id)
    assert "RotationPeriodInDays" not in kms.get_key_rotation_status(KeyId=key_id)


def _function(emu_env, name):
    role = emu_env.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("index.py", "def handler(event, context):\n    return event\n")
    return emu_env.client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="index.handler",
                                                    Code={"ZipFile": archive.getvalue()})["FunctionArn"]


def test_rotation_settings_are_recorded_without_a_rotation_run(emu_env):
    sm = emu_env.client("secretsmanager")
    function = _function(emu_env, "emu-rotate-settings")
    version = sm.create_secret(Name="emu-rotation", SecretString="{}")["VersionId"]
    sm.rotate_secret(SecretId="emu-rotation", RotationLambdaARN=function, RotateImmediately=False,
                     RotationRules={"ScheduleExpression": "rate(10 days)", "Duration": "3h"})
    described = sm.describe_secret(SecretId="emu-rotation")
    assert described["RotationEnabled"] is True and described["RotationLambdaARN"] == function
    assert described["RotationRules"] == {"ScheduleExpression": "rate(10 days)", "Duration": "3h"}
    assert described["VersionIdsToStages"] == {version: ["AWSCURRENT"]}
    sm.rotate_secret(SecretId="emu-rotation", RotateImmediately=False, RotationRules={"AutomaticallyAfterDays": 14})
    assert sm.describe_secret(SecretId="emu-rotation")["RotationRules"] == {"AutomaticallyAfterDays": 14}


@pytest.mark.parametrize("rules, code", [
    ({"AutomaticallyAfterDays": 7, "ScheduleExpression": "rate(7 days)"}, "InvalidParameterException"),
    ({"ScheduleExpression": "weekly"}, "InvalidParameterException"),
    ({"AutomaticallyAfterDays": 7, "Duration": "30h"}, "InvalidParameterException"),
])
def test_invalid_rotation_rules_are_refused(emu_env, rules, code):
    sm = emu_env.client("secretsmanager")
    name = "emu-bad-%d" % abs(hash(json.dumps(rules, sort_keys=True)))
    sm.create_secret(Name=name, SecretString="{}")
    with pytest.raises(ClientError) as raised:
        sm.rotate_secret(SecretId=name, RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:x",
                         RotateImmediately=False, RotationRules=rules)
    assert raised.value.response["Error"]["Code"] == code
    assert "RotationEnabled" not in sm.describe_secret(SecretId=name)


def test_an_unknown_rotation_function_is_refused(emu_env):
    sm = emu_env.client("secretsmanager")
    sm.create_secret(Name="emu-no-function", SecretString="{}")
    with pytest.raises(ClientError) as raised:
        sm.rotate_secret(SecretId="emu-no-function", RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:none",
                         RotateImmediately=False, RotationRules={"AutomaticallyAfterDays": 7})
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
