"""The key policy builder and the semantic policy comparison of kms_key."""

import json

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.policy import (
    build_policy,
    canonical_policy,
    parse_policy,
    policies_equal,
)

OWNER, DATA, BACKUP = "222222222222", "111111111111", "333333333333"


def statements(policy):
    return dict((statement["Sid"], statement) for statement in policy["Statement"])


def test_the_owner_root_always_keeps_full_access():
    policy = build_policy(OWNER, "us-east-1")
    assert policy["Version"] == "2012-10-17"
    assert policy["Statement"] == [{"Sid": "EnableRootAccountAccess", "Effect": "Allow",
                                    "Principal": {"AWS": "arn:aws:iam::%s:root" % OWNER}, "Action": "kms:*", "Resource": "*"}]


def test_administrators_get_management_but_not_cryptographic_actions():
    admin = "arn:aws:iam::%s:role/KeyAdmin" % OWNER
    statement = statements(build_policy(OWNER, "us-east-1", key_administrators=[admin]))["KeyAdministrators"]
    assert statement["Principal"] == {"AWS": admin}
    assert "kms:ScheduleKeyDeletion" in statement["Action"] and "kms:PutKeyPolicy" not in statement["Action"]
    assert "kms:Put*" in statement["Action"]
    assert not any(action in statement["Action"] for action in ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"))


def test_users_may_use_the_key_and_grant_only_to_aws_resources():
    users = ["arn:aws:iam::%s:role/App" % DATA, "arn:aws:iam::%s:role/Ops" % OWNER]
    built = statements(build_policy(OWNER, "us-east-1", key_users=users))
    assert built["KeyUsers"]["Principal"] == {"AWS": sorted(users)}
    assert "kms:Decrypt" in built["KeyUsers"]["Action"]
    assert built["KeyUsersGrantsForAwsResources"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_rds_use_is_limited_to_the_rds_service_of_the_region_and_the_named_accounts():
    built = statements(build_policy(OWNER, "eu-west-1", allow_rds=True, grant_accounts=[DATA]))
    use = built["AllowRdsUse"]
    assert use["Condition"]["StringEquals"] == {"kms:ViaService": "rds.eu-west-1.amazonaws.com", "kms:CallerAccount": [DATA, OWNER]}
    assert use["Principal"] == {"AWS": ["arn:aws:iam::%s:root" % DATA, "arn:aws:iam::%s:root" % OWNER]}
    grants = built["AllowRdsUseGrants"]
    assert grants["Action"] == ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
    assert grants["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    assert grants["Condition"]["StringEquals"]["kms:ViaService"] == "rds.eu-west-1.amazonaws.com"
    assert "AllowBackupUse" not in built


def test_backup_use_goes_through_the_backup_service():
    built = statements(build_policy(OWNER, "us-east-1", allow_backup=True))
    assert built["AllowBackupUse"]["Condition"]["StringEquals"] == {"kms:ViaService": "backup.us-east-1.amazonaws.com",
                                                                    "kms:CallerAccount": OWNER}
    assert "AllowRdsUse" not in built


def test_other_accounts_get_use_and_grants_but_not_administration():
    built = statements(build_policy(OWNER, "us-east-1", grant_accounts=[DATA, BACKUP, OWNER, DATA]))
    use = built["OtherAccountsUse"]
    assert use["Principal"] == {"AWS": ["arn:aws:iam::%s:root" % DATA, "arn:aws:iam::%s:root" % BACKUP]}
    assert "kms:*" not in use["Action"] and "kms:Decrypt" in use["Action"]
    assert built["OtherAccountsGrantsForAwsResources"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_the_partition_follows_the_caller():
    policy = build_policy(OWNER, "cn-north-1", grant_accounts=[DATA], partition="aws-cn")
    assert statements(policy)["EnableRootAccountAccess"]["Principal"] == {"AWS": "arn:aws-cn:iam::%s:root" % OWNER}


def test_policies_that_mean_the_same_compare_equal():
    built = build_policy(OWNER, "us-east-1", allow_rds=True, grant_accounts=[DATA], key_users=["arn:aws:iam::%s:role/App" % DATA])
    shuffled = json.loads(json.dumps(built))
    shuffled["Statement"].reverse()
    for statement in shuffled["Statement"]:
        if isinstance(statement["Action"], list):
            statement["Action"].reverse()
    shuffled["Statement"][0]["Resource"] = ["*"]
    assert policies_equal(json.dumps(shuffled), built)
    assert canonical_policy(shuffled) == canonical_policy(built)


def test_a_different_principal_or_condition_is_a_difference():
    built = build_policy(OWNER, "us-east-1", allow_rds=True)
    assert not policies_equal(built, build_policy(OWNER, "us-west-2", allow_rds=True))
    assert not policies_equal(built, build_policy(OWNER, "us-east-1", allow_rds=True, grant_accounts=[DATA]))
    assert not policies_equal(built, build_policy(OWNER, "us-east-1", allow_rds=True, allow_backup=True))


@pytest.mark.parametrize("text, expected", [("{not json", "not valid JSON"), ("[1, 2]", "a policy is a JSON object, got list")])
def test_bad_policy_text_is_rejected(text, expected):
    with pytest.raises(ValueError) as raised:
        parse_policy(text)
    assert expected in str(raised.value)
