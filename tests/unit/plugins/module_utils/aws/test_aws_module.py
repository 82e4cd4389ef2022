"""AwsModule in-process: merged argument spec, option rules and failures as Ansible reports them."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule


def run_to_exit(capsys, function):
    """Run ``function`` until the module exits; return the JSON result it printed."""
    with pytest.raises(SystemExit):
        function()
    return json.loads(capsys.readouterr().out)


def test_module_options_and_connection_options_are_merged(aws_env):
    with patch_module_args({"name": "x", "aws_region": "eu-west-1", "endpoint_url": aws_env}):
        module = AwsModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    assert module.params["name"] == "x"
    assert module.params["region"] == "eu-west-1"
    assert module.params["retry_mode"] == "adaptive"
    assert module.params["max_attempts"] == 10
    assert module.check_mode is False


def test_external_id_requires_assume_role_arn(aws_env, capsys):
    with patch_module_args({"external_id": "abc"}):
        result = run_to_exit(capsys, lambda: AwsModule(argument_spec={}))
    assert result["failed"] is True
    assert "external_id" in result["msg"] and "assume_role_arn" in result["msg"]


def test_access_key_requires_secret_key(aws_env, capsys):
    with patch_module_args({"access_key": "AKIAEXAMPLE"}):
        result = run_to_exit(capsys, lambda: AwsModule(argument_spec={}))
    assert result["failed"] is True
    assert "access_key" in result["msg"] and "secret_key" in result["msg"]


def test_failed_role_assumption_names_the_role(aws_env, capsys):
    with patch_module_args({"endpoint_url": aws_env, "assume_role_arn": "short"}):
        module = AwsModule(argument_spec={})
        result = run_to_exit(capsys, lambda: module.client("rds"))
    assert result["failed"] is True
    assert result["msg"].endswith("(while assuming role short)")
    assert result["msg"].startswith("AWS SDK error (ParamValidationError)")
    assert result["botocore_version"]


def test_fail_aws_reports_aws_errors_from_a_real_call(aws_env, capsys):
    def call():
        module = AwsModule(argument_spec={})
        try:
            module.client("rds").describe_db_parameters(DBParameterGroupName="missing-group")
        except AWS_EXCEPTIONS as e:
            module.fail_aws(e, doing="reading missing-group")

    with patch_module_args({"endpoint_url": aws_env}):
        result = run_to_exit(capsys, call)
    assert result["error_code"] == "DBParameterGroupNotFound"
    assert result["msg"].startswith("RDS DescribeDBParameters failed: DBParameterGroupNotFound: ")
    assert result["msg"].endswith("(while reading missing-group)")


def test_one_session_serves_every_client(aws_env):
    with patch_module_args({"endpoint_url": aws_env}):
        module = AwsModule(argument_spec={})
    module.client("rds")
    session = module.aws_session
    module.client("sts")
    assert module.aws_session is session
    assert module.client("rds") is module.client("rds")
