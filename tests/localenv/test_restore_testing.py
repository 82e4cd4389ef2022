"""AWS Backup restore testing plans and selections the emulator adds to moto (backup/restore_testing.py)."""

import uuid

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:app-db"


def rt_name(prefix):
    return "%s_%s" % (prefix, uuid.uuid4().hex[:8])


def rt_code(raised):
    return raised.value.response["Error"]["Code"]


def rt_plan(name, **overrides):
    plan = {"RestoreTestingPlanName": name, "ScheduleExpression": "cron(0 5 ? * 1 *)",
            "RecoveryPointSelection": {"Algorithm": "RANDOM_WITHIN_WINDOW", "IncludeVaults": ["*"],
                                       "RecoveryPointTypes": ["SNAPSHOT", "CONTINUOUS"], "SelectionWindowDays": 7}}
    plan.update(overrides)
    return plan


@pytest.fixture
def backup(emu_env):
    return emu_env.client("backup")


def test_plan_and_selection_lifecycle(backup):
    name = rt_name("monthly")
    created = backup.create_restore_testing_plan(RestoreTestingPlan=rt_plan(name), Tags={"team": "dba"})
    assert created["RestoreTestingPlanName"] == name and ":restore-testing-plan:%s-" % name in created["RestoreTestingPlanArn"]
    got = backup.get_restore_testing_plan(RestoreTestingPlanName=name)["RestoreTestingPlan"]
    assert got["ScheduleExpression"] == "cron(0 5 ? * 1 *)" and got["StartWindowHours"] == 24
    assert got["ScheduleExpressionTimezone"] == "Etc/UTC" and got["RecoveryPointSelection"]["SelectionWindowDays"] == 7
    assert name in [plan["RestoreTestingPlanName"] for plan in backup.list_restore_testing_plans()["RestoreTestingPlans"]]

    updated = backup.update_restore_testing_plan(RestoreTestingPlanName=name, RestoreTestingPlan={
        "StartWindowHours": 8, "RecoveryPointSelection": {"Algorithm": "LATEST_WITHIN_WINDOW"}})
    assert updated["UpdateTime"]
    got = backup.get_restore_testing_plan(RestoreTestingPlanName=name)["RestoreTestingPlan"]
    assert got["StartWindowHours"] == 8 and got["RecoveryPointSelection"]["Algorithm"] == "LATEST_WITHIN_WINDOW"
    assert got["RecoveryPointSelection"]["IncludeVaults"] == ["*"] and got["LastUpdateTime"]

    backup.create_restore_testing_selection(RestoreTestingPlanName=name, RestoreTestingSelection={
        "RestoreTestingSelectionName": "app_db", "IamRoleArn": ROLE, "ProtectedResourceType": "RDS",
        "ProtectedResourceArns": [DB_ARN], "RestoreMetadataOverrides": {"dbinstanceclass": "db.t4g.medium"},
        "ValidationWindowHours": 2})
    selection = backup.get_restore_testing_selection(RestoreTestingPlanName=name, RestoreTestingSelectionName="app_db")
    assert selection["RestoreTestingSelection"]["ProtectedResourceArns"] == [DB_ARN]
    assert selection["RestoreTestingSelection"]["RestoreMetadataOverrides"] == {"dbinstanceclass": "db.t4g.medium"}
    listed = backup.list_restore_testing_selections(RestoreTestingPlanName=name)["RestoreTestingSelections"]
    assert [(item["RestoreTestingSelectionName"], item["ValidationWindowHours"]) for item in listed] == [("app_db", 2)]
    backup.update_restore_testing_selection(RestoreTestingPlanName=name, RestoreTestingSelectionName="app_db",
                                            RestoreTestingSelection={"ValidationWindowHours": 4})
    assert backup.get_restore_testing_selection(
        RestoreTestingPlanName=name, RestoreTestingSelectionName="app_db")["RestoreTestingSelection"]["ValidationWindowHours"] == 4

    with pytest.raises(ClientError) as raised:
        backup.delete_restore_testing_plan(RestoreTestingPlanName=name)
    assert rt_code(raised) == "InvalidRequestException"
    backup.delete_restore_testing_selection(RestoreTestingPlanName=name, RestoreTestingSelectionName="app_db")
    backup.delete_restore_testing_plan(RestoreTestingPlanName=name)
    with pytest.raises(ClientError) as raised:
        backup.get_restore_testing_plan(RestoreTestingPlanName=name)
    assert rt_code(raised) == "ResourceNotFoundException"


