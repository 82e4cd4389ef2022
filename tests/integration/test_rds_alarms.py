"""rds_alarms through ansible-playbook against the local AWS environment.

Instances and clusters are made with boto3 directly; every result is checked with boto3
(DescribeAlarms, DescribeEventSubscriptions, SNS), never only with the module's own result.
"""

import json

import pytest
import yaml

MODULE = "innovate.aws_postgres.rds_alarms"
READS = ("Describe", "List", "Get")
PASSWORD = "Secret-pass-123"


@pytest.fixture(scope="module")
def rds(localenv):
    return localenv.client("rds")


@pytest.fixture(scope="module")
def cloudwatch(localenv):
    return localenv.client("cloudwatch")


@pytest.fixture(scope="module")
def sns(localenv):
    return localenv.client("sns")


def create_instance(rds, identifier, instance_class="db.t4g.medium", **extra):
    rds.create_db_instance(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass=instance_class, AllocatedStorage=100,
                           MasterUsername="dbadmin", MasterUserPassword=PASSWORD, **extra)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 120})


def create_replica(rds, identifier, source):
    rds.create_db_instance_read_replica(DBInstanceIdentifier=identifier, SourceDBInstanceIdentifier=source)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 120})


def snake(description):
    from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import camel_dict_to_snake_dict

    return camel_dict_to_snake_dict(json.loads(json.dumps(description, default=str)))


def run(ansible, check=False, diff=False, **args):
    return ansible.module(MODULE, args, check=check, diff=diff)


def ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def alarms(cloudwatch, prefix):
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix).build_full_result()
    return dict((alarm["AlarmName"], alarm) for alarm in pages["MetricAlarms"])


def subscriptions(rds, prefix):
    items = rds.get_paginator("describe_event_subscriptions").paginate().build_full_result()["EventSubscriptionsList"]
    return dict((item["CustSubscriptionId"], item) for item in items if item["CustSubscriptionId"].startswith(prefix))


def writes(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items() if not k.split(":", 1)[1].startswith(READS))


def aws_requests(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items() if k.split(":")[0] in ("rds", "monitoring", "sns"))


