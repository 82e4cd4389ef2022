"""kms_key through ansible-playbook against the local AWS environment.

Every test works on its own alias; state is verified with boto3, never only with the module's result.
"""

import json
import uuid

import pytest

DATA_ACCOUNT, SECURITY_ACCOUNT = "111111111111", "222222222222"
MODULE = "innovate.aws_postgres.kms_key"
READS = ("Describe", "Get", "List")


def unique(prefix):
    return "alias/%s-%s" % (prefix, uuid.uuid4().hex[:8])


def role(account):
    return "arn:aws:iam::%s:role/InnovateAutomation" % account


@pytest.fixture
def kms(localenv):
    return localenv.client("kms")


def run(ansible, check=False, diff=False, **args):
    return ansible.module(MODULE, args, check=check, diff=diff)


def ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def describe(kms, alias):
    try:
        return kms.describe_key(KeyId=alias)["KeyMetadata"]
    except kms.exceptions.NotFoundException:
        return None


def policy_of(kms, key_id):
    return json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])


def sids(policy):
    return sorted(statement["Sid"] for statement in policy["Statement"])


def tags_of(kms, key_id):
    return dict((t["TagKey"], t["TagValue"]) for t in kms.list_resource_tags(KeyId=key_id)["Tags"])


def kms_requests(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items() if k.startswith("kms:"))


def writes(requests):
    return dict((k, v) for k, v in requests.items() if not k.split(":", 1)[1].startswith(READS))


def test_create_builds_the_policy_sets_rotation_and_a_rerun_changes_nothing(ansible, localenv, kms):
    alias = unique("it-create")
    args = dict(alias=alias, description="orders databases", rotation_period_days=180, allow_rds=True, allow_backup=True,
                key_administrators=["arn:aws:iam::123456789012:role/KeyAdmin"], tags={"team": "db"})
    created = ok(run(ansible, **args))
    assert created["changed"] is True
    metadata = describe(kms, alias)
    assert created["key"]["arn"] == metadata["Arn"] and metadata["Description"] == "orders databases"
    assert metadata["KeyState"] == "Enabled" and metadata["KeySpec"] == "SYMMETRIC_DEFAULT"
    policy = policy_of(kms, metadata["KeyId"])
    assert sids(policy) == ["AllowBackupUse", "AllowBackupUseGrants", "AllowRdsUse", "AllowRdsUseGrants",
                            "EnableRootAccountAccess", "KeyAdministrators"]
    rds_use = [s for s in policy["Statement"] if s["Sid"] == "AllowRdsUse"][0]
    assert rds_use["Condition"]["StringEquals"]["kms:ViaService"] == "rds.us-east-1.amazonaws.com"
    rotation = kms.get_key_rotation_status(KeyId=metadata["KeyId"])
    assert rotation["KeyRotationEnabled"] is True and rotation["RotationPeriodInDays"] == 180
    assert created["key"]["rotation"] == {"enabled": True, "period_days": 180}
    assert tags_of(kms, metadata["KeyId"]) == {"team": "db"}

    localenv.reset_requests()
    again = ok(run(ansible, **args))
    assert again["changed"] is False and again["actions"] == []
    assert kms_requests(localenv) == {"kms:DescribeKey": 1, "kms:GetKeyPolicy": 1, "kms:GetKeyRotationStatus": 1, "kms:ListResourceTags": 1}


def test_check_mode_on_a_new_key_creates_nothing(ansible, localenv, kms):
    alias = unique("it-check-new")
    localenv.reset_requests()
    result = ok(run(ansible, check=True, diff=True, alias=alias, allow_rds=True))
    assert result["changed"] is True and result["key"]["key_id"] is None
    assert "AllowRdsUse" in sids(result["diff"]["after"]["policy"])
    assert describe(kms, alias) is None
    assert writes(kms_requests(localenv)) == {}


