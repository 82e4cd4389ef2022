"""backup_plan through ansible-playbook against the local AWS environment.

Every test works on its own vault and plan names; state is checked with boto3, never only in the
module's result. AWS Backup is a REST API, so the emulator counts its requests by HTTP method:
anything but GET is a write.
"""

import copy
import json
import uuid

import pytest

MODULE = "innovate.aws_postgres.backup_plan"
DATA_ACCOUNT, BACKUP_ACCOUNT = "111111111111", "333333333333"
MANAGEMENT_ACCOUNT = "123456789012"
ROLE_ARN = "arn:aws:iam::%s:role/service-role/AWSBackupDefaultServiceRole"


def bp_unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def automation(account):
    return "arn:aws:iam::%s:role/InnovateAutomation" % account


def run(ansible, check=False, diff=False, **args):
    return ansible.module(MODULE, args, check=check, diff=diff)


def ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def backup_writes(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items() if k.startswith("backup:") and k != "backup:GET")


def find_plan(backup, name):
    plans = [p for p in backup.list_backup_plans()["BackupPlansList"] if p["BackupPlanName"] == name]
    return backup.get_backup_plan(BackupPlanId=plans[0]["BackupPlanId"]) if plans else None


def selections(backup, plan_id):
    result = []
    for summary in backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]:
        result.append(backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=summary["SelectionId"]))
    return result


def vault_exists(backup, name):
    return name in [v["BackupVaultName"] for v in backup.list_backup_vaults()["BackupVaultList"]]


def seed_tiers(vault, copy_to=None):
    """The seeds' daily / weekly / monthly tiers: 14 days, 8 weeks, 12 months."""
    rules = [
        dict(name="daily", schedule_expression="cron(0 5 ? * * *)", lifecycle=dict(delete_after_days=14)),
        dict(name="weekly", schedule_expression="cron(0 6 ? * SUN *)", schedule_expression_timezone="America/New_York",
             lifecycle=dict(delete_after_days=56)),
        dict(name="monthly", schedule_expression="cron(0 7 1 * ? *)", lifecycle=dict(delete_after_days=365),
             recovery_point_tags={"tier": "monthly"}),
    ]
    if copy_to:
        rules[0]["copy_actions"] = [dict(destination_vault_arn=arn, lifecycle=dict(delete_after_days=14)) for arn in copy_to]
    for rule in rules:
        rule["target_vault"] = vault
    return rules


@pytest.fixture
def backup(localenv):
    return localenv.client("backup")


@pytest.fixture
def kms_key_arn(localenv):
    return localenv.client("kms").create_key(Description="backup vault key")["KeyMetadata"]["Arn"]


