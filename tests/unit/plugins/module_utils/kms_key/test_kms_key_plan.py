"""Planning the KMS writes of an existing key, and kms_key's input checks."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.plan import diff_view, plan_existing, plan_new
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.policy import build_policy
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.validation import input_errors, normalize_alias

POLICY = build_policy("222222222222", "us-east-1", allow_rds=True)


def current(**overrides):
    key = dict(key_id="k1", arn="arn:aws:kms:us-east-1:222222222222:key/k1", description="orders", enabled=True,
               key_state="Enabled", deletion_date=None, policy=POLICY, rotation=dict(enabled=True, period_days=365),
               tags={"team": "db"})
    key.update(overrides)
    return key


def desired(**overrides):
    wanted = dict(description=None, enabled=True, rotation_enabled=True, rotation_period_days=None, policy=POLICY,
                  tags={"team": "db"}, purge_tags=True)
    wanted.update(overrides)
    return wanted


def kinds(actions):
    return [action["action"] for action in actions]


def test_a_converged_key_needs_nothing():
    actions, after = plan_existing(current(), desired())
    assert actions == []
    assert after["policy"] == POLICY and after["rotation"] == dict(enabled=True, period_days=365)


def test_a_key_pending_deletion_is_restored_then_enabled():
    actions, after = plan_existing(current(key_state="PendingDeletion", enabled=False, deletion_date="2030-01-01"), desired())
    assert kinds(actions) == ["cancel_deletion", "enable"]
    assert actions[0]["deletion_date"] == "2030-01-01"
    assert after["key_state"] == "Enabled" and after["deletion_date"] is None


def test_a_pending_key_that_should_stay_disabled_is_only_restored():
    actions, after = plan_existing(current(key_state="PendingDeletion", enabled=False), desired(enabled=False))
    assert kinds(actions) == ["cancel_deletion"]
    assert after["key_state"] == "Disabled"


def test_rotation_period_change_and_unmanaged_period():
    actions, after = plan_existing(current(), desired(rotation_period_days=180))
    assert actions == [dict(action="rotation", enabled=True, period_days=180)]
    assert after["rotation"] == dict(enabled=True, period_days=180)
    assert plan_existing(current(rotation=dict(enabled=True, period_days=730)), desired())[0] == []
    assert kinds(plan_existing(current(), desired(rotation_enabled=False))[0]) == ["rotation"]


def test_policy_is_compared_by_meaning_and_left_alone_when_unmanaged():
    reordered = dict(POLICY, Statement=list(reversed(POLICY["Statement"])))
    assert plan_existing(current(), desired(policy=reordered))[0] == []
    assert plan_existing(current(policy={"Version": "2012-10-17", "Statement": []}), desired(policy=None))[0] == []
    other = build_policy("222222222222", "us-east-1", allow_backup=True)
    actions, after = plan_existing(current(), desired(policy=other))
    assert kinds(actions) == ["policy"] and after["policy"] == other


def test_tags_description_and_disable_are_ordered_with_disable_last():
    actions, after = plan_existing(current(), desired(description="new", tags={"env": "prod"}, enabled=False))
    assert kinds(actions) == ["description", "untag", "tag", "disable"]
    assert after["tags"] == {"env": "prod"} and after["enabled"] is False
    assert kinds(plan_existing(current(), desired(tags={"env": "prod"}, purge_tags=False))[0]) == ["tag"]


def test_a_new_key_and_its_diff_view():
    state = plan_new(desired(description="d", rotation_period_days=None, tags={"a": 1}), POLICY)
    assert state["rotation"] == dict(enabled=True, period_days=365)
    assert state["tags"] == {"a": "1"}
    view = diff_view(dict(state, alias="alias/x", deletion_date="2030-01-01"))
    assert view["deletion"] == "scheduled for 2030-01-01" and view["alias"] == "alias/x"


def params(**overrides):
    base = dict(alias="alias/orders", state="present", deletion_window_days=30, rotation_period_days=None, enable_key_rotation=True,
                policy=None, key_administrators=None, key_users=None, allow_rds=None, allow_backup=None, grant_accounts=None, tags=None)
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides, expected", [
    (dict(alias="alias/aws/rds"), "reserved for AWS managed keys"),
    (dict(alias="alias/bad name!"), "may contain only letters, digits"),
    (dict(alias="alias/"), "has no name after 'alias/'"),
    (dict(deletion_window_days=3), "deletion_window_days: 3 is out of range; expected 7 to 30 days"),
    (dict(state="absent", deletion_window_days=31), "deletion_window_days: 31 is out of range"),
    (dict(rotation_period_days=30), "rotation_period_days: 30 is out of range; expected 90 to 2560 days"),
    (dict(rotation_period_days=180, enable_key_rotation=False), "only applies with enable_key_rotation=true"),
    (dict(policy="{", allow_rds=True), "policy: not valid JSON"),
    (dict(policy="{}", allow_rds=True), "remove allow_rds or policy"),
    (dict(key_users=["someone"]), "key_users: 'someone' is not an IAM principal ARN"),
    (dict(grant_accounts=["1234"]), "grant_accounts: '1234' is not an AWS account id"),
    (dict(tags={"aws:x": "y"}), "reserved for AWS"),
])
def test_bad_input_is_named(overrides, expected):
    assert any(expected in error for error in input_errors(params(**overrides)))


def test_good_input_passes_and_alias_prefix_is_added():
    assert input_errors(params(key_users=["arn:aws:iam::111111111111:role/App"], grant_accounts=["111111111111"])) == []
    assert normalize_alias("orders") == "alias/orders" and normalize_alias("alias/orders") == "alias/orders"