def test_check_mode_on_an_existing_key_changes_nothing(ansible, localenv, kms):
    alias = unique("it-check-old")
    key_id = ok(run(ansible, alias=alias, description="before", tags={"a": "1"}))["key"]["key_id"]
    policy_before = policy_of(kms, key_id)
    localenv.reset_requests()
    result = ok(run(ansible, check=True, alias=alias, description="after", tags={"b": "2"}, allow_rds=True, enable_key_rotation=False))
    assert result["changed"] is True
    assert result["actions"] == ["rotation", "policy", "description", "untag", "tag"]
    assert writes(kms_requests(localenv)) == {}
    assert describe(kms, alias)["Description"] == "before"
    assert tags_of(kms, key_id) == {"a": "1"}
    assert policy_of(kms, key_id) == policy_before
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True


def test_diff_shows_description_tags_and_policy(ansible, kms):
    alias = unique("it-diff")
    ok(run(ansible, alias=alias, description="one", tags={"team": "a"}, allow_rds=True))
    result = ok(run(ansible, diff=True, alias=alias, description="two", tags={"team": "b"}, allow_rds=True, allow_backup=True))
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert (before["description"], after["description"]) == ("one", "two")
    assert (before["tags"], after["tags"]) == ({"team": "a"}, {"team": "b"})
    assert "AllowBackupUse" not in sids(before["policy"]) and "AllowBackupUse" in sids(after["policy"])
    assert "AllowBackupUse" in sids(policy_of(kms, result["key"]["key_id"]))


def test_tags_are_added_without_purge_and_removed_with_it(ansible, kms):
    alias = unique("it-tags")
    key_id = ok(run(ansible, alias=alias, tags={"team": "a", "old": "x"}))["key"]["key_id"]
    assert ok(run(ansible, alias=alias, tags={"extra": "1"}, purge_tags=False))["changed"] is True
    assert tags_of(kms, key_id) == {"team": "a", "old": "x", "extra": "1"}
    assert ok(run(ansible, alias=alias, tags={"team": "b"}))["changed"] is True
    assert tags_of(kms, key_id) == {"team": "b"}
    assert ok(run(ansible, alias=alias, tags={"team": "b"}))["changed"] is False


def test_an_explicit_policy_is_compared_by_meaning(ansible, kms):
    alias = unique("it-policy")
    statements = [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:role/A", "arn:aws:iam::123456789012:role/B"]},
         "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"},
    ]
    key_id = ok(run(ansible, alias=alias, policy={"Version": "2012-10-17", "Statement": statements}))["key"]["key_id"]
    assert sids(policy_of(kms, key_id)) == ["Root", "Use"]
    reordered = [dict(statements[1], Action=["kms:Encrypt", "kms:Decrypt"],
                      Principal={"AWS": ["arn:aws:iam::123456789012:role/B", "arn:aws:iam::123456789012:role/A"]}),
                 dict(statements[0], Resource=["*"])]
    same = ok(run(ansible, alias=alias, policy=json.dumps({"Statement": reordered, "Version": "2012-10-17"})))
    assert same["changed"] is False
    changed = ok(run(ansible, alias=alias, policy={"Version": "2012-10-17", "Statement": statements[:1]}))
    assert changed["changed"] is True and sids(policy_of(kms, key_id)) == ["Root"]


