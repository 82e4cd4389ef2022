"""rds_proxy through ansible-playbook against the local AWS environment.

Two RDS for PostgreSQL instances (real servers) are created once with boto3 for the whole file;
every test makes its own proxy (names ``itpx-...``) and verifies the result with boto3, never only
with the module's own result.
"""

import json
import uuid

import pytest

MODULE = "innovate.aws_postgres.rds_proxy"
READS = ("Describe", "List")
MASTER_PASSWORD = "Proxy-Master-Pw-1"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


@pytest.fixture(scope="module")
def world(localenv):
    """Network, proxy role, a secret and two PostgreSQL instances shared by the tests of this file."""
    ec2, rds, iam, sm = (localenv.client(service) for service in ("ec2", "rds", "iam", "secretsmanager"))
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.%d.0/24" % index, AvailabilityZone=zone)["Subnet"]["SubnetId"]
               for index, zone in ((1, "us-east-1a"), (2, "us-east-1b"), (3, "us-east-1a"))]
    group = ec2.create_security_group(GroupName=unique("itpx-sg"), Description="proxy", VpcId=vpc)["GroupId"]
    subnet_group = unique("itpx-subnets")
    rds.create_db_subnet_group(DBSubnetGroupName=subnet_group, DBSubnetGroupDescription="proxy tests", SubnetIds=subnets[:2])
    role_arn = iam.create_role(RoleName=unique("itpx-role"), AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    instances = []
    for prefix in ("itpx-a", "itpx-b"):
        identifier = unique(prefix)
        rds.create_db_instance(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t3.micro", AllocatedStorage=20,
                               MasterUsername="master", MasterUserPassword=MASTER_PASSWORD, DBName="app")
        instances.append(identifier)
    mysql = unique("itpx-mysql")
    rds.create_db_instance(DBInstanceIdentifier=mysql, Engine="mysql", DBInstanceClass="db.t3.micro", AllocatedStorage=20,
                           MasterUsername="admin", MasterUserPassword=MASTER_PASSWORD)
    for identifier in instances:
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 2, "MaxAttempts": 90})
    secrets = [sm.create_secret(Name=unique("itpx/%s" % login), SecretString=json.dumps({"username": login, "password": MASTER_PASSWORD}))["ARN"]
               for login in ("master", "app")]
    yield dict(vpc=vpc, subnets=subnets, group=group, subnet_group=subnet_group, role_arn=role_arn, instances=instances, secrets=secrets,
               mysql=mysql)
    for identifier in instances + [mysql]:
        rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)


@pytest.fixture
def rds(localenv):
    return localenv.client("rds")


def run(ansible, check=False, diff=False, **args):
    return ansible.module(MODULE, args, check=check, diff=diff)


def ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def failed(result, *fragments):
    assert result.get("failed") is True, result
    assert "Traceback" not in str(result.get("msg")) and "Traceback" not in str(result.get("module_stderr", "")), result
    for fragment in fragments:
        assert fragment in result["msg"], result["msg"]
    return result


def base(world, name, **extra):
    args = dict(name=name, role_arn=world["role_arn"], vpc_subnet_ids=world["subnets"][:2], vpc_security_group_ids=[world["group"]],
                auth=[dict(secret_arn=world["secrets"][0])], target=dict(db_instance_identifier=world["instances"][0]))
    args.update(extra)
    return args


def proxy_of(rds, name):
    try:
        return rds.describe_db_proxies(DBProxyName=name)["DBProxies"][0]
    except rds.exceptions.DBProxyNotFoundFault:
        return None


def pool_of(rds, name):
    return rds.describe_db_proxy_target_groups(DBProxyName=name)["TargetGroups"][0]["ConnectionPoolConfig"]


def targets_of(rds, name):
    return [(t["Type"], t["RdsResourceId"]) for t in rds.describe_db_proxy_targets(DBProxyName=name)["Targets"]]


def rds_requests(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items() if k.startswith(("rds:", "ec2:")))


def writes(requests):
    return dict((k, v) for k, v in requests.items() if not k.split(":", 1)[1].startswith(READS))


