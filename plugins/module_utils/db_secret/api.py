# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Secrets Manager calls for one secret. Methods raise the SDK's exceptions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict, dict_to_boto3_tag_list


def _date(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class SecretApi(object):
    def __init__(self, client, name):
        self.client = client
        self.name = name

    def describe(self):
        """The DescribeSecret response, or ``None`` when there is no such secret."""
        try:
            return self.client.describe_secret(SecretId=self.name)
        except AWS_EXCEPTIONS as e:
            if is_error(e, "ResourceNotFoundException"):
                return None
            raise

    def current_string(self):
        """The AWSCURRENT secret string (``None`` when the secret has no value yet)."""
        try:
            response = self.client.get_secret_value(SecretId=self.name)
        except AWS_EXCEPTIONS as e:
            if is_error(e, "ResourceNotFoundException"):
                return None, None
            raise
        return response.get("SecretString"), response.get("VersionId")

    def create(self, description, kms_key_id, secret_string, tags):
        params = dict(Name=self.name, SecretString=secret_string)
        if description is not None:
            params["Description"] = description
        if kms_key_id:
            params["KmsKeyId"] = kms_key_id
        if tags:
            params["Tags"] = dict_to_boto3_tag_list(tags)
        response = self.client.create_secret(**params)
        return response["ARN"], response.get("VersionId")

    def update(self, description=None, kms_key_id=None, secret_string=None):
        params = dict(SecretId=self.name)
        if description is not None:
            params["Description"] = description
        if kms_key_id is not None:
            params["KmsKeyId"] = kms_key_id
        if secret_string is not None:
            params["SecretString"] = secret_string
        return self.client.update_secret(**params).get("VersionId")

    def restore(self):
        self.client.restore_secret(SecretId=self.name)

    def rotate(self, lambda_arn, rules):
        self.client.rotate_secret(SecretId=self.name, RotationLambdaARN=lambda_arn, RotationRules=rules, RotateImmediately=False)

    def cancel_rotation(self):
        self.client.cancel_rotate_secret(SecretId=self.name)

    def tag(self, tags):
        self.client.tag_resource(SecretId=self.name, Tags=dict_to_boto3_tag_list(tags))

    def untag(self, keys):
        self.client.untag_resource(SecretId=self.name, TagKeys=list(keys))

    def delete(self, recovery_window_days, force):
        params = dict(SecretId=self.name)
        if force:
            params["ForceDeleteWithoutRecovery"] = True
        else:
            params["RecoveryWindowInDays"] = recovery_window_days
        return _date(self.client.delete_secret(**params).get("DeletionDate"))


def tags_of(described):
    return boto3_tag_list_to_dict((described or {}).get("Tags"))


def deleted_date(described):
    return _date((described or {}).get("DeletedDate"))
