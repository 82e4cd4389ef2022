"""Input checks and security warnings of rds_proxy (no AWS request)."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy.validation import input_errors, security_warnings

SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:orders/master-AbCdEf"


def params(**overrides):
    base = dict(name="orders-proxy", state="present", engine_family="POSTGRESQL", role_arn="arn:aws:iam::111111111111:role/orders-proxy",
                vpc_subnet_ids=["subnet-0a", "subnet-0b"], db_subnet_group_name=None, vpc_security_group_ids=["sg-01"],
                auth=[dict(secret_arn=SECRET, iam_auth="REQUIRED", client_password_auth_type="POSTGRES_SCRAM_SHA_256", description=None)],
                allow_iam_auth_disabled=False, require_tls=True, allow_tls_not_required=False, idle_client_timeout=None,
                debug_logging=None, max_connections_percent=None, max_idle_connections_percent=None, connection_borrow_timeout=None,
                session_pinning_filters=None, init_query=None, target=None, tags=None, purge_tags=True, wait=True, wait_timeout=900)
    base.update(overrides)
    return base


def test_a_complete_task_is_valid():
    assert input_errors(params()) == []
    assert input_errors(params(max_connections_percent=100, max_idle_connections_percent=0, connection_borrow_timeout=0,
                               idle_client_timeout=28800, target=dict(db_instance_identifier="orders-db"))) == []


@pytest.mark.parametrize("overrides, expected", [
    (dict(name="1proxy"), "name: '1proxy' is not a valid DB proxy name"),
    (dict(name="orders-"), "name: 'orders-' is not a valid DB proxy name"),
    (dict(name="x" * 64), "is not a valid DB proxy name"),
    (dict(role_arn="arn:aws:iam::111111111111:user/bob"), "role_arn: 'arn:aws:iam::111111111111:user/bob' is not an IAM role ARN"),
    (dict(auth=[]), "auth: give at least one secret"),
    (dict(auth=[dict(secret_arn="orders/master", iam_auth="REQUIRED")]), "auth[0].secret_arn: 'orders/master' is not a Secrets Manager secret ARN"),
    (dict(auth=[dict(secret_arn=SECRET, iam_auth="REQUIRED"), dict(secret_arn=SECRET, iam_auth="REQUIRED")]), "auth[1].secret_arn: %s is given twice" % SECRET),
    (dict(auth=[dict(secret_arn=SECRET, iam_auth="DISABLED")]), "auth[0].iam_auth: DISABLED lets clients log in"),
    (dict(require_tls=False), "require_tls: false lets clients connect to the proxy without TLS"),
    (dict(idle_client_timeout=0), "idle_client_timeout: 0 is out of range; expected 1 to 28800 seconds"),
    (dict(max_connections_percent=101), "max_connections_percent: 101 is out of range"),
    (dict(max_connections_percent=40, max_idle_connections_percent=41), "max_idle_connections_percent: 41 is more than max_connections_percent (40)"),
    (dict(connection_borrow_timeout=-1), "connection_borrow_timeout: -1 is out of range"),
    (dict(target=dict(db_instance_identifier="orders_db")), "target.db_instance_identifier: 'orders_db' is not a valid identifier"),
    (dict(vpc_subnet_ids=["subnet-0a"]), "vpc_subnet_ids: a proxy needs at least two subnets"),
    (dict(vpc_subnet_ids=["subnet-0a", "subnet-0a"]), "vpc_subnet_ids: a proxy needs at least two subnets"),
    (dict(vpc_subnet_ids=["net-1", "subnet-0a"]), "vpc_subnet_ids: 'net-1' is not a subnet id"),
    (dict(vpc_security_group_ids=["orders-app"]), "vpc_security_group_ids: 'orders-app' is not a security group id"),
    (dict(vpc_security_group_ids=[]), "vpc_security_group_ids: an empty list is not accepted"),
    (dict(tags={"aws:x": "1"}), "reserved for AWS"),
])
def test_each_problem_is_named(overrides, expected):
    errors = input_errors(params(**overrides))
    assert len(errors) == 1 and expected in errors[0], errors


def test_the_allow_options_accept_the_weaker_settings_with_warnings():
    weak = params(require_tls=False, allow_tls_not_required=True, allow_iam_auth_disabled=True,
                  auth=[dict(secret_arn=SECRET, iam_auth="DISABLED")])
    assert input_errors(weak) == []
    warnings = security_warnings(weak)
    assert len(warnings) == 2 and SECRET in warnings[0] and "without TLS" in warnings[1]
    assert security_warnings(params()) == []


def test_absent_refuses_settings_but_accepts_the_defaults():
    assert input_errors(params(state="absent", role_arn=None, vpc_subnet_ids=None, vpc_security_group_ids=None, auth=None)) == []
    errors = input_errors(params(state="absent", auth=None, vpc_subnet_ids=None, vpc_security_group_ids=None))
    assert errors == ["role_arn: cannot be used with state=absent (the proxy is deleted); remove role_arn from the task"]
