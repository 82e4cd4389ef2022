# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS session options of the collection's lookups (documented by the aws_lookup_connection fragment)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.connection import DEFAULT_ROLE_SESSION_NAME

SESSION_OPTIONS = ("region", "profile", "access_key", "secret_key", "session_token", "assume_role_arn", "external_id",
                   "role_session_name", "endpoint_url")


def session_params(options):
    """AwsSession parameters from a lookup's options; empty strings count as not set."""
    params = dict((name, options.get(name) or None) for name in SESSION_OPTIONS)
    params["role_session_name"] = params["role_session_name"] or DEFAULT_ROLE_SESSION_NAME
    return params
