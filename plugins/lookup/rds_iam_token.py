# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rds_iam_token
short_description: Generate an RDS IAM authentication token for a PostgreSQL login
version_added: 0.1.0
description:
  - Returns the password a PostgreSQL login that is a member of C(rds_iam) uses to log in to an RDS
    or Aurora PostgreSQL database, an IAM authentication token made by boto3's
    C(rds.generate_db_auth_token).
  - The token is a SigV4 presigned request signed on the controller with the credentials of the
    given keys, profile or the default credential chain; making it needs no network call, except
    the C(sts:AssumeRole) call when O(assume_role_arn) is set (O(endpoint_url) is only used for that call).
  - A token is valid for 15 minutes and only for the host name, port, user and region it was made
    for. Connections must use TLS (for example C(sslmode=verify-full)); an open connection outlives
    its token.
  - The token is a secret for 15 minutes. Pass it straight to a module's C(login_password) (which
    is C(no_log)); when storing it with M(ansible.builtin.set_fact), set C(no_log=true) on that task.
    Like every lookup result, it is never templated again.
author:
  - Innovate platform team (@innovate-platform)
options:
  _terms:
    description:
      - Database user names; one token is returned per name. When none is given, O(user) is used.
    type: list
    elements: str
    required: false
  host:
    description:
      - The host name of the database endpoint, exactly as the client connects to it (the instance,
        cluster, reader or proxy endpoint). The token is only valid for this name.
    type: str
    required: true
  port:
    description:
      - The TCP port of the endpoint.
    type: int
    default: 5432
  user:
    description:
      - The database user name (a role that is a member of C(rds_iam)). Required unless names are
        given as terms.
    type: str
  region:
    description:
      - The region of the database. Defaults to E(AWS_REGION), then E(AWS_DEFAULT_REGION), then the
        region of the profile.
    type: str
    aliases: [aws_region]
    env:
      - name: AWS_REGION
      - name: AWS_DEFAULT_REGION
extends_documentation_fragment:
  - innovate.aws_postgres.aws_lookup_connection
notes:
  - The IAM principal needs C(rds-db:connect) on
    C(arn:aws:rds-db:REGION:ACCOUNT:dbuser:RESOURCE_ID/USER) and the instance needs IAM database
    authentication enabled; the token is checked when the client logs in, not when it is made.
seealso:
  - module: innovate.aws_postgres.pg_extensions
  - module: innovate.aws_postgres.pg_role_model
  - name: IAM database authentication for RDS
    description: How RDS checks the token and which permission the principal needs.
    link: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html
"""

EXAMPLES = r"""
- name: Create the extensions as an IAM database login
  innovate.aws_postgres.pg_extensions:
    login_host: "{{ db_endpoint }}"
    login_port: 5432
    login_user: app_admin
    login_password: "{{ lookup('innovate.aws_postgres.rds_iam_token', host=db_endpoint, user='app_admin', region='us-east-1') }}"
    login_db: app
    extensions:
      - name: pg_trgm

- name: A token signed with a role of the data account
  ansible.builtin.set_fact:
    reporting_token: >-
      {{ lookup('innovate.aws_postgres.rds_iam_token', host=db_endpoint, port=5432, user='reporting',
                region='eu-west-1', assume_role_arn='arn:aws:iam::111111111111:role/InnovateAutomation') }}
  no_log: true
"""

RETURN = r"""
_raw:
  description:
    - One token per user name, valid for 15 minutes, of the form
      C(HOST:PORT/?Action=connect&DBUser=USER&X-Amz-Algorithm=AWS4-HMAC-SHA256&...&X-Amz-Signature=...).
  type: list
  elements: str
"""

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


def generate_tokens(options, users):
    """One token per name in ``users`` for ``options`` (the lookup's options as a dict)."""
    if not HAS_BOTO3:
        raise AnsibleLookupError(missing_required_lib("boto3"))
    host = options.get("host")
    if not host:
        raise AnsibleLookupError("rds_iam_token: host is required (the endpoint the client connects to)")
    port = options.get("port") or 5432
    if not 1 <= int(port) <= 65535:
        raise AnsibleLookupError("rds_iam_token: port=%s is not a valid TCP port (1-65535)" % port)
    if not users:
        raise AnsibleLookupError("rds_iam_token: give the database user with user= or as a term")
    if bool(options.get("access_key")) != bool(options.get("secret_key")):
        raise AnsibleLookupError("rds_iam_token: access_key and secret_key must be given together")
    try:
        session = AwsSession(session_params(options))
        region = session.region
        if not region:
            raise AnsibleLookupError(
                "rds_iam_token: no region: set region, AWS_REGION or AWS_DEFAULT_REGION, or a region in the profile"
            )
        signer = session.session.client("rds", region_name=region)
        return [
            signer.generate_db_auth_token(DBHostname=host, Port=int(port), DBUsername=user, Region=region)
            for user in users
        ]
    except AwsConfigurationError as exc:
        raise AnsibleLookupError("rds_iam_token: %s" % exc)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise AnsibleLookupError("rds_iam_token: could not generate a token for %s:%s: %s" % (host, port, exc))


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        options = dict(
            (name, self.get_option(name))
            for name in ("host", "port", "user") + SESSION_OPTIONS
        )
        users = [str(term) for term in terms or []] or ([options["user"]] if options["user"] else [])
        return generate_tokens(options, users)
