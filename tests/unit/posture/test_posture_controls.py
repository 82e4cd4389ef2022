"""rds_posture_info: the control logic on normalized dicts (no AWS, no PostgreSQL)."""

import datetime

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture import (
    audit, collect, controls_baseline, controls_fsbp, database_checks, rules, summary)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture.finding import FINDING_KEYS, resource

ACCOUNT = "111111111111"
REGION = "us-east-1"
KEY = "arn:aws:kms:us-east-1:222222222222:key/abc"
GOOD_PARAMETERS = {"rds.force_ssl": "1", "shared_preload_libraries": "pg_stat_statements,pgaudit", "pgaudit.log": "ddl,role",
                   "log_connections": "1", "log_disconnections": "1", "log_min_duration_statement": "500"}


def instance(identifier="app-db", **changes):
    record = dict(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceStatus="available", PubliclyAccessible=False,
                  StorageEncrypted=True, KmsKeyId=KEY, MultiAZ=True, MonitoringInterval=5, DeletionProtection=True,
                  EnabledCloudwatchLogsExports=["postgresql", "upgrade"], IAMDatabaseAuthenticationEnabled=True, BackupRetentionPeriod=14,
                  AutoMinorVersionUpgrade=True, CopyTagsToSnapshot=True, DbInstancePort=5433, MasterUsername="dbadmin",
                  DBParameterGroups=[dict(DBParameterGroupName="app-pg")], PerformanceInsightsEnabled=True,
                  CACertificateIdentifier="rds-ca-rsa2048-g1", TagList=[dict(Key="environment", Value="prod"), dict(Key="owner", Value="x")],
                  DBSubnetGroup=dict(VpcId="vpc-1", Subnets=[dict(SubnetIdentifier="subnet-a")]))
    record.update(changes)
    return resource("db_instance", identifier, "arn:aws:rds:us-east-1:%s:db:%s" % (ACCOUNT, identifier), ACCOUNT, REGION, record)


def cluster(identifier="orders", **changes):
    record = dict(DBClusterIdentifier=identifier, Engine="aurora-postgresql", Status="available", StorageEncrypted=True, KmsKeyId=KEY,
                  DeletionProtection=True, IAMDatabaseAuthenticationEnabled=True, BackupRetentionPeriod=14, CopyTagsToSnapshot=True,
                  Port=5433, MasterUsername="dbadmin", DBClusterParameterGroup="orders-cluster", EnabledCloudwatchLogsExports=["postgresql"])
    record.update(changes)
    target = resource("db_cluster", identifier, "arn:aws:rds:us-east-1:%s:cluster:%s" % (ACCOUNT, identifier), ACCOUNT, REGION, record)
    target["member_settings"] = {"orders-1": dict(AvailabilityZone="us-east-1a", AutoMinorVersionUpgrade=True),
                                 "orders-2": dict(AvailabilityZone="us-east-1b", AutoMinorVersionUpgrade=True)}
    target["writer_parameter_group"] = "orders-pg"
    return target


def context(**changes):
    base = dict(
        account_id=ACCOUNT, region=REGION, tier="production", min_backup_retention_days=None, include_tagging_controls=False,
        required_tag_keys=["environment", "owner"], certificate_expiry_days=90, today=datetime.date(2026, 1, 1),
        instances=[instance()], members=[], clusters=[cluster()], snapshots=[], cluster_snapshots=[], proxies=[],
        parameter_groups=[resource("db_parameter_group", "app-pg", "arn:pg", ACCOUNT, REGION, dict(DBParameterGroupName="app-pg"))],
        instance_parameters={"app-pg": dict(GOOD_PARAMETERS), "orders-pg": {"log_min_duration_statement": "500"}},
        cluster_parameters={"orders-cluster": dict(GOOD_PARAMETERS, log_min_duration_statement=None)},
        event_subscriptions=[
            dict(CustSubscriptionId="i", SourceType="db-instance", Enabled=True, SourceIdsList=[],
                 EventCategoriesList=["configuration change", "failure", "maintenance"]),
            dict(CustSubscriptionId="c", SourceType="db-cluster", Enabled=True, SourceIdsList=["orders"], EventCategoriesList=["failure", "maintenance"]),
            dict(CustSubscriptionId="p", SourceType="db-parameter-group", Enabled=True, SourceIdsList=[], EventCategoriesList=[]),
            dict(CustSubscriptionId="s", SourceType="db-security-group", Enabled=True, SourceIdsList=["sg"],
                 EventCategoriesList=["configuration change", "failure"])],
        key_managers={KEY: "CUSTOMER"}, subnet_internet_routes={"subnet-a": False},
        backup_plans=[dict(name="daily", cross_region=True, selections=[dict(Resources=["arn:aws:rds:*:*:db:*", "arn:aws:rds:*:*:cluster:*"])])],
        databases=[],
    )
    base.update(changes)
    return base


