# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tags of AWS Backup resources (vaults, plans, restore testing plans): one shape for all of them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class BackupTagging(object):
    """Mixin for the AWS Backup API wrappers; expects ``self.client`` (a boto3 ``backup`` client)."""

    def tags(self, arn):
        tags, params = {}, dict(ResourceArn=arn)
        while True:
            response = self.client.list_tags(**params)
            tags.update(response.get("Tags") or {})
            if not response.get("NextToken"):
                return tags
            params["NextToken"] = response["NextToken"]

    def tag(self, arn, tags):
        self.client.tag_resource(ResourceArn=arn, Tags=tags)

    def untag(self, arn, keys):
        self.client.untag_resource(ResourceArn=arn, TagKeyList=list(keys))
