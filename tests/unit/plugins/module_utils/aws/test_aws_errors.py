"""Error translation: one readable message with the AWS code, never a traceback."""

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, WaiterError

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import (
    AwsConfigurationError,
    AwsWaitTimeout,
    describe_error,
    error_code,
    fail_aws,
    failure_details,
    is_error,
)


class Failed(Exception):
    pass


class RecordingModule:
    """Records what fail_json receives, and stops like AnsibleModule does."""

    def __init__(self):
        self.failure = None

    def fail_json(self, **kwargs):
        self.failure = kwargs
        raise Failed()


def client_error(code, message, operation="DeleteDBParameterGroup", service="RDS"):
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"RequestId": "req-1", "ServiceId": service}}
    return ClientError(response, operation)


def test_client_error_message_names_service_operation_code_and_action():
    exc = client_error("InvalidDBParameterGroupState", "One or more database instances are still members of this parameter group")
    assert describe_error(exc, doing="deleting parameter group app") == (
        "RDS DeleteDBParameterGroup failed: InvalidDBParameterGroupState: One or more database instances are "
        "still members of this parameter group (while deleting parameter group app)"
    )


def test_is_error_matches_only_the_given_codes():
    exc = client_error("DBParameterGroupNotFound", "not found")
    assert is_error(exc, "DBParameterGroupNotFound")
    assert is_error(exc, "Other", "DBParameterGroupNotFound")
    assert not is_error(exc, "InvalidDBParameterGroupState")
    assert not is_error(ValueError("DBParameterGroupNotFound"), "DBParameterGroupNotFound")
    assert error_code(NoCredentialsError()) is None


def test_fail_aws_reports_code_and_sdk_versions_without_traceback():
    module = RecordingModule()
    with pytest.raises(Failed):
        fail_aws(module, client_error("Throttling", "Rate exceeded", operation="ModifyDBParameterGroup"), doing="setting work_mem")
    assert module.failure["msg"] == "RDS ModifyDBParameterGroup failed: Throttling: Rate exceeded (while setting work_mem)"
    assert module.failure["error_code"] == "Throttling"
    assert module.failure["operation"] == "ModifyDBParameterGroup"
    assert module.failure["request_id"] == "req-1"
    assert module.failure["boto3_version"] == boto3.__version__
    assert module.failure["botocore_version"] == botocore.__version__
    assert "exception" not in module.failure and "Traceback" not in module.failure["msg"]


def test_fail_aws_passes_extra_result_keys():
    module = RecordingModule()
    with pytest.raises(Failed):
        fail_aws(module, AwsConfigurationError("no AWS region"), changed=True, applied_changes=[{"name": "a"}])
    assert module.failure["msg"] == "no AWS region"
    assert module.failure["changed"] is True
    assert module.failure["applied_changes"] == [{"name": "a"}]
    assert "error_code" not in module.failure


def test_missing_credentials_message_says_how_to_provide_them():
    assert describe_error(NoCredentialsError()).startswith("no AWS credentials found: set access_key and secret_key, a profile")


def test_unreachable_endpoint_is_reported_as_such():
    unreachable = boto3.client(
        "rds", region_name="us-east-1", endpoint_url="http://127.0.0.1:9", aws_access_key_id="a", aws_secret_access_key="b",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=2),
    )
    with pytest.raises(EndpointConnectionError) as raised:
        unreachable.describe_db_parameter_groups()
    message = describe_error(raised.value, doing="reading parameter groups")
    assert message.startswith("cannot reach AWS: Could not connect to the endpoint URL: \"http://127.0.0.1:9/\"")
    assert message.endswith("(check endpoint_url, region and network) (while reading parameter groups)")


def test_waiter_error_and_wait_timeout_messages():
    waiter_error = WaiterError(name="DBInstanceAvailable", reason="Waiter encountered a terminal failure state", last_response={})
    assert describe_error(waiter_error) == "waiting for DBInstanceAvailable failed: Waiter encountered a terminal failure state"
    timeout = AwsWaitTimeout("instance db1 to be available", 60, last_state="DBInstanceStatus=modifying")
    assert describe_error(timeout, doing="rebooting db1") == (
        "timed out after 60s waiting for instance db1 to be available; last observed state: "
        "DBInstanceStatus=modifying (while rebooting db1)"
    )


def test_failure_details_without_request_id_still_have_the_code():
    exc = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "AssumeRole")
    details = failure_details(exc)
    assert details["msg"] == "AssumeRole failed: AccessDenied: no"
    assert details["error_code"] == "AccessDenied"
    assert "request_id" not in details