def evaluate(ctx):
    return controls_fsbp.findings(ctx) + controls_baseline.findings(ctx) + database_checks.findings(ctx)


def failures(ctx):
    return sorted((item["control_id"], item["resource_id"]) for item in evaluate(ctx) if item["status"] == "FAIL")


def test_a_compliant_estate_has_no_failure_and_well_formed_findings():
    found = evaluate(context())
    assert failures(context()) == []
    assert found and all(set(item) == set(FINDING_KEYS) for item in found)
    ids = {item["control_id"] for item in found}
    assert {"RDS.2", "RDS.3", "RDS.5", "RDS.15", "RDS.19", "RDS.21", "RDS.27", "RDS.37", "RDS.50", "IAP.1", "IAP.13"} <= ids
    assert not ids & {"RDS.28", "RDS.30"}, "tagging controls are optional"


@pytest.mark.parametrize("changes, expected", [
    (dict(PubliclyAccessible=True), {"RDS.2"}),
    (dict(StorageEncrypted=False), {"RDS.3", "IAP.7"}),
    (dict(MultiAZ=False), {"RDS.5", "IAP.9"}),
    (dict(MonitoringInterval=0), {"RDS.6"}),
    (dict(DeletionProtection=False), {"RDS.8", "IAP.6"}),
    (dict(EnabledCloudwatchLogsExports=["postgresql"]), {"RDS.9"}),
    (dict(EnabledCloudwatchLogsExports=[]), {"RDS.9", "RDS.36"}),
    (dict(IAMDatabaseAuthenticationEnabled=False), {"RDS.10", "IAP.10"}),
    (dict(BackupRetentionPeriod=0), {"RDS.11", "IAP.4"}),
    (dict(BackupRetentionPeriod=7), {"IAP.4"}),
    (dict(AutoMinorVersionUpgrade=False), {"RDS.13"}),
    (dict(CopyTagsToSnapshot=False), {"RDS.17"}),
    (dict(DbInstancePort=5432), {"RDS.23"}),
    (dict(MasterUsername="postgres"), {"RDS.25", "IAP.11"}),
    (dict(MasterUsername="root"), {"IAP.11"}),
    (dict(PerformanceInsightsEnabled=False), {"IAP.5"}),
    (dict(CACertificateIdentifier="rds-ca-2019"), {"IAP.13"}),
    (dict(DBSubnetGroup=dict(VpcId="vpc-1", Subnets=[dict(SubnetIdentifier="subnet-public")])), {"RDS.46"}),
])
def test_each_instance_setting_fails_its_controls(changes, expected):
    ctx = context(instances=[instance(**changes)], subnet_internet_routes={"subnet-a": False, "subnet-public": True})
    assert {control for control, identifier in failures(ctx) if identifier == "app-db"} == expected


@pytest.mark.parametrize("changes, expected", [
    (dict(StorageEncrypted=False), {"RDS.27", "IAP.7"}),
    (dict(DeletionProtection=False), {"RDS.7", "IAP.6"}),
    (dict(IAMDatabaseAuthenticationEnabled=False), {"RDS.12", "IAP.10"}),
    (dict(BackupRetentionPeriod=3), {"RDS.50", "IAP.4"}),
    (dict(CopyTagsToSnapshot=False), {"RDS.16"}),
    (dict(MasterUsername="admin"), {"RDS.24", "IAP.11"}),
    (dict(EnabledCloudwatchLogsExports=[]), {"RDS.37"}),
    (dict(Port=5432), {"RDS.23"}),
])
def test_each_cluster_setting_fails_its_controls(changes, expected):
    assert {control for control, identifier in failures(context(clusters=[cluster(**changes)])) if identifier == "orders"} == expected


