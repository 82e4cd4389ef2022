"""backup_plan canonical forms and change planning (no AWS)."""

import datetime

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan import canonical, spec
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan.api import lock_is_immutable
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan.plan import (
    Refused,
    lock_changes,
    lock_retention_problems,
    plan_changes,
    selection_changes,
    vault_changes,
)

RULE_OPTIONS = dict(name="daily", target_vault=None, schedule_expression=None, schedule_expression_timezone=None,
                    start_window_minutes=None, completion_window_minutes=None, lifecycle=dict(delete_after_days=14),
                    enable_continuous_backup=False, recovery_point_tags=None,
                    copy_actions=[dict(destination_vault_arn="arn:aws:backup:us-west-2:111111111111:backup-vault:w", lifecycle=None)])
AWS_RULE = {  # what GetBackupPlan answers for the rule above
    "RuleName": "daily", "TargetBackupVaultName": "orders", "ScheduleExpression": "cron(0 5 ? * * *)",
    "StartWindowMinutes": 480, "CompletionWindowMinutes": 10080, "ScheduleExpressionTimezone": "Etc/UTC",
    "Lifecycle": {"DeleteAfterDays": 14, "OptInToArchiveForSupportedResources": False}, "RecoveryPointTags": {},
    "RuleId": "4f1c", "EnableContinuousBackup": False,
    "CopyActions": [{"DestinationBackupVaultArn": "arn:aws:backup:us-west-2:111111111111:backup-vault:w", "Lifecycle": {}}],
}


def test_defaults_and_empty_values_compare_equal():
    desired = spec.plan_document(dict(name="p", rules=[RULE_OPTIONS]), dict(name="orders"))
    current = dict(BackupPlanName="p", Rules=[AWS_RULE])
    changes, after = plan_changes(dict(id="x", arn="a", version_id="v", document=current, tags={}), desired, None, True)
    assert changes == [] and after["document"] == desired


def test_a_lifecycle_change_is_an_update():
    options = dict(RULE_OPTIONS, lifecycle=dict(delete_after_days=21))
    desired = spec.plan_document(dict(name="p", rules=[options]), dict(name="orders"))
    changes, _after = plan_changes(dict(id="x", arn="a", version_id="v", document=dict(BackupPlanName="p", Rules=[AWS_RULE]), tags={}),
                                   desired, {"team": "a"}, True)
    assert [change["action"] for change in changes] == ["update_plan", "tag_plan"]


def test_empty_lifecycle_is_no_lifecycle():
    assert canonical.rule(dict(RuleName="r", Lifecycle={"MoveToColdStorageAfterDays": None})) == canonical.rule(dict(RuleName="r"))


def test_selection_with_empty_lists_equals_the_short_one():
    options = dict(name="s", iam_role_arn="arn:aws:iam::1:role/r", resources=["b", "a"], not_resources=None, list_of_tags=None,
                   conditions=dict(string_equals=[dict(key="aws:ResourceTag/backup", value="yes")], string_like=None))
    aws = {"SelectionName": "s", "IamRoleArn": "arn:aws:iam::1:role/r", "Resources": ["a", "b"], "NotResources": [], "ListOfTags": [],
           "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "yes"}],
                          "StringNotEquals": [], "StringLike": [], "StringNotLike": []}}
    changes, after = selection_changes([dict(id="1", name="s", selection=aws)], spec.selection(options), True)
    assert changes == [] and after["id"] == "1"


def test_a_changed_selection_is_replaced_and_others_purged():
    desired = spec.selection(dict(name="s", iam_role_arn="arn:aws:iam::1:role/r", resources=["a"]))
    current = [dict(id="1", name="s", selection={"SelectionName": "s", "IamRoleArn": "arn:aws:iam::1:role/r", "Resources": ["b"]}),
               dict(id="2", name="old", selection={"SelectionName": "old", "IamRoleArn": "arn:aws:iam::1:role/r", "Resources": ["b"]})]
    changes, after = selection_changes(current, desired, True)
    assert [(c["action"], c.get("id")) for c in changes] == [("delete_selection", "1"), ("delete_selection", "2"), ("replace_selection", None)]
    assert after["id"] is None
    changes, _after = selection_changes(current, desired, False)
    assert [c["action"] for c in changes] == ["delete_selection", "replace_selection"]


