"""AwsSession against a real moto server: retry config, user agent, endpoint, assume-role."""

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from ansible.module_utils.testing import patch_module_args

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.connection import (
    AWS_CONNECTION_ARGUMENT_SPEC,
    AwsSession,
    client,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsConfigurationError, describe_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.version import USER_AGENT_EXTRA

DATA_ACCOUNT = "111111111111"


def test_client_uses_adaptive_retries_with_the_given_attempts(aws_env, connection_params):
    rds = AwsSession(connection_params(endpoint_url=aws_env, max_attempts=7)).client("rds")
    assert rds.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 7}


def test_retry_mode_option_reaches_the_client(aws_env, connection_params):
    rds = AwsSession(connection_params(endpoint_url=aws_env, retry_mode="standard")).client("rds")
    assert rds.meta.config.retries["mode"] == "standard"


def test_requests_carry_the_collection_user_agent(aws_env, connection_params):
    sts = AwsSession(connection_params(endpoint_url=aws_env)).client("sts")
    seen = []
    sts.meta.events.register("before-send", lambda request, **kwargs: seen.append(request.headers["User-Agent"]))
    sts.get_caller_identity()
    assert USER_AGENT_EXTRA == "innovate.aws_postgres/0.1.0"
    user_agent = seen[0].decode() if isinstance(seen[0], bytes) else seen[0]
    assert USER_AGENT_EXTRA in user_agent


def test_clients_are_cached_per_service_and_region(aws_env, connection_params):
    session = AwsSession(connection_params(endpoint_url=aws_env))
    assert session.client("rds") is session.client("rds", region="us-east-1")
    assert session.client("rds", region="eu-west-1") is not session.client("rds")
    assert session.client("rds", region="eu-west-1").meta.region_name == "eu-west-1"


def test_missing_region_is_a_clear_configuration_error(aws_env, connection_params, monkeypatch):
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(AwsConfigurationError, match="no AWS region: set the region option"):
        AwsSession(connection_params(endpoint_url=aws_env)).client("rds")


def test_max_attempts_below_one_is_refused(connection_params):
    with pytest.raises(AwsConfigurationError, match="max_attempts must be at least 1, got 0"):
        AwsSession(connection_params(max_attempts=0))


def test_assume_role_isolates_resources_in_the_target_account(aws_env, connection_params):
    role = "arn:aws:iam::%s:role/InnovateAutomation" % DATA_ACCOUNT
    session = AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=role, external_id="ext-1"))
    assumed_rds = session.client("rds")
    assert session.client("sts").get_caller_identity()["Account"] == DATA_ACCOUNT
    assert session.assumed_role_user.startswith("arn:aws:sts::%s:assumed-role/InnovateAutomation/innovate-aws-postgres" % DATA_ACCOUNT)
    created = assumed_rds.create_db_parameter_group(
        DBParameterGroupName="assumed-only", DBParameterGroupFamily="postgres16", Description="x")
    assert ":%s:" % DATA_ACCOUNT in created["DBParameterGroup"]["DBParameterGroupArn"]

    own_rds = AwsSession(connection_params(endpoint_url=aws_env)).client("rds")
    names = [g["DBParameterGroupName"] for g in own_rds.describe_db_parameter_groups()["DBParameterGroups"]]
    assert "assumed-only" not in names
    assert assumed_rds.describe_db_parameter_groups(DBParameterGroupName="assumed-only")["DBParameterGroups"]


def test_role_session_name_is_used(aws_env, connection_params):
    role = "arn:aws:iam::%s:role/InnovateAutomation" % DATA_ACCOUNT
    session = AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=role, role_session_name="nightly-run"))
    arn = session.client("sts").get_caller_identity()["Arn"]
    assert arn.endswith("/InnovateAutomation/nightly-run")


def test_error_responses_name_the_service(aws_env, connection_params):
    rds = AwsSession(connection_params(endpoint_url=aws_env)).client("rds")
    with pytest.raises(ClientError) as raised:
        rds.describe_db_parameters(DBParameterGroupName="no-such-group")
    message = describe_error(raised.value, doing="reading parameter group no-such-group")
    assert message.startswith("RDS DescribeDBParameters failed: DBParameterGroupNotFound: ")
    assert message.endswith("(while reading parameter group no-such-group)")


def test_endpoint_url_comes_from_the_environment(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env)
    with patch_module_args({}):
        module = AwsModule(argument_spec={})
    assert module.params["endpoint_url"] == aws_env
    client(module, "rds").create_db_parameter_group(
        DBParameterGroupName="via-env-endpoint", DBParameterGroupFamily="postgres16", Description="x")
    direct = boto3.client("rds", endpoint_url=aws_env, region_name="us-east-1")
    assert direct.describe_db_parameter_groups(DBParameterGroupName="via-env-endpoint")["DBParameterGroups"]


def test_region_comes_from_aws_region_before_aws_default_region(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    with patch_module_args({"endpoint_url": aws_env}):
        module = AwsModule(argument_spec={})
    assert module.client("rds").meta.region_name == "eu-central-1"


def test_spec_marks_secrets_no_log_and_aliases():
    spec = AWS_CONNECTION_ARGUMENT_SPEC
    assert spec["secret_key"]["no_log"] is True
    assert spec["session_token"]["no_log"] is True
    assert spec["external_id"]["no_log"] is True
    assert spec["access_key"]["no_log"] is False
    assert set(spec["region"]["aliases"]) == {"aws_region", "ec2_region"}
    assert spec["retry_mode"]["choices"] == ["adaptive", "standard", "legacy"]
    assert spec["role_session_name"]["default"] == "innovate-aws-postgres"


@pytest.mark.parametrize("retry_mode", ["adaptive", "standard", "legacy"])
def test_max_attempts_counts_the_first_attempt(aws_env, connection_params, retry_mode):
    rds = AwsSession(connection_params(endpoint_url="http://127.0.0.1:9", max_attempts=2, retry_mode=retry_mode)).client("rds")
    sent = []
    rds.meta.events.register("before-send", lambda **kwargs: sent.append(1))
    with pytest.raises(EndpointConnectionError):
        rds.describe_db_parameter_groups()
    assert len(sent) == 2
