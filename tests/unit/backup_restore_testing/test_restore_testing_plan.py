"""backup_restore_testing canonical forms and change planning (no AWS)."""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_restore_testing import spec
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_restore_testing.plan import (
    label,
    plan_changes,
    selection_changes,
)

CONTEXT = spec.Context("111111111111", "us-east-1")
VAULT = "arn:aws:backup:us-east-1:111111111111:backup-vault:prod-databases"
ROLE = "arn:aws:iam::111111111111:role/service-role/AWSBackupDefaultServiceRole"
DB = "arn:aws:rds:us-east-1:111111111111:db:app-db"
PARAMS = dict(name="prod_databases", schedule_expression="cron(0 6 1 * ? *)", schedule_expression_timezone=None, start_window_hours=None,
              recovery_point_selection=dict(algorithm="RANDOM_WITHIN_WINDOW", include_vaults=["prod-databases"], exclude_vaults=None,
                                            recovery_point_types=["SNAPSHOT"], selection_window_days=7))
SELECTION = dict(name="app_db", protected_resource_type="RDS", iam_role="service-role/AWSBackupDefaultServiceRole",
                 protected_resource_arns=[DB], protected_resource_conditions=None,
                 restore_metadata_overrides=dict(DBSubnetGroupName="app-db-db", vpcsecuritygroupids=["sg-b", "sg-a"]),
                 validation_window_hours=None)
AWS_PLAN = {  # what GetRestoreTestingPlan answers for PARAMS
    "RestoreTestingPlanName": "prod_databases", "RestoreTestingPlanArn": "arn:aws:backup:us-east-1:111111111111:restore-testing-plan:x",
    "ScheduleExpression": "cron(0 6 1 * ? *)", "ScheduleExpressionTimezone": "Etc/UTC", "StartWindowHours": 24,
    "RecoveryPointSelection": {"Algorithm": "RANDOM_WITHIN_WINDOW", "IncludeVaults": [VAULT], "RecoveryPointTypes": ["SNAPSHOT"],
                               "SelectionWindowDays": 7},
}
AWS_SELECTION = {  # what GetRestoreTestingSelection answers for SELECTION
    "RestoreTestingSelectionName": "app_db", "ProtectedResourceType": "RDS", "IamRoleArn": ROLE, "ProtectedResourceArns": [DB],
    "RestoreMetadataOverrides": {"dbsubnetgroupname": "app-db-db", "vpcsecuritygroupids": '["sg-a","sg-b"]'}, "ValidationWindowHours": 0,
}


def current(document=None, tags=None):
    return dict(document=spec.plan(document or AWS_PLAN), arn=AWS_PLAN["RestoreTestingPlanArn"], tags=tags or {})


def test_options_and_aws_answer_are_the_same_canonical_plan():
    assert spec.same(spec.desired_plan(PARAMS, CONTEXT), spec.plan(AWS_PLAN))
    equivalent = dict(PARAMS, schedule_expression_timezone="UTC", start_window_hours=24,
                      recovery_point_selection=dict(PARAMS["recovery_point_selection"], include_vaults=[VAULT, "prod-databases"], exclude_vaults=[]))
    assert spec.same(spec.desired_plan(equivalent, CONTEXT), spec.plan(AWS_PLAN))
    assert spec.desired_plan(dict(PARAMS, schedule_expression=None), CONTEXT)["ScheduleExpression"] == "cron(0 5 ? * * *)"


def test_options_and_aws_answer_are_the_same_canonical_selection():
    assert spec.same(spec.desired_selection(SELECTION, CONTEXT), spec.selection(AWS_SELECTION))
    by_tags = dict(SELECTION, protected_resource_arns=None, restore_metadata_overrides={},
                   protected_resource_conditions=dict(string_equals=[dict(key="backup", value="yes")], string_not_equals=None))
    answer = dict(AWS_SELECTION, ProtectedResourceArns=["*"], RestoreMetadataOverrides=None,
                  ProtectedResourceConditions={"StringEquals": [{"Key": "aws:ResourceTag/backup", "Value": "yes"}]})
    assert spec.same(spec.desired_selection(by_tags, CONTEXT), spec.selection(answer))


