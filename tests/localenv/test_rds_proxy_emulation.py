"""RDS Proxy in the emulator: what localenv.emulator.proxies adds to moto (no data plane needed).

Each test makes its own VPC, proxy and instances (names prefixed ``emx-``) so they do not meet.
"""

import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

FAMILY = "POSTGRESQL"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def unique(prefix):
    return "emx-%s-%s" % (prefix, uuid.uuid4().hex[:6])


def code_of(raised):
    return raised.value.response["Error"]["Code"]


@pytest.fixture
def transitions(emu_env):
    def configure(**seconds):
        status, payload = emu_env.control("POST", "transitions", seconds)
        assert status == 200, payload
    yield configure
    emu_env.control("POST", "transitions", {"creating": 0, "modifying": 0, "rebooting": 0, "deleting": 0})


@pytest.fixture
def net(emu_env):
    ec2 = emu_env.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.%d.0/24" % index, AvailabilityZone=zone)["Subnet"]["SubnetId"]
               for index, zone in ((1, "us-east-1a"), (2, "us-east-1b"), (3, "us-east-1a"))]
    group = ec2.create_security_group(GroupName=unique("sg"), Description="proxy", VpcId=vpc)["GroupId"]
    return dict(vpc=vpc, subnets=subnets, group=group)


@pytest.fixture
def role_arn(emu_env):
    return emu_env.client("iam").create_role(RoleName=unique("role"), AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]


@pytest.fixture
def secret_arn(emu_env):
    value = json.dumps({"username": "app", "password": "Secret-Pw-1"})
    return emu_env.client("secretsmanager").create_secret(Name=unique("secret"), SecretString=value)["ARN"]


def create(rds, net, role_arn, secret_arn, name=None, **extra):
    params = dict(DBProxyName=name or unique("px"), EngineFamily=FAMILY, RoleArn=role_arn,
                  VpcSubnetIds=net["subnets"][:2], RequireTLS=True,
                  Auth=[{"AuthScheme": "SECRETS", "SecretArn": secret_arn, "IAMAuth": "REQUIRED"}])
    params.update(extra)
    return rds.create_db_proxy(**params)["DBProxy"]


def instance(rds, engine="postgres"):
    identifier = unique("db")
    rds.create_db_instance(DBInstanceIdentifier=identifier, Engine=engine, DBInstanceClass="db.t4g.medium",
                           MasterUsername="master", MasterUserPassword="Master-Pw-1", AllocatedStorage=20)
    return identifier


def test_create_fills_defaults_and_tags_work_through_the_proxy_arn(emu_rds, net, role_arn, secret_arn):
    proxy = create(emu_rds, net, role_arn, secret_arn, VpcSecurityGroupIds=[net["group"]], Tags=[{"Key": "team", "Value": "db"}])
    assert proxy["Status"] == "available" and proxy["RequireTLS"] is True and proxy["VpcId"] == net["vpc"]
    assert proxy["Endpoint"] == "%s.proxy-%s" % (proxy["DBProxyName"], proxy["Endpoint"].split(".proxy-")[1])
    assert proxy["Auth"] == [{"AuthScheme": "SECRETS", "SecretArn": secret_arn, "IAMAuth": "REQUIRED",
                              "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256"}]
    arn = proxy["DBProxyArn"]
    assert emu_rds.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "team", "Value": "db"}]
    emu_rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "env", "Value": "test"}])
    emu_rds.remove_tags_from_resource(ResourceName=arn, TagKeys=["team"])
    assert emu_rds.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "env", "Value": "test"}]


