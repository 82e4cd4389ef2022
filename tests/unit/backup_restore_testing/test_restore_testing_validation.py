"""backup_restore_testing input checks (no AWS)."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_restore_testing.validation import input_errors

DB = "arn:aws:rds:us-east-1:111111111111:db:app-db"
CLUSTER = "arn:aws:rds:us-east-1:111111111111:cluster:orders"


def params(**overrides):
    base = dict(name="prod_databases", state="present", schedule_expression="cron(0 6 1 * ? *)", schedule_expression_timezone=None,
                start_window_hours=None, tags=None,
                recovery_point_selection=dict(algorithm="RANDOM_WITHIN_WINDOW", include_vaults=["prod-databases"], exclude_vaults=None,
                                              recovery_point_types=["SNAPSHOT"], selection_window_days=None),
                selections=[selection()])
    base.update(overrides)
    return base


def selection(**overrides):
    base = dict(name="app_db", protected_resource_type="RDS", iam_role="service-role/AWSBackupDefaultServiceRole",
                protected_resource_arns=[DB], protected_resource_conditions=None, restore_metadata_overrides=None,
                validation_window_hours=None)
    base.update(overrides)
    return base


def points(**overrides):
    base = dict(params()["recovery_point_selection"])
    base.update(overrides)
    return base


def test_good_inputs_pass():
    assert input_errors(params()) == []
    assert input_errors(params(schedule_expression_timezone="Europe/Berlin", start_window_hours=168, selections=[
        selection(protected_resource_type="Aurora", protected_resource_arns=[CLUSTER], validation_window_hours=0),
        selection(name="tagged", protected_resource_arns=["*"], iam_role="arn:aws:iam::111111111111:role/R",
                  protected_resource_conditions=dict(string_equals=[dict(key="aws:ResourceTag/backup", value="yes")],
                                                     string_not_equals=[dict(key="env", value="dev")]))],
        recovery_point_selection=points(include_vaults=["*", "arn:aws:backup:*:*:backup-vault:prod-*"], exclude_vaults=["legal-hold"],
                                        selection_window_days=365))) == []
    assert input_errors(dict(name="prod_databases", state="absent")) == []


@pytest.mark.parametrize("overrides, expected", [
    (dict(name="app-db"), "name: 'app-db' must be 1 to 50 letters, digits or '_', starting with a letter (AWS Backup refuses '-' here; "
                          "use for example 'app_db')"),
    (dict(name="1plan"), "use for example 'rt_1plan'"),
    (dict(name="p" * 51), "must be 1 to 50"),
    (dict(schedule_expression="cron(0 5 * * * *)"), "schedule_expression: 'cron(0 5 * * * *)' is not valid"),
    (dict(schedule_expression_timezone="Nowhere/City"), "'Nowhere/City' is not an IANA time zone"),
    (dict(start_window_hours=0), "start_window_hours: 0 is out of range; expected 1 to 168 hours"),
    (dict(recovery_point_selection=points(include_vaults=[])), "include_vaults: give at least one vault"),
    (dict(recovery_point_selection=points(exclude_vaults=["arn:aws:backup:us-east-1:1:backup-vault:x"])), "exclude_vaults: "),
    (dict(recovery_point_selection=points(recovery_point_types=[])), "recovery_point_types: give SNAPSHOT, CONTINUOUS or both"),
    (dict(recovery_point_selection=points(selection_window_days=0)), "selection_window_days: 0 is out of range"),
    (dict(selections=[selection(), selection()]), "the name 'app_db' is used more than once"),
    (dict(selections=[selection(iam_role="arn:aws:iam::111111111111:user/bob")]), "selections[0].iam_role"),
    (dict(selections=[selection(protected_resource_arns=[CLUSTER])]), "is not the ARN of a RDS resource"),
    (dict(selections=[selection(protected_resource_arns=[DB] * 31)]), "31 ARNs; AWS Backup accepts at most 30"),
    (dict(selections=[selection(protected_resource_arns=None)]), "give protected_resource_arns"),
    (dict(selections=[selection(protected_resource_conditions=dict(string_equals=[dict(key="a", value="b")]))]), "not both"),
    (dict(selections=[selection(protected_resource_arns=["*"], protected_resource_conditions=dict(
        string_not_equals=[dict(key="aws:ResourceTag/", value="b")]))]), "string_not_equals[0].key: 'aws:ResourceTag/' is not a tag key"),
    (dict(selections=[selection(protected_resource_arns=["*"], protected_resource_conditions=dict(
        string_equals=[dict(key="env", value="a*b")]))]), "string_equals[0].value: 'a*b' is not a valid tag value"),
    (dict(selections=[selection(restore_metadata_overrides={"dbinstanceclass": None})]), "the value is empty"),
    (dict(selections=[selection(validation_window_hours=-1)]), "validation_window_hours: -1 is out of range; expected 0 to 168"),
    (dict(tags={"aws:x": "y"}), "reserved for AWS"),
])
def test_each_bad_input_is_named(overrides, expected):
    errors = input_errors(params(**overrides))
    assert any(expected in error for error in errors), errors


def test_all_problems_are_reported_at_once():
    errors = input_errors(params(name="a-b", start_window_hours=500, selections=[selection(validation_window_hours=500)]))
    assert len(errors) == 3