def test_production_only_checks_are_not_applicable_elsewhere_and_retention_follows_the_tier():
    ctx = context(tier="non-production", instances=[instance(MultiAZ=False, BackupRetentionPeriod=7)])
    statuses = {(item["control_id"], item["resource_id"]): item["status"] for item in evaluate(ctx)}
    assert statuses[("RDS.5", "app-db")] == statuses[("IAP.9", "app-db")] == statuses[("RDS.15", "orders")] == "NOT_APPLICABLE"
    assert statuses[("IAP.4", "app-db")] == "PASS"
    assert failures(dict(ctx, min_backup_retention_days=10)) == [("IAP.4", "app-db")]


def test_parameters_drive_tls_pgaudit_and_logging():
    ctx = context(instance_parameters={"app-pg": dict(GOOD_PARAMETERS, **{"rds.force_ssl": "0", "pgaudit.log": "none"}),
                                       "orders-pg": {}})
    assert failures(ctx) == [("IAP.1", "app-db"), ("IAP.2", "app-db"), ("IAP.3", "orders"), ("RDS.38", "app-db")]


def test_the_cluster_reads_its_cluster_group_and_its_writers_instance_group():
    target = cluster()
    assert rules.parameters_of(context(), target)["log_min_duration_statement"] == "500"
    assert rules.parameters_of(context(), target)["rds.force_ssl"] == "1"


def test_event_subscriptions_must_cover_the_source_and_the_categories():
    subscriptions = [dict(CustSubscriptionId="i", SourceType="db-instance", Enabled=True, SourceIdsList=["other"],
                          EventCategoriesList=["configuration change", "failure", "maintenance"]),
                     dict(CustSubscriptionId="c", SourceType="db-cluster", Enabled=True, SourceIdsList=[], EventCategoriesList=["failure"])]
    assert failures(context(event_subscriptions=subscriptions)) == [
        ("RDS.19", "orders"), ("RDS.20", "app-db"), ("RDS.21", "app-pg"), ("RDS.22", "app-db"), ("RDS.22", "orders")]
    disabled = [dict(s, Enabled=False) for s in context()["event_subscriptions"]]
    assert len(failures(context(event_subscriptions=disabled))) == 5


def test_backup_plans_need_a_selection_and_a_cross_region_copy():
    plan = dict(name="daily", cross_region=False, selections=[dict(Resources=["arn:aws:rds:us-east-1:%s:db:app-db" % ACCOUNT])])
    assert failures(context(backup_plans=[plan])) == [("IAP.8", "app-db"), ("IAP.8", "orders"), ("RDS.26", "orders")]
    by_tag = dict(name="tags", cross_region=True, selections=[dict(Resources=[], ListOfTags=[
        dict(ConditionType="STRINGEQUALS", ConditionKey="environment", ConditionValue="prod")])])
    assert failures(context(backup_plans=[by_tag])) == [("IAP.8", "orders"), ("RDS.26", "orders")]
    excluded = dict(by_tag, selections=[dict(by_tag["selections"][0], NotResources=["arn:aws:rds:*:*:db:app-*"])])
    assert ("RDS.26", "app-db") in failures(context(backup_plans=[excluded]))


def test_kms_key_manager_and_unknown_keys():
    assert failures(context(key_managers={KEY: "AWS"})) == [("IAP.7", "app-db"), ("IAP.7", "orders")]
    statuses = {item["status"] for item in evaluate(context(key_managers={})) if item["control_id"] == "IAP.7"}
    assert statuses == {"NOT_APPLICABLE"}


def test_snapshots_public_and_unencrypted_and_automated_ones():
    manual = resource("db_snapshot", "s1", "arn:s1", ACCOUNT, REGION, dict(SnapshotType="manual", Encrypted=False))
    manual["restore_attribute"] = ["all"]
    automated = resource("db_cluster_snapshot", "s2", "arn:s2", ACCOUNT, REGION, dict(SnapshotType="automated", StorageEncrypted=True))
    ctx = context(snapshots=[manual], cluster_snapshots=[automated])
    assert failures(ctx) == [("RDS.1", "s1"), ("RDS.4", "s1")]
    manual["restore_attribute"] = ["333333333333"]
    assert failures(ctx) == [("RDS.4", "s1")]
    automated["record"]["StorageEncrypted"] = False
    assert failures(ctx) == [("RDS.4", "s1"), ("RDS.4", "s2")]


