"""rds_instance through ansible-playbook against the local environment: one instance's life.

A real PostgreSQL server backs the instance. State is checked with boto3 (and the server),
never only with the module's result. Check mode and refusals are checked by counting the
emulator's requests: no write request may reach it. Steps run in few ansible-playbook processes
(``ri_play``) to keep the file fast; the tests run in file order on one instance.
"""

import json

import pytest

from rds_instance_helpers import (
    rds_counts_of,
    ri_connect,
    ri_delete,
    ri_describe,
    ri_failed,
    ri_name,
    ri_ok,
    ri_play,
    ri_query,
    ri_step,
    writes_of,
)

PASSWORD = "Ri-Secret-Never-Shown-42"
ALL_SERVICES = ("rds", "kms", "secretsmanager")


@pytest.fixture(scope="module")
def rds(localenv):
    return localenv.client("rds")


@pytest.fixture(scope="module")
def key_alias(localenv):
    kms = localenv.client("kms")
    alias = "alias/%s" % ri_name("ri-key")
    kms.create_alias(AliasName=alias, TargetKeyId=kms.create_key(Description="rds_instance tests")["KeyMetadata"]["KeyId"])
    return alias


@pytest.fixture(scope="module")
def spec(rds, key_alias):
    """The declared instance of this file (tests update it as they converge it)."""
    declared = dict(
        identifier=ri_name("ri"),
        engine_version="15",
        instance_class="db.t4g.medium",
        allocated_storage=20,
        max_allocated_storage=100,
        kms_key_id=key_alias,
        db_name="app",
        master_username="dbadmin",
        manage_master_user_password=True,
        backup_retention_period=7,
        preferred_backup_window="03:00-03:30",
        preferred_maintenance_window="Sun:04:00-Sun:04:30",
        enable_cloudwatch_logs_exports=["postgresql", "upgrade"],
        iam_database_authentication=True,
        performance_insights=dict(enabled=True, retention_days=7),
        tags=dict(team="orders", env="it"),
    )
    yield declared
    ri_delete(rds, declared["identifier"])


BAD_INPUTS = [
    (dict(allocated_storage="lots"), "allocated_storage"),
    (dict(identifier="1-bad--id-"), "must start with a letter"),
    (dict(identifier="has_underscore"), "may contain only ASCII letters, digits and hyphens"),
    (dict(instance_class="m7g.large"), "is not an RDS instance class"),
    (dict(instance_class="db.m7g.huge"), "is not an RDS instance class"),
    (dict(instance_class="db.q9z.large"), "is not offered for PostgreSQL"),
    (dict(instance_class="db.serverless"), "aurora_cluster"),
    (dict(engine="aurora-postgresql"), "aurora_cluster"),
    (dict(engine="mysql"), "manages RDS for PostgreSQL"),
    (dict(engine_version="fifteen"), "is not a PostgreSQL version"),
    (dict(storage_type="gp4"), "storage_type"),
    (dict(iops=5000), "fixed baseline of 3000 IOPS"),
    (dict(allocated_storage=10), "out of range"),
    (dict(max_allocated_storage=10), "below allocated_storage"),
    (dict(preferred_backup_window="3am"), "is not a window"),
    (dict(preferred_backup_window="04:00-04:30", preferred_maintenance_window="sun:04:10-sun:04:40"), "overlaps"),
    (dict(manage_master_user_password=False, master_user_password="short"), "8 to 128 characters"),
    (dict(master_user_password=PASSWORD), "cannot be combined with manage_master_user_password"),
    (dict(master_username="rdsadmin"), "reserved"),
    (dict(monitoring_interval=5), "monitoring_role_arn: required"),
    (dict(monitoring_interval=7), "monitoring_interval"),
    (dict(enable_cloudwatch_logs_exports=["postgresql", "audit"]), "'audit' is not a log type"),
    (dict(vpc_security_group_ids=["default"]), "is not a security group id"),
    (dict(performance_insights=dict(enabled=True, retention_days=30)), "retention_days: 30 is not accepted"),
    (dict(backup_retention_period=40), "out of range"),
    (dict(kms_key_id="my key"), "is not a KMS key identifier"),
    (dict(storage_encrypted=False), "kms_key_id: only applies to encrypted storage"),
    (dict(tags={"aws:owner": "x"}), "reserved for AWS"),
    (dict(identifier="Bad--", allocated_storage=5, backup_retention_period=99), "3 problems"),
]


