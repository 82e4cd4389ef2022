# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: aws_secret
short_description: Read a JSON secret from AWS Secrets Manager, for example the managed master password of an RDS database
version_added: 0.1.0
description:
  - Returns the C(SecretString) of each secret, parsed as JSON (a dict), for example the
    C({"username", "password"}) secret that RDS manages for a database created with
    C(ManageMasterUserPassword), or an application connection secret written by
    M(innovate.aws_postgres.db_secret).
  - Secrets are named by name or ARN as terms, or found through the database that owns them
    (O(db_instance_identifier) or O(db_cluster_identifier)), in which case the lookup reads the
    C(MasterUserSecret) of that RDS instance or Aurora cluster.
  - Takes the same AWS connection options as the collection's modules (O(region), keys or profile,
    O(assume_role_arn), O(endpoint_url)), so a playbook reads a secret of the data account with the
    role it assumes there. C(module_defaults) do not apply to lookups; pass the options explicitly.
  - The value is a secret. The lookup never logs it, and error messages never contain it. Pass it
    straight to a module option that is C(no_log) (such as C(login_password)); when storing it
    with M(ansible.builtin.set_fact), set C(no_log=true) on that task.
author:
  - Innovate platform team (@innovate-platform)
options:
  _terms:
    description:
      - Secret names or ARNs. One value is returned per term.
      - Leave empty with O(db_instance_identifier) or O(db_cluster_identifier).
    type: list
    elements: str
    required: false
  db_instance_identifier:
    description:
      - Read the master user secret that RDS manages for this DB instance
        (C(MasterUserSecret.SecretArn) of C(DescribeDBInstances)).
      - Mutually exclusive with terms and O(db_cluster_identifier).
    type: str
  db_cluster_identifier:
    description:
      - Read the master user secret that RDS manages for this Aurora DB cluster
        (C(MasterUserSecret.SecretArn) of C(DescribeDBClusters)).
      - Mutually exclusive with terms and O(db_instance_identifier).
    type: str
  key:
    description:
      - Return only this key of the JSON object (for example V(password)) instead of the whole object.
        Fails when the secret has no such key.
    type: str
  version_info:
    description:
      - Return, per secret, a dict with the value (or the value of O(key)) under C(value) and the
        version read under C(version_id), C(created_date) (ISO 8601, UTC) and C(created_epoch)
        (seconds), for example to make a password expire a fixed time after the secret changed.
    type: bool
    default: false
  version_stage:
    description:
      - The version stage to read.
    type: str
    default: AWSCURRENT
  region:
    description:
      - The region of the secret (and of the database). Defaults to E(AWS_REGION), then
        E(AWS_DEFAULT_REGION), then the region of the profile.
      - A secret ARN names its own region, which is used for that secret.
    type: str
    aliases: [aws_region]
    env:
      - name: AWS_REGION
      - name: AWS_DEFAULT_REGION
extends_documentation_fragment:
  - innovate.aws_postgres.aws_lookup_connection
