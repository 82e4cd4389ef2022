"""Fault injection and request counting, seen through boto3's retry behaviour."""

import botocore.exceptions
import pytest


@pytest.fixture
def emu_counts(emu_env):
    """Reset the request counter; return a function reading it."""
    emu_env.control("DELETE", "requests")
    return lambda: emu_env.control("GET", "requests")[1]


def test_throttling_is_retried(emu_env, emu_faults, emu_counts):
    emu_faults({"throttle_rate": 1, "max_faults": 2, "services": ["rds"]})
    response = emu_env.client("rds", max_attempts=5).describe_db_parameter_groups()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert emu_counts() == {"total": 3, "by_operation": {"rds:DescribeDBParameterGroups": 3}}
    assert emu_env.control("GET", "status")[1]["faults"]["injected"] == 2


def test_server_errors_are_retried(emu_env, emu_faults, emu_counts):
    emu_faults({"error_rate": 1, "max_faults": 2, "seed": 7})
    response = emu_env.client("rds", max_attempts=5).describe_db_engine_versions(
        Engine="postgres", MaxRecords=20)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert emu_counts()["by_operation"] == {"rds:DescribeDBEngineVersions": 3}


def test_single_attempt_client_sees_the_fault(emu_env, emu_faults):
    rds = emu_env.client("rds", max_attempts=1)
    emu_faults({"throttle_rate": 1})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.describe_db_parameter_groups()
    error = info.value.response
    assert error["Error"]["Code"] == "Throttling"
    assert error["Error"]["Message"] == "Rate exceeded"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    emu_faults({"error_rate": 1, "seed": 1})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.describe_db_parameter_groups()
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] in (500, 503)
    assert info.value.response["Error"]["Code"] in ("InternalFailure", "ServiceUnavailable")


def test_json_protocol_throttling(emu_env, emu_faults):
    emu_faults({"throttle_rate": 1, "services": ["secretsmanager"]})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        emu_env.client("secretsmanager", max_attempts=1).list_secrets()
    assert info.value.response["Error"]["Code"] == "ThrottlingException"
    assert emu_env.client("rds", max_attempts=1).describe_db_parameter_groups()


def test_faulted_requests_change_nothing(emu_env, emu_faults, emu_name):
    rds = emu_env.client("rds", max_attempts=1)
    emu_faults({"error_rate": 1, "operations": ["CreateDBParameterGroup"]})
    with pytest.raises(botocore.exceptions.ClientError):
        rds.create_db_parameter_group(DBParameterGroupName=emu_name,
                                      DBParameterGroupFamily="postgres15", Description="x")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.describe_db_parameter_groups(DBParameterGroupName=emu_name)
    assert info.value.response["Error"]["Code"] == "DBParameterGroupNotFound"


def test_seeded_faults_are_deterministic(emu_env, emu_faults):
    rds = emu_env.client("rds", max_attempts=1)

    def outcomes():
        emu_faults({"throttle_rate": 0.5, "seed": 42})
        result = []
        for _attempt in range(12):
            try:
                rds.describe_db_parameter_groups(DBParameterGroupName="default.postgres15")
                result.append("ok")
            except botocore.exceptions.ClientError:
                result.append("throttled")
        return result
    first = outcomes()
    assert first == outcomes()
    assert {"ok", "throttled"} == set(first)


def test_bad_fault_settings_are_rejected(emu_env):
    for body in ({"throttle_rate": 2}, {"throttle_rate": 0.7, "error_rate": 0.7},
                 {"services": "rds"}, {"max_faults": -1}, {"bogus": 1}):
        status, payload = emu_env.control("POST", "faults", body)
        assert status == 400 and payload["error"], body
    assert emu_env.control("GET", "status")[1]["faults"]["config"] is None


def test_request_counting(emu_env, emu_counts):
    emu_env.client("rds").describe_db_parameter_groups()
    emu_env.client("sts").get_caller_identity()
    emu_env.client("secretsmanager").list_secrets()
    emu_env.control("GET", "status")
    assert emu_counts() == {"total": 3, "by_operation": {
        "rds:DescribeDBParameterGroups": 1, "sts:GetCallerIdentity": 1,
        "secretsmanager:ListSecrets": 1}}
    assert emu_env.control("DELETE", "requests")[1] == {"total": 0, "by_operation": {}}
