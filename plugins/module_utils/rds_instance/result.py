# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module's return values built from a DescribeDBInstances record (never a secret in them)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import camel_dict_to_snake_dict
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict

_SECRET_KEYS = ("MasterUserPassword", "TdeCredentialPassword")


def _without_secrets(value):
    if isinstance(value, dict):
        return dict((key, "****" if key in _SECRET_KEYS else _without_secrets(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


def instance_output(record):
    """The record in snake_case with ``tags`` as a dict (``None`` for no record)."""
    if not record:
        return None
    record = _without_secrets(dict(record))
    tags = boto3_tag_list_to_dict(record.pop("TagList", None))
    output = camel_dict_to_snake_dict(record)
    output["tags"] = tags
    return output


def endpoint_of(record):
    endpoint = (record or {}).get("Endpoint")
    if not endpoint:
        return None
    return dict(address=endpoint.get("Address"), port=endpoint.get("Port"), hosted_zone_id=endpoint.get("HostedZoneId"))


def secret_arn_of(record):
    return ((record or {}).get("MasterUserSecret") or {}).get("SecretArn")


def pending_output(record):
    return camel_dict_to_snake_dict(_without_secrets((record or {}).get("PendingModifiedValues") or {}))


def parameter_apply_status(record):
    groups = (record or {}).get("DBParameterGroups") or []
    return groups[0].get("ParameterApplyStatus") if groups else None
