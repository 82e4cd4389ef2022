"""rds_alarms logic without AWS: class memory and max_connections, settings, desired alarms, plans."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms import alarms as alarms_mod
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms import capacity, desired, plan, targets

GIB = 1024 ** 3


def params(**overrides):
    base = dict(
        db_instance_identifier="app-db", db_cluster_identifier=None, include_replicas=True, name_prefix="rds", thresholds=None,
        alarms=None, period=None, evaluation_periods=5, datapoints_to_alarm=3, treat_missing_data="missing", max_connections=None,
        sns_topic_name="t", sns_topic_arn=None, sns_kms_key=None, notify_ok=True, extra_alarm_actions=[],
        event_subscriptions=None, event_categories=None, adopt_existing=False, wait=True, wait_timeout=300, tags=None,
        purge_tags=True, state="present",
    )
    base.update(overrides)
    return base


def instance_target(identifier="app-db", role="primary", instance_class="db.t4g.medium", max_connections=450, storage=100, **extra):
    target = dict(id=identifier, kind="instance", role=role, instance_class=instance_class, parameter_group="pg",
                  allocated_storage=storage, serverless=False, max_acu=None, global_secondary=False, max_connections=max_connections)
    target.update(extra)
    return target


# capacity

@pytest.mark.parametrize("instance_class, expected", [
    ("db.t4g.medium", 450), ("db.t3.micro", 112), ("db.m7g.large", 901), ("db.m7g.2xlarge", 3604), ("db.r6g.large", 1802),
    ("db.r7g.16xlarge", 5000), ("db.x2g.large", 3604),
])
def test_default_max_connections_follows_the_class(instance_class, expected):
    assert capacity.max_connections(instance_class) == expected


def test_max_connections_from_the_parameter_group_value_or_formula():
    assert capacity.max_connections("db.t4g.medium", "200") == 200
    assert capacity.max_connections("db.m7g.large", "{DBInstanceClassMemory/12582880}") == 8 * GIB // 12582880
    assert capacity.max_connections("db.m7g.large", "GREATEST({DBInstanceClassMemory/9531392},1000)") == 1000
    assert capacity.max_connections("db.serverless", None, max_acu=16) == 3604


@pytest.mark.parametrize("instance_class, value, needle", [
    ("db.z9.large", None, "not known"), ("db.m7g.huge", None, "unknown size"), ("db.serverless", None, "maximum capacity"),
    ("db.t4g.medium", "__import__('os')", "cannot evaluate"), ("db.t4g.medium", "{1/0}", "division by zero"),
])
def test_capacity_errors_are_readable(instance_class, value, needle):
    with pytest.raises(capacity.CapacityError, match=needle.replace("(", r"\(")):
        capacity.max_connections(instance_class, value)


# settings

def test_defaults_are_the_seeds_table():
    settings, errors = desired.alarm_settings(params())
    assert errors == []
    assert (settings["CPUUtilization"]["threshold"], settings["FreeableMemory"]["threshold"]) == (80, 256)
    assert (settings["DatabaseConnections"]["threshold"], settings["ReplicaLag"]["threshold"]) == (80, 1000)
    assert settings["ReadLatency"]["threshold"] == settings["WriteLatency"]["threshold"] == 20
    assert settings["CPUUtilization"]["period"] == 60 and settings["FreeStorageSpace"]["period"] == 300
    assert settings["CPUUtilization"]["datapoints_to_alarm"] == 3


def test_overrides_apply_per_alarm():
    settings, errors = desired.alarm_settings(params(
        thresholds={"CPUUtilization": 90}, alarms={"ReplicaLag": {"threshold": "5000", "evaluation_periods": 2},
                                                   "DiskQueueDepth": {"enabled": False}}))
    assert errors == []
    assert settings["CPUUtilization"]["threshold"] == 90
    assert settings["ReplicaLag"]["threshold"] == 5000 and settings["ReplicaLag"]["evaluation_periods"] == 2
    assert settings["ReplicaLag"]["datapoints_to_alarm"] == 2  # the task-wide 3 is capped by the alarm's own periods
    assert settings["DiskQueueDepth"]["enabled"] is False


@pytest.mark.parametrize("overrides, needle", [
    (dict(thresholds={"CPUUtilisation": 90}), "'CPUUtilisation' is not an alarm of the standard set (did you mean CPUUtilization?)"),
    (dict(thresholds={"CPUUtilization": -1}), "thresholds.CPUUtilization: -1 is negative"),
    (dict(thresholds={"CPUUtilization": 120}), "is above 100"),
    (dict(thresholds={"FreeableMemory": "lots"}), "'lots' is not a number"),
    (dict(thresholds={"CPUUtilization": True}), "True is not a number"),
    (dict(alarms={"CPUUtilization": {"treshold": 1}}), "unknown setting 'treshold' (did you mean threshold?)"),
    (dict(alarms={"CPUUtilization": {"period": 45}}), "45 is not a valid period"),
    (dict(alarms={"CPUUtilization": {"evaluation_periods": 2, "datapoints_to_alarm": 4}}), "is more than the alarm's evaluation_periods"),
    (dict(alarms={"CPUUtilization": 90}), "give a dict of settings"),
    (dict(alarms={"CPUUtilization": {"threshold": 85}}, thresholds={"CPUUtilization": 90}), "disagree"),
    (dict(datapoints_to_alarm=6), "more than evaluation_periods"),
    (dict(period=3600, evaluation_periods=48, datapoints_to_alarm=3), "more than one day"),
    (dict(alarms={"ACUUtilization": {"statistic": "p99"}}), "'p99' is not one of"),
])
def test_bad_settings_are_reported(overrides, needle):
    errors = desired.alarm_settings(params(**overrides))[1]
    assert any(needle in error for error in errors), errors


# desired alarms

def test_thresholds_are_converted_to_the_metric_units():
    settings = desired.alarm_settings(params())[0]
    deployment = dict(id="app-db", kind="instance", targets=[instance_target(), instance_target("app-db-r1", "replica", max_connections=901)])
    records, problems = desired.desired_alarms(deployment, settings, params(), "arn:aws:sns:us-east-1:111111111111:t")
    assert problems == []
    by_name = dict((r["name"], r["request"]) for r in records)
    assert by_name["rds-app-db-DatabaseConnections"]["Threshold"] == 360.0
    assert by_name["rds-app-db-r1-DatabaseConnections"]["Threshold"] == 720.0
    assert by_name["rds-app-db-r1-ReplicaLag"]["Threshold"] == 1.0  # seconds
    assert "rds-app-db-ReplicaLag" not in by_name and "rds-app-db-r1-MaximumUsedTransactionIDs" not in by_name
    assert by_name["rds-app-db-ReadLatency"]["Threshold"] == 0.02
    assert by_name["rds-app-db-FreeableMemory"]["Threshold"] == 256 * 1024 ** 2
    assert by_name["rds-app-db-FreeStorageSpace"]["Threshold"] == 10 * GIB
    assert by_name["rds-app-db-FreeStorageSpace"]["ComparisonOperator"] == "LessThanThreshold"
    assert by_name["rds-app-db-CPUUtilization"]["OKActions"] == ["arn:aws:sns:us-east-1:111111111111:t"]
    assert alarms_mod.parse_marker(by_name["rds-app-db-r1-CPUUtilization"]["AlarmDescription"]) == {"deployment": "app-db", "target": "app-db-r1"}


def test_aurora_alarms_per_role():
    settings = desired.alarm_settings(params())[0]
    cluster = dict(id="orders", kind="cluster", role="cluster", instance_class=None, parameter_group=None, allocated_storage=None,
                   serverless=False, max_acu=8.0, global_secondary=True, max_connections=None)
    writer = instance_target("orders-1", "writer", "db.r6g.large", 1802)
    reader = instance_target("orders-2", "reader", "db.serverless", 1802, serverless=True, max_acu=8.0)
    deployment = dict(id="orders", kind="cluster", targets=[cluster, writer, reader])
    records = desired.desired_alarms(deployment, settings, params(db_cluster_identifier="orders"), "arn:t")[0]
    keys = set((r["target"], r["key"]) for r in records)
    assert ("orders", "AuroraGlobalDBRPOLag") in keys and ("orders-2", "AuroraReplicaLag") in keys
    assert ("orders-2", "ServerlessDatabaseCapacity") in keys and ("orders-1", "ServerlessDatabaseCapacity") not in keys
    assert ("orders-1", "MaximumUsedTransactionIDs") in keys and ("orders-2", "MaximumUsedTransactionIDs") not in keys
    assert not any(key == "FreeStorageSpace" for _target, key in keys)
    capacity_alarm = [r for r in records if r["key"] == "ServerlessDatabaseCapacity"][0]["request"]
    assert capacity_alarm["Threshold"] == 8.0 and capacity_alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    rpo = [r for r in records if r["key"] == "AuroraGlobalDBRPOLag"][0]["request"]
    assert rpo["Dimensions"] == [{"Name": "DBClusterIdentifier", "Value": "orders"}]


# comparison and plans

def test_alarms_compare_by_meaning():
    request = dict(AlarmName="a", Namespace="AWS/RDS", MetricName="X", Statistic="Average", Period=60, EvaluationPeriods=5,
                   Threshold=80, ComparisonOperator="GreaterThanThreshold", AlarmActions=["b", "a"], OKActions=[],
                   Dimensions=[{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}])
    current = dict(request, Threshold=80.0, AlarmActions=["a", "b"], Dimensions=[{"Name": "B", "Value": "2"}, {"Name": "A", "Value": "1"}],
                   DatapointsToAlarm=5, TreatMissingData="missing", ActionsEnabled=True, InsufficientDataActions=[])
    assert alarms_mod.differences(current, request) == []
    assert alarms_mod.differences(dict(current, Threshold=80.5), request) == ["Threshold"]


def _current(name, deployment=None, target="x"):
    description = "something" if deployment is None else "text " + alarms_mod.marker(deployment, target)
    return dict(AlarmName=name, AlarmDescription=description, Namespace="AWS/RDS", MetricName="X", Period=60, EvaluationPeriods=1,
                Threshold=1.0, ComparisonOperator="GreaterThanThreshold", Statistic="Average")


def test_plan_removes_only_managed_alarms_of_the_deployment():
    record = dict(name="rds-app-db-X", request=dict(_current("rds-app-db-X", "app-db", "app-db")))
    current = [_current("rds-app-db-X", "app-db", "app-db"), _current("rds-app-db-Old", "app-db", "app-db"),
               _current("rds-app-db-mine"), _current("rds-app-db-2-X", "app-db-2", "app-db-2")]
    result = plan.plan_alarms([record], current, "app-db")
    assert [a["AlarmName"] for a in result["remove"]] == ["rds-app-db-Old"]
    assert [r["name"] for r in result["keep"]] == ["rds-app-db-X"] and result["conflicts"] == []


def test_plan_refuses_to_overwrite_a_foreign_alarm_unless_adopting():
    record = dict(name="rds-app-db-X", request=dict(_current("rds-app-db-X", "app-db", "app-db")))
    current = [_current("rds-app-db-X")]
    assert "not managed by rds_alarms" in plan.plan_alarms([record], current, "app-db")["conflicts"][0]
    adopted = plan.plan_alarms([record], current, "app-db", adopt=True)
    assert adopted["conflicts"] == [] and adopted["change"][0][2] == ["AlarmDescription"]


def test_subscription_plan():
    wanted = {"s": dict(name="s", kind="instance", source_type="db-instance", source_ids=["a", "c"], categories=["failure"],
                        enabled=True, topic_arn="t")}
    current = [dict(CustSubscriptionId="s", SourceType="db-instance", SourceIdsList=["a", "b"], EventCategoriesList=["failure", "backup"],
                    Enabled=True, SnsTopicArn="t"),
               dict(CustSubscriptionId="old", SourceType="db-security-group", Enabled=True, SnsTopicArn="t"),
               dict(CustSubscriptionId="foreign", SourceType="db-instance", Enabled=True, SnsTopicArn="t")]
    result = plan.plan_subscriptions(wanted, current, ["s", "old"])
    change = result["change"][0][2]
    assert change == dict(modify=True, fields=["categories"], add_ids=["c"], remove_ids=["b"])
    assert [item["name"] for item in result["remove"]] == ["old"]


def test_event_category_checks_and_control_warnings():
    errors, warnings = desired.event_errors(params(event_categories={"instance": ["failure", "bogus"], "cluster": ["failure"]},
                                                   event_subscriptions=["instance", "cluster"]), False)
    assert any("'bogus'" in e for e in errors) and any("'cluster' needs db_cluster_identifier" in e for e in errors)
    assert any("RDS.20" in w for w in warnings)


class FakeApi(object):
    def __init__(self, cluster, instances, global_cluster=None):
        self.cluster, self.instances, self.global_cluster_value = cluster, instances, global_cluster

    def db_cluster(self, identifier):
        return self.cluster

    def db_instances(self, filter_name, values):
        return self.instances

    def global_cluster(self, identifier):
        return self.global_cluster_value


def test_a_global_secondary_cluster_is_recognised():
    arn = "arn:aws:rds:us-west-2:111111111111:cluster:orders-dr"
    cluster = dict(DBClusterIdentifier="orders-dr", DBClusterArn=arn, Engine="aurora-postgresql", GlobalClusterIdentifier="orders-global",
                   DBClusterMembers=[dict(DBInstanceIdentifier="orders-dr-1", IsClusterWriter=True)])
    instances = [dict(DBInstanceIdentifier="orders-dr-1", DBInstanceClass="db.r6g.large", DBParameterGroups=[])]
    fake = FakeApi(cluster, instances, dict(GlobalClusterMembers=[dict(DBClusterArn="arn:primary", IsWriter=True),
                                                                  dict(DBClusterArn=arn, IsWriter=False)]))
    deployment = targets.discover_cluster(fake, "orders-dr")
    assert deployment["targets"][0]["global_secondary"] is True and deployment["region"] == "us-west-2"
    assert deployment["targets"][1]["role"] == "writer"
