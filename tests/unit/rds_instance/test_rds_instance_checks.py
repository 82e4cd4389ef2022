"""Input checks, storage rules, engine versions, keys, creation plans and waiting of rds_instance."""

import datetime

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance import keys, versions, wait
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.converge import final_snapshot_name
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.create import plan_create
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.storage import storage_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.validation import (
    identifier_errors,
    in_maintenance_window,
    input_errors,
    window_errors,
)


@pytest.mark.parametrize("value,fragment", [
    ("1db", "must start with a letter"), ("db-", "must not end with a hyphen"), ("a--b", "two consecutive hyphens"),
    ("a" * 64, "1 to 63 characters"), ("db_1", "letters, digits and hyphens"),
])
def test_invalid_identifiers(value, fragment):
    assert fragment in identifier_errors(value)[0]


def test_valid_identifier_in_any_case():
    assert identifier_errors("App-DB-1") == []


def test_all_input_problems_are_reported_together(make_params):
    errors = input_errors(make_params(identifier="x--", engine="aurora-postgresql", instance_class="db.serverless",
                                      engine_version="9.6", backup_retention_period=36, port=80,
                                      enable_cloudwatch_logs_exports=["audit"], monitoring_interval=5,
                                      performance_insights=dict(enabled=False, retention_days=7)))
    text = " | ".join(errors)
    for fragment in ("identifier:", "aurora_cluster", "db.serverless", "engine_version", "backup_retention_period",
                     "port:", "'audit'", "monitoring_role_arn", "only applies when performance_insights.enabled"):
        assert fragment in text
    assert len(errors) == 9


def test_replica_and_restore_inputs(make_params):
    errors = input_errors(make_params(identifier="r1", source="app-db", db_name="app", master_user_password="Secret-123"))
    assert sum("inherits it from its source" in error for error in errors) == 2
    errors = input_errors(make_params(identifier="r1", source="arn:aws:rds:us-west-2:111111111111:db:app-db", source_region="eu-west-1"))
    assert "differs from the region" in errors[0]
    restore = dict(source="point_in_time", source_db_instance_identifier="a", restore_time="yesterday", use_latest_restorable_time=True)
    errors = input_errors(make_params(identifier="r1", restore=restore))
    assert any("exactly one of restore_time" in error for error in errors)
    assert any("not a time" in error for error in errors)
    assert input_errors(make_params(identifier="r1", restore=dict(source="snapshot"))) == [
        "restore.snapshot_identifier: required when restore.source is snapshot"]


def test_absent_only_checks_what_deletion_uses(make_params):
    assert input_errors(make_params(identifier="db", state="absent", engine="mysql")) == []
    errors = input_errors(make_params(identifier="db", state="absent", skip_final_snapshot=True, final_snapshot_identifier="s"))
    assert "cannot be combined" in errors[0]


def test_windows():
    assert window_errors("03:00-03:30", "sun:04:00-sun:04:30") == []
    assert "shorter than the 30 minutes" in window_errors("03:00-03:10", None)[0]
    assert "overlaps" in window_errors("23:50-00:30", "mon:00:00-mon:00:30")[0]
    assert "overlaps" in window_errors("04:00-04:30", "sun:23:59-mon:04:15")[0]
    assert "not a window" in window_errors(None, "sunday 4am")[0]


def test_maintenance_window_across_the_week_boundary():
    window = "sun:23:00-mon:01:00"
    sunday = datetime.datetime(2025, 3, 2, 23, 30, tzinfo=datetime.timezone.utc)
    assert sunday.weekday() == 6 and in_maintenance_window(window, sunday)
    assert in_maintenance_window(window, sunday + datetime.timedelta(hours=1))
    assert not in_maintenance_window(window, sunday + datetime.timedelta(hours=2))


@pytest.mark.parametrize("wanted,fragment", [
    (dict(storage_type="gp3", allocated_storage=500, iops=5000), "out of range for gp3"),
    (dict(storage_type="gp3", allocated_storage=500, iops=12000, storage_throughput=4000), "at most 0.25 MiB/s per IOPS"),
    (dict(storage_type="gp2", allocated_storage=100, iops=3000), "cannot be set for gp2"),
    (dict(storage_type="io1", allocated_storage=100), "iops: required for io1"),
    (dict(storage_type="io1", allocated_storage=100, iops=6000), "IOPS per GiB"),
    (dict(storage_type="io1", allocated_storage=100, iops=3000, storage_throughput=500), "only be set for gp3"),
    (dict(storage_type="io2", allocated_storage=50, iops=3000), "out of range for io2"),
    (dict(storage_type="gp3", allocated_storage=100, max_allocated_storage=105), "at least 10% above"),
    (dict(storage_type="gp3", allocated_storage=100, max_allocated_storage=70000), "above the limit"),
])
def test_storage_rules(wanted, fragment):
    assert any(fragment in error for error in storage_errors(wanted)), storage_errors(wanted)


def test_valid_storage():
    assert storage_errors(dict(storage_type="gp3", allocated_storage=400, iops=12000, storage_throughput=500)) == []
    assert storage_errors(dict(storage_type="io2", allocated_storage=100, iops=64000)) == []
    assert storage_errors(dict(storage_type="gp3", allocated_storage=100, max_allocated_storage=100)) == []


