"""Secrets Manager rotation configuration without a rotation run (moto always runs the Lambda).

RotateSecret with ``RotateImmediately=false`` records the rotation function and schedule
(``AutomaticallyAfterDays``, ``ScheduleExpression``, ``Duration``) after checking, as Secrets
Manager does, that the function exists; it does not invoke the function (the emulator has no
container runtime to run it). DescribeSecret returns the whole ``RotationRules``. With
``RotateImmediately`` true (the API default) moto's own rotation runs, as before.
"""

import json
import re
import time

from moto.secretsmanager.exceptions import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceNotFoundException,
    SecretNotFoundException,
)
from moto.secretsmanager.models import FakeSecret
from moto.secretsmanager.responses import SecretsManagerResponse

_SCHEDULE = re.compile(r"^(rate\(\d+ (hours?|days?)\)|cron\(.+\))$")
_DURATION = re.compile(r"^(\d+)h$")
_originals = {}


def _validate_rules(rules):
    days = rules.get("AutomaticallyAfterDays")
    expression = rules.get("ScheduleExpression")
    duration = rules.get("Duration")
    if days is not None and expression is not None:
        raise InvalidParameterException("You can't specify both AutomaticallyAfterDays and ScheduleExpression.")
    if days is not None and not 1 <= int(days) <= 1000:
        raise InvalidParameterException("RotationRules.AutomaticallyAfterDays must be within 1-1000.")
    if expression is not None and not _SCHEDULE.match(expression):
        raise InvalidParameterException("Invalid ScheduleExpression: %s" % expression)
    if duration is not None:
        match = _DURATION.match(duration)
        if not match or not 1 <= int(match.group(1)) <= 24:
            raise InvalidParameterException("Duration must be between 1h and 24h: %s" % duration)


def _record(secret, lambda_arn, rules):
    secret.rotation_requested = True
    secret.rotation_enabled = True
    secret.rotation_lambda_arn = lambda_arn
    secret.auto_rotate_after_days = int(rules.get("AutomaticallyAfterDays") or 0)
    secret.rotation_schedule_expression = rules.get("ScheduleExpression")
    secret.rotation_duration = rules.get("Duration")
    if secret.auto_rotate_after_days:
        secret.next_rotation_date = int(time.time()) + secret.auto_rotate_after_days * 86400


def _rotate_secret(self):
    rules = self._get_param("RotationRules") or {}
    _validate_rules(rules)
    if self._get_bool_param("RotateImmediately", True):
        result = _originals["rotate_secret"](self)
        secret = self.backend.secrets[self._get_param("SecretId")]
        secret.rotation_schedule_expression = rules.get("ScheduleExpression")
        secret.rotation_duration = rules.get("Duration")
        return result
    secret_id = self._get_param("SecretId")
    if not self.backend._is_valid_identifier(secret_id):  # pylint: disable=protected-access
        raise SecretNotFoundException()
    secret = self.backend.secrets[secret_id]
    if secret.is_deleted():
        raise InvalidRequestException(
            "You tried to perform the operation on a secret that's currently marked deleted.")
    lambda_arn = self._get_param("RotationLambdaARN") or secret.rotation_lambda_arn
    if not lambda_arn:
        raise InvalidRequestException("No Lambda rotation function ARN is associated with this secret.")
    from moto.awslambda.utils import get_backend

    try:
        get_backend(self.current_account, self.region).get_function(lambda_arn)
    except Exception:  # moto raises several kinds for an unknown function
        raise ResourceNotFoundException("Resource not found for ARN '%s'." % lambda_arn) from None
    _record(secret, lambda_arn, rules)
    return json.dumps({"ARN": secret.arn, "Name": secret.name})


def _to_dict(self):
    result = _originals["to_dict"](self)
    rules = result.get("RotationRules")
    if rules is not None:
        expression = getattr(self, "rotation_schedule_expression", None)
        duration = getattr(self, "rotation_duration", None)
        if expression:
            rules["ScheduleExpression"] = expression
        if not rules.get("AutomaticallyAfterDays"):
            rules.pop("AutomaticallyAfterDays", None)
        if duration:
            rules["Duration"] = duration
    return result


def install(context):  # pylint: disable=unused-argument
    """Patch moto's Secrets Manager rotation (idempotent)."""
    _originals.setdefault("rotate_secret", SecretsManagerResponse.rotate_secret)
    _originals.setdefault("to_dict", FakeSecret.to_dict)
    SecretsManagerResponse.rotate_secret = _rotate_secret
    FakeSecret.to_dict = _to_dict
