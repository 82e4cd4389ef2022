# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The KMS calls for one customer managed key found by its alias.

Methods raise the SDK's exceptions; the caller turns them into messages.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.pagination import paginate
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict, dict_to_boto3_tag_list

TAG_KEY, TAG_VALUE = "TagKey", "TagValue"
DEFAULT_POLICY_NAME = "default"


def _date(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class KmsKeyApi(object):
    def __init__(self, client, alias):
        self.client = client
        self.alias = alias

    def describe(self):
        """The key's facts, or ``None`` when no key has the alias."""
        try:
            metadata = self.client.describe_key(KeyId=self.alias)["KeyMetadata"]
        except AWS_EXCEPTIONS as e:
            if is_error(e, "NotFoundException"):
                return None
            raise
        return dict(
            key_id=metadata["KeyId"],
            arn=get_path(metadata, "Arn"),
            account_id=get_path(metadata, "AWSAccountId"),
            description=get_path(metadata, "Description", ""),
            enabled=bool(get_path(metadata, "Enabled", False)),
            key_state=get_path(metadata, "KeyState"),
            key_manager=get_path(metadata, "KeyManager"),
            key_spec=get_path(metadata, "KeySpec") or get_path(metadata, "CustomerMasterKeySpec"),
            key_usage=get_path(metadata, "KeyUsage", "ENCRYPT_DECRYPT"),
            deletion_date=_date(get_path(metadata, "DeletionDate")),
        )

    def policy(self, key_id):
        return json.loads(self.client.get_key_policy(KeyId=key_id, PolicyName=DEFAULT_POLICY_NAME)["Policy"])

    def rotation(self, key_id):
        response = self.client.get_key_rotation_status(KeyId=key_id)
        enabled = bool(response.get("KeyRotationEnabled"))
        return dict(enabled=enabled, period_days=response.get("RotationPeriodInDays") if enabled else None)

    def tags(self, key_id):
        response = paginate(self.client, "list_resource_tags", KeyId=key_id)
        return boto3_tag_list_to_dict(response.get("Tags"), TAG_KEY, TAG_VALUE)

    def caller_account(self, sts):
        return sts.get_caller_identity()["Account"]

    def create(self, description, policy_text, tags):
        params = dict(Description=description, KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT")
        if policy_text:
            params["Policy"] = policy_text
        if tags:
            params["Tags"] = dict_to_boto3_tag_list(tags, TAG_KEY, TAG_VALUE)
        metadata = self.client.create_key(**params)["KeyMetadata"]
        return metadata["KeyId"], metadata["Arn"]

    def create_alias(self, key_id):
        self.client.create_alias(AliasName=self.alias, TargetKeyId=key_id)

    def cancel_deletion(self, key_id):
        self.client.cancel_key_deletion(KeyId=key_id)

    def set_enabled(self, key_id, enabled):
        if enabled:
            self.client.enable_key(KeyId=key_id)
        else:
            self.client.disable_key(KeyId=key_id)

    def set_rotation(self, key_id, enabled, period_days):
        if not enabled:
            self.client.disable_key_rotation(KeyId=key_id)
            return
        params = dict(KeyId=key_id)
        if period_days is not None:
            params["RotationPeriodInDays"] = period_days
        self.client.enable_key_rotation(**params)

    def put_policy(self, key_id, policy_text):
        self.client.put_key_policy(KeyId=key_id, PolicyName=DEFAULT_POLICY_NAME, Policy=policy_text)

    def update_description(self, key_id, description):
        self.client.update_key_description(KeyId=key_id, Description=description)

    def tag(self, key_id, tags):
        self.client.tag_resource(KeyId=key_id, Tags=dict_to_boto3_tag_list(tags, TAG_KEY, TAG_VALUE))

    def untag(self, key_id, keys):
        self.client.untag_resource(KeyId=key_id, TagKeys=list(keys))

    def schedule_deletion(self, key_id, days):
        response = self.client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=days)
        return _date(response.get("DeletionDate"))