def test_create_in_check_mode_then_for_real_then_nothing_to_do(ansible, localenv, rds, world):
    name = unique("itpx-create")
    args = base(world, name, max_connections_percent=80, max_idle_connections_percent=25, tags={"team": "db"})
    localenv.reset_requests()
    planned = ok(run(ansible, check=True, diff=True, **args))
    assert planned["changed"] is True and planned["actions"] == ["create", "modify_pool", "register"]
    assert planned["proxy"]["arn"] is None and planned["diff"]["after"]["require_tls"] is True
    assert planned["diff"]["after"]["target"] == "DB instance %s" % world["instances"][0]
    assert writes(rds_requests(localenv)) == {} and proxy_of(rds, name) is None

    created = ok(run(ansible, **args))
    assert created["changed"] is True
    proxy = proxy_of(rds, name)
    assert proxy["Status"] == "available" and proxy["RequireTLS"] is True and proxy["EngineFamily"] == "POSTGRESQL"
    assert proxy["Auth"] == [{"AuthScheme": "SECRETS", "SecretArn": world["secrets"][0], "IAMAuth": "REQUIRED",
                              "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256"}]
    assert proxy["VpcSecurityGroupIds"] == [world["group"]] and proxy["RoleArn"] == world["role_arn"]
    assert created["endpoint"] == proxy["Endpoint"] and created["proxy"]["arn"] == proxy["DBProxyArn"]
    assert pool_of(rds, name)["MaxConnectionsPercent"] == 80 and pool_of(rds, name)["MaxIdleConnectionsPercent"] == 25
    assert targets_of(rds, name) == [("RDS_INSTANCE", world["instances"][0])]
    instance = rds.describe_db_instances(DBInstanceIdentifier=world["instances"][0])["DBInstances"][0]
    target = created["targets"][0]
    assert (target["endpoint"], target["port"]) == (instance["Endpoint"]["Address"], instance["Endpoint"]["Port"])
    assert target["health"]["state"] == "AVAILABLE" and created["target"] == {"type": "instance", "identifier": world["instances"][0]}
    tags = rds.list_tags_for_resource(ResourceName=proxy["DBProxyArn"])["TagList"]
    assert tags == [{"Key": "team", "Value": "db"}] and created["proxy"]["tags"] == {"team": "db"}

    localenv.reset_requests()
    again = ok(run(ansible, **args))
    assert again["changed"] is False and again["actions"] == []
    assert rds_requests(localenv) == {"rds:DescribeDBProxies": 1, "rds:DescribeDBProxyTargetGroups": 1,
                                      "rds:DescribeDBProxyTargets": 1, "rds:ListTagsForResource": 1}

    localenv.reset_requests()
    preview = ok(run(ansible, check=True, diff=True, **dict(args, idle_client_timeout=600, tags={"team": "platform"})))
    assert preview["changed"] is True and preview["actions"] == ["modify: idle_client_timeout", "tag"]
    assert preview["diff"]["before"]["idle_client_timeout"] == 1800 and preview["diff"]["after"]["idle_client_timeout"] == 600
    assert preview["proxy"]["idle_client_timeout"] == 600 and preview["proxy"]["tags"] == {"team": "platform"}
    assert writes(rds_requests(localenv)) == {}
    assert proxy_of(rds, name)["IdleClientTimeout"] == 1800