def test_create_rerun_check_mode_lifecycle_change_and_selection_replacement(ansible, localenv, backup, kms_key_arn):
    vault, plan = bp_unique("it-bp-vault"), bp_unique("it-bp-plan")
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyDeletes", "Effect": "Deny", "Principal": {"AWS": "*"},
        "Action": ["backup:DeleteRecoveryPoint", "backup:DeleteBackupVault"], "Resource": "*"}]}
    args = dict(
        vault=dict(name=vault, kms_key_arn=kms_key_arn, access_policy=policy, lock=dict(min_retention_days=7, max_retention_days=400)),
        plan=dict(name=plan, rules=seed_tiers(vault)),
        selection=dict(name="orders-dbs", iam_role_arn=ROLE_ARN % MANAGEMENT_ACCOUNT,
                       resources=["arn:aws:rds:us-east-1:123456789012:db:orders"],
                       conditions=dict(string_equals=[dict(key="aws:ResourceTag/backup", value="tiers")])),
        tags={"team": "orders"},
    )

    localenv.reset_requests()
    preview = ok(run(ansible, check=True, diff=True, **args))
    assert preview["changed"] is True and backup_writes(localenv) == {}
    assert preview["actions"] == ["create_vault", "put_vault_access_policy", "put_vault_lock", "create_plan", "create_selection orders-dbs"]
    assert preview["plan"]["id"] is None and not vault_exists(backup, vault) and find_plan(backup, plan) is None
    assert preview["diff"]["before"] == {"vault": None, "plan": None, "selections": []}

    created = ok(run(ansible, **args))
    assert created["changed"] is True and created["actions"] == preview["actions"]
    described = backup.describe_backup_vault(BackupVaultName=vault)
    assert described["EncryptionKeyArn"] == kms_key_arn and described["Locked"] is True
    assert (described["MinRetentionDays"], described["MaxRetentionDays"]) == (7, 400) and "LockDate" not in described
    assert json.loads(backup.get_backup_vault_access_policy(BackupVaultName=vault)["Policy"]) == policy
    assert backup.list_tags(ResourceArn=described["BackupVaultArn"])["Tags"] == {"team": "orders"}
    stored = find_plan(backup, plan)
    rules = dict((rule["RuleName"], rule) for rule in stored["BackupPlan"]["Rules"])
    assert sorted(rules) == ["daily", "monthly", "weekly"]
    assert rules["weekly"]["ScheduleExpressionTimezone"] == "America/New_York"
    assert rules["monthly"]["Lifecycle"] == {"DeleteAfterDays": 365} and rules["monthly"]["RecoveryPointTags"] == {"tier": "monthly"}
    assert backup.list_tags(ResourceArn=stored["BackupPlanArn"])["Tags"] == {"team": "orders"}
    [selection] = selections(backup, stored["BackupPlanId"])
    assert selection["BackupSelection"]["Conditions"]["StringEquals"] == [
        {"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "tiers"}]
    assert created["selection"]["id"] == selection["SelectionId"]
    assert created["plan"]["version_id"] == stored["VersionId"]

    localenv.reset_requests()
    again = ok(run(ansible, **args))
    assert again["changed"] is False and again["actions"] == [] and backup_writes(localenv) == {}

    # The values AWS fills in, given explicitly, and the nested empty values that break other tools.
    spelled_out = copy.deepcopy(args)
    spelled_out["vault"]["access_policy"] = json.dumps({"Statement": [dict(policy["Statement"][0], Action=list(
        reversed(policy["Statement"][0]["Action"])))], "Version": "2012-10-17"})
    for rule in spelled_out["plan"]["rules"]:
        rule.update(schedule_expression_timezone=rule.get("schedule_expression_timezone") or "Etc/UTC",
                    start_window_minutes=480, completion_window_minutes=10080, copy_actions=[], recovery_point_tags=rule.get(
                        "recovery_point_tags") or {})
    spelled_out["plan"]["rules"].reverse()
    spelled_out["plan"]["rules"].append(dict(name="yearly", target_vault=vault, lifecycle={}, schedule_expression="cron(0 8 1 1 ? *)",
                                             copy_actions=[dict(destination_vault_arn="arn:aws:backup:us-east-1:123456789012:backup-vault:" + vault,
                                                                lifecycle={})]))
    spelled_out["plan"]["rules"][-1]["lifecycle"] = dict(delete_after_days=400)
    ok(run(ansible, **spelled_out))
    spelled_out["plan"]["rules"][-1]["copy_actions"][0]["lifecycle"] = {}
    spelled_out["selection"]["conditions"].update(string_like=[], string_not_equals=[])
    spelled_out["selection"]["list_of_tags"] = []
    spelled_out["selection"]["not_resources"] = []
    localenv.reset_requests()
    empty_values = ok(run(ansible, **spelled_out))
    assert empty_values["changed"] is False, empty_values["actions"]
    assert backup_writes(localenv) == {}

    changed_lifecycle = copy.deepcopy(args)
    changed_lifecycle["plan"]["rules"][0]["lifecycle"] = dict(delete_after_days=21)
    localenv.reset_requests()
    preview = ok(run(ansible, check=True, **changed_lifecycle))
    assert preview["changed"] is True and preview["actions"] == ["update_plan"] and backup_writes(localenv) == {}
    updated = ok(run(ansible, diff=True, **changed_lifecycle))
    assert updated["actions"] == ["update_plan"]
    rules = dict((rule["RuleName"], rule) for rule in find_plan(backup, plan)["BackupPlan"]["Rules"])
    assert rules["daily"]["Lifecycle"] == {"DeleteAfterDays": 21} and "yearly" not in rules
    before_rules = dict((r["rule_name"], r) for r in updated["diff"]["before"]["plan"]["rules"])
    after_rules = dict((r["rule_name"], r) for r in updated["diff"]["after"]["plan"]["rules"])
    assert after_rules["daily"]["lifecycle"] == {"delete_after_days": 21} and before_rules["yearly"]

    changed_selection = copy.deepcopy(changed_lifecycle)
    changed_selection["selection"]["resources"].append("arn:aws:rds:us-east-1:123456789012:db:payments")
    replaced = ok(run(ansible, diff=True, **changed_selection))
    assert replaced["actions"] == ["delete_selection orders-dbs (replaced)", "replace_selection orders-dbs"]
    [selection_after] = selections(backup, stored["BackupPlanId"])
    assert selection_after["SelectionId"] != selection["SelectionId"] == replaced["diff"]["before"]["selections"][0]["id"]
    assert sorted(selection_after["BackupSelection"]["Resources"]) == [
        "arn:aws:rds:us-east-1:123456789012:db:orders", "arn:aws:rds:us-east-1:123456789012:db:payments"]
    assert replaced["selection"]["id"] == selection_after["SelectionId"]
    assert ok(run(ansible, **changed_selection))["changed"] is False

    purged_tags = copy.deepcopy(changed_selection)
    purged_tags["tags"] = {"owner": "dba"}
    assert ok(run(ansible, **purged_tags))["actions"] == ["untag_vault", "tag_vault", "untag_plan", "tag_plan"]
    assert backup.list_tags(ResourceArn=stored["BackupPlanArn"])["Tags"] == {"owner": "dba"}


def test_copy_actions_to_another_region_and_to_the_backup_account(ansible, localenv):
    name = bp_unique("it-bp-copy")
    data_backup = localenv.client("backup", account_id=DATA_ACCOUNT)
    west = ok(run(ansible, vault=dict(name=name + "-west"), region="us-west-2", assume_role_arn=automation(DATA_ACCOUNT)))
    assert west["vault"]["arn"] == "arn:aws:backup:us-west-2:%s:backup-vault:%s-west" % (DATA_ACCOUNT, name)
    allow_copy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowCopyFromDataAccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % DATA_ACCOUNT},
        "Action": "backup:CopyIntoBackupVault", "Resource": "*"}]}
    dr = ok(run(ansible, vault=dict(name=name + "-dr", access_policy=allow_copy), assume_role_arn=automation(BACKUP_ACCOUNT)))
    assert dr["vault"]["arn"].startswith("arn:aws:backup:us-east-1:%s:" % BACKUP_ACCOUNT)
    dr_backup = localenv.client("backup", account_id=BACKUP_ACCOUNT)
    assert json.loads(dr_backup.get_backup_vault_access_policy(BackupVaultName=name + "-dr")["Policy"]) == allow_copy

    args = dict(vault=dict(name=name), plan=dict(name=name, rules=seed_tiers(name, [west["vault"]["arn"], dr["vault"]["arn"]])),
                assume_role_arn=automation(DATA_ACCOUNT))
    created = ok(run(ansible, **args))
    assert created["actions"] == ["create_vault", "create_plan"]
    daily = [rule for rule in find_plan(data_backup, name)["BackupPlan"]["Rules"] if rule["RuleName"] == "daily"][0]
    assert sorted(action["DestinationBackupVaultArn"] for action in daily["CopyActions"]) == sorted(
        [west["vault"]["arn"], dr["vault"]["arn"]])
    assert all(action["Lifecycle"] == {"DeleteAfterDays": 14} for action in daily["CopyActions"])
    args["plan"]["rules"][0]["copy_actions"].reverse()
    assert ok(run(ansible, **args))["changed"] is False
    assert not vault_exists(localenv.client("backup"), name), "the task must work in the data account only"