def test_override_values_become_text():
    assert spec.overrides({"VpcSecurityGroupIds": ["sg-2", "sg-1"], "multiaz": False, "port": 5432}) == {
        "vpcsecuritygroupids": '["sg-1", "sg-2"]', "multiaz": "false", "port": "5432"}
    assert spec.override_value("[not json") == "[not json"


def test_names_become_arns_only_when_given_as_names():
    assert CONTEXT.vault_arn("v") == "arn:aws:backup:us-east-1:111111111111:backup-vault:v"
    assert CONTEXT.vault_arn("*") == "*" and CONTEXT.vault_arn(VAULT) == VAULT
    assert CONTEXT.role_arn("/service-role/R") == "arn:aws:iam::111111111111:role/service-role/R"
    assert spec.needs_account(dict(PARAMS, selections=[]))
    arns_only = dict(PARAMS, recovery_point_selection=dict(PARAMS["recovery_point_selection"], include_vaults=["*"]),
                     selections=[dict(SELECTION, iam_role=ROLE)])
    assert not spec.needs_account(arns_only)


def test_plan_create_update_and_tags():
    desired = spec.desired_plan(PARAMS, CONTEXT)
    changes, after = plan_changes(None, desired, {"team": "dba"}, True)
    assert changes == [dict(action="create_plan")] and after["tags"] == {"team": "dba"} and after["arn"] is None
    assert plan_changes(current(), desired, None, True)[0] == []
    changed = spec.desired_plan(dict(PARAMS, start_window_hours=12, recovery_point_selection=dict(
        PARAMS["recovery_point_selection"], algorithm="LATEST_WITHIN_WINDOW")), CONTEXT)
    changes, after = plan_changes(current(tags={"old": "x"}), changed, {"team": "dba"}, True)
    assert changes == [dict(action="update_plan", fields=["StartWindowHours", "RecoveryPointSelection.Algorithm"]),
                       dict(action="untag_plan", keys=["old"]), dict(action="tag_plan", tags={"team": "dba"})]
    assert after["tags"] == {"team": "dba"}


def test_selections_update_replace_purge_and_keep():
    existing = [spec.selection(AWS_SELECTION), spec.selection(dict(AWS_SELECTION, RestoreTestingSelectionName="other"))]
    desired = spec.desired_selection(SELECTION, CONTEXT)
    assert selection_changes(existing, None, True) == ([], existing)
    changes, after = selection_changes(existing, [desired], False)
    assert changes == [] and [item["RestoreTestingSelectionName"] for item in after] == ["app_db", "other"]
    changes, after = selection_changes(existing, [dict(desired, ValidationWindowHours=4)], True)
    assert [label(change) for change in changes] == ["delete_selection other (not in the task)", "update_selection app_db"]
    assert changes[1]["fields"] == ["ValidationWindowHours"] and len(after) == 1
    changes, after = selection_changes(existing[:1], [dict(desired, ProtectedResourceType="Aurora")], True)
    assert [label(change) for change in changes] == [
        "delete_selection app_db (replaced: protected_resource_type RDS -> Aurora cannot be updated)", "create_selection app_db"]


def test_requests_leave_out_empty_parts_and_updates_clear_conditions():
    plan = spec.create_plan_request(spec.desired_plan(PARAMS, CONTEXT))
    assert "ExcludeVaults" not in plan["RecoveryPointSelection"]
    desired = spec.desired_selection(dict(SELECTION, restore_metadata_overrides=None), CONTEXT)
    request = spec.create_selection_request(desired)
    assert "ProtectedResourceConditions" not in request and "RestoreMetadataOverrides" not in request
    by_tags = spec.selection(dict(AWS_SELECTION, ProtectedResourceArns=None,
                                  ProtectedResourceConditions={"StringEquals": [{"Key": "backup", "Value": "yes"}]}))
    update = spec.update_selection_request(by_tags, desired)
    assert update["ProtectedResourceConditions"] == {"StringEquals": [], "StringNotEquals": []}
    assert update["ProtectedResourceArns"] == [DB] and update["RestoreMetadataOverrides"] == {}
    assert "ProtectedResourceConditions" not in spec.update_selection_request(desired, desired)