def test_versions():
    assert versions.parse("15.7") == (15, 7) and versions.parse("15") == (15, None) and versions.parse("15.x") is None
    assert versions.compare("15", "15.12", False)["action"] == "none"
    assert versions.compare("15.7", "15.12", False)["action"] == "drift"
    assert versions.compare("15.13", "15.12", False) == dict(action="minor", target="15.13")
    assert versions.compare("16", "15.12", False)["action"] == "refuse"
    assert versions.compare("16", "15.12", True) == dict(action="major", target="16")
    assert versions.compare("14.9", "15.12", True)["action"] == "refuse"
    record = {"ValidUpgradeTarget": [{"EngineVersion": v} for v in ("15.13", "16.3", "16.6", "17.2")]}
    assert versions.pick_upgrade_target("16", "15.12", record) == "16.6"
    assert versions.pick_upgrade_target("16.3", "15.12", record) == "16.3"
    assert versions.pick_upgrade_target("16.9", "15.12", record) is None
    assert versions.pick_upgrade_target("18", "15.12", record) is None


def test_keys():
    arn = "arn:aws:kms:us-east-1:222222222222:key/abcd"
    assert keys.match_without_lookup(arn, arn) is True
    assert keys.match_without_lookup("abcd", arn) is True
    assert keys.match_without_lookup("alias/x", arn) is None
    assert keys.match_without_lookup("arn:aws:kms:us-east-1:222222222222:alias/x", arn) is None
    assert keys.region_of("arn:aws:kms:us-west-2:222222222222:alias/x", "us-east-1") == "us-west-2"
    assert keys.region_of("alias/x", "us-east-1") == "us-east-1"


def test_create_needs_class_storage_user_and_a_password(make_params, lookup):
    creation = plan_create(make_params(identifier="db"), lookup)
    assert "instance_class, allocated_storage, master_username, manage_master_user_password=true" in creation.errors[0]


def test_create_request_resolves_the_major_and_defaults_to_gp3(make_params, lookup):
    creation = plan_create(make_params(identifier="db", engine_version="15", instance_class="db.t4g.micro", allocated_storage=20,
                                       max_allocated_storage=20, master_username="u", manage_master_user_password=True,
                                       tags=dict(a=1)), lookup)
    assert creation.errors == []
    request = creation.request
    assert request["EngineVersion"] == "15.10" and request["StorageType"] == "gp3" and request["StorageEncrypted"] is True
    assert "MaxAllocatedStorage" not in request  # equal to the allocated storage: autoscaling off
    assert request["DeletionProtection"] is True and request["PubliclyAccessible"] is False
    assert request["Tags"] == [{"Key": "a", "Value": "1"}]
    assert "MasterUserPassword" not in request


def test_create_refuses_a_class_not_offered(make_params):
    from conftest import FakeLookup
    lookup = FakeLookup(offered=["db.t4g.micro"])
    creation = plan_create(make_params(identifier="db", instance_class="db.m1.small", allocated_storage=20, master_username="u",
                                       manage_master_user_password=True), lookup)
    assert "is not offered" in creation.errors[0]


def test_replica_creation_checks_the_source(make_params):
    from conftest import FakeLookup
    source_arn = "arn:aws:rds:us-east-1:111111111111:db:app-db"
    lookup = FakeLookup(sources={source_arn: dict(Engine="postgres", StorageEncrypted=True, BackupRetentionPeriod=7,
                                                  DBInstanceArn=source_arn, EngineVersion="15.10")})
    cross = plan_create(make_params(identifier="dr", region="us-west-2", source=source_arn), lookup)
    assert "kms_key_id: required for a cross-region replica" in cross.errors[0]
    cross = plan_create(make_params(identifier="dr", region="us-west-2", source=source_arn, kms_key_id="alias/dr"), lookup)
    assert cross.errors == [] and cross.request["SourceRegion"] == "us-east-1"
    assert cross.request["SourceDBInstanceIdentifier"] == source_arn
    assert plan_create(make_params(identifier="r", source="missing-db"), lookup).errors[0].startswith("source: there is no DB instance")
    plain = plan_create(make_params(identifier="r", source=source_arn, storage_encrypted=False), lookup)
    assert "storage_encrypted" in plain.errors[0]


def test_final_snapshot_name():
    now = datetime.datetime(2025, 3, 1, 12, 0, 5, tzinfo=datetime.timezone.utc)
    assert final_snapshot_name("app-db", now) == "app-db-final-20250301120005"


def test_wait_polls_with_growing_delays_until_done():
    records = iter([{"DBInstanceStatus": "creating"}] * 3 + [{"DBInstanceStatus": "available"}])
    slept = []
    clock = iter(range(0, 1000))
    result = wait.wait_until(lambda: next(records), wait.is_ready, 100, "it", sleep=slept.append, clock=lambda: next(clock))
    assert result["DBInstanceStatus"] == "available" and slept == [1, 2, 3]


def test_wait_gives_up_on_stuck_statuses_and_timeouts():
    with pytest.raises(wait.InstanceStuck, match="incompatible-parameters"):
        wait.wait_until(lambda: {"DBInstanceStatus": "incompatible-parameters"}, wait.is_ready, 100, "it", sleep=lambda s: None)
    clock = iter([0, 5, 11])
    with pytest.raises(AwsWaitTimeout, match="DBInstanceStatus=modifying"):
        wait.wait_until(lambda: {"DBInstanceStatus": "modifying"}, wait.is_ready, 10, "it", sleep=lambda s: None,
                        clock=lambda: next(clock))