def test_instance_alarm_set_follows_the_class_converges_and_removes_only_its_stale_alarms(ansible, localenv, rds, cloudwatch, sns):
    create_instance(rds, "ita-small")
    create_replica(rds, "ita-small-replica1", "ita-small")
    create_instance(rds, "ita-large", "db.m7g.large")
    rds.create_db_parameter_group(DBParameterGroupName="ita-pg", DBParameterGroupFamily="postgres16", Description="alarms test")
    rds.modify_db_parameter_group(DBParameterGroupName="ita-pg", Parameters=[
        {"ParameterName": "max_connections", "ParameterValue": "{DBInstanceClassMemory/12582880}", "ApplyMethod": "pending-reboot"}])
    create_instance(rds, "ita-tuned", "db.m7g.large", DBParameterGroupName="ita-pg")
    args = dict(db_instance_identifier="ita-small", sns_topic_name="it-ita-small-db-alarms", tags={"team": "db"})

    localenv.reset_requests()
    created = ok(run(ansible, diff=True, **args))
    assert created["changed"] is True and created["changes"]["topic"] == ["created"]
    topic = created["topic_arn"]
    assert topic == "arn:aws:sns:us-east-1:123456789012:it-ita-small-db-alarms"
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["TopicArn"] == topic
    current = alarms(cloudwatch, "rds-ita-small")
    primary = set(n for n in current if not n.startswith("rds-ita-small-replica1-"))
    assert primary == set("rds-ita-small-%s" % k for k in ("CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadLatency",
                                                           "WriteLatency", "FreeStorageSpace", "DiskQueueDepth", "MaximumUsedTransactionIDs"))
    assert "rds-ita-small-replica1-ReplicaLag" in current and "rds-ita-small-replica1-MaximumUsedTransactionIDs" not in current
    assert len(current) == 8 + 8
    assert set(created["diff"]["after"]["alarms"]) == set(current) and created["diff"]["before"]["alarms"] == {}
    cpu = current["rds-ita-small-CPUUtilization"]
    assert (cpu["Threshold"], cpu["ComparisonOperator"], cpu["Namespace"]) == (80.0, "GreaterThanThreshold", "AWS/RDS")
    assert (cpu["EvaluationPeriods"], cpu["DatapointsToAlarm"], cpu["Period"]) == (5, 3, 60)
    assert cpu["AlarmActions"] == [topic] and cpu["OKActions"] == [topic]
    assert cpu["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": "ita-small"}]
    assert current["rds-ita-small-FreeableMemory"]["Threshold"] == 256 * 1024 ** 2
    assert current["rds-ita-small-replica1-ReplicaLag"]["Threshold"] == 1.0
    assert current["rds-ita-small-WriteLatency"]["Threshold"] == 0.02
    assert current["rds-ita-small-FreeStorageSpace"]["Threshold"] == 10 * 1024 ** 3
    # db.t4g.medium: LEAST(4 GiB / 9531392, 5000) = 450 connections; 80 % = 360
    assert current["rds-ita-small-DatabaseConnections"]["Threshold"] == 360.0
    tags = cloudwatch.list_tags_for_resource(ResourceARN=cpu["AlarmArn"])["Tags"]
    assert {"Key": "team", "Value": "db"} in tags and {"Key": "managed_by", "Value": "innovate.aws_postgres.rds_alarms"} in tags
    subs = subscriptions(rds, "rds-ita-small-")
    assert sorted(subs) == ["rds-ita-small-instance-events", "rds-ita-small-parameter-group-events", "rds-ita-small-security-group-events"]
    instance_sub = subs["rds-ita-small-instance-events"]
    assert sorted(instance_sub["SourceIdsList"]) == ["ita-small", "ita-small-replica1"] and instance_sub["SnsTopicArn"] == topic
    assert {"configuration change", "failure", "maintenance"} <= set(instance_sub["EventCategoriesList"])  # RDS.20
    assert subs["rds-ita-small-parameter-group-events"]["EventCategoriesList"] == ["configuration change"]  # RDS.21
    assert sorted(subs["rds-ita-small-security-group-events"]["EventCategoriesList"]) == ["configuration change", "failure"]  # RDS.22
    assert subs["rds-ita-small-security-group-events"].get("SourceIdsList", []) == []
    assert writes(localenv)["monitoring:PutMetricAlarm"] == 16

    localenv.reset_requests()
    again = ok(run(ansible, **args))
    assert again["changed"] is False and not any(again["changes"].values())
    assert writes(localenv) == {}
    assert aws_requests(localenv) == {"rds:DescribeDBInstances": 2, "rds:DescribeDBParameters": 1, "sns:GetTopicAttributes": 1,
                                      "sns:ListTagsForResource": 1, "monitoring:DescribeAlarms": 1, "rds:DescribeEventSubscriptions": 1,
                                      "rds:ListTagsForResource": 3}

    # What rds_instance returned earlier in the run, the primary's taken before its replica existed:
    # nothing is described again and the replica is still watched.
    primary = snake(rds.describe_db_instances(DBInstanceIdentifier="ita-small")["DBInstances"][0])
    primary["read_replica_db_instance_identifiers"] = []
    replica = snake(rds.describe_db_instances(DBInstanceIdentifier="ita-small-replica1")["DBInstances"][0])
    described = dict(instances=[primary, replica], parameter_groups={primary["db_parameter_groups"][0]["db_parameter_group_name"]: {}})
    localenv.reset_requests()
    reused = ok(run(ansible, described=described, **args))
    assert reused["changed"] is False and [t["id"] for t in reused["targets"]] == [t["id"] for t in again["targets"]]
    assert [t["max_connections"] for t in reused["targets"]] == [t["max_connections"] for t in again["targets"]]
    assert "rds:DescribeDBInstances" not in aws_requests(localenv) and "rds:DescribeDBParameters" not in aws_requests(localenv)
    # A check-mode prediction (no ARN yet) is not trusted: the instance is described.
    localenv.reset_requests()
    predicted = dict(primary, db_instance_arn=None)
    assert ok(run(ansible, check=True, described=dict(instances=[predicted, replica]), **args))["changed"] is False
    assert aws_requests(localenv)["rds:DescribeDBInstances"] == 1

    large = ok(run(ansible, db_instance_identifier="ita-large", sns_topic_arn=topic, event_subscriptions=[]))
    # db.m7g.large: 8 GiB / 9531392 = 901 connections; 80 % = 720
    assert alarms(cloudwatch, "rds-ita-large-")["rds-ita-large-DatabaseConnections"]["Threshold"] == 720.0
    assert [t["max_connections"] for t in large["targets"]] == [901]
    tuned = ok(run(ansible, db_instance_identifier="ita-tuned", sns_topic_arn=topic, event_subscriptions=[]))
    assert tuned["targets"][0]["max_connections"] == 8 * 1024 ** 3 // 12582880
    assert alarms(cloudwatch, "rds-ita-tuned-")["rds-ita-tuned-DatabaseConnections"]["Threshold"] == float(682 * 80 // 100)

    # A foreign alarm on the same instance, one under the module's prefix without the marker, and a
    # managed alarm of a replica that no longer exists.
    cloudwatch.put_metric_alarm(AlarmName="custom-ita-small-cpu", Namespace="AWS/RDS", MetricName="CPUUtilization", Statistic="Average",
                                Period=60, EvaluationPeriods=1, Threshold=99, ComparisonOperator="GreaterThanThreshold",
                                Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "ita-small"}])
    cloudwatch.put_metric_alarm(AlarmName="rds-ita-small-Custom", AlarmDescription="hand made", Namespace="AWS/RDS",
                                MetricName="ReadIOPS", Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=5000,
                                ComparisonOperator="GreaterThanThreshold", Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "ita-small"}])
    stale = dict(current["rds-ita-small-replica1-CPUUtilization"])
    cloudwatch.put_metric_alarm(
        AlarmName="rds-ita-small-gone-CPUUtilization", Namespace="AWS/RDS", MetricName="CPUUtilization", Statistic="Average",
        Period=60, EvaluationPeriods=1, Threshold=80, ComparisonOperator="GreaterThanThreshold",
        AlarmDescription=stale["AlarmDescription"].replace("target=ita-small-replica1", "target=ita-small-gone"),
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "ita-small-gone"}])
    foreign_before = alarms(cloudwatch, "custom-ita-small")["custom-ita-small-cpu"]
    pruned = ok(run(ansible, diff=True, alarms={"DiskQueueDepth": {"enabled": False}}, **args))
    assert sorted(pruned["changes"]["alarms_removed"]) == ["rds-ita-small-DiskQueueDepth", "rds-ita-small-gone-CPUUtilization",
                                                           "rds-ita-small-replica1-DiskQueueDepth"]
    assert pruned["changes"]["alarms_added"] == [] and pruned["changes"]["alarms_changed"] == []
    assert set(pruned["diff"]["before"]["alarms"]) == set(pruned["changes"]["alarms_removed"])
    after = alarms(cloudwatch, "rds-ita-small")
    assert "rds-ita-small-Custom" in after and "rds-ita-small-DiskQueueDepth" not in after and "rds-ita-small-gone-CPUUtilization" not in after
    foreign_after = alarms(cloudwatch, "custom-ita-small")["custom-ita-small-cpu"]
    assert foreign_after["AlarmConfigurationUpdatedTimestamp"] == foreign_before["AlarmConfigurationUpdatedTimestamp"]
    assert after["rds-ita-small-Custom"]["AlarmDescription"] == "hand made"


