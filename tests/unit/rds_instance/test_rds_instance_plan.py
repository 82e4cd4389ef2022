"""plan_modify: desired settings against a DescribeDBInstances record."""

import copy

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.plan import plan_modify, settings_after

from conftest import KEY_ARN


def declared(make_params, **overrides):
    base = dict(identifier="app-db", engine_version="15", instance_class="db.t4g.medium", allocated_storage=100,
                max_allocated_storage=200, storage_type="gp3", multi_az=True, db_subnet_group_name="app-db-db",
                vpc_security_group_ids=["sg-0123456789abcdef0"], db_parameter_group_name="app-db-postgres15",
                kms_key_id=KEY_ARN, iam_database_authentication=True, performance_insights=dict(enabled=True, retention_days=7),
                enable_cloudwatch_logs_exports=["postgresql", "upgrade"], backup_retention_period=7,
                preferred_backup_window="03:00-03:30", preferred_maintenance_window="Sun:05:00-Sun:05:30",
                deletion_protection=True, db_name="app", master_username="dbadmin", manage_master_user_password=True,
                tags=dict(team="orders"))
    base.update(overrides)
    return make_params(**base)


def test_the_declared_state_is_no_change_and_needs_no_other_read(make_params, record, lookup):
    plan = plan_modify(declared(make_params), record, lookup)
    assert plan.errors == [] and plan.changes == [] and plan.request == {} and not plan.changed
    assert lookup.calls == [("same_key", KEY_ARN)]  # an ARN: decided without KMS in the real lookup


def test_deferred_and_immediate_changes_say_when_they_apply(make_params, record, lookup):
    plan = plan_modify(declared(make_params, instance_class="db.m7g.large", backup_retention_period=14, copy_tags_to_snapshot=False),
                       record, lookup)
    applies = dict((change["option"], change["applies"]) for change in plan.changes)
    assert applies == {"instance_class": "next maintenance window", "backup_retention_period": "immediately",
                       "copy_tags_to_snapshot": "immediately"}
    assert plan.request == {"DBInstanceClass": "db.m7g.large", "BackupRetentionPeriod": 14, "CopyTagsToSnapshot": False,
                            "ApplyImmediately": False}


def test_turning_backups_off_waits_for_the_window(make_params, record, lookup):
    plan = plan_modify(declared(make_params, backup_retention_period=0), record, lookup)
    assert plan.changes[0]["applies"] == "next maintenance window"


def test_a_pending_value_counts_as_done(make_params, record, lookup):
    record["PendingModifiedValues"] = {"DBInstanceClass": "db.m7g.large", "EngineVersion": "15.12"}
    plan = plan_modify(declared(make_params, instance_class="db.m7g.large", engine_version="15.12"), record, lookup)
    assert plan.changes == [] and plan.request == {}


def test_apply_immediately_sends_the_declared_pending_values_again(make_params, record, lookup):
    record["PendingModifiedValues"] = {"DBInstanceClass": "db.m7g.large", "AllocatedStorage": 150}
    plan = plan_modify(declared(make_params, instance_class="db.m7g.large", apply_immediately=True), record, lookup)
    assert plan.request == {"DBInstanceClass": "db.m7g.large", "ApplyImmediately": True}


def test_log_exports_compare_as_a_set_and_change_by_difference(make_params, record, lookup):
    same = plan_modify(declared(make_params, enable_cloudwatch_logs_exports=["upgrade", "postgresql", "upgrade"]), record, lookup)
    assert same.changes == []
    plan = plan_modify(declared(make_params, enable_cloudwatch_logs_exports=["postgresql"]), record, lookup)
    assert plan.request["CloudwatchLogsExportConfiguration"] == {"EnableLogTypes": [], "DisableLogTypes": ["upgrade"]}


def test_names_rds_lowercases_compare_equal(make_params, record, lookup):
    plan = plan_modify(declared(make_params, db_parameter_group_name="App-DB-Postgres15", db_subnet_group_name="APP-DB-DB"),
                       record, lookup)
    assert plan.changes == []


def test_storage_grown_by_autoscaling_is_not_a_change_but_a_shrink_is_refused(make_params, record, lookup):
    record["AllocatedStorage"] = 130
    assert plan_modify(declared(make_params), record, lookup).changes == []
    refused = plan_modify(declared(make_params, max_allocated_storage=100), record, lookup)
    assert any("can only grow" in error for error in refused.errors)


def test_gp3_baseline_iops_are_not_compared_below_400_gib(make_params, record, lookup):
    assert plan_modify(declared(make_params), record, lookup).errors == []
    refused = plan_modify(declared(make_params, iops=3000), record, lookup)
    assert any("fixed baseline" in error for error in refused.errors)


def test_encryption_and_key_changes_are_refused_with_the_remedy(make_params, record, lookup):
    plan = plan_modify(declared(make_params, storage_encrypted=False, kms_key_id=None), record, lookup)
    assert len(plan.errors) == 1 and "snapshot" in plan.errors[0] and "cannot decrypt" in plan.errors[0]
    other = KEY_ARN.replace("1111-2222", "9999-8888")
    plan = plan_modify(declared(make_params, kms_key_id=other), record, lookup)
    assert any("cannot change the key" in error for error in plan.errors)
    record["StorageEncrypted"] = False
    plan = plan_modify(declared(make_params, kms_key_id=None), record, lookup)
    assert any("cannot encrypt" in error for error in plan.errors)