def test_vault_lock_lowering_is_refused_and_rule_retention_is_checked(ansible, localenv, backup):
    vault = bp_unique("it-bp-lock")
    ok(run(ansible, vault=dict(name=vault, lock=dict(min_retention_days=7, max_retention_days=100, changeable_for_days=3))))
    described = backup.describe_backup_vault(BackupVaultName=vault)
    assert described["LockDate"] and described["MinRetentionDays"] == 7
    assert ok(run(ansible, vault=dict(name=vault, lock=dict(min_retention_days=7, max_retention_days=100,
                                                            changeable_for_days=3))))["changed"] is False

    localenv.reset_requests()
    refused = run(ansible, vault=dict(name=vault, lock=dict(min_retention_days=1, max_retention_days=100, changeable_for_days=3)))
    assert refused["failed"] is True and refused["changed"] is False
    assert "lowers the lock of vault %s (min_retention_days 7 -> 1)" % vault in refused["msg"]
    assert "allow_lowering=true" in refused["msg"]
    removal = run(ansible, vault=dict(name=vault, lock=dict(state="absent")))
    assert removal["failed"] is True and "removing the lock" in removal["msg"]
    governance = run(ansible, vault=dict(name=vault, lock=dict(min_retention_days=7, max_retention_days=100)))
    assert governance["failed"] is True and "compliance mode -> governance mode" in governance["msg"]
    assert backup_writes(localenv) == {}
    assert backup.describe_backup_vault(BackupVaultName=vault)["MinRetentionDays"] == 7

    too_long = run(ansible, vault=dict(name=vault), plan=dict(name=vault, rules=[dict(name="daily", lifecycle=dict(delete_after_days=365))]))
    assert too_long["failed"] is True and "outside the lock of vault %s (7 to 100 days)" % vault in too_long["msg"]
    forever = run(ansible, vault=dict(name=vault), plan=dict(name=vault, rules=[dict(name="daily")]))
    assert forever["failed"] is True and "keeps recovery points forever" in forever["msg"]
    assert find_plan(backup, vault) is None

    raised = ok(run(ansible, vault=dict(name=vault, lock=dict(min_retention_days=14, max_retention_days=100, changeable_for_days=3))))
    assert raised["actions"] == ["put_vault_lock"] and raised["vault"]["lock"]["min_retention_days"] == 14
    lowered = ok(run(ansible, vault=dict(name=vault, lock=dict(state="absent", allow_lowering=True))))
    assert lowered["actions"] == ["delete_vault_lock"]
    assert backup.describe_backup_vault(BackupVaultName=vault)["Locked"] is False


