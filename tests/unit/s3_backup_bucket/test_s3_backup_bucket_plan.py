"""s3_backup_bucket: input checks, desired state, refusals and plan (pure functions, no AWS)."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.s3_backup_bucket.api import normalize_lock, normalize_rules
from ansible_collections.innovate.aws_postgres.plugins.module_utils.s3_backup_bucket.desired import desired_state
from ansible_collections.innovate.aws_postgres.plugins.module_utils.s3_backup_bucket.plan import plan, refusals
from ansible_collections.innovate.aws_postgres.plugins.module_utils.s3_backup_bucket.validation import input_errors

KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BASE = dict(name="innovate-prod-dumps", state="present", kms_key_id=KEY, bucket_key_enabled=True, object_lock_enabled=True,
            object_lock_mode="COMPLIANCE", retention_days=30, noncurrent_version_expiration_days=400, transition_days=30,
            transition_storage_class="GLACIER", abort_incomplete_multipart_upload_days=7, tags={"env": "prod"}, purge_tags=True)


def params(**changes):
    return dict(BASE, **changes)


@pytest.mark.parametrize("changes, fragment", [
    (dict(name="ab"), "name: 'ab' is not a valid S3 bucket name"),
    (dict(name="192.168.1.10"), "not formatted like an IP address"),
    (dict(name="my..bucket"), "is not a valid S3 bucket name"),
    (dict(name="xn--bucket"), "reserved by S3"),
    (dict(kms_key_id="alias"), "kms_key_id: 'alias' is not a KMS key reference"),
    (dict(retention_days=0), "retention_days: 0 is out of range; accepted: 1 to 36500"),
    (dict(noncurrent_version_expiration_days=0), "noncurrent_version_expiration_days: 0 is out of range"),
    (dict(transition_days=29, transition_storage_class="ONEZONE_IA"), "transition_days: 29 is out of range; accepted: 30 or more"),
    (dict(tags={"aws:x": "1"}), "reserved for AWS"),
])
def test_bad_input_is_named(changes, fragment):
    errors = input_errors(params(**changes))
    assert len(errors) == 1 and fragment in errors[0]


def test_good_input_and_key_forms():
    for key in (KEY, "alias/dumps", "arn:aws:kms:us-east-1:111111111111:alias/dumps", "1234abcd-12ab-34cd-56ef-1234567890ab"):
        assert input_errors(params(kms_key_id=key)) == []
    assert input_errors(params(object_lock_enabled=False, retention_days=0)) == []


def current(**lock):
    actions, after = plan(None, desired_state(params()))
    assert actions[0] == dict(action="create", object_lock=True)
    after["object_lock"] = dict(dict(enabled=True, mode="COMPLIANCE", days=30), **lock)
    return after


def test_a_converged_bucket_plans_nothing_and_changes_are_minimal():
    existing = current()
    assert plan(existing, desired_state(params())) == ([], existing)
    actions, after = plan(existing, desired_state(params(retention_days=60, tags={"env": "prod", "team": "db"})))
    assert [a["action"] for a in actions] == ["object_lock", "tags"]
    assert after["object_lock"]["days"] == 60 and after["tags"] == {"env": "prod", "team": "db"}


@pytest.mark.parametrize("changes, fragment", [
    (dict(retention_days=10), "retention_days: 10 is refused"),
    (dict(object_lock_mode="GOVERNANCE"), "object_lock_mode: GOVERNANCE is refused"),
    (dict(object_lock_enabled=False), "object_lock_enabled: false is refused"),
])
def test_weakening_the_worm_protection_is_refused(changes, fragment):
    problems = refusals(current(), desired_state(params(**changes)))
    assert len(problems) == 1 and fragment in problems[0]


def test_governance_may_be_lowered_or_raised_to_compliance():
    governance = current(mode="GOVERNANCE")
    assert refusals(governance, desired_state(params(object_lock_mode="GOVERNANCE", retention_days=1))) == []
    assert refusals(governance, desired_state(params())) == []


def test_normalizers():
    assert normalize_lock(None) == dict(enabled=False, mode=None, days=None)
    assert normalize_lock({"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1, "Days": 0}}}) == \
        dict(enabled=True, mode="COMPLIANCE", days=365)
    assert normalize_rules([{"ID": "b", "Filter": {"Prefix": ""}, "Status": "Enabled"}, {"ID": "a", "Transitions": []}]) == \
        [{"ID": "a"}, {"ID": "b", "Status": "Enabled"}]