def test_proxies_require_tls():
    proxy = resource("db_proxy", "p", "arn:p", ACCOUNT, REGION, dict(RequireTLS=False))
    assert failures(context(proxies=[proxy])) == [("IAP.12", "p"), ("RDS.43", "p")]


def test_tagging_controls_when_asked():
    ctx = context(include_tagging_controls=True, clusters=[cluster(TagList=[dict(Key="environment", Value="x")])])
    assert failures(ctx) == [("RDS.28", "orders")]


def test_replicas_and_aurora_members():
    replica = instance("app-db-replica1", ReadReplicaSourceDBInstanceIdentifier="app-db", BackupRetentionPeriod=0, MasterUsername="postgres")
    member = instance("orders-1", Engine="aurora-postgresql", PubliclyAccessible=True, StorageEncrypted=False)
    found = evaluate(context(instances=[instance(), replica], members=[member]))
    statuses = {(item["control_id"], item["resource_id"]): item["status"] for item in found}
    assert statuses[("RDS.11", "app-db-replica1")] == statuses[("IAP.8", "app-db-replica1")] == "NOT_APPLICABLE"
    assert ("RDS.25", "app-db-replica1") not in statuses
    assert statuses[("RDS.2", "orders-1")] == "FAIL" and ("RDS.3", "orders-1") not in statuses


def test_database_findings_and_unreachable_databases():
    reachable = resource("database", "app-db/app", "arn:db", ACCOUNT, REGION)
    reachable["inspection"] = dict(public_create=True, privileged=["app_rw"], no_expiry=[])
    unreachable = resource("database", "other/app", "arn:other", ACCOUNT, REGION)
    unreachable["inspection"] = dict(error="timeout expired")
    found = database_checks.findings(dict(databases=[reachable, unreachable]))
    statuses = {(item["control_id"], item["resource_id"]): item["status"] for item in found}
    assert statuses == {("IAP.14", "app-db/app"): "FAIL", ("IAP.15", "app-db/app"): "FAIL", ("IAP.16", "app-db/app"): "PASS",
                        ("IAP.14", "other/app"): "NOT_APPLICABLE", ("IAP.15", "other/app"): "NOT_APPLICABLE",
                        ("IAP.16", "other/app"): "NOT_APPLICABLE"}
    assert all("timeout expired" in item["evidence"]["value"] for item in found if item["resource_id"] == "other/app")


def test_route_tables_resolve_explicit_and_main_associations():
    tables = [dict(VpcId="vpc-1", Routes=[dict(DestinationCidrBlock="0.0.0.0/0", GatewayId="igw-1")],
                   Associations=[dict(SubnetId="subnet-pub")]),
              dict(VpcId="vpc-1", Routes=[dict(DestinationCidrBlock="10.0.0.0/16", GatewayId="local")], Associations=[dict(Main=True)])]
    routes = collect.subnet_internet_routes(tables)
    target = instance(DBSubnetGroup=dict(VpcId="vpc-1", Subnets=[dict(SubnetIdentifier="subnet-pub"), dict(SubnetIdentifier="subnet-x")]))
    assert collect.resolve_subnets(routes, [target]) == {"subnet-pub": True, "subnet-x": False}


def test_summary_counts():
    found = evaluate(context(instances=[instance(PubliclyAccessible=True)]))
    counted = summary.summarize(found)
    assert counted["total"] == len(found)
    assert counted["failed_by_severity"]["CRITICAL"] == 1 and counted["by_status"]["FAIL"] == 1
    assert summary.sort_findings(found)[0]["control_id"] == "RDS.2"


@pytest.mark.parametrize("changes, fragment", [
    (dict(region="mars"), "region='mars' is not an AWS region name"),
    (dict(min_backup_retention_days=40), "min_backup_retention_days=40"),
    (dict(certificate_expiry_days=-1), "certificate_expiry_days=-1 must be 0 or more"),
    (dict(required_tag_keys=["aws:x"]), "required_tag_keys"),
    (dict(ca_bundle="/nonexistent/ca.pem"), "ca_bundle=/nonexistent/ca.pem does not exist"),
])
def test_validation(changes, fragment):
    params = dict(region="us-east-1", min_backup_retention_days=None, certificate_expiry_days=90, connect_timeout=10,
                  required_tag_keys=["owner"], inspect_databases=True, ca_bundle=None)
    assert audit.validate(params) == []
    params.update(changes)
    assert any(fragment in error for error in audit.validate(params))
