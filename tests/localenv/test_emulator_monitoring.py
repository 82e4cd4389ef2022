"""CloudWatch alarm paging and RDS event subscription calls added to moto by localenv/emulator/monitoring."""

import pytest
from botocore.exceptions import ClientError


def _alarm(cloudwatch, name, **extra):
    params = dict(AlarmName=name, Namespace="AWS/RDS", MetricName="CPUUtilization", Statistic="Average", Period=60,
                  EvaluationPeriods=5, Threshold=80, ComparisonOperator="GreaterThanThreshold")
    params.update(extra)
    cloudwatch.put_metric_alarm(**params)


def test_describe_alarms_pages_in_name_order_and_counts_by_operation(emu_env):
    cloudwatch = emu_env.client("cloudwatch")
    for index in range(7):
        _alarm(cloudwatch, "emu-page-%02d" % (6 - index))
    first = cloudwatch.describe_alarms(AlarmNamePrefix="emu-page-", MaxRecords=3)
    assert [a["AlarmName"] for a in first["MetricAlarms"]] == ["emu-page-00", "emu-page-01", "emu-page-02"]
    assert first["NextToken"]
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix="emu-page-", PaginationConfig={"PageSize": 3})
    assert [len(page["MetricAlarms"]) for page in pages] == [3, 3, 1]
    status, counts = emu_env.control("GET", "requests")
    assert status == 200 and counts["by_operation"]["monitoring:DescribeAlarms"] >= 4


def test_put_metric_alarm_checks_datapoints_and_period(emu_env):
    cloudwatch = emu_env.client("cloudwatch")
    with pytest.raises(ClientError, match="DatapointsToAlarm"):
        _alarm(cloudwatch, "emu-bad-datapoints", EvaluationPeriods=2, DatapointsToAlarm=3)
    with pytest.raises(ClientError, match="Period"):
        _alarm(cloudwatch, "emu-bad-period", Period=45)


def test_event_subscriptions_are_modified_and_sources_added_and_removed(emu_env):
    rds, sns = emu_env.client("rds"), emu_env.client("sns")
    topic = sns.create_topic(Name="emu-events")["TopicArn"]
    with pytest.raises(ClientError, match="SNSTopicArnNotFound"):
        rds.create_event_subscription(SubscriptionName="emu-nope", SnsTopicArn=topic + "-missing", SourceType="db-instance")
    with pytest.raises(ClientError, match="SubscriptionCategoryNotFound"):
        rds.create_event_subscription(SubscriptionName="emu-nope", SnsTopicArn=topic, SourceType="db-parameter-group",
                                      EventCategories=["failure"])
    rds.create_event_subscription(SubscriptionName="emu-sub", SnsTopicArn=topic, SourceType="db-parameter-group",
                                  EventCategories=["configuration change"], SourceIds=["default.postgres15"], Enabled=True)
    rds.create_db_parameter_group(DBParameterGroupName="emu-events-pg", DBParameterGroupFamily="postgres15", Description="x")
    rds.add_source_identifier_to_subscription(SubscriptionName="emu-sub", SourceIdentifier="emu-events-pg")
    rds.remove_source_identifier_from_subscription(SubscriptionName="emu-sub", SourceIdentifier="default.postgres15")
    with pytest.raises(ClientError, match="SourceNotFound"):
        rds.add_source_identifier_to_subscription(SubscriptionName="emu-sub", SourceIdentifier="emu-no-such-group")
    modified = rds.modify_event_subscription(SubscriptionName="emu-sub", Enabled=False)["EventSubscription"]
    assert modified["Enabled"] is False and modified["SourceIdsList"] == ["emu-events-pg"]
    described = rds.describe_event_subscriptions(SubscriptionName="emu-sub")["EventSubscriptionsList"][0]
    assert described["EventCategoriesList"] == ["configuration change"] and described["Enabled"] is False
    with pytest.raises(ClientError, match="SubscriptionNotFound"):
        rds.modify_event_subscription(SubscriptionName="emu-missing", Enabled=True)