def test_rotation_can_be_turned_off_and_the_key_disabled(ansible, kms):
    alias = unique("it-rotation")
    key_id = ok(run(ansible, alias=alias))["key"]["key_id"]
    result = ok(run(ansible, alias=alias, enable_key_rotation=False, enabled=False))
    assert result["actions"] == ["rotation", "disable"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    assert describe(kms, alias)["KeyState"] == "Disabled"
    assert ok(run(ansible, alias=alias, enable_key_rotation=False, enabled=False))["changed"] is False


@pytest.mark.parametrize("args, expected", [
    (dict(alias="alias/aws/rds"), "reserved for AWS managed keys"),
    (dict(alias="alias/has space"), "may contain only letters, digits"),
    (dict(rotation_period_days=30), "rotation_period_days: 30 is out of range; expected 90 to 2560 days"),
    (dict(allow_rds=True, policy={"Version": "2012-10-17", "Statement": []}), "remove allow_rds or policy"),
    (dict(grant_accounts=["12345"]), "is not an AWS account id (12 digits)"),
    (dict(state="absent", deletion_window_days=5), "deletion_window_days: 5 is out of range; expected 7 to 30 days"),
])
def test_bad_input_fails_before_any_request(ansible, localenv, args, expected):
    args.setdefault("alias", unique("it-bad"))
    localenv.reset_requests()
    result = run(ansible, **args)
    assert result["failed"] is True
    assert expected in result["msg"]
    assert kms_requests(localenv) == {}


def test_absent_schedules_deletion_and_present_cancels_it(ansible, localenv, kms):
    alias = unique("it-absent")
    key_id = ok(run(ansible, alias=alias))["key"]["key_id"]
    checked = ok(run(ansible, check=True, alias=alias, state="absent", deletion_window_days=7))
    assert checked["changed"] is True and describe(kms, alias)["KeyState"] == "Enabled"
    scheduled = ok(run(ansible, alias=alias, state="absent", deletion_window_days=7))
    assert scheduled["changed"] is True and scheduled["deletion_window_days"] == 7
    metadata = describe(kms, alias)
    assert metadata["KeyState"] == "PendingDeletion" and metadata["Enabled"] is False
    assert (metadata["DeletionDate"] - metadata["CreationDate"]).days in (6, 7)
    assert ok(run(ansible, alias=alias, state="absent"))["changed"] is False
    restored = ok(run(ansible, diff=True, alias=alias))
    assert restored["changed"] is True and restored["actions"][:2] == ["cancel_deletion", "enable"]
    assert restored["diff"]["before"]["deletion"].startswith("scheduled for ")
    assert restored["diff"]["after"]["deletion"].startswith("cancelled")
    assert describe(kms, alias)["KeyState"] == "Enabled" and describe(kms, alias)["KeyId"] == key_id
    assert ok(run(ansible, alias=alias, state="absent", deletion_window_days=30))["changed"] is True
    assert ok(run(ansible, alias=unique("it-never"), state="absent"))["changed"] is False


def test_a_security_account_key_is_granted_to_the_data_account(ansible, localenv):
    alias = unique("it-cross")
    result = ok(run(ansible, alias=alias, allow_rds=True, grant_accounts=[DATA_ACCOUNT], assume_role_arn=role(SECURITY_ACCOUNT)))
    key_arn = result["key"]["arn"]
    assert key_arn.startswith("arn:aws:kms:us-east-1:%s:key/" % SECURITY_ACCOUNT)
    security_kms = localenv.client("kms", account_id=SECURITY_ACCOUNT)
    policy = policy_of(security_kms, key_arn)
    by_sid = dict((s["Sid"], s) for s in policy["Statement"])
    assert by_sid["EnableRootAccountAccess"]["Principal"] == {"AWS": "arn:aws:iam::%s:root" % SECURITY_ACCOUNT}
    assert by_sid["OtherAccountsUse"]["Principal"] == {"AWS": "arn:aws:iam::%s:root" % DATA_ACCOUNT}
    assert "kms:Decrypt" in by_sid["OtherAccountsUse"]["Action"]
    assert by_sid["AllowRdsUse"]["Condition"]["StringEquals"]["kms:CallerAccount"] == [DATA_ACCOUNT, SECURITY_ACCOUNT]
    assert describe(localenv.client("kms"), alias) is None

    secret_name = "it-cross/%s" % uuid.uuid4().hex[:8]
    secret = ok(ansible.module("innovate.aws_postgres.db_secret", dict(
        name=secret_name, host="db.example", username="app", password="cr0ss-Account-pw", kms_key_id=key_arn,
        assume_role_arn=role(DATA_ACCOUNT))))
    assert secret["secret"]["arn"].startswith("arn:aws:secretsmanager:us-east-1:%s:" % DATA_ACCOUNT)
    data_sm = localenv.client("secretsmanager", account_id=DATA_ACCOUNT)
    assert data_sm.describe_secret(SecretId=secret_name)["KmsKeyId"] == key_arn


def test_throttling_is_absorbed_by_retries(ansible, localenv, kms):
    alias = unique("it-throttle")
    localenv.set_faults(services=["kms"], throttle_rate=1, max_faults=3)
    result = run(ansible, alias=alias, allow_rds=True)
    injected = localenv.status()["faults"]["injected"]
    localenv.clear_faults()
    ok(result)
    assert injected == 3
    assert describe(kms, alias)["KeyState"] == "Enabled"
    assert "AllowRdsUse" in sids(policy_of(kms, result["key"]["key_id"]))
