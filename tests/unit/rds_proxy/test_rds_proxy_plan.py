"""Planning of rds_proxy: proxy settings, pool, target, immutable changes, response facts."""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy.api import (
    pool_facts,
    proxy_facts,
    registered_target,
    target_facts,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy.plan import (
    auth_request,
    desired_auth,
    desired_target,
    immutable_errors,
    pool_changes,
    proxy_changes,
    target_changes,
)

SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:orders/master-AbCdEf"
OTHER = "arn:aws:secretsmanager:us-east-1:111111111111:secret:orders/app-GhIjKl"
ROLE = "arn:aws:iam::111111111111:role/orders-proxy"
POOL = dict(max_connections_percent=100, max_idle_connections_percent=50, connection_borrow_timeout=120,
            session_pinning_filters=[], init_query="")


def described(**overrides):
    raw = {"DBProxyName": "orders-proxy", "DBProxyArn": "arn:aws:rds:us-east-1:111111111111:db-proxy:prx-1", "Status": "available",
           "EngineFamily": "POSTGRESQL", "VpcId": "vpc-1", "VpcSubnetIds": ["subnet-b", "subnet-a"], "VpcSecurityGroupIds": ["sg-1"],
           "RoleArn": ROLE, "RequireTLS": True, "IdleClientTimeout": 1800, "DebugLogging": False, "Endpoint": "orders-proxy.proxy-x",
           "Auth": [{"AuthScheme": "SECRETS", "SecretArn": SECRET, "IAMAuth": "REQUIRED", "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256",
                     "Description": "master"}]}
    raw.update(overrides)
    return proxy_facts(raw)


def task_auth(*entries):
    return [dict(dict(iam_auth="REQUIRED", client_password_auth_type="POSTGRES_SCRAM_SHA_256", description=None), **entry) for entry in entries]


def params(**overrides):
    base = dict(require_tls=True, idle_client_timeout=None, debug_logging=None, role_arn=None, vpc_security_group_ids=None)
    base.update(overrides)
    return base


def test_proxy_facts_are_sorted_and_complete():
    facts = described()
    assert facts["vpc_subnet_ids"] == ["subnet-a", "subnet-b"] and facts["require_tls"] is True
    assert facts["auth"] == [dict(secret_arn=SECRET, iam_auth="REQUIRED", client_password_auth_type="POSTGRES_SCRAM_SHA_256", description="master")]


def test_nothing_to_modify_when_the_task_matches_or_leaves_settings_unset():
    current = described()
    auth = desired_auth(task_auth(dict(secret_arn=SECRET)), current["auth"])
    assert auth[0]["description"] == "master"
    assert proxy_changes(current, params(), auth) == ({}, [])
    assert proxy_changes(current, params(), None) == ({}, [])


def test_each_changed_setting_is_one_modify_parameter():
    current = described()
    auth = desired_auth(task_auth(dict(secret_arn=SECRET, iam_auth="DISABLED"), dict(secret_arn=OTHER, description="app")), current["auth"])
    request, changed = proxy_changes(current, params(require_tls=False, idle_client_timeout=600, debug_logging=True, role_arn=ROLE + "2",
                                                     vpc_security_group_ids=["sg-2", "sg-2"]), auth)
    assert changed == ["require_tls", "idle_client_timeout", "debug_logging", "role_arn", "vpc_security_group_ids", "auth"]
    assert request["SecurityGroups"] == ["sg-2"] and request["RequireTLS"] is False
    assert request["Auth"] == [
        {"AuthScheme": "SECRETS", "SecretArn": SECRET, "IAMAuth": "DISABLED", "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256",
         "Description": "master"},
        {"AuthScheme": "SECRETS", "SecretArn": OTHER, "IAMAuth": "REQUIRED", "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256",
         "Description": "app"}]


def test_auth_order_does_not_matter_and_request_omits_empty_descriptions():
    current = described(Auth=[{"SecretArn": OTHER, "IAMAuth": "REQUIRED", "ClientPasswordAuthType": "POSTGRES_MD5"},
                              {"SecretArn": SECRET, "IAMAuth": "REQUIRED", "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256"}])
    auth = desired_auth(task_auth(dict(secret_arn=SECRET), dict(secret_arn=OTHER, client_password_auth_type="POSTGRES_MD5")), current["auth"])
    assert proxy_changes(current, params(), auth) == ({}, [])
    assert "Description" not in auth_request(auth)[0]


def test_engine_family_and_subnets_cannot_change():
    current = described(EngineFamily="MYSQL")
    errors = immutable_errors(current, "POSTGRESQL", ["subnet-c", "subnet-a"], "vpc_subnet_ids")
    assert len(errors) == 2
    assert errors[0].startswith("engine_family: proxy orders-proxy is a MYSQL proxy")
    assert "RDS cannot move an existing proxy to other subnets" in errors[1] and "subnet-a, subnet-b" in errors[1]
    assert immutable_errors(described(), "POSTGRESQL", ["subnet-b", "subnet-a", "subnet-a"], "vpc_subnet_ids") == []
    assert immutable_errors(described(), "POSTGRESQL", None, None) == []


def test_pool_sends_the_whole_configuration_only_when_something_changes():
    assert pool_changes(POOL, dict(max_connections_percent=100)) == (None, [], POOL)
    config, changed, after = pool_changes(POOL, dict(connection_borrow_timeout=30, session_pinning_filters=["EXCLUDE_VARIABLE_SETS"]))
    assert changed == ["connection_borrow_timeout", "session_pinning_filters"]
    assert config == {"MaxConnectionsPercent": 100, "MaxIdleConnectionsPercent": 50, "ConnectionBorrowTimeout": 30,
                      "SessionPinningFilters": ["EXCLUDE_VARIABLE_SETS"]}
    assert after["connection_borrow_timeout"] == 30


def test_lowering_the_maximum_below_the_idle_share_halves_it_and_init_query_is_sent_only_when_changed():
    config, changed, after = pool_changes(POOL, dict(max_connections_percent=30))
    assert changed == ["max_connections_percent", "max_idle_connections_percent"] and after["max_idle_connections_percent"] == 15
    assert "InitQuery" not in config
    config, changed, after = pool_changes(dict(POOL, init_query="SET x = 1"), dict(init_query=""))
    assert changed == ["init_query"] and config["InitQuery"] == ""


def test_pool_facts_normalize_missing_values():
    assert pool_facts({"MaxConnectionsPercent": 90}) == dict(max_connections_percent=90, max_idle_connections_percent=None,
                                                             connection_borrow_timeout=None, session_pinning_filters=[], init_query="")


def test_targets_are_recognised_and_swapped():
    instance = [target_facts({"Type": "RDS_INSTANCE", "RdsResourceId": "orders-db", "TargetHealth": {"State": "AVAILABLE"}})]
    cluster = [target_facts({"Type": "TRACKED_CLUSTER", "RdsResourceId": "orders-aurora", "TrackedClusterId": "orders-aurora"}),
               target_facts({"Type": "RDS_INSTANCE", "RdsResourceId": "orders-aurora-1", "TrackedClusterId": "orders-aurora"})]
    assert registered_target(instance) == ("instance", "orders-db")
    assert registered_target(cluster) == ("cluster", "orders-aurora")
    assert registered_target([]) is None
    assert desired_target(dict(db_instance_identifier="Orders-DB", db_cluster_identifier=None)) == ("instance", "orders-db")
    assert desired_target(None) is None
    assert target_changes(("instance", "orders-db"), ("instance", "orders-db")) == (None, None)
    assert target_changes(("instance", "orders-db"), None) == (None, None)
    assert target_changes(("instance", "orders-db"), ("cluster", "orders-aurora")) == (("instance", "orders-db"), ("cluster", "orders-aurora"))
    assert target_changes(None, ("instance", "orders-db")) == (None, ("instance", "orders-db"))