def test_a_different_key_for_an_existing_vault_is_refused(ansible, localenv, backup, kms_key_arn):
    vault = bp_unique("it-bp-key")
    ok(run(ansible, vault=dict(name=vault)))
    result = run(ansible, vault=dict(name=vault, kms_key_arn=kms_key_arn))
    assert result["failed"] is True and "the key of a backup vault cannot be changed" in result["msg"]
    assert backup.describe_backup_vault(BackupVaultName=vault)["EncryptionKeyArn"] != kms_key_arn


BAD_RULES = [
    (dict(schedule_expression="cron(0 5 * * *)"), "a cron expression has 6 fields"),
    (dict(schedule_expression="rate(1 day)"), "plan.rules[0].schedule_expression: 'rate(1 day)' is not valid"),
    (dict(schedule_expression="cron(*/15 * ? * * *)"), "the minutes field must be one number"),
    (dict(schedule_expression="cron(0 5 * * * *)"), "exactly one of day-of-month and day-of-week must be '?'"),
    (dict(schedule_expression_timezone="Mars/Olympus"), "is not an IANA time zone"),
    (dict(lifecycle=dict(move_to_cold_storage_after_days=30, delete_after_days=60)), "use delete_after_days >= 120"),
    (dict(enable_continuous_backup=True, lifecycle=dict(delete_after_days=60)), "continuous backups (enable_continuous_backup=true) are kept 1 to 35"),
    (dict(start_window_minutes=30), "start_window_minutes: 30 is out of range"),
    (dict(start_window_minutes=120, completion_window_minutes=150), "must be at least 60 minutes more than the start window (120)"),
    (dict(copy_actions=[dict(destination_vault_arn="arn:aws:s3:::my-bucket")]), "is not a backup vault ARN"),
    (dict(target_vault="no-such-vault"), "target vault no-such-vault does not exist in us-east-1"),
]


BAD_INPUTS = [
    (dict(selection=dict(name="s", iam_role_arn="AWSBackupDefaultServiceRole", resources=["*"])), "selection.iam_role_arn"),
    (dict(selection=dict(name="s", iam_role_arn=ROLE_ARN % MANAGEMENT_ACCOUNT, resources=["db:orders"])), "is not a resource ARN"),
    (dict(selection=dict(name="s", iam_role_arn=ROLE_ARN % MANAGEMENT_ACCOUNT)), "give resources, list_of_tags or conditions"),
    (dict(vault=dict(kms_key_arn="alias/backup")), "vault.kms_key_arn: 'alias/backup' is not a KMS key ARN"),
    (dict(vault=dict(lock=dict(min_retention_days=30, max_retention_days=7))), "min_retention_days (30) is more than max_retention_days (7)"),
    (dict(vault=dict(lock=dict(min_retention_days=7, changeable_for_days=1))), "changeable_for_days: 1 is out of range"),
    (dict(vault=dict(access_policy="{not json")), "vault.access_policy: not valid JSON"),
    (dict(tags={"aws:owner": "x"}), "reserved for AWS"),
]


