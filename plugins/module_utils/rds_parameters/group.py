# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS calls for one parameter group, written once for both scopes (see ``api.SCOPES``).

Methods raise the SDK's exceptions; the caller turns them into messages. Reads are the fewest
that answer the question: the group, its user-set parameters (``Source=user``), its tags; engine
defaults only when asked.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.pagination import paginate
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import (
    boto3_tag_list_to_dict,
    dict_to_boto3_tag_list,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.api import (
    DESCRIPTION_KEY,
    FAMILY_KEY,
    SCOPES,
)


def _by_name(parameters):
    return dict((entry["ParameterName"], entry) for entry in parameters if entry.get("ParameterName"))


class ParameterGroupApi(object):
    """Read and write one DB or DB cluster parameter group."""

    def __init__(self, client, scope, name):
        self.client = client
        self.scope = SCOPES[scope]
        self.name = name

    def _call(self, operation, **params):
        return getattr(self.client, operation)(**params)

    def describe(self):
        """``{"name", "arn", "family", "description"}`` of the group, or ``None`` if it does not exist."""
        try:
            response = self._call(self.scope.describe_groups, **{self.scope.name_key: self.name})
        except AWS_EXCEPTIONS as e:
            if is_error(e, *self.scope.not_found_codes):
                return None
            raise
        group = get_path(response, self.scope.groups_key + ".0")
        if not group:
            return None
        return self._group_facts(group)

    def _group_facts(self, group):
        return dict(
            name=get_path(group, self.scope.name_key, self.name),
            arn=get_path(group, self.scope.arn_key),
            family=get_path(group, FAMILY_KEY),
            description=get_path(group, DESCRIPTION_KEY, ""),
        )

    def user_parameters(self):
        """``{name: entry}`` of the parameters set by the user (AWS ``Source=user``)."""
        response = paginate(self.client, self.scope.describe_parameters, Source="user", **{self.scope.name_key: self.name})
        return _by_name(get_path(response, "Parameters", []))

    def engine_defaults(self, family):
        """``{name: entry}`` of every parameter of ``family`` with its metadata (all pages)."""
        response = paginate(self.client, self.scope.describe_engine_defaults, DBParameterGroupFamily=family)
        return _by_name(get_path(response, "EngineDefaults.Parameters", []))

    def tags(self, arn):
        response = self.client.list_tags_for_resource(ResourceName=arn)
        return boto3_tag_list_to_dict(get_path(response, "TagList", []))

    def create(self, family, description, tags):
        params = {self.scope.name_key: self.name, FAMILY_KEY: family, DESCRIPTION_KEY: description}
        if tags:
            params["Tags"] = dict_to_boto3_tag_list(tags)
        response = self._call(self.scope.create, **params)
        group = get_path(response, self.scope.created_key, {})
        facts = self._group_facts(group)
        facts["family"] = facts["family"] or family
        facts["description"] = facts["description"] or description
        return facts

    def modify(self, parameters):
        self._call(self.scope.modify, Parameters=parameters, **{self.scope.name_key: self.name})

    def reset(self, parameters):
        self._call(self.scope.reset, ResetAllParameters=False, Parameters=parameters, **{self.scope.name_key: self.name})

    def add_tags(self, arn, tags):
        self.client.add_tags_to_resource(ResourceName=arn, Tags=dict_to_boto3_tag_list(tags))

    def remove_tags(self, arn, keys):
        self.client.remove_tags_from_resource(ResourceName=arn, TagKeys=list(keys))

    def delete(self):
        self._call(self.scope.delete, **{self.scope.name_key: self.name})