def test_bad_inputs_fail_cleanly_and_change_nothing(localenv, ansible, rds, spec):
    cases = []
    for override, fragment in BAD_INPUTS:
        args = dict(spec, identifier=ri_name("ri-bad"))
        args.update(override)
        cases.append((args, fragment))
    results = ri_play(ansible, ["reset"] + [ri_step(args) for args, _fragment in cases] + ["requests"])
    for (args, fragment), result in zip(cases, results[1:-1]):
        ri_failed(result, fragment)
        assert result.get("changed") is not True
        assert PASSWORD not in json.dumps(result)
        if args["identifier"].startswith("ri-bad"):
            assert ri_describe(rds, args["identifier"]) is None
    assert len(results[-2]["errors"]) == 3
    assert writes_of(results[-1], ALL_SERVICES) == {}


def test_create_with_check_mode_first_then_idempotent(localenv, ansible, rds, spec):
    change = dict(spec, instance_class="db.m7g.large", backup_retention_period=14, tags=dict(team="orders"))
    (_r0, planned, planned_requests, created, _r1, again, again_requests, _r2, preview, preview_requests) = ri_play(ansible, [
        "reset", ri_step(spec, check=True, diff=True), "requests",
        ri_step(spec, diff=True),
        "reset", ri_step(spec), "requests",
        "reset", ri_step(change, check=True, diff=True), "requests",
    ])
    # check mode on a new instance: the creation is planned, nothing is written
    ri_ok(planned)
    assert planned["changed"] is True and planned["actions"] == ["create"] and planned["instance"] is None
    assert planned["diff"]["after"]["engine_version"] == "15.10"  # the major pin resolved to RDS's default minor
    assert planned["diff"]["after"]["tags"] == spec["tags"]
    assert writes_of(planned_requests, ALL_SERVICES) == {}
    # the creation
    ri_ok(created)
    assert created["changed"] is True and created["actions"] == ["create"]
    # a second run: no change, one describe (the KMS alias costs one DescribeKey; an ARN would cost none)
    ri_ok(again)
    assert again["changed"] is False and again["changes"] == [] and again["actions"] == []
    assert rds_counts_of(again_requests) == {"rds:DescribeDBInstances": 1}
    assert writes_of(again_requests, ALL_SERVICES) == {}
    # check mode on the existing instance: the changes, when they apply, no write
    ri_ok(preview)
    assert preview["changed"] is True
    options = dict((c["option"], c) for c in preview["changes"])
    assert options["instance_class"]["applies"] == "next maintenance window"
    assert options["backup_retention_period"] == dict(option="backup_retention_period", before=7, after=14, applies="immediately")
    assert options["tags"]["after"] == {"team": "orders"}
    assert preview["diff"]["before"]["instance_class"] == "db.t4g.medium"
    assert preview["diff"]["after"]["instance_class"] == "db.m7g.large"
    assert writes_of(preview_requests, ALL_SERVICES) == {}

    record = ri_describe(rds, spec["identifier"])
    assert record["DBInstanceStatus"] == "available" and not record["PendingModifiedValues"]
    assert record["EngineVersion"] == "15.10"
    assert record["DBInstanceClass"] == "db.t4g.medium" and record["BackupRetentionPeriod"] == 7
    assert record["StorageType"] == "gp3" and record["StorageEncrypted"] is True
    assert record["KmsKeyId"] == localenv.client("kms").describe_key(KeyId=spec["kms_key_id"])["KeyMetadata"]["Arn"]
    assert record["DeletionProtection"] is True and record.get("PubliclyAccessible") is False
    assert record["MaxAllocatedStorage"] == 100
    assert sorted(record["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    assert record["IAMDatabaseAuthenticationEnabled"] is True and record["PerformanceInsightsEnabled"] is True
    assert record["PreferredMaintenanceWindow"] == "sun:04:00-sun:04:30"
    assert dict((t["Key"], t["Value"]) for t in record["TagList"]) == spec["tags"]
    assert created["endpoint"] == dict(address=record["Endpoint"]["Address"], port=record["Endpoint"]["Port"], hosted_zone_id=None)
    assert created["instance"]["db_instance_identifier"] == spec["identifier"]
    assert created["instance"]["tags"] == spec["tags"]
    # the managed master password lives in Secrets Manager and logs in over verify-full TLS
    arn = created["master_user_secret_arn"]
    assert arn == record["MasterUserSecret"]["SecretArn"]
    secret = json.loads(localenv.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    assert secret["username"] == "dbadmin"
    assert secret["password"] not in json.dumps(created)
    conn = ri_connect(localenv, record, secret["username"], secret["password"])
    try:
        rows = ri_query(conn, "SELECT current_user, current_database(), ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        assert rows == [("dbadmin", "app", True)]
    finally:
        conn.close()


def test_a_minor_upgrade_by_aws_is_neither_a_change_nor_downgraded(localenv, ansible, rds, spec):
    # what an automatic minor version upgrade in the maintenance window leaves behind
    rds.modify_db_instance(DBInstanceIdentifier=spec["identifier"], EngineVersion="15.12", ApplyImmediately=True)
    _reset, major_pin, exact, newer_major, older_major, requests = ri_play(ansible, [
        "reset", ri_step(spec), ri_step(dict(spec, engine_version="15.10")), ri_step(dict(spec, engine_version="16")),
        ri_step(dict(spec, engine_version="14")), "requests",
    ])
    assert ri_ok(major_pin)["changed"] is False and not major_pin.get("warnings")
    assert ri_ok(exact)["changed"] is False
    assert any("newer than the requested 15.10" in warning for warning in exact["warnings"])
    ri_failed(newer_major, "major version upgrade", "allow_major_version_upgrade=true")
    ri_failed(older_major, "impossible in place")
    assert newer_major["changed"] is False and older_major["changed"] is False
    assert writes_of(requests) == {}
    assert ri_describe(rds, spec["identifier"])["EngineVersion"] == "15.12"


def test_a_deferred_change_waits_for_the_window_and_the_next_run_reports_no_change(ansible, rds, spec):
    bigger = dict(spec, instance_class="db.t4g.large", allocated_storage=30)
    first, _reset, second, requests, now, after = ri_play(ansible, [
        ri_step(bigger), "reset", ri_step(bigger), "requests",
        ri_step(dict(bigger, apply_immediately=True)), ri_step(dict(bigger, apply_immediately=True)),
    ])
    assert ri_ok(first)["changed"] is True and first["actions"] == ["modify"]
    assert sorted(c["option"] for c in first["changes"]) == ["allocated_storage", "instance_class"]
    assert all(c["applies"] == "next maintenance window" for c in first["changes"])
    assert first["pending_modified_values"] == {"db_instance_class": "db.t4g.large", "allocated_storage": 30}
    assert first["instance"]["db_instance_class"] == "db.t4g.medium"
    # during the pending change: no change, no write
    assert ri_ok(second)["changed"] is False
    assert writes_of(requests) == {}
    # apply_immediately sends the pending values the task declares again, so they apply now; then nothing is left
    assert ri_ok(now)["changed"] is True and now["actions"] == ["modify"]
    assert ri_ok(after)["changed"] is False
    record = ri_describe(rds, spec["identifier"])
    assert record["DBInstanceClass"] == "db.t4g.large" and record["AllocatedStorage"] == 30
    assert not record["PendingModifiedValues"]
    spec.update(instance_class="db.t4g.large", allocated_storage=30)


def test_changes_rds_cannot_make_in_place_are_refused_with_the_remedy(localenv, ansible, rds, spec):
    other_key = localenv.client("kms").create_key(Description="another key")["KeyMetadata"]["Arn"]
    cases = [
        (dict(allocated_storage=20, max_allocated_storage=20), "storage can only grow"),
        (dict(storage_encrypted=False, kms_key_id=None), "cannot decrypt the storage"),
        (dict(kms_key_id=other_key), "cannot change the key of an existing instance"),
        (dict(db_name="other"), "cannot change after creation"),
        (dict(master_username="someone"), "cannot change after creation"),
        (dict(performance_insights=dict(enabled=True, kms_key_id=other_key)), "cannot change that key once set"),
        (dict(db_subnet_group_name="no-such-group"), "does not exist"),
    ]
    steps = ["reset"]
    for override, _fragment in cases:
        args = dict(spec)
        args.update(override)
        steps.append(ri_step(dict((k, v) for k, v in args.items() if v is not None)))
    results = ri_play(ansible, steps + ["requests"])
    for (_override, fragment), result in zip(cases, results[1:-1]):
        ri_failed(result, fragment)
        assert result.get("changed") is not True
    assert writes_of(results[-1]) == {}
    assert ri_describe(rds, spec["identifier"])["AllocatedStorage"] == 30


def test_settings_and_tags_converge_in_one_modify(ansible, rds, spec):
    changed = dict(spec, enable_cloudwatch_logs_exports=["postgresql"], backup_retention_period=14, copy_tags_to_snapshot=True,
                   performance_insights=dict(enabled=False), tags=dict(team="payments"))
    again = dict(changed, enable_cloudwatch_logs_exports=["postgresql", "postgresql"], tags=dict(), purge_tags=False)
    _reset, result, requests, unchanged = ri_play(ansible, ["reset", ri_step(changed, diff=True), "requests", ri_step(again)])
    assert ri_ok(result)["changed"] is True
    assert writes_of(requests) == {"rds:ModifyDBInstance": 1, "rds:AddTagsToResource": 1, "rds:RemoveTagsFromResource": 1}
    assert result["diff"]["before"]["tags"] == spec["tags"] and result["diff"]["after"]["tags"] == {"team": "payments"}
    # log exports compare as a set; purge_tags=false keeps the tags the task does not name
    assert ri_ok(unchanged)["changed"] is False
    record = ri_describe(rds, spec["identifier"])
    assert record["EnabledCloudwatchLogsExports"] == ["postgresql"]
    assert record["BackupRetentionPeriod"] == 14 and record["CopyTagsToSnapshot"] is True
    assert record["PerformanceInsightsEnabled"] is False
    assert dict((t["Key"], t["Value"]) for t in record["TagList"]) == {"team": "payments"}


def test_delete_is_refused_while_protected_then_takes_a_final_snapshot(ansible, rds, spec):
    absent = dict(identifier=spec["identifier"], state="absent")
    forced = dict(absent, force_disable_deletion_protection=True)
    _reset, refused, planned, requests, deleted, gone = ri_play(ansible, [
        "reset", ri_step(absent), ri_step(forced, check=True), "requests", ri_step(forced), ri_step(forced),
    ])
    ri_failed(refused, "deletion protection", "force_disable_deletion_protection=true")
    assert refused["changed"] is False
    assert ri_ok(planned)["changed"] is True and planned["actions"] == ["disable_deletion_protection", "delete"]
    assert writes_of(requests) == {}
    assert ri_ok(deleted)["changed"] is True
    assert deleted["actions"] == ["disable_deletion_protection", "delete"]
    snapshot = deleted["final_snapshot_identifier"]
    assert snapshot.startswith(spec["identifier"] + "-final-")
    assert ri_describe(rds, spec["identifier"]) is None
    assert rds.describe_db_snapshots(DBSnapshotIdentifier=snapshot)["DBSnapshots"][0]["DBInstanceIdentifier"] == spec["identifier"]
    assert ri_ok(gone)["changed"] is False and gone["instance"] is None
