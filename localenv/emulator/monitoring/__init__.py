"""CloudWatch alarms and RDS event subscriptions as rds_alarms needs them (moto lacks or simplifies them).

- RDS: ModifyEventSubscription, AddSourceIdentifierToSubscription and
  RemoveSourceIdentifierFromSubscription (missing in moto); CreateEventSubscription checks the SNS
  topic, the event categories of the source type and the source identifiers as RDS does;
  DescribeEventSubscriptions pages with MaxRecords/Marker.
- CloudWatch: DescribeAlarms pages with MaxRecords (1..100, default 50) and NextToken, in name
  order, and honours AlarmTypes; PutMetricAlarm refuses DatapointsToAlarm > EvaluationPeriods and
  periods other than 10, 20, 30 or a multiple of 60 seconds, as CloudWatch does.
"""

from localenv.emulator.monitoring import alarms, event_subscriptions


def install(context):
    """Patch moto's RDS and CloudWatch responses (idempotent)."""
    event_subscriptions.install(context)
    alarms.install(context)