def test_overrides_check_mode_and_event_subscription_updates(ansible, localenv, rds, cloudwatch):
    create_instance(rds, "itb-db")
    args = dict(db_instance_identifier="itb-db", sns_topic_name="it-itb-db-alarms")

    localenv.reset_requests()
    planned = ok(run(ansible, check=True, diff=True, **args))
    assert planned["changed"] is True and planned["changes"]["topic"] == ["created"] and len(planned["changes"]["alarms_added"]) == 8
    assert planned["topic_arn"].endswith(":it-itb-db-alarms") and len(planned["diff"]["after"]["event_subscriptions"]) == 3
    assert writes(localenv) == {}
    assert alarms(cloudwatch, "rds-itb-db") == {} and subscriptions(rds, "rds-itb-db") == {}

    ok(run(ansible, **args))
    localenv.reset_requests()
    storage = {"threshold": 20, "evaluation_periods": 2, "datapoints_to_alarm": 1, "treat_missing_data": "breaching"}
    overrides = dict(thresholds={"CPUUtilization": 90.0}, alarms={"FreeStorageSpace": storage},
                     event_categories={"instance": ["failure", "maintenance", "configuration change", "low storage"]},
                     event_subscriptions=["instance", "parameter_group"])
    preview = ok(run(ansible, check=True, diff=True, **dict(args, **overrides)))
    assert sorted(preview["changes"]["alarms_changed"]) == ["rds-itb-db-CPUUtilization", "rds-itb-db-FreeStorageSpace"]
    assert preview["changes"]["subscriptions_changed"] == ["rds-itb-db-instance-events"]
    assert preview["changes"]["subscriptions_removed"] == ["rds-itb-db-security-group-events"]
    assert preview["diff"]["before"]["alarms"]["rds-itb-db-CPUUtilization"]["threshold"] == 80.0
    assert preview["diff"]["after"]["alarms"]["rds-itb-db-CPUUtilization"]["threshold"] == 90.0
    assert writes(localenv) == {}
    assert alarms(cloudwatch, "rds-itb-db-CPU")["rds-itb-db-CPUUtilization"]["Threshold"] == 80.0

    applied = ok(run(ansible, **dict(args, **overrides)))
    assert applied["changed"] is True
    current = alarms(cloudwatch, "rds-itb-db")
    assert current["rds-itb-db-CPUUtilization"]["Threshold"] == 90.0
    storage_alarm = current["rds-itb-db-FreeStorageSpace"]
    assert (storage_alarm["Threshold"], storage_alarm["EvaluationPeriods"], storage_alarm["DatapointsToAlarm"],
            storage_alarm["TreatMissingData"]) == (
        20 * 1024 ** 3, 2, 1, "breaching")
    subs = subscriptions(rds, "rds-itb-db-")
    assert sorted(subs) == ["rds-itb-db-instance-events", "rds-itb-db-parameter-group-events"]
    assert sorted(subs["rds-itb-db-instance-events"]["EventCategoriesList"]) == ["configuration change", "failure", "low storage", "maintenance"]
    assert ok(run(ansible, **dict(args, **overrides)))["changed"] is False

    create_replica(rds, "itb-db-replica1", "itb-db")
    grown = ok(run(ansible, **dict(args, **overrides)))
    assert grown["changes"]["subscriptions_changed"] == ["rds-itb-db-instance-events"]
    assert "rds-itb-db-replica1-ReplicaLag" in grown["changes"]["alarms_added"]
    assert sorted(subscriptions(rds, "rds-itb-db-")["rds-itb-db-instance-events"]["SourceIdsList"]) == ["itb-db", "itb-db-replica1"]

    localenv.reset_requests()
    gone = ok(run(ansible, state="absent", **args))
    assert gone["changes"]["topic"] == ["deleted"] and len(gone["changes"]["alarms_removed"]) == 16
    assert alarms(cloudwatch, "rds-itb-db") == {} and subscriptions(rds, "rds-itb-db-") == {}
    assert writes(localenv) == {"monitoring:DeleteAlarms": 1, "rds:DeleteEventSubscription": 2, "sns:DeleteTopic": 1}
    assert ok(run(ansible, state="absent", **args))["changed"] is False


