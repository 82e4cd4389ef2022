# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The connection options every AWS module of innovate.aws_postgres takes (see
    # plugins/module_utils/aws/connection.py). Set them once with module_defaults and the
    # group/innovate.aws_postgres.aws action group.
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The AWS region to use, for example V(us-east-1).
      - When not set, the E(AWS_REGION) or E(AWS_DEFAULT_REGION) environment variable is used,
        then the region of the O(profile).
    type: str
    aliases: [aws_region, ec2_region]
  profile:
    description:
      - A named profile of the AWS shared configuration and credentials files.
      - When not set, boto3 looks for credentials as usual (E(AWS_PROFILE), environment variables,
        instance or container roles).
    type: str
    aliases: [aws_profile]
  access_key:
    description:
      - The AWS access key ID. Use with O(secret_key).
      - When not set, boto3 looks for credentials as usual (for example E(AWS_ACCESS_KEY_ID)).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - The AWS secret access key. Use with O(access_key).
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - The session token of temporary credentials.
    type: str
    aliases: [aws_session_token]
  endpoint_url:
    description:
      - Send every request, including the STS request that assumes O(assume_role_arn), to this
        URL instead of the AWS endpoints, for example the local environment's emulator
        V(http://127.0.0.1:4599).
      - When not set, the E(AWS_ENDPOINT_URL) environment variable is used.
    type: str
    aliases: [aws_endpoint_url]
  assume_role_arn:
    description:
      - The ARN of an IAM role to assume with STS before doing anything else; every request of the
        task is then made with the role's temporary credentials, for example to manage
        resources in another account.
    type: str
  external_id:
    description:
      - The external ID the role's trust policy requires. Only with O(assume_role_arn).
    type: str
  role_session_name:
    description:
      - The session name recorded in CloudTrail for the assumed role.
    type: str
    default: innovate-aws-postgres
  max_attempts:
    description:
      - The most attempts botocore makes for one request, the first included. Throttling and
        transient server errors are retried by botocore with back-off.
    type: int
    default: 10
  retry_mode:
    description:
      - The botocore retry mode. V(adaptive) also slows the client down when AWS throttles it.
    type: str
    choices: [adaptive, standard, legacy]
    default: adaptive
  validate_certs:
    description:
      - Whether to verify the TLS certificates of AWS endpoints. Turn off only for a local
        emulator with a self-signed certificate; prefer O(ca_bundle).
    type: bool
    default: true
  ca_bundle:
    description:
      - A PEM file of CA certificates to verify the endpoints with (for example the local
        environment's CA).
      - When not set, boto3 uses E(AWS_CA_BUNDLE) or its own bundle.
    type: path
requirements:
  - python >= 3.8
  - boto3 >= 1.34.0
  - botocore >= 1.34.0
notes:
  - Credentials come from O(access_key)/O(secret_key)/O(session_token), else O(profile), else
    the usual boto3 chain (environment variables, shared files, instance or container roles).
  - Set the connection options for a whole play with C(module_defaults) and the
    C(group/innovate.aws_postgres.aws) action group.
"""