def test_pool_auth_and_target_changes_converge_and_report_what_changed(ansible, rds, world):
    name = unique("itpx-modify")
    ok(run(ansible, **base(world, name)))
    first, second = world["secrets"]
    result = ok(run(ansible, diff=True, **base(
        world, name, max_connections_percent=60, max_idle_connections_percent=20, connection_borrow_timeout=30,
        session_pinning_filters=["EXCLUDE_VARIABLE_SETS"], init_query="SET statement_timeout = '30s'",
        auth=[dict(secret_arn=first, client_password_auth_type="POSTGRES_MD5", description="master"), dict(secret_arn=second)],
        target=dict(db_instance_identifier=world["instances"][1]))))
    assert result["actions"] == ["modify: auth", "modify_pool: max_connections_percent, max_idle_connections_percent, "
                                 "connection_borrow_timeout, session_pinning_filters, init_query",
                                 "deregister: DB instance %s" % world["instances"][0], "register: DB instance %s" % world["instances"][1]]
    assert pool_of(rds, name) == {"MaxConnectionsPercent": 60, "MaxIdleConnectionsPercent": 20, "ConnectionBorrowTimeout": 30,
                                  "SessionPinningFilters": ["EXCLUDE_VARIABLE_SETS"], "InitQuery": "SET statement_timeout = '30s'"}
    assert sorted((a["SecretArn"], a["ClientPasswordAuthType"], a.get("Description")) for a in proxy_of(rds, name)["Auth"]) == sorted([
        (first, "POSTGRES_MD5", "master"), (second, "POSTGRES_SCRAM_SHA_256", None)])
    assert targets_of(rds, name) == [("RDS_INSTANCE", world["instances"][1])]
    assert result["diff"]["before"]["target"] == "DB instance %s" % world["instances"][0]
    assert result["diff"]["after"]["pool"]["max_connections_percent"] == 60

    # the description stays when the task does not give one; lowering the maximum below the idle share halves it
    same_auth = [dict(secret_arn=first, client_password_auth_type="POSTGRES_MD5"), dict(secret_arn=second)]
    lowered = ok(run(ansible, **base(world, name, auth=same_auth, max_connections_percent=10, target=None)))
    assert lowered["actions"] == ["modify_pool: max_connections_percent, max_idle_connections_percent"]
    assert pool_of(rds, name)["MaxConnectionsPercent"] == 10 and pool_of(rds, name)["MaxIdleConnectionsPercent"] == 5
    assert ok(run(ansible, **base(world, name, auth=same_auth, max_connections_percent=10, target=None)))["changed"] is False
    # init_query "" removes the query
    ok(run(ansible, name=name, init_query=""))
    assert "InitQuery" not in pool_of(rds, name)


def test_iam_auth_and_tls_can_only_be_turned_off_explicitly(ansible, localenv, rds, world):
    name = unique("itpx-weak")
    localenv.reset_requests()
    refused = failed(run(ansible, **base(world, name, require_tls=False, auth=[dict(secret_arn=world["secrets"][0], iam_auth="DISABLED")])),
                     "auth[0].iam_auth: DISABLED", "allow_iam_auth_disabled=true", "require_tls: false", "allow_tls_not_required=true")
    assert len(refused["errors"]) == 2 and rds_requests(localenv) == {} and proxy_of(rds, name) is None
    allowed = ok(run(ansible, **base(world, name, require_tls=False, allow_tls_not_required=True, allow_iam_auth_disabled=True,
                                     auth=[dict(secret_arn=world["secrets"][0], iam_auth="DISABLED")])))
    assert any("IAM authentication is not required" in warning for warning in allowed["warnings"])
    assert any("without TLS" in warning for warning in allowed["warnings"])
    proxy = proxy_of(rds, name)
    assert proxy["RequireTLS"] is False and proxy["Auth"][0]["IAMAuth"] == "DISABLED"
    # back to the defaults: TLS and IAM required again
    ok(run(ansible, **base(world, name)))
    proxy = proxy_of(rds, name)
    assert proxy["RequireTLS"] is True and proxy["Auth"][0]["IAMAuth"] == "REQUIRED"


