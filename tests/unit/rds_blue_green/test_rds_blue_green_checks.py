"""rds_blue_green: input checks, source refusals, mismatches, plan and waits (pure functions, no AWS)."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_blue_green import plan, validation, wait

BASE = dict(state="present", blue_green_deployment_name="app-db-pg16", source="app-db", target_engine_version="16.4",
            target_db_parameter_group_name="app-db-postgres16", target_db_instance_class=None, switchover_timeout=300,
            wait_timeout=600, delete_target=True, delete_old_source=False, tags=None)
SOURCE = dict(DBInstanceIdentifier="app-db", DBInstanceArn="arn:aws:rds:us-east-1:111111111111:db:app-db", Engine="postgres",
              EngineVersion="15.10", DBInstanceStatus="available", ReadReplicaDBInstanceIdentifiers=[])


def params(**changes):
    return dict(BASE, **changes)


def source(**changes):
    return dict(SOURCE, **changes)


@pytest.mark.parametrize("changes, fragment", [
    (dict(blue_green_deployment_name="9lives"), "blue_green_deployment_name: '9lives'"),
    (dict(blue_green_deployment_name="a--b"), "blue_green_deployment_name: 'a--b'"),
    (dict(blue_green_deployment_name="x" * 61), "is not a valid name"),
    (dict(source="arn:aws:rds:us-east-1:111111111111:cluster:c"), "neither a DB instance identifier"),
    (dict(target_engine_version="sixteen"), "target_engine_version: 'sixteen'"),
    (dict(switchover_timeout=29), "switchover_timeout: 29 seconds is below the minimum RDS accepts (30)"),
    (dict(wait_timeout=0), "wait_timeout: 0"),
    (dict(source=None), "source: required with state=present"),
])
def test_input_errors(changes, fragment):
    errors = validation.input_errors(params(**changes))
    assert len(errors) == 1 and fragment in errors[0], errors


def test_valid_input_and_source_forms():
    assert validation.input_errors(params()) == []
    assert validation.parse_source("arn:aws:rds:us-west-2:111111111111:db:app-db") == ("us-west-2", "app-db")
    assert validation.parse_source("App-DB") == (None, "app-db")


@pytest.mark.parametrize("record, replicas, logical, fragment", [
    (source(MasterUserSecret={"SecretArn": "arn:secret"}), {}, "1", "managed in AWS Secrets Manager (ManageMasterUserPassword, secret arn:secret)"),
    (source(ReadReplicaSourceDBInstanceIdentifier="primary"), {}, "1", "it is a read replica of primary"),
    (source(ReadReplicaDBInstanceIdentifiers=["arn:aws:rds:us-west-2:111111111111:db:dr"]), {}, "1", "cross-Region read replica"),
    (source(ReadReplicaDBInstanceIdentifiers=["r1"]), {"r1": dict(ReadReplicaDBInstanceIdentifiers=["r2"])}, "1", "cascading"),
    (source(Engine="aurora-postgresql", DBClusterIdentifier="c1"), {}, "1", "a member of DB cluster c1"),
    (source(DBInstanceStatus="stopped"), {}, "1", "it is stopped; it must be available"),
    (source(), {}, None, "needs rds.logical_replication=1 in its DB parameter group (now 0"),
])
def test_source_refusals_name_the_reason(record, replicas, logical, fragment):
    problems = validation.source_problems(record, replicas, "us-east-1", "16.4", logical)
    assert len(problems) == 1 and fragment in problems[0] and problems[0].startswith("source app-db cannot be"), problems


def test_supported_sources():
    assert validation.source_problems(source(), {}, "us-east-1", "16.4", "1") == []
    # a same-Region replica without replicas is carried by RDS; a minor upgrade needs no logical replication
    assert validation.source_problems(source(ReadReplicaDBInstanceIdentifiers=["r1"]), {"r1": {}}, "us-east-1", "15.12", None) == []
    assert "lower than" in validation.source_problems(source(), {}, "us-east-1", "15.2", "1")[0]


def test_parameter_group_checks():
    assert validation.parameter_group_problems("g", None, "16.4") == ["target_db_parameter_group_name: DB parameter group g does not exist"]
    assert "needs a postgres16 group" in validation.parameter_group_problems("g", dict(DBParameterGroupFamily="postgres15"), "16.4")[0]
    assert validation.parameter_group_problems("g", dict(DBParameterGroupFamily="postgres16"), "16") == []


DEPLOYMENT = dict(BlueGreenDeploymentIdentifier="bgd-1", BlueGreenDeploymentName="app-db-pg16", Status="AVAILABLE",
                  Source="arn:aws:rds:us-east-1:1:db:app-db", Target="arn:aws:rds:us-east-1:1:db:app-db-green-abcdef")
GREEN = dict(EngineVersion="16.4", DBInstanceClass="db.m7g.large", DBParameterGroups=[dict(DBParameterGroupName="app-db-postgres16")])


def test_plan_by_state():
    assert [c["action"] for c in plan.plan(params(), None, None)] == ["create"]
    assert plan.plan(params(), DEPLOYMENT, None) == []
    assert [c["action"] for c in plan.plan(params(state="switched_over"), None, None)] == ["create", "switchover"]
    switched = dict(DEPLOYMENT, Status="SWITCHOVER_COMPLETED", Source="arn:aws:rds:us-east-1:1:db:app-db-old1")
    assert plan.plan(params(state="switched_over"), switched, None) == []
    assert plan.plan(params(state="absent", delete_old_source=True), switched, "app-db-old1") == [
        dict(action="delete", name="app-db-pg16", delete_target=False), dict(action="delete_old_source", identifier="app-db-old1")]
    assert plan.plan(params(state="absent"), DEPLOYMENT, None) == [dict(action="delete", name="app-db-pg16", delete_target=True)]
    assert plan.plan(params(state="absent"), None, None) == []


def test_mismatches():
    assert plan.mismatches(params(), DEPLOYMENT, GREEN) == []
    assert plan.mismatches(params(target_engine_version="16"), DEPLOYMENT, GREEN) == []
    problems = plan.mismatches(params(source="other-db", target_db_instance_class="db.r6g.large"), DEPLOYMENT, GREEN)
    assert "source: the deployment's blue instance is app-db, not other-db" in problems[0]
    assert "db.m7g.large, not db.r6g.large" in problems[1] and "cannot be changed" in problems[-1]
    switched = dict(DEPLOYMENT, Status="SWITCHOVER_COMPLETED", Source="arn:aws:rds:us-east-1:1:db:app-db-old1")
    assert plan.mismatches(params(), switched, None) == []


def test_wait_reports_rollback_broken_and_timeout():
    records = iter([dict(Status="SWITCHOVER_IN_PROGRESS"), dict(Status="AVAILABLE", StatusDetails="Switchover timed out after 30 seconds")])
    with pytest.raises(wait.DeploymentStuck, match="rolled the switchover back - Switchover timed out"):
        wait.wait_for(lambda: next(records), "SWITCHOVER_COMPLETED", 100, "switchover", rolled_back_from="AVAILABLE", sleep=lambda s: None)
    with pytest.raises(wait.DeploymentStuck, match="INVALID_CONFIGURATION"):
        wait.wait_for(lambda: dict(Status="INVALID_CONFIGURATION"), "AVAILABLE", 100, "create", sleep=lambda s: None)
    clock = iter([0, 0, 5, 11, 20])
    with pytest.raises(AwsWaitTimeout):
        wait.wait_for(lambda: dict(Status="PROVISIONING"), "AVAILABLE", 10, "create", sleep=lambda s: None, clock=lambda: next(clock))
    assert wait.wait_for(lambda: dict(Status="AVAILABLE"), "AVAILABLE", 10, "create")["Status"] == "AVAILABLE"
