"""backup_plan input checks: schedules, lifecycles, ARNs, vault locks (no AWS)."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan.cron import schedule_problem
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan.validation import input_errors


@pytest.mark.parametrize("expression", [
    "cron(0 5 ? * * *)", "cron(0 3 ? * SUN *)", "cron(30 2 1 * ? *)", "cron(0 0/4 ? * MON-FRI *)",
    "cron(15 12 L * ? *)", "cron(0 6 ? * 6#3 *)", "cron(0 1 ? JAN,JUL * 2030)", "cron(0 5 15W * ? *)",
])
def test_valid_schedules(expression):
    assert schedule_problem(expression) is None


@pytest.mark.parametrize("expression, fragment", [
    ("0 5 * * ? *", "expected cron("),
    ("rate(1 day)", "expected cron("),
    ("cron(0 5 * * ?)", "has 6 fields"),
    ("cron(*/5 * ? * * *)", "minutes field must be one number"),
    ("cron(0,30 5 ? * * *)", "minutes field must be one number"),
    ("cron(60 5 ? * * *)", "not a valid minutes value"),
    ("cron(0 24 ? * * *)", "not a valid hours value"),
    ("cron(0 5 * * * *)", "exactly one of day-of-month and day-of-week"),
    ("cron(0 5 ? * ? *)", "exactly one of day-of-month and day-of-week"),
    ("cron(0 5 ? FOO * *)", "not a valid month value"),
    ("cron(0 5 ? * * 1900)", "not a valid year value"),
    ("cron(0 ? ? * * *)", "'?' is only allowed"),
])
def test_invalid_schedules(expression, fragment):
    problem = schedule_problem(expression)
    assert problem and fragment in problem


def bp_params(**overrides):
    params = dict(state="present", vault=None, plan=None, selection=None, tags=None, delete_vault=False)
    params.update(overrides)
    return params


def bp_rule(**overrides):
    rule = dict(name="daily", target_vault=None, schedule_expression=None, schedule_expression_timezone=None,
                start_window_minutes=None, completion_window_minutes=None, lifecycle=None, enable_continuous_backup=False,
                recovery_point_tags=None, copy_actions=None)
    rule.update(overrides)
    return rule


def bp_vault(**overrides):
    vault = dict(name="orders", kms_key_arn=None, access_policy=None, lock=None)
    vault.update(overrides)
    return vault


def test_a_good_task_has_no_errors():
    params = bp_params(vault=bp_vault(kms_key_arn="arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab"),
                       plan=dict(name="tiers", rules=[bp_rule(lifecycle=dict(move_to_cold_storage_after_days=30, delete_after_days=120),
                                                              copy_actions=[dict(destination_vault_arn="arn:aws:backup:us-west-2:333333333333:backup-vault:dr",
                                                                                 lifecycle=None)])]),
                       selection=dict(name="s", iam_role_arn="arn:aws:iam::111111111111:role/service-role/Backup",
                                      resources=["arn:aws:rds:*:111111111111:db:*"], not_resources=None, list_of_tags=None, conditions=None))
    assert input_errors(params) == []


@pytest.mark.parametrize("rule, fragment", [
    (dict(lifecycle=dict(move_to_cold_storage_after_days=30, delete_after_days=119)), "delete_after_days >= 120"),
    (dict(lifecycle=dict(delete_after_days=40000)), "40000 is out of range"),
    (dict(enable_continuous_backup=True), "are kept 1 to 35 days; got none"),
    (dict(enable_continuous_backup=True, lifecycle=dict(move_to_cold_storage_after_days=1, delete_after_days=30)), "cannot move to cold storage"),
    (dict(completion_window_minutes=500), "at least 60 minutes more than the start window (480)"),
    (dict(copy_actions=[dict(destination_vault_arn="arn:aws:backup:us-west-2:333:backup-vault:dr", lifecycle=None)]), "not a backup vault ARN"),
    (dict(copy_actions=[dict(destination_vault_arn="arn:aws:backup:us-west-2:333333333333:backup-vault:dr",
                             lifecycle=dict(move_to_cold_storage_after_days=10, delete_after_days=20))]), "copy_actions[0].lifecycle"),
    (dict(schedule_expression_timezone="UTC+2"), "not an IANA time zone"),
    (dict(name="daily backups"), "plan.rules[0].name"),
    (dict(recovery_point_tags={"aws:x": "1"}), "reserved for AWS"),
])
def test_rule_errors(rule, fragment):
    errors = input_errors(bp_params(vault=bp_vault(), plan=dict(name="tiers", rules=[bp_rule(**rule)])))
    assert any(fragment in error for error in errors), errors


def test_all_problems_are_reported_together():
    errors = input_errors(bp_params(plan=dict(name="bad name", rules=[bp_rule(), bp_rule()])))
    assert any("plan.name" in error for error in errors)
    assert any("used more than once" in error for error in errors)
    assert any("target_vault: no vault" in error for error in errors)


@pytest.mark.parametrize("lock, fragment", [
    (dict(state="present", min_retention_days=None, max_retention_days=None, changeable_for_days=None), "give min_retention_days"),
    (dict(state="present", min_retention_days=0, max_retention_days=None, changeable_for_days=None), "0 is out of range"),
    (dict(state="present", min_retention_days=10, max_retention_days=5, changeable_for_days=None), "is more than"),
    (dict(state="present", min_retention_days=1, max_retention_days=None, changeable_for_days=2), "changeable_for_days: 2"),
])
def test_lock_errors(lock, fragment):
    errors = input_errors(bp_params(vault=bp_vault(lock=lock)))
    assert any(fragment in error for error in errors), errors


def test_absent_needs_something_to_delete():
    assert input_errors(bp_params(state="absent")) == [
        "state=absent needs plan (the plan to delete) or vault with delete_vault=true"]
    assert "delete_vault: true needs the vault option" in input_errors(bp_params(state="absent", plan=dict(name="p"), delete_vault=True))[0]


def test_selection_without_plan_and_empty_selection():
    selection = dict(name="s", iam_role_arn="arn:aws:iam::111111111111:role/x", resources=[], list_of_tags=[],
                     conditions={"string_equals": []})
    errors = input_errors(bp_params(vault=bp_vault(), selection=selection))
    assert any("belongs to a plan" in error for error in errors)
    assert any("selects nothing" in error for error in errors)
