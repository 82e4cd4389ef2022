"""AWS Backup calls the emulator adds to moto: selections, plan updates, vault policies, jobs."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
RULE = {"RuleName": "daily", "ScheduleExpression": "cron(0 3 * * ? *)", "Lifecycle": {"DeleteAfterDays": 14}}


def bk_name(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def bk_code(raised):
    return raised.value.response["Error"]["Code"]


@pytest.fixture
def backup(emu_env):
    return emu_env.client("backup")


@pytest.fixture
def vault(backup):
    name = bk_name("emu-vault")
    backup.create_backup_vault(BackupVaultName=name)
    return name


def bk_plan(backup, vault, **rule):
    body = dict(RULE, TargetBackupVaultName=vault)
    body.update(rule)
    return backup.create_backup_plan(BackupPlan={"BackupPlanName": bk_name("emu-plan"), "Rules": [body]})["BackupPlanId"]


def test_selection_lifecycle_and_full_shape(backup, vault):
    plan_id = bk_plan(backup, vault)
    created = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection={
        "SelectionName": "dbs", "IamRoleArn": ROLE, "Resources": ["arn:aws:rds:us-east-1:123456789012:db:orders"]})
    got = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert got["BackupSelection"] == {
        "SelectionName": "dbs", "IamRoleArn": ROLE, "Resources": ["arn:aws:rds:us-east-1:123456789012:db:orders"],
        "NotResources": [], "ListOfTags": [],
        "Conditions": {"StringEquals": [], "StringNotEquals": [], "StringLike": [], "StringNotLike": []}}
    listed = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]
    assert [(s["SelectionId"], s["SelectionName"]) for s in listed] == [(created["SelectionId"], "dbs")]
    with pytest.raises(ClientError) as raised:
        backup.delete_backup_plan(BackupPlanId=plan_id)
    assert bk_code(raised) == "InvalidRequestException"
    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []
    backup.delete_backup_plan(BackupPlanId=plan_id)
    with pytest.raises(ClientError) as raised:
        backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert bk_code(raised) == "ResourceNotFoundException"


@pytest.mark.parametrize("selection", [
    {"SelectionName": "x", "IamRoleArn": "not-a-role", "Resources": ["*"]},
    {"SelectionName": "x", "IamRoleArn": ROLE},
    {"SelectionName": "bad name!", "IamRoleArn": ROLE, "Resources": ["*"]},
    {"SelectionName": "x", "IamRoleArn": ROLE, "Resources": ["orders"]},
])
def test_bad_selections_are_refused(backup, vault, selection):
    plan_id = bk_plan(backup, vault)
    with pytest.raises(ClientError) as raised:
        backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=selection)
    assert bk_code(raised) == "InvalidParameterValueException"
    assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []


def test_update_plan_keeps_rule_ids_and_makes_a_new_version(backup, vault):
    plan_id = bk_plan(backup, vault)
    before = backup.get_backup_plan(BackupPlanId=plan_id)
    rule = dict(before["BackupPlan"]["Rules"][0])
    assert rule["ScheduleExpressionTimezone"] == "Etc/UTC" and rule["StartWindowMinutes"] == 480
    updated = backup.update_backup_plan(BackupPlanId=plan_id, BackupPlan={
        "BackupPlanName": before["BackupPlan"]["BackupPlanName"],
        "Rules": [dict(RULE, TargetBackupVaultName=vault, Lifecycle={"DeleteAfterDays": 30})]})
    after = backup.get_backup_plan(BackupPlanId=plan_id)
    assert updated["VersionId"] == after["VersionId"] != before["VersionId"]
    assert after["BackupPlan"]["Rules"][0]["Lifecycle"] == {"DeleteAfterDays": 30}
    assert after["BackupPlan"]["Rules"][0]["RuleId"] == rule["RuleId"]


@pytest.mark.parametrize("rule", [
    {"ScheduleExpression": "daily"},
    {"ScheduleExpressionTimezone": "Mars/Olympus"},
    {"StartWindowMinutes": 30},
    {"Lifecycle": {"MoveToColdStorageAfterDays": 30, "DeleteAfterDays": 60}},
    {"EnableContinuousBackup": True, "Lifecycle": {"DeleteAfterDays": 40}},
    {"CopyActions": [{"DestinationBackupVaultArn": "arn:aws:s3:::bucket"}]},
    {"TargetBackupVaultName": "no-such-vault"},
])
def test_rules_aws_refuses_are_refused(backup, vault, rule):
    with pytest.raises(ClientError) as raised:
        bk_plan(backup, vault, **rule)
    assert bk_code(raised) == "InvalidParameterValueException"


def test_deleted_plan_frees_its_name(backup, vault):
    name = bk_name("emu-reuse")
    document = {"BackupPlanName": name, "Rules": [dict(RULE, TargetBackupVaultName=vault)]}
    first = backup.create_backup_plan(BackupPlan=document)["BackupPlanId"]
    with pytest.raises(ClientError):
        backup.create_backup_plan(BackupPlan=document)
    backup.delete_backup_plan(BackupPlanId=first)
    assert backup.create_backup_plan(BackupPlan=document)["BackupPlanId"] != first


def test_vault_access_policy_and_deletion_rules(backup, vault):
    with pytest.raises(ClientError) as raised:
        backup.get_backup_vault_access_policy(BackupVaultName=vault)
    assert bk_code(raised) == "ResourceNotFoundException"
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                 "Action": "backup:CopyIntoBackupVault", "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    backup.put_backup_vault_access_policy(BackupVaultName=vault, Policy=json.dumps(policy))
    assert json.loads(backup.get_backup_vault_access_policy(BackupVaultName=vault)["Policy"]) == policy
    with pytest.raises(ClientError) as raised:
        backup.put_backup_vault_access_policy(BackupVaultName=vault, Policy="{not json")
    assert bk_code(raised) == "InvalidParameterValueException"
    backup.delete_backup_vault_access_policy(BackupVaultName=vault)
    described = backup.describe_backup_vault(BackupVaultName=vault)
    assert described["NumberOfRecoveryPoints"] == 0 and described["EncryptionKeyArn"].startswith("arn:aws:kms:us-east-1:")
    with pytest.raises(ClientError) as raised:
        backup.create_backup_vault(BackupVaultName="bad name")
    assert bk_code(raised) == "InvalidParameterValueException"
    with pytest.raises(ClientError) as raised:
        backup.delete_backup_vault(BackupVaultName=bk_name("missing"))
    assert bk_code(raised) == "ResourceNotFoundException"


def bk_backup_snapshots(rds, identifier):
    snapshots = rds.describe_db_snapshots(DBInstanceIdentifier=identifier, SnapshotType="awsbackup")["DBSnapshots"]
    return [s["DBSnapshotIdentifier"] for s in snapshots if s["DBSnapshotIdentifier"].startswith("awsbackup:")]


def test_backup_job_of_an_rds_instance_makes_a_snapshot_and_holds_the_vault(emu_env, backup, vault):
    rds = emu_env.client("rds")
    identifier = bk_name("emu-bk-db")
    rds.create_db_instance(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="master", MasterUserPassword="Master-Secret-1")
    arn = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]["DBInstanceArn"]
    started = backup.start_backup_job(BackupVaultName=vault, ResourceArn=arn, IamRoleArn=ROLE, Lifecycle={"DeleteAfterDays": 7})
    job = backup.describe_backup_job(BackupJobId=started["BackupJobId"])
    assert job["State"] == "COMPLETED" and job["ResourceType"] == "RDS"
    assert job["RecoveryPointArn"] == started["RecoveryPointArn"]
    snapshot_id = job["RecoveryPointArn"].split(":snapshot:")[1]
    assert snapshot_id.startswith("awsbackup:job-")
    assert bk_backup_snapshots(rds, identifier) == [snapshot_id]
    points = backup.list_recovery_points_by_backup_vault(BackupVaultName=vault)["RecoveryPoints"]
    assert [p["RecoveryPointArn"] for p in points] == [job["RecoveryPointArn"]]
    assert backup.describe_backup_vault(BackupVaultName=vault)["NumberOfRecoveryPoints"] == 1
    assert [j["BackupJobId"] for j in backup.list_backup_jobs(ByResourceArn=arn)["BackupJobs"]] == [job["BackupJobId"]]
    with pytest.raises(ClientError) as raised:
        backup.delete_backup_vault(BackupVaultName=vault)
    assert bk_code(raised) == "InvalidRequestException"
    backup.delete_recovery_point(BackupVaultName=vault, RecoveryPointArn=job["RecoveryPointArn"])
    assert bk_backup_snapshots(rds, identifier) == []
    backup.delete_backup_vault(BackupVaultName=vault)
    rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)


def test_jobs_fail_for_missing_resources_and_outside_the_vault_lock(backup, vault):
    missing = backup.start_backup_job(BackupVaultName=vault, ResourceArn="arn:aws:rds:us-east-1:123456789012:db:nope",
                                      IamRoleArn=ROLE)
    job = backup.describe_backup_job(BackupJobId=missing["BackupJobId"])
    assert job["State"] == "FAILED" and "nope" in job["StatusMessage"]
    backup.put_backup_vault_lock_configuration(BackupVaultName=vault, MinRetentionDays=7, MaxRetentionDays=30)
    dynamo = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    short = backup.start_backup_job(BackupVaultName=vault, ResourceArn=dynamo, IamRoleArn=ROLE, Lifecycle={"DeleteAfterDays": 3})
    assert backup.describe_backup_job(BackupJobId=short["BackupJobId"])["State"] == "FAILED"
    kept = backup.start_backup_job(BackupVaultName=vault, ResourceArn=dynamo, IamRoleArn=ROLE, Lifecycle={"DeleteAfterDays": 10})
    assert backup.describe_backup_job(BackupJobId=kept["BackupJobId"])["State"] == "COMPLETED"
    with pytest.raises(ClientError) as raised:
        backup.delete_recovery_point(BackupVaultName=vault, RecoveryPointArn=kept["RecoveryPointArn"])
    assert bk_code(raised) == "InvalidRequestException"