def run_bad_inputs(ansible, cases):
    """One playbook, one task per bad input (ansible-playbook starts once); the results by task name."""
    tasks = []
    for index, args in enumerate(cases):
        tasks.append({"name": "bad input %d" % index, MODULE: args, "ignore_errors": True})
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]
    report = ansible.playbook(json.dumps(play))
    return [report.result("bad input %d" % index) for index in range(len(cases))]


def test_bad_inputs_fail_cleanly_and_change_nothing(ansible, localenv, backup):
    """Every bad rule, vault and selection input fails before any write, with a message naming the option."""
    cases, names = [], []
    for rule, _expected in BAD_RULES:
        name = bp_unique("it-bp-bad")
        names.append(name)
        cases.append(dict(vault=dict(name=name), plan=dict(name=name, rules=[dict(dict(name="daily", lifecycle=dict(delete_after_days=14)), **rule)])))
    for extra, _expected in BAD_INPUTS:
        name = bp_unique("it-bp-bad")
        names.append(name)
        args = dict(vault=dict(name=name), plan=dict(name=name, rules=[dict(name="daily", lifecycle=dict(delete_after_days=14))]))
        for key, value in extra.items():
            if key == "vault":
                args["vault"].update(value)
            else:
                args[key] = value
        cases.append(args)
    localenv.reset_requests()
    results = run_bad_inputs(ansible, cases)
    for result, (_input, expected) in zip(results, BAD_RULES + BAD_INPUTS):
        assert result.get("failed") is True and result["changed"] is False, result
        assert expected in result["msg"], (expected, result["msg"])
        assert "Traceback" not in json.dumps(result)
    assert backup_writes(localenv) == {}
    for name in names:
        assert not vault_exists(backup, name) and find_plan(backup, name) is None


def test_absent_deletes_selection_and_plan_and_only_an_empty_vault(ansible, localenv, backup):
    name = bp_unique("it-bp-gone")
    args = dict(vault=dict(name=name), plan=dict(name=name, rules=[dict(name="daily", lifecycle=dict(delete_after_days=14))]),
                selection=dict(name="all", iam_role_arn=ROLE_ARN % MANAGEMENT_ACCOUNT, resources=["*"]))
    plan_id = ok(run(ansible, **args))["plan"]["id"]
    job = backup.start_backup_job(BackupVaultName=name, ResourceArn="arn:aws:dynamodb:us-east-1:123456789012:table/orders",
                                  IamRoleArn=ROLE_ARN % MANAGEMENT_ACCOUNT, Lifecycle={"DeleteAfterDays": 14})
    assert backup.describe_backup_job(BackupJobId=job["BackupJobId"])["State"] == "COMPLETED"

    absent = dict(vault=dict(name=name), plan=dict(name=name), state="absent")
    localenv.reset_requests()
    for check in (True, False):
        refused = run(ansible, check=check, delete_vault=True, **absent)
        assert refused["failed"] is True and "still holds 1 recovery points" in refused["msg"]
    assert backup_writes(localenv) == {} and selections(backup, plan_id)

    kept = ok(run(ansible, diff=True, **absent))
    assert kept["actions"] == ["delete_selection all (state=absent)", "delete_plan"]
    assert find_plan(backup, name) is None and vault_exists(backup, name)
    assert ok(run(ansible, **absent))["changed"] is False

    backup.delete_recovery_point(BackupVaultName=name, RecoveryPointArn=job["RecoveryPointArn"])
    localenv.reset_requests()
    preview = ok(run(ansible, check=True, delete_vault=True, **absent))
    assert preview["actions"] == ["delete_vault"] and backup_writes(localenv) == {} and vault_exists(backup, name)
    assert ok(run(ansible, delete_vault=True, **absent))["actions"] == ["delete_vault"]
    assert not vault_exists(backup, name)
