# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the ``rds_alarms`` options that need no AWS request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import reserved_tag_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.desired import alarm_settings, event_errors

_PREFIX = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*$")
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$")
AWS_MANAGED_SNS_KEY = "alias/aws/sns"
MAX_PREFIX = 64


def input_errors(params):
    """``(errors, warnings)``: every problem with the task's options that can be found without calling AWS."""
    errors, warnings = [], []
    prefix = params["name_prefix"]
    if not _PREFIX.match(prefix) or prefix.endswith("-") or len(prefix) > MAX_PREFIX:
        errors.append("name_prefix: %r is not valid; start with a letter, then letters, digits and single hyphens, at most %d "
                      "characters, not ending with a hyphen" % (prefix, MAX_PREFIX))
    if params["state"] == "absent":
        return errors, warnings
    if not params.get("sns_topic_name") and not params.get("sns_topic_arn"):
        errors.append("sns_topic_name or sns_topic_arn is required with state=present: alarms and event subscriptions "
                      "notify an SNS topic")
    if params.get("sns_topic_name") and not _TOPIC_NAME.match(params["sns_topic_name"]):
        errors.append("sns_topic_name: %r is not a valid standard SNS topic name; use 1 to 256 letters, digits, hyphens and "
                      "underscores (RDS cannot notify FIFO topics)" % params["sns_topic_name"])
    if params.get("sns_topic_arn") and not _TOPIC_ARN.match(params["sns_topic_arn"]):
        errors.append("sns_topic_arn: %r is not the ARN of a standard SNS topic (arn:aws:sns:<region>:<account>:<name>)"
                      % params["sns_topic_arn"])
    if params.get("sns_kms_key"):
        if params.get("sns_topic_arn"):
            errors.append("sns_kms_key: applies only to a topic the module creates (sns_topic_name), not to sns_topic_arn")
        if params["sns_kms_key"].lower() == AWS_MANAGED_SNS_KEY:
            errors.append("sns_kms_key: %r is the AWS managed key, which CloudWatch alarms and RDS events cannot use; give a "
                          "customer managed key whose policy lets cloudwatch.amazonaws.com and events.rds.amazonaws.com use it"
                          % params["sns_kms_key"])
    for action in params.get("extra_alarm_actions") or []:
        if not _ARN.match(action or ""):
            errors.append("extra_alarm_actions: %r is not an ARN (an SNS topic, an Auto Scaling policy or an EC2 action)" % action)
    if params.get("max_connections") is not None and params["max_connections"] < 1:
        errors.append("max_connections: %d must be 1 or more" % params["max_connections"])
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 0:
        errors.append("wait_timeout: %d must be 0 or more seconds" % params["wait_timeout"])
    settings_errors = alarm_settings(params)[1]
    event_problems, event_warnings = event_errors(params, bool(params.get("db_cluster_identifier")))
    errors += settings_errors + event_problems
    warnings += event_warnings
    errors += reserved_tag_errors(params.get("tags"))
    return errors, warnings