@pytest.mark.parametrize("change, fragments", [
    (dict(max_connections_percent="lots"), ["max_connections_percent", "int"]),
    (dict(require_tls="sometimes"), ["require_tls", "bool"]),
    (dict(auth=[dict(secret_arn="orders-db/master")]), ["auth[0].secret_arn", "'orders-db/master' is not a Secrets Manager secret ARN"]),
    (dict(target=dict(db_instance_identifier="x", db_cluster_identifier="y")), ["mutually exclusive", "db_instance_identifier"]),
    (dict(target=dict(db_instance_identifier="itpx-missing")), ["target.db_instance_identifier", "no DB instance 'itpx-missing'"]),
    (dict(target=dict(db_cluster_identifier="itpx-missing")), ["target.db_cluster_identifier", "no DB cluster 'itpx-missing'"]),
    ("mysql target", ["runs engine mysql; a PostgreSQL proxy fronts postgres only"]),
    (dict(role_arn="proxy-role"), ["role_arn: 'proxy-role' is not an IAM role ARN"]),
    (dict(max_connections_percent=40, max_idle_connections_percent=60), ["max_idle_connections_percent: 60 is more than"]),
    (dict(connection_borrow_timeout=301), ["connection_borrow_timeout: 301 is out of range"]),
    (dict(vpc_subnet_ids=["subnet-0123"]), ["at least two subnets"]),
    ("one zone", ["at least two availability zones"]),
    ("no role", ["role_arn: required to create DB proxy"]),
    ("unknown subnet group", ["db_subnet_group_name: there is no DB subnet group"]),
    (dict(name="bad--name"), ["name: 'bad--name' is not a valid DB proxy name"]),
    (dict(tags={"aws:owner": "x"}), ["reserved for AWS"]),
])
def test_bad_input_fails_cleanly_and_changes_nothing(ansible, localenv, rds, world, change, fragments):
    name = unique("itpx-bad")
    args = base(world, name)
    if change == "one zone":
        change = dict(vpc_subnet_ids=[world["subnets"][0], world["subnets"][2]])
    elif change == "no role":
        args.pop("role_arn")
        change = {}
    elif change == "mysql target":
        change = dict(target=dict(db_instance_identifier=world["mysql"]))
    elif change == "unknown subnet group":
        args.pop("vpc_subnet_ids")
        change = dict(db_subnet_group_name="itpx-no-such-group")
    args.update(change)
    localenv.reset_requests()
    failed(run(ansible, **args), *fragments)
    assert writes(rds_requests(localenv)) == {}
    assert proxy_of(rds, args["name"]) is None


def test_changes_aws_cannot_make_are_explained_not_attempted(ansible, localenv, rds, world):
    name = unique("itpx-immutable")
    by_group = base(world, name, db_subnet_group_name=world["subnet_group"])
    by_group.pop("vpc_subnet_ids")
    ok(run(ansible, **by_group))
    assert sorted(proxy_of(rds, name)["VpcSubnetIds"]) == sorted(world["subnets"][:2])
    assert ok(run(ansible, **by_group))["changed"] is False
    localenv.reset_requests()
    refused = failed(run(ansible, **base(world, name, vpc_subnet_ids=[world["subnets"][1], world["subnets"][2]])),
                     "RDS cannot move an existing proxy to other subnets", "delete it (state=absent) and create it again",
                     "never replaces a proxy")
    assert refused["changed"] is False and writes(rds_requests(localenv)) == {}
    assert sorted(proxy_of(rds, name)["VpcSubnetIds"]) == sorted(world["subnets"][:2])


def test_absent_in_check_mode_then_deleted_then_nothing_to_do(ansible, localenv, rds, world):
    name = unique("itpx-absent")
    localenv.set_transitions(creating=1)
    created = ok(run(ansible, **base(world, name)))
    assert created["proxy"]["status"] == "available" and created["targets"][0]["health"]["state"] == "AVAILABLE"
    localenv.set_transitions(creating=0)
    localenv.reset_requests()
    planned = ok(run(ansible, check=True, name=name, state="absent"))
    assert planned["changed"] is True and writes(rds_requests(localenv)) == {} and proxy_of(rds, name) is not None
    failed(run(ansible, name=name, state="absent", require_tls=True, max_connections_percent=5),
           "max_connections_percent: cannot be used with state=absent")
    deleted = ok(run(ansible, name=name, state="absent"))
    assert deleted["changed"] is True and deleted["actions"] == ["delete"] and proxy_of(rds, name) is None
    assert ok(run(ansible, name=name, state="absent"))["changed"] is False
