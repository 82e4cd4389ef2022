"""CloudWatch DescribeAlarms paging and PutMetricAlarm validation (see __init__)."""

from moto.cloudwatch.exceptions import InvalidParameterValue, ValidationError
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult

DEFAULT_MAX_RECORDS, MAX_RECORDS = 50, 100
VALID_SHORT_PERIODS = (10, 20, 30)
_originals = {}


def _page(items, max_records, token):
    if max_records is None:
        max_records = DEFAULT_MAX_RECORDS
    max_records = int(max_records)
    if not 1 <= max_records <= MAX_RECORDS:
        raise ValidationError("1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must "
                              "have value between 1 and %d" % (max_records, MAX_RECORDS))
    start = 0
    if token:
        if not token.startswith("offset-") or not token[7:].isdigit():
            raise InvalidParameterValue("Invalid NextToken: %s" % token)
        start = int(token[7:])
    end = start + max_records
    return items[start:end], ("offset-%d" % end if end < len(items) else None)


def _describe_alarms(self):
    backend = self.cloudwatch_backend
    action_prefix = self._get_param("ActionPrefix")
    name_prefix = self._get_param("AlarmNamePrefix")
    names = self._get_param("AlarmNames", [])
    state_value = self._get_param("StateValue")
    alarm_types = self._get_param("AlarmTypes", []) or ["MetricAlarm"]  # CloudWatch's default: metric alarms only
    if name_prefix and names:
        raise InvalidParameterValue("AlarmNamePrefix and AlarmNames cannot be used together")
    alarms = list(backend.alarms.values())
    if action_prefix:
        alarms = [a for a in alarms if any(action.startswith(action_prefix) for action in a.alarm_actions)]
    if name_prefix:
        alarms = [a for a in alarms if a.name.startswith(name_prefix)]
    if names:
        alarms = [a for a in alarms if a.name in names]
    if state_value:
        alarms = [a for a in alarms if a.state_value == state_value]
    alarms.sort(key=lambda a: a.name)
    metric = [a for a in alarms if a.rule is None]
    composite = [a for a in alarms if a.rule is not None]
    metric = metric if "MetricAlarm" in alarm_types else []
    composite = composite if "CompositeAlarm" in alarm_types else []
    page, token = _page(metric + composite, self._get_param("MaxRecords"), self._get_param("NextToken"))
    result = {"MetricAlarms": [a for a in page if a.rule is None], "CompositeAlarms": [a for a in page if a.rule is not None]}
    if token:
        result["NextToken"] = token
    return ActionResult(result)


def _put_metric_alarm(self):
    if not self._get_param("AlarmRule"):
        evaluation_periods = self._get_param("EvaluationPeriods")
        datapoints = self._get_param("DatapointsToAlarm")
        period = self._get_param("Period")
        if evaluation_periods is not None and int(evaluation_periods) < 1:
            raise ValidationError("EvaluationPeriods must be at least 1")
        if datapoints is not None and evaluation_periods is not None and int(datapoints) > int(evaluation_periods):
            raise ValidationError("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
        if period is not None:
            period = int(period)
            if period not in VALID_SHORT_PERIODS and (period < 60 or period % 60):
                raise ValidationError("Period must be 10, 20, 30 or a multiple of 60")
    return _originals["put_metric_alarm"](self)


def install(context):  # pylint: disable=unused-argument
    for name, function in (("describe_alarms", _describe_alarms), ("put_metric_alarm", _put_metric_alarm)):
        _originals.setdefault(name, getattr(CloudWatchResponse, name))
        setattr(CloudWatchResponse, name, function)