@pytest.mark.parametrize("change, code, fragment", [
    (dict(Auth=[{"SecretArn": "orders-app-secret-name", "IAMAuth": "REQUIRED"}]), "InvalidParameterValue", "not a valid Secrets Manager"),
    (dict(Auth=[{"SecretArn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:x", "ClientPasswordAuthType": "MYSQL_NATIVE_PASSWORD"}]),
     "InvalidParameterValue", "not valid for engine family POSTGRESQL"),
    (dict(Auth=[{"SecretArn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:x", "IAMAuth": "ENABLED"}]),
     "InvalidParameterValue", "IAMAuth"),
    (dict(RoleArn="orders-proxy-role-name"), "InvalidParameterValue", "RoleArn"),
    (dict(IdleClientTimeout=0), "InvalidParameterValue", "IdleClientTimeout"),
    (dict(DBProxyName="bad--name"), "InvalidParameterValue", "DBProxyName"),
    (dict(EngineFamily="ORACLE"), "InvalidParameterValue", "EngineFamily"),
    ("one zone", "InvalidSubnet", "two availability zones"),
    ("unknown subnet", "InvalidSubnet", "does not exist"),
    ("foreign group", "InvalidParameterValue", "not in the proxy's VPC"),
])
def test_create_refuses_what_rds_refuses(emu_env, emu_rds, net, role_arn, secret_arn, change, code, fragment):
    if change == "one zone":
        change = dict(VpcSubnetIds=[net["subnets"][0], net["subnets"][2]])
    elif change == "unknown subnet":
        change = dict(VpcSubnetIds=[net["subnets"][0], "subnet-0000000000000000f"])
    elif change == "foreign group":
        ec2 = emu_env.client("ec2")
        other = ec2.create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"]
        change = dict(VpcSecurityGroupIds=[ec2.create_security_group(GroupName=unique("sg"), Description="x", VpcId=other)["GroupId"]])
    name = unique("bad")
    with pytest.raises(ClientError) as raised:
        create(emu_rds, net, role_arn, secret_arn, name=name, **change)
    assert code_of(raised) == code and fragment in str(raised.value)
    with pytest.raises(ClientError) as missing:
        emu_rds.describe_db_proxies(DBProxyName=name)
    assert code_of(missing) == "DBProxyNotFoundFault"


