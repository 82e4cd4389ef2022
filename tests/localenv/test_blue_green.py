"""Blue/green deployments on real servers: green is a standby of blue; switchover promotes it and swaps the endpoint."""

import boto3
import psycopg2
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from dataplane_env import DataplaneEnv, connect, create, describe, query, wait_available, wait_for


@pytest.fixture(scope="module")
def bg_env():
    env = DataplaneEnv("bg-env-").start()
    yield env
    env.stop()


def bg_deployment(rds, identifier):
    return rds.describe_blue_green_deployments(BlueGreenDeploymentIdentifier=identifier)["BlueGreenDeployments"][0]


def bg_error(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


def test_blue_green_create_switchover_timeout_and_delete(bg_env):
    rds = bg_env.client()
    rds.create_db_parameter_group(DBParameterGroupName="bg-pg16", DBParameterGroupFamily="postgres16", Description="target")
    blue = create(rds, "bg-blue", BackupRetentionPeriod=1)
    blue = wait_available(rds, "bg-blue")
    conn = connect(bg_env, blue)
    query(conn, "CREATE TABLE items (id int PRIMARY KEY)")
    query(conn, "INSERT INTO items VALUES (1)")

    # refusals: lower version, wrong family, managed master password
    error = bg_error(rds.create_blue_green_deployment, BlueGreenDeploymentName="bg-low", Source=blue["DBInstanceArn"],
                     TargetEngineVersion="14.10")
    assert error["Code"] == "InvalidParameterCombination" and "lower" in error["Message"]
    error = bg_error(rds.create_blue_green_deployment, BlueGreenDeploymentName="bg-fam", Source=blue["DBInstanceArn"],
                     TargetEngineVersion="15.12", TargetDBParameterGroupName="bg-pg16")
    assert "family postgres16" in error["Message"]
    rds.create_db_instance(DBInstanceIdentifier="bg-managed", DBInstanceClass="db.t3.micro", Engine="postgres", EngineVersion="15",
                           MasterUsername="master", ManageMasterUserPassword=True, AllocatedStorage=20, BackupRetentionPeriod=1)
    managed = wait_available(rds, "bg-managed")
    error = bg_error(rds.create_blue_green_deployment, BlueGreenDeploymentName="bg-managed", Source=managed["DBInstanceArn"])
    assert error["Code"] == "SourceDatabaseNotSupportedFault" and "Secrets Manager" in error["Message"]
    assert rds.describe_blue_green_deployments()["BlueGreenDeployments"] == []

    created = rds.create_blue_green_deployment(BlueGreenDeploymentName="bg-one", Source=blue["DBInstanceArn"], TargetEngineVersion="16.4",
                                               TargetDBParameterGroupName="bg-pg16",
                                               Tags=[{"Key": "purpose", "Value": "upgrade"}])["BlueGreenDeployment"]
    identifier = created["BlueGreenDeploymentIdentifier"]
    deployment = bg_deployment(rds, identifier)
    assert deployment["Status"] == "AVAILABLE"
    green_id = deployment["Target"].split(":")[-1]
    assert green_id.startswith("bg-blue-green-")
    green = describe(rds, green_id)
    assert green["EngineVersion"] == "16.4" and green["DBParameterGroups"][0]["DBParameterGroupName"] == "bg-pg16"
    assert "ReadReplicaSourceDBInstanceIdentifier" not in green and describe(rds, "bg-blue")["ReadReplicaDBInstanceIdentifiers"] == []
    gconn = connect(bg_env, green)
    assert query(gconn, "SELECT current_setting('localenv.engine_version'), pg_is_in_recovery()") == [("16.4", True)]
    query(conn, "INSERT INTO items VALUES (2)")
    assert wait_for(lambda: query(gconn, "SELECT count(*) FROM items")[0][0] == 2, timeout=5)
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        query(gconn, "INSERT INTO items VALUES (3)")
    gconn.close()

    # a green that cannot catch up: the switchover times out and is rolled back
    # (RDS's minimum SwitchoverTimeout is 30 s: botocore's validation is off to ask for 1 s)
    rds.stop_db_instance(DBInstanceIdentifier=green_id)
    unchecked = boto3.client("rds", region_name="us-east-1", endpoint_url=bg_env.endpoint_url, aws_access_key_id="testing",
                             aws_secret_access_key="testing", config=Config(parameter_validation=False))
    unchecked.switchover_blue_green_deployment(BlueGreenDeploymentIdentifier=identifier, SwitchoverTimeout=1)
    assert wait_for(lambda: bg_deployment(rds, identifier)["Status"] == "AVAILABLE", timeout=15)
    assert "timed out" in bg_deployment(rds, identifier)["StatusDetails"]
    rds.start_db_instance(DBInstanceIdentifier=green_id)
    wait_available(rds, green_id)
    conn.close()
    conn = connect(bg_env, blue)
    query(conn, "INSERT INTO items VALUES (3)")  # blue takes writes again

    rds.switchover_blue_green_deployment(BlueGreenDeploymentIdentifier=identifier, SwitchoverTimeout=60)
    assert wait_for(lambda: bg_deployment(rds, identifier)["Status"] == "SWITCHOVER_COMPLETED", timeout=60)
    new_blue = describe(rds, "bg-blue")
    old_blue = describe(rds, "bg-blue-old1")
    assert new_blue["EngineVersion"] == "16.4" and old_blue["EngineVersion"].startswith("15")
    assert new_blue["Endpoint"] == blue["Endpoint"] and old_blue["Endpoint"]["Port"] != blue["Endpoint"]["Port"]
    deployment = bg_deployment(rds, identifier)
    assert deployment["Source"].endswith(":bg-blue-old1") and deployment["Target"].endswith(":bg-blue")
    conn = connect(bg_env, new_blue)
    assert query(conn, "SELECT current_setting('localenv.engine_version'), pg_is_in_recovery()") == [("16.4", False)]
    assert query(conn, "SELECT array_agg(id ORDER BY id) FROM items") == [([1, 2, 3],)]
    query(conn, "INSERT INTO items VALUES (4)")
    old = connect(bg_env, old_blue)
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        query(old, "INSERT INTO items VALUES (5)")
    old.close()
    conn.close()

    error = bg_error(rds.delete_blue_green_deployment, BlueGreenDeploymentIdentifier=identifier, DeleteTarget=True)
    assert error["Code"] == "InvalidParameterCombination"
    rds.delete_blue_green_deployment(BlueGreenDeploymentIdentifier=identifier)
    assert rds.describe_blue_green_deployments()["BlueGreenDeployments"] == []
    assert describe(rds, "bg-blue-old1")["DBInstanceStatus"] == "available"