def test_an_alias_is_resolved_through_the_lookup(make_params, record, lookup):
    lookup.keys["alias/app-db-rds"] = KEY_ARN
    assert plan_modify(declared(make_params, kms_key_id="alias/app-db-rds"), record, lookup).errors == []


def test_engine_and_subnet_group_in_another_vpc_are_refused(make_params, record, lookup):
    lookup.subnet_vpcs.update({"elsewhere": "vpc-2", "sibling": "vpc-1"})
    plan = plan_modify(declared(make_params, db_subnet_group_name="elsewhere"), record, lookup)
    assert any("another VPC" in error for error in plan.errors) and "DBSubnetGroupName" not in plan.request
    plan = plan_modify(declared(make_params, db_subnet_group_name="sibling"), record, lookup)
    assert plan.errors == [] and plan.request["DBSubnetGroupName"] == "sibling"
    record["Engine"] = "mysql"
    assert any("engine cannot change" in error for error in plan_modify(declared(make_params), record, lookup).errors)


def test_minor_drift_major_upgrade_and_downgrade(make_params, record, lookup):
    record["EngineVersion"] = "15.12"
    drift = plan_modify(declared(make_params, engine_version="15.10"), record, lookup)
    assert drift.changes == [] and drift.errors == [] and "newer than the requested" in drift.warnings[0]
    assert plan_modify(declared(make_params, engine_version="15"), record, lookup).warnings == []
    minor = plan_modify(declared(make_params, engine_version="15.13"), record, lookup)
    assert minor.request["EngineVersion"] == "15.13" and "AllowMajorVersionUpgrade" not in minor.request
    refused = plan_modify(declared(make_params, engine_version="16"), record, lookup)
    assert "allow_major_version_upgrade=true" in refused.errors[0]
    lookup.upgrade_targets["16"] = "16.6"
    major = plan_modify(declared(make_params, engine_version="16", allow_major_version_upgrade=True), record, lookup)
    assert major.request["EngineVersion"] == "16.6" and major.request["AllowMajorVersionUpgrade"] is True
    assert "major version upgrade" in major.announcements[0]
    assert "impossible in place" in plan_modify(declared(make_params, engine_version="14"), record, lookup).errors[0]


def test_performance_insights_key_cannot_change_once_set(make_params, record, lookup):
    other = KEY_ARN.replace("1111-2222", "9999-8888")
    plan = plan_modify(declared(make_params, performance_insights=dict(enabled=True, kms_key_id=other)), record, lookup)
    assert any("cannot change that key" in error for error in plan.errors)
    off = plan_modify(declared(make_params, performance_insights=dict(enabled=False)), record, lookup)
    assert off.request == {"EnablePerformanceInsights": False, "ApplyImmediately": False}


def test_master_password_rules(make_params, record, lookup):
    plan = plan_modify(declared(make_params, manage_master_user_password=False), record, lookup)
    assert "needs the new password" in plan.errors[0]
    plan = plan_modify(declared(make_params, manage_master_user_password=False, master_user_password="New-Pass-123"), record, lookup)
    assert plan.request["ManageMasterUserPassword"] is False and plan.request["MasterUserPassword"] == "New-Pass-123"
    assert all("New-Pass" not in str(change) for change in plan.changes)
    unmanaged = copy.deepcopy(record)
    del unmanaged["MasterUserSecret"]
    on_create = plan_modify(declared(make_params, manage_master_user_password=None, master_user_password="Pw-12345678"),
                            unmanaged, lookup)
    assert on_create.changes == []
    always = plan_modify(declared(make_params, manage_master_user_password=None, master_user_password="Pw-12345678",
                                  update_password="always"), unmanaged, lookup)
    assert always.request["MasterUserPassword"] == "Pw-12345678"
    assert always.changes[0]["after"] == "(changed, not shown)"
    switch = plan_modify(declared(make_params), unmanaged, lookup)
    assert switch.request["ManageMasterUserPassword"] is True


def test_replica_rules(make_params, record, lookup):
    record["ReadReplicaSourceDBInstanceIdentifier"] = "app-db-source"
    plan = plan_modify(declared(make_params, source="other-db"), record, lookup)
    assert any("cannot change" in error for error in plan.errors)
    assert any("inherits it from its source" in error for error in plan.errors)  # db_name, master_username...
    ok = plan_modify(make_params(identifier="app-db", source="app-db-source", backup_retention_period=3), record, lookup)
    assert ok.errors == [] and ok.request["BackupRetentionPeriod"] == 3
    promoted = copy.deepcopy(record)
    del promoted["ReadReplicaSourceDBInstanceIdentifier"]
    assert "promoted" in plan_modify(make_params(identifier="app-db", source="app-db-source"), promoted, lookup).warnings[0]


def test_tags_and_safety_defaults(make_params, record, lookup):
    record["PubliclyAccessible"] = True
    plan = plan_modify(declared(make_params, tags=dict(team="payments", env="prod")), record, lookup)
    assert plan.tags_to_set == {"team": "payments", "env": "prod"} and plan.tags_to_remove == []
    assert plan.request["PubliclyAccessible"] is False  # publicly_accessible defaults to false
    after = settings_after(record, plan)
    assert after["publicly_accessible"] is False