def test_modify_db_proxy_changes_each_setting_and_renames(emu_env, emu_rds, net, role_arn, secret_arn):
    proxy = create(emu_rds, net, role_arn, secret_arn)
    name = proxy["DBProxyName"]
    other_role = emu_env.client("iam").create_role(RoleName=unique("role"), AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    modified = emu_rds.modify_db_proxy(
        DBProxyName=name, RequireTLS=False, IdleClientTimeout=600, DebugLogging=True, RoleArn=other_role,
        SecurityGroups=[net["group"]],
        Auth=[{"SecretArn": secret_arn, "IAMAuth": "DISABLED", "ClientPasswordAuthType": "POSTGRES_MD5", "Description": "app"}])["DBProxy"]
    assert (modified["RequireTLS"], modified["IdleClientTimeout"], modified["DebugLogging"]) == (False, 600, True)
    assert modified["RoleArn"] == other_role and modified["VpcSecurityGroupIds"] == [net["group"]]
    assert modified["Auth"] == [{"AuthScheme": "SECRETS", "SecretArn": secret_arn, "IAMAuth": "DISABLED",
                                 "ClientPasswordAuthType": "POSTGRES_MD5", "Description": "app"}]
    described = emu_rds.describe_db_proxies(DBProxyName=name)["DBProxies"][0]
    assert described["IdleClientTimeout"] == 600 and described["DebugLogging"] is True
    renamed = emu_rds.modify_db_proxy(DBProxyName=name, NewDBProxyName=name + "-new")["DBProxy"]
    assert renamed["DBProxyArn"] == proxy["DBProxyArn"] and renamed["Endpoint"].startswith(name + "-new.proxy-")
    assert emu_rds.describe_db_proxy_target_groups(DBProxyName=name + "-new")["TargetGroups"][0]["DBProxyName"] == name + "-new"
    with pytest.raises(ClientError) as raised:
        emu_rds.describe_db_proxies(DBProxyName=name)
    assert code_of(raised) == "DBProxyNotFoundFault"


@pytest.mark.parametrize("change, fragment", [
    (dict(IdleClientTimeout=28801), "IdleClientTimeout"),
    (dict(RoleArn="arn:aws:iam::111111111111:user/x"), "RoleArn"),
    (dict(Auth=[]), "at least one"),
    (dict(SecurityGroups=["sg-00000000000000000"]), "does not exist"),
    (dict(NewDBProxyName="-x"), "NewDBProxyName"),
])
def test_modify_db_proxy_refuses_bad_values_and_changes_nothing(emu_rds, net, role_arn, secret_arn, change, fragment):
    proxy = create(emu_rds, net, role_arn, secret_arn)
    with pytest.raises(ClientError) as raised:
        emu_rds.modify_db_proxy(DBProxyName=proxy["DBProxyName"], RequireTLS=False, **change)
    assert code_of(raised) == "InvalidParameterValue" and fragment in str(raised.value)
    assert emu_rds.describe_db_proxies(DBProxyName=proxy["DBProxyName"])["DBProxies"][0]["RequireTLS"] is True


def test_unknown_proxy_and_target_group_are_faults_not_server_errors(emu_rds, net, role_arn, secret_arn):
    calls = [("describe_db_proxies", {}), ("modify_db_proxy", {"RequireTLS": True}), ("delete_db_proxy", {}),
             ("describe_db_proxy_targets", {}), ("describe_db_proxy_target_groups", {}),
             ("modify_db_proxy_target_group", {"TargetGroupName": "default"}),
             ("register_db_proxy_targets", {"DBInstanceIdentifiers": ["x"]}),
             ("deregister_db_proxy_targets", {"DBInstanceIdentifiers": ["x"]})]
    for method, extra in calls:
        with pytest.raises(ClientError) as raised:
            getattr(emu_rds, method)(DBProxyName="emx-no-such-proxy", **extra)
        assert code_of(raised) == "DBProxyNotFoundFault", method
    proxy = create(emu_rds, net, role_arn, secret_arn)
    with pytest.raises(ClientError) as raised:
        emu_rds.describe_db_proxy_target_groups(DBProxyName=proxy["DBProxyName"], TargetGroupName="other")
    assert code_of(raised) == "DBProxyTargetGroupNotFoundFault"


def test_target_group_pool_settings_are_validated_and_kept(emu_rds, net, role_arn, secret_arn):
    name = create(emu_rds, net, role_arn, secret_arn)["DBProxyName"]
    group = emu_rds.describe_db_proxy_target_groups(DBProxyName=name)["TargetGroups"][0]
    assert group["ConnectionPoolConfig"] == {"MaxConnectionsPercent": 100, "MaxIdleConnectionsPercent": 50,
                                             "ConnectionBorrowTimeout": 120, "SessionPinningFilters": []}
    config = {"MaxConnectionsPercent": 80, "MaxIdleConnectionsPercent": 20, "ConnectionBorrowTimeout": 30,
              "SessionPinningFilters": ["EXCLUDE_VARIABLE_SETS"], "InitQuery": "SET statement_timeout = '30s'"}
    emu_rds.modify_db_proxy_target_group(DBProxyName=name, TargetGroupName="default", ConnectionPoolConfig=config)
    emu_rds.modify_db_proxy_target_group(DBProxyName=name, TargetGroupName="default", ConnectionPoolConfig={"ConnectionBorrowTimeout": 60})
    assert emu_rds.describe_db_proxy_target_groups(DBProxyName=name)["TargetGroups"][0]["ConnectionPoolConfig"] == dict(
        config, ConnectionBorrowTimeout=60)
    for bad in ({"MaxConnectionsPercent": 0}, {"MaxConnectionsPercent": 50, "MaxIdleConnectionsPercent": 60},
                {"MaxIdleConnectionsPercent": 10}, {"ConnectionBorrowTimeout": 301}, {"SessionPinningFilters": ["EVERYTHING"]}):
        with pytest.raises(ClientError) as raised:
            emu_rds.modify_db_proxy_target_group(DBProxyName=name, TargetGroupName="default", ConnectionPoolConfig=bad)
        assert code_of(raised) == "InvalidParameterValue", bad


def test_one_target_of_the_engine_family_with_endpoint_and_health(emu_env, emu_rds, net, role_arn, secret_arn):
    name = create(emu_rds, net, role_arn, secret_arn)["DBProxyName"]
    first, second, mysql = instance(emu_rds), instance(emu_rds), instance(emu_rds, engine="mysql")
    with pytest.raises(ClientError) as raised:
        emu_rds.register_db_proxy_targets(DBProxyName=name, DBInstanceIdentifiers=["emx-missing"])
    assert code_of(raised) == "DBInstanceNotFound"
    with pytest.raises(ClientError) as raised:
        emu_rds.register_db_proxy_targets(DBProxyName=name, DBInstanceIdentifiers=[mysql])
    assert code_of(raised) == "InvalidParameterValue" and "cannot front" in str(raised.value)
    registered = emu_rds.register_db_proxy_targets(DBProxyName=name, DBInstanceIdentifiers=[first])["DBProxyTargets"]
    described = emu_rds.describe_db_instances(DBInstanceIdentifier=first)["DBInstances"][0]
    assert registered == [{"TargetArn": described["DBInstanceArn"], "Endpoint": described["Endpoint"]["Address"],
                           "RdsResourceId": first, "Port": described["Endpoint"]["Port"], "Type": "RDS_INSTANCE",
                           "Role": "READ_WRITE", "TargetHealth": {"State": "AVAILABLE"}}]
    for other in (first, second):
        with pytest.raises(ClientError) as raised:
            emu_rds.register_db_proxy_targets(DBProxyName=name, DBInstanceIdentifiers=[other])
        assert code_of(raised) == "DBProxyTargetAlreadyRegisteredFault"
    with pytest.raises(ClientError) as raised:
        emu_rds.deregister_db_proxy_targets(DBProxyName=name, DBInstanceIdentifiers=[second])
    assert code_of(raised) == "DBProxyTargetNotFoundFault"
    emu_rds.deregister_db_proxy_targets(DBProxyName=name, DBInstanceIdentifiers=[first])
    emu_rds.register_db_proxy_targets(DBProxyName=name, DBInstanceIdentifiers=[second])
    assert [t["RdsResourceId"] for t in emu_rds.describe_db_proxy_targets(DBProxyName=name)["Targets"]] == [second]
    # the health tells what a proxy would find: a secret without a password, a role that does not exist
    emu_env.client("secretsmanager").put_secret_value(SecretId=secret_arn, SecretString=json.dumps({"username": "app"}))
    health = emu_rds.describe_db_proxy_targets(DBProxyName=name)["Targets"][0]["TargetHealth"]
    assert health["State"] == "UNAVAILABLE" and health["Reason"] == "AUTH_FAILURE" and "username and password" in health["Description"]
    emu_env.client("iam").delete_role(RoleName=role_arn.rsplit("/", 1)[1])
    health = emu_rds.describe_db_proxy_targets(DBProxyName=name)["Targets"][0]["TargetHealth"]
    assert health["Reason"] == "AUTH_FAILURE" and "can't assume IAM role" in health["Description"]


def test_a_cluster_target_is_tracked_with_its_instances(emu_rds, net, role_arn, secret_arn):
    name = create(emu_rds, net, role_arn, secret_arn)["DBProxyName"]
    cluster = unique("cl")
    emu_rds.create_db_cluster(DBClusterIdentifier=cluster, Engine="aurora-postgresql", MasterUsername="master",
                              MasterUserPassword="Master-Pw-1")
    writer = unique("w")
    emu_rds.create_db_instance(DBInstanceIdentifier=writer, DBClusterIdentifier=cluster, Engine="aurora-postgresql",
                               DBInstanceClass="db.r6g.large")
    with pytest.raises(ClientError) as raised:
        emu_rds.register_db_proxy_targets(DBProxyName=name, DBInstanceIdentifiers=[writer])
    assert "register the cluster instead" in str(raised.value)
    emu_rds.register_db_proxy_targets(DBProxyName=name, DBClusterIdentifiers=[cluster])
    targets = emu_rds.describe_db_proxy_targets(DBProxyName=name)["Targets"]
    assert [(t["Type"], t["RdsResourceId"], t.get("TrackedClusterId")) for t in targets] == [
        ("TRACKED_CLUSTER", cluster, cluster), ("RDS_INSTANCE", writer, cluster)]
    assert targets[1]["Role"] == "READ_WRITE"


def test_statuses_follow_the_transitions(emu_rds, net, role_arn, secret_arn, transitions):
    transitions(creating=1.5, modifying=1.5, deleting=1.5)
    name = create(emu_rds, net, role_arn, secret_arn)["DBProxyName"]
    assert emu_rds.describe_db_proxies(DBProxyName=name)["DBProxies"][0]["Status"] == "creating"
    with pytest.raises(ClientError) as raised:
        emu_rds.modify_db_proxy(DBProxyName=name, RequireTLS=False)
    assert code_of(raised) == "InvalidDBProxyStateFault"
    time.sleep(1.6)
    emu_rds.modify_db_proxy(DBProxyName=name, RequireTLS=False)
    assert emu_rds.describe_db_proxies(DBProxyName=name)["DBProxies"][0]["Status"] == "modifying"
    time.sleep(1.6)
    assert emu_rds.delete_db_proxy(DBProxyName=name)["DBProxy"]["Status"] == "deleting"
    assert emu_rds.describe_db_proxies(DBProxyName=name)["DBProxies"][0]["Status"] == "deleting"
    time.sleep(1.6)
    with pytest.raises(ClientError) as raised:
        emu_rds.describe_db_proxies(DBProxyName=name)
    assert code_of(raised) == "DBProxyNotFoundFault"
