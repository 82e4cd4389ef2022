# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rotation settings and KMS key comparison of a connection secret.

Rotation is described as ``{"enabled", "lambda_arn", "schedule_days", "schedule_expression",
"duration"}`` both for the task's option and for what DescribeSecret reports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DEFAULT_KMS_ALIAS = "alias/aws/secretsmanager"
RULE_KEYS = (("schedule_days", "AutomaticallyAfterDays"), ("schedule_expression", "ScheduleExpression"), ("duration", "Duration"))


def rotation_from_describe(secret):
    """The rotation settings of a DescribeSecret response (disabled when never configured)."""
    rules = secret.get("RotationRules") or {}
    return dict(
        enabled=bool(secret.get("RotationEnabled")),
        lambda_arn=secret.get("RotationLambdaARN") or None,
        schedule_days=rules.get("AutomaticallyAfterDays") or None,
        schedule_expression=rules.get("ScheduleExpression"),
        duration=rules.get("Duration"),
    )


def rotation_errors(rotation, lambda_known=False):
    """Problems with the ``rotation`` option; ``lambda_known``: the secret already has a rotation function."""
    if not rotation or not rotation.get("enabled", True):
        return []
    errors = []
    if not rotation.get("lambda_arn") and not lambda_known:
        errors.append("rotation.lambda_arn: required to enable rotation (the ARN of the rotation Lambda function)")
    days, expression = rotation.get("schedule_days"), rotation.get("schedule_expression")
    if days is None and expression is None:
        errors.append("rotation: give schedule_days (1-1000) or schedule_expression (rate(...) or cron(...)) to enable rotation")
    if days is not None and expression is not None:
        errors.append("rotation: schedule_days and schedule_expression are mutually exclusive; give one")
    if days is not None and not 1 <= days <= 1000:
        errors.append("rotation.schedule_days: %d is out of range; expected 1 to 1000" % days)
    if expression is not None and not (expression.startswith("rate(") or expression.startswith("cron(")) or \
            (expression is not None and not expression.endswith(")")):
        errors.append("rotation.schedule_expression: %r is not a schedule; expected for example rate(30 days) or "
                      "cron(0 4 ? * SUN *)" % expression)
    duration = rotation.get("duration")
    if duration is not None and not (duration.endswith("h") and duration[:-1].isdigit() and 1 <= int(duration[:-1]) <= 24):
        errors.append("rotation.duration: %r is not a rotation window; expected 1h to 24h" % duration)
    return errors


def plan_rotation(current, rotation):
    """``None`` (no change), ``{"action": "cancel"}`` or ``{"action": "rotate", "lambda_arn", "rules"}``.

    ``rotation`` ``None`` leaves rotation as it is.
    """
    if rotation is None:
        return None
    if not rotation.get("enabled", True):
        return dict(action="cancel") if current["enabled"] else None
    desired = dict(
        enabled=True,
        lambda_arn=rotation.get("lambda_arn") or current.get("lambda_arn"),
        schedule_days=rotation.get("schedule_days"),
        schedule_expression=rotation.get("schedule_expression"),
        duration=rotation.get("duration") if rotation.get("duration") is not None else current.get("duration"),
    )
    if all(desired[key] == current.get(key) for key in desired):
        return None
    rules = dict((api_key, desired[key]) for key, api_key in RULE_KEYS if desired[key] is not None)
    return dict(action="rotate", lambda_arn=desired["lambda_arn"], rules=rules, after=desired)


def rotation_after(current, action):
    if action is None:
        return dict(current)
    if action["action"] == "cancel":
        return dict(current, enabled=False)
    return dict(action["after"])


def is_key_arn(identifier):
    return bool(identifier) and identifier.startswith("arn:") and ":key/" in identifier


def same_kms_key(current, desired, resolve):
    """Whether the secret's key ``current`` (``None``: the AWS managed key) is the key ``desired``.

    ``resolve(identifier)`` gives a key ARN for an alias, alias ARN or key id (``None`` when it
    cannot be resolved); it is called only when the two identifiers differ as text.
    """
    current = current or DEFAULT_KMS_ALIAS
    if current == desired:
        return True
    current_arn = current if is_key_arn(current) else resolve(current)
    desired_arn = desired if is_key_arn(desired) else resolve(desired)
    return current_arn is not None and current_arn == desired_arn
