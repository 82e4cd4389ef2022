# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The AWS credential options of the collection's lookups (module_defaults do not reach lookups,
    # so they take the options themselves); see plugins/plugin_utils/lookup_session.py.
    DOCUMENTATION = r"""
options:
  profile:
    description:
      - The AWS profile whose credentials are used.
    type: str
    aliases: [aws_profile]
  access_key:
    description:
      - AWS access key id; requires O(secret_key). Defaults to the default credential chain.
    type: str
    aliases: [aws_access_key_id]
  secret_key:
    description:
      - AWS secret access key.
    type: str
    aliases: [aws_secret_access_key]
  session_token:
    description:
      - AWS session token of temporary credentials.
    type: str
    aliases: [aws_session_token]
  assume_role_arn:
    description:
      - Assume this role with C(sts:AssumeRole) first and use its temporary credentials, for example
        the role of the account that owns the database.
    type: str
  external_id:
    description:
      - External id for O(assume_role_arn).
    type: str
  role_session_name:
    description:
      - Session name for O(assume_role_arn).
    type: str
    default: innovate-aws-postgres
  endpoint_url:
    description:
      - Endpoint of the AWS APIs (for example the local environment's emulator).
      - Defaults to E(AWS_ENDPOINT_URL).
    type: str
    aliases: [aws_endpoint_url]
    env:
      - name: AWS_ENDPOINT_URL
notes:
  - Empty strings in the AWS options count as not set, so inventories can pass
    C("{{ aws_endpoint_url | default('') }}").
"""