LOCK = dict(min_retention_days=7, max_retention_days=100, lock_date=None, immutable=False)


def test_an_immutable_lock_cannot_change_or_go():
    locked = dict(LOCK, lock_date="2024-01-01T00:00:00+00:00", immutable=True)
    with pytest.raises(Refused, match="compliance mode and unchangeable since 2024-01-01"):
        lock_changes("v", locked, dict(min_retention_days=14, max_retention_days=100, changeable_for_days=3), allow_lowering=True)
    with pytest.raises(Refused, match="cannot be removed"):
        lock_changes("v", locked, False, allow_lowering=True)
    assert lock_changes("v", locked, dict(min_retention_days=7, max_retention_days=100, changeable_for_days=3)) == ([], locked)


def test_lowering_a_lock_needs_allow_lowering():
    with pytest.raises(Refused, match=r"min_retention_days 7 -> 3"):
        lock_changes("v", LOCK, dict(min_retention_days=3, max_retention_days=100, changeable_for_days=None))
    with pytest.raises(Refused, match=r"max_retention_days 100 -> 50"):
        lock_changes("v", LOCK, dict(min_retention_days=7, max_retention_days=50, changeable_for_days=None))
    changes, after = lock_changes("v", LOCK, dict(min_retention_days=3, max_retention_days=100, changeable_for_days=None), allow_lowering=True)
    assert changes[0]["action"] == "put_vault_lock" and after["min_retention_days"] == 3
    changes, _after = lock_changes("v", LOCK, dict(min_retention_days=14, max_retention_days=200, changeable_for_days=None))
    assert changes[0]["action"] == "put_vault_lock"
    assert lock_changes("v", LOCK, None) == ([], LOCK)


def test_lock_immutability_is_read_from_the_lock_date():
    now = datetime.datetime(2025, 1, 10, tzinfo=datetime.timezone.utc)
    assert lock_is_immutable(datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc), now) is True
    assert lock_is_immutable(datetime.datetime(2025, 2, 1, tzinfo=datetime.timezone.utc), now) is False
    assert lock_is_immutable(None) is False


def test_vault_key_change_is_refused_and_policy_compared_by_meaning():
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["b", "a"]}, "Action": "backup:*", "Resource": "*"}]}
    current = dict(name="v", arn="arn", kms_key_arn="arn:aws:kms:us-east-1:1:key/a", recovery_points=0, lock=None,
                   access_policy={"Statement": [{"Resource": "*", "Action": ["backup:*"], "Principal": {"AWS": ["a", "b"]}, "Effect": "Allow"}],
                                  "Version": "2012-10-17"},
                   tags={"aws:cloudformation:stack": "x", "team": "a"})
    changes, _after = vault_changes(current, dict(name="v", access_policy=policy), None, {"team": "a"}, True)
    assert changes == []
    changes, after = vault_changes(current, dict(name="v", access_policy=False), None, None, True)
    assert [c["action"] for c in changes] == ["delete_vault_access_policy"] and after["access_policy"] is None
    with pytest.raises(Refused, match="cannot be changed"):
        vault_changes(current, dict(name="v", kms_key_arn="arn:aws:kms:us-east-1:1:key/b"), None, None, True)


def test_rule_retention_outside_the_lock():
    document = dict(Rules=[canonical.rule(dict(RuleName="a", TargetBackupVaultName="v", Lifecycle={"DeleteAfterDays": 3})),
                           canonical.rule(dict(RuleName="b", TargetBackupVaultName="v")),
                           canonical.rule(dict(RuleName="c", TargetBackupVaultName="v", Lifecycle={"DeleteAfterDays": 30})),
                           canonical.rule(dict(RuleName="d", TargetBackupVaultName="other"))])
    problems = lock_retention_problems(document, "v", LOCK)
    assert len(problems) == 2 and "rules a" in problems[0] and "forever" in problems[1]