def test_cluster_with_readers_gets_the_aurora_alarms(ansible, localenv, rds, cloudwatch):
    rds.create_db_cluster(DBClusterIdentifier="itc-aurora", Engine="aurora-postgresql", EngineVersion="16.4", MasterUsername="dbadmin",
                          MasterUserPassword=PASSWORD, ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 8})
    rds.create_db_instance(DBInstanceIdentifier="itc-aurora-1", DBClusterIdentifier="itc-aurora", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    rds.create_db_instance(DBInstanceIdentifier="itc-aurora-2", DBClusterIdentifier="itc-aurora", Engine="aurora-postgresql",
                           DBInstanceClass="db.serverless")
    args = dict(db_cluster_identifier="itc-aurora", sns_topic_name="it-itc-aurora-db-alarms")
    created = ok(run(ansible, **args))
    current = alarms(cloudwatch, "rds-itc-aurora")
    assert set(n for n in current if n.startswith("rds-itc-aurora-1-")) == set("rds-itc-aurora-1-%s" % k for k in (
        "CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadLatency", "WriteLatency", "DiskQueueDepth",
        "MaximumUsedTransactionIDs"))
    reader = set(n[len("rds-itc-aurora-2-"):] for n in current if n.startswith("rds-itc-aurora-2-"))
    assert {"AuroraReplicaLag", "ACUUtilization", "ServerlessDatabaseCapacity", "DatabaseConnections"} <= reader
    assert "MaximumUsedTransactionIDs" not in reader and not any(n.endswith("FreeStorageSpace") for n in current)
    assert current["rds-itc-aurora-2-AuroraReplicaLag"]["Threshold"] == 1000.0  # Aurora reports milliseconds
    assert current["rds-itc-aurora-2-ServerlessDatabaseCapacity"]["Threshold"] == 8.0
    # db.r6g.large: 16 GiB -> 1802 connections; db.serverless at 8 ACUs: 16 GiB -> 1802 as well
    assert current["rds-itc-aurora-1-DatabaseConnections"]["Threshold"] == float(1802 * 80 // 100)
    assert [t["role"] for t in created["targets"]] == ["cluster", "writer", "reader"]
    subs = subscriptions(rds, "rds-itc-aurora-")
    cluster_sub = subs["rds-itc-aurora-cluster-events"]
    assert cluster_sub["SourceType"] == "db-cluster" and cluster_sub["SourceIdsList"] == ["itc-aurora"]
    assert {"failure", "maintenance"} <= set(cluster_sub["EventCategoriesList"])  # RDS.19
    assert sorted(subs["rds-itc-aurora-instance-events"]["SourceIdsList"]) == ["itc-aurora-1", "itc-aurora-2"]
    localenv.reset_requests()
    again = ok(run(ansible, **args))
    assert again["changed"] is False
    assert writes(localenv) == {}
    # The cluster and its instances as aurora_cluster returns them: neither is described again.
    cluster = rds.describe_db_clusters(DBClusterIdentifier="itc-aurora")["DBClusters"][0]
    members = rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": ["itc-aurora"]}])["DBInstances"]
    writer_ids = [m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"] if m["IsClusterWriter"]]
    described = dict(
        cluster=dict(identifier="itc-aurora", arn=cluster["DBClusterArn"], global_cluster_identifier=None,
                     serverless_v2_scaling={"min_capacity": 0.5, "max_capacity": 8}),
        instances=[dict(identifier=m["DBInstanceIdentifier"], arn=m["DBInstanceArn"], instance_class=m["DBInstanceClass"],
                        role="writer" if m["DBInstanceIdentifier"] in writer_ids else "reader",
                        db_parameter_group_name=m["DBParameterGroups"][0]["DBParameterGroupName"]) for m in members])
    localenv.reset_requests()
    reused = ok(run(ansible, described={"cluster": described}, **args))
    assert reused["changed"] is False and reused["targets"] == again["targets"]
    assert "rds:DescribeDBClusters" not in aws_requests(localenv) and "rds:DescribeDBInstances" not in aws_requests(localenv)
    # The result of another cluster is ignored.
    localenv.reset_requests()
    other = dict(described, cluster=dict(described["cluster"], identifier="itc-other"))
    assert ok(run(ansible, described={"cluster": other}, **args))["changed"] is False
    assert aws_requests(localenv)["rds:DescribeDBClusters"] == 1


BAD_INPUTS = [
    (dict(db_instance_identifier="itd-db", thresholds={"CPUUtilisation": 90}), "did you mean CPUUtilization"),
    (dict(db_instance_identifier="itd-db", thresholds={"FreeableMemory": -5}), "thresholds.FreeableMemory: -5 is negative"),
    (dict(db_instance_identifier="itd-db", db_cluster_identifier="itd-aurora"), "mutually exclusive"),
    (dict(db_instance_identifier="itd-missing"), "there is no DB instance 'itd-missing'"),
    (dict(db_instance_identifier="itd-db", sns_kms_key="alias/aws/sns"), "AWS managed key"),
    (dict(db_instance_identifier="itd-db", alarms={"ReplicaLag": {"evaluation_periods": 2, "datapoints_to_alarm": 3}}),
     "more than the alarm's evaluation_periods"),
    (dict(db_instance_identifier="itd-db", event_categories={"instance": ["failure", "explosions"]}), "'explosions'"),
    (dict(db_instance_identifier="itd-db", sns_topic_arn="arn:aws:sns:us-east-1:123456789012:itd-nope"), "does not exist"),
]


def test_bad_inputs_fail_cleanly_and_change_nothing(ansible, localenv, rds, cloudwatch):
    create_instance(rds, "itd-db")
    tasks = []
    for index, (args, _needle) in enumerate(BAD_INPUTS):
        task_args = dict(args)
        if "sns_topic_arn" not in args:
            task_args["sns_topic_name"] = "it-itd-db-alarms"
        tasks.append({"name": "bad input %d" % index, MODULE: task_args, "ignore_errors": True})
    localenv.reset_requests()
    play = ansible.playbook(yaml.safe_dump([{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]))
    for index, (_args, needle) in enumerate(BAD_INPUTS):
        result = play.result("bad input %d" % index)
        assert result.get("failed") is True and result.get("changed") is False, result
        assert needle in result["msg"] and "Traceback" not in result["msg"], result["msg"]
    assert writes(localenv) == {}
    assert alarms(cloudwatch, "rds-itd-") == {} and subscriptions(rds, "rds-itd-") == {}


def test_a_foreign_alarm_with_a_managed_name_is_not_overwritten(ansible, localenv, rds, cloudwatch):
    create_instance(rds, "ite-db")
    cloudwatch.put_metric_alarm(AlarmName="rds-ite-db-CPUUtilization", Namespace="AWS/RDS", MetricName="CPUUtilization",
                                Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=99, ComparisonOperator="GreaterThanThreshold")
    localenv.reset_requests()
    refused = run(ansible, db_instance_identifier="ite-db", sns_topic_name="it-ite-db-alarms")
    assert refused.get("failed") is True and "adopt_existing=true" in refused["msg"] and writes(localenv) == {}
    adopted = ok(run(ansible, db_instance_identifier="ite-db", sns_topic_name="it-ite-db-alarms", adopt_existing=True,
                     event_subscriptions=[]))
    assert "rds-ite-db-CPUUtilization" in adopted["changes"]["alarms_changed"]
    assert alarms(cloudwatch, "rds-ite-db-CPU")["rds-ite-db-CPUUtilization"]["Threshold"] == 80.0