notes:
  - The principal needs C(secretsmanager:GetSecretValue) on the secret and C(kms:Decrypt) on its KMS
    key (for a key of another account, that account's key policy must allow it), plus
    C(rds:DescribeDBInstances) or C(rds:DescribeDBClusters) to find a master user secret.
seealso:
  - module: innovate.aws_postgres.db_secret
  - module: innovate.aws_postgres.pg_role_model
  - plugin: innovate.aws_postgres.rds_iam_token
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Extensions of the app database, as the master user whose password RDS manages
  innovate.aws_postgres.pg_extensions:
    login_host: "{{ db_endpoint_address }}"
    login_port: "{{ db_endpoint_port }}"
    login_user: "{{ lookup('innovate.aws_postgres.aws_secret', db_master_secret_arn, key='username', region=aws_region) }}"
    login_password: "{{ lookup('innovate.aws_postgres.aws_secret', db_master_secret_arn, key='password', region=aws_region) }}"
    login_db: app
    ca_bundle: "{{ pg_ca_bundle }}"
    extensions:
      - name: pgcrypto

- name: The master credentials of the app-db instance of the data account, found through the instance
  ansible.builtin.set_fact:
    app_db_master: >-
      {{ lookup('innovate.aws_postgres.aws_secret', db_instance_identifier='app-db', region='us-east-1',
                assume_role_arn='arn:aws:iam::111111111111:role/InnovateAutomation') }}
  no_log: true

- name: Two application connection secrets at once
  ansible.builtin.debug:
    msg: "{{ query('innovate.aws_postgres.aws_secret', 'prod/app-db/app_rw', 'prod/app-db/reporting', key='username') }}"
"""

RETURN = r"""
_raw:
  description:
    - One value per secret, the C(SecretString) parsed as JSON (usually a dict with the keys
      C(username) and C(password)), or the value of O(key).
    - With O(version_info=true), a dict C({value, version_id, created_date, created_epoch}) per secret.
  type: list
  elements: raw
"""

import datetime
import json

from ansible.errors import AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.connection import AwsSession
from ansible_collections.innovate.aws_postgres.plugins.plugin_utils.lookup_session import SESSION_OPTIONS, session_params
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsConfigurationError

try:
    import botocore.exceptions

    HAS_BOTO3 = True
except ImportError:
    HAS_BOTO3 = False

LOOKUP_OPTIONS = ("db_instance_identifier", "db_cluster_identifier", "key", "version_stage", "version_info")
_NOT_FOUND = ("ResourceNotFoundException", "DBInstanceNotFound", "DBInstanceNotFoundFault", "DBClusterNotFoundFault",
              "DBClusterNotFound")


def _error_code(error):
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")


def _error_message(error):
    """The AWS error code and message; never the request (which holds nothing secret) nor a value."""
    if isinstance(error, botocore.exceptions.ClientError):
        return "%s: %s" % (_error_code(error), error.response.get("Error", {}).get("Message", ""))
    return str(error)


def _region_of(secret_id, default):
    """The region an ARN names (arn:aws:secretsmanager:REGION:...), else ``default``."""
    parts = secret_id.split(":")
    if secret_id.startswith("arn:") and len(parts) > 4 and parts[3]:
        return parts[3]
    return default


def master_secret_arn(session, region, options):
    """The ``MasterUserSecret`` ARN of the instance or cluster named in ``options``."""
    rds = session.client("rds", region)
    if options.get("db_instance_identifier"):
        kind, identifier = "DB instance", options["db_instance_identifier"]
        found = rds.describe_db_instances(DBInstanceIdentifier=identifier).get("DBInstances", [])
    else:
        kind, identifier = "DB cluster", options["db_cluster_identifier"]
        found = rds.describe_db_clusters(DBClusterIdentifier=identifier).get("DBClusters", [])
    arn = ((found[0] if found else {}).get("MasterUserSecret") or {}).get("SecretArn")
    if not arn:
        raise AnsibleLookupError(
            "aws_secret: %s %s in %s has no master user secret managed by RDS (it was created without "
            "manage_master_user_password); name the secret that holds its credentials instead" % (kind, identifier, region))
    return arn


def parse(secret_id, response, key):
    text = response.get("SecretString")
    if text is None:
        raise AnsibleLookupError("aws_secret: secret %s holds binary data (SecretBinary), not a JSON SecretString" % secret_id)
    try:
        value = json.loads(text)
    except ValueError:
        # The parser's message would quote the start of the value: never show it.
        raise AnsibleLookupError("aws_secret: the value of secret %s is not JSON" % secret_id)
    if key is None:
        return value
    if not isinstance(value, dict) or key not in value:
        keys = ", ".join(sorted(value)) if isinstance(value, dict) else "none: the value is not a JSON object"
        raise AnsibleLookupError("aws_secret: secret %s has no key %r; its keys are %s" % (secret_id, key, keys))
    return value[key]


def with_version(value, response):
    """The value with the id and creation time of the secret version it was read from."""
    created = response.get("CreatedDate")
    if isinstance(created, datetime.datetime):
        created = created if created.tzinfo else created.replace(tzinfo=datetime.timezone.utc)
        created = created.astimezone(datetime.timezone.utc)
    else:
        created = None
    return dict(value=value, version_id=response.get("VersionId"),
                created_date=created.isoformat() if created else None,
                created_epoch=int(created.timestamp()) if created else None)


def read_secrets(options, terms):
    """One parsed value per secret of ``terms`` (or of the database named in ``options``)."""
    if not HAS_BOTO3:
        raise AnsibleLookupError(missing_required_lib("boto3"))
    by_database = [name for name in ("db_instance_identifier", "db_cluster_identifier") if options.get(name)]
    if len(by_database) > 1 or (by_database and terms):
        raise AnsibleLookupError("aws_secret: give secret names or ARNs as terms, or one of db_instance_identifier and "
                                 "db_cluster_identifier, not several")
    if not by_database and not terms:
        raise AnsibleLookupError("aws_secret: give a secret name or ARN as a term, or db_instance_identifier / db_cluster_identifier")
    if any(not term for term in terms):
        raise AnsibleLookupError("aws_secret: a secret name or ARN is empty; check the variable that should hold it")
    if bool(options.get("access_key")) != bool(options.get("secret_key")):
        raise AnsibleLookupError("aws_secret: access_key and secret_key must be given together")
    doing, region = "reading the secret", options.get("region")
    try:
        session = AwsSession(session_params(options))
        region = session.region
        if not region:
            raise AnsibleLookupError("aws_secret: no region: set region, AWS_REGION or AWS_DEFAULT_REGION, or a region in the profile")
        if by_database:
            doing = "finding the master user secret of %s" % options[by_database[0]]
            terms = [master_secret_arn(session, region, options)]
        values = []
        for secret_id in terms:
            doing = "reading secret %s" % secret_id
            secret_region = _region_of(secret_id, region)
            response = session.client("secretsmanager", secret_region).get_secret_value(
                SecretId=secret_id, VersionStage=options.get("version_stage") or "AWSCURRENT")
            value = parse(secret_id, response, options.get("key") or None)
            values.append(with_version(value, response) if options.get("version_info") else value)
        return values
    except AwsConfigurationError as exc:
        raise AnsibleLookupError("aws_secret: %s" % exc)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        hint = ""
        if _error_code(exc) in _NOT_FOUND:
            hint = " (region %s%s)" % (region, ", role %s" % options["assume_role_arn"] if options.get("assume_role_arn") else "")
        raise AnsibleLookupError("aws_secret: %s failed: %s%s" % (doing, _error_message(exc), hint))


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        options = dict((name, self.get_option(name)) for name in SESSION_OPTIONS + LOOKUP_OPTIONS)
        return read_secrets(options, [str(term) for term in terms or []])