@pytest.mark.parametrize("overrides, code", [
    (dict(RestoreTestingPlanName="no-dashes"), "InvalidParameterValueException"),
    (dict(ScheduleExpression="every monday"), "InvalidParameterValueException"),
    (dict(StartWindowHours=200), "InvalidParameterValueException"),
    (dict(RecoveryPointSelection={"Algorithm": "OLDEST", "IncludeVaults": ["*"], "RecoveryPointTypes": ["SNAPSHOT"]}),
     "InvalidParameterValueException"),
    (dict(RecoveryPointSelection={"Algorithm": "LATEST_WITHIN_WINDOW", "IncludeVaults": [], "RecoveryPointTypes": ["SNAPSHOT"]}),
     "InvalidParameterValueException"),
])
def test_bad_plans_are_refused(backup, overrides, code):
    plan = rt_plan(rt_name("bad"), **overrides)
    with pytest.raises(ClientError) as raised:
        backup.create_restore_testing_plan(RestoreTestingPlan=plan)
    assert rt_code(raised) == code
    assert plan["RestoreTestingPlanName"] not in [p["RestoreTestingPlanName"] for p in backup.list_restore_testing_plans()["RestoreTestingPlans"]]


def test_duplicates_and_bad_selections_are_refused(backup):
    name = rt_name("dup")
    backup.create_restore_testing_plan(RestoreTestingPlan=rt_plan(name))
    with pytest.raises(ClientError) as raised:
        backup.create_restore_testing_plan(RestoreTestingPlan=rt_plan(name))
    assert rt_code(raised) == "AlreadyExistsException"
    base = {"RestoreTestingSelectionName": "sel", "IamRoleArn": ROLE, "ProtectedResourceType": "RDS"}
    for selection in (dict(base, IamRoleArn="not-a-role"), dict(base, ProtectedResourceType="Redshift"),
                      dict(base, ProtectedResourceArns=[DB_ARN],
                           ProtectedResourceConditions={"StringEquals": [{"Key": "aws:ResourceTag/env", "Value": "prod"}]}),
                      dict(base, ValidationWindowHours=500)):
        with pytest.raises(ClientError) as raised:
            backup.create_restore_testing_selection(RestoreTestingPlanName=name, RestoreTestingSelection=selection)
        assert rt_code(raised) == "InvalidParameterValueException", selection
    assert backup.list_restore_testing_selections(RestoreTestingPlanName=name)["RestoreTestingSelections"] == []
    with pytest.raises(ClientError) as raised:
        backup.create_restore_testing_selection(RestoreTestingPlanName=rt_name("missing"), RestoreTestingSelection=base)
    assert rt_code(raised) == "ResourceNotFoundException"
    backup.delete_restore_testing_plan(RestoreTestingPlanName=name)


def test_tags_wildcard_vault_arns_and_conditions_narrowing_the_wildcard(backup):
    name = rt_name("aws_like")
    points = {"Algorithm": "LATEST_WITHIN_WINDOW", "RecoveryPointTypes": ["SNAPSHOT"],
              "IncludeVaults": ["arn:aws:backup:*:123456789012:backup-vault:prod-*"],
              "ExcludeVaults": ["arn:aws:backup:us-east-1:*:backup-vault:legal-hold"]}
    arn = backup.create_restore_testing_plan(RestoreTestingPlan=rt_plan(name, RecoveryPointSelection=points),
                                             Tags={"team": "dba"})["RestoreTestingPlanArn"]
    assert backup.list_tags(ResourceArn=arn)["Tags"] == {"team": "dba"}
    backup.tag_resource(ResourceArn=arn, Tags={"env": "prod"})
    backup.untag_resource(ResourceArn=arn, TagKeyList=["team"])
    assert backup.list_tags(ResourceArn=arn)["Tags"] == {"env": "prod"}
    conditions = {"StringEquals": [{"Key": "aws:ResourceTag/restore-test", "Value": "true"}]}
    backup.create_restore_testing_selection(RestoreTestingPlanName=name, RestoreTestingSelection={
        "RestoreTestingSelectionName": "tagged", "IamRoleArn": ROLE, "ProtectedResourceType": "RDS",
        "ProtectedResourceArns": ["*"], "ProtectedResourceConditions": conditions})
    got = backup.get_restore_testing_selection(RestoreTestingPlanName=name, RestoreTestingSelectionName="tagged")
    assert got["RestoreTestingSelection"]["ProtectedResourceConditions"] == conditions
    backup.delete_restore_testing_selection(RestoreTestingPlanName=name, RestoreTestingSelectionName="tagged")
    backup.delete_restore_testing_plan(RestoreTestingPlanName=name)
    assert backup.list_tags(ResourceArn=arn)["Tags"] == {}
