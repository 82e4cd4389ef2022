# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The connection options every PostgreSQL module of innovate.aws_postgres takes.
    DOCUMENTATION = r"""
options:
  login_host:
    description:
      - Host name or IP address of the PostgreSQL server, for example the RDS instance or Aurora
        cluster endpoint.
      - With O(sslmode=verify-full) this must match a name (or IP address) in the server certificate.
      - When omitted, libpq's default is used (a local Unix-domain socket).
      - Required with O(iam_auth=true), because the token is signed for this host name.
    type: str
    aliases: [host]
  login_port:
    description:
      - TCP port of the PostgreSQL server.
    type: int
    default: 5432
    aliases: [port]
  login_db:
    description:
      - Name of the database to connect to.
    type: str
    default: postgres
    aliases: [db, database]
  login_user:
    description:
      - The role to log in as.
    type: str
    default: postgres
    aliases: [user]
  login_password:
    description:
      - The password of O(login_user).
      - Mutually exclusive with O(iam_auth=true).
      - When omitted (and O(iam_auth=false)), libpq may still take one from E(PGPASSWORD) or a
        C(~/.pgpass) file.
      - Never shown in results, diffs or error messages.
    type: str
    aliases: [password]
  iam_auth:
    description:
      - Log in with an RDS IAM authentication token instead of a password.
      - The token is generated with boto3's C(rds.generate_db_auth_token) for O(login_host),
        O(login_port) and O(login_user), using the default AWS credential chain or O(iam_profile).
      - The database role must be a member of C(rds_iam), and TLS is required, so O(sslmode) must be
        V(require), V(verify-ca) or V(verify-full).
      - Mutually exclusive with O(login_password).
    type: bool
    default: false
  iam_region:
    description:
      - The AWS region in which the IAM token is signed (the database's region).
      - Defaults to E(AWS_REGION), then E(AWS_DEFAULT_REGION). Only used with O(iam_auth=true).
    type: str
  iam_profile:
    description:
      - The AWS profile whose credentials sign the IAM token. When omitted, boto3's default
        credential chain is used. Only used with O(iam_auth=true).
    type: str
  sslmode:
    description:
      - How TLS is negotiated and verified, as libpq's C(sslmode).
      - V(verify-full) (the default) encrypts and verifies both the certificate chain against
        O(ca_bundle) and that the certificate names O(login_host).
      - V(verify-ca) verifies the chain but not the host name; V(require) encrypts without any
        verification; V(prefer), V(allow) and V(disable) may send everything in clear text.
    type: str
    default: verify-full
    choices: [disable, allow, prefer, require, verify-ca, verify-full]
  ca_bundle:
    description:
      - Path to the PEM file of certificate authorities that O(sslmode=verify-ca) and
        O(sslmode=verify-full) trust, for example the RDS C(global-bundle.pem).
      - When omitted, libpq uses C(~/.postgresql/root.crt). V(system) uses the operating system's
        trust store (libpq 16 or later).
    type: path
    aliases: [ca_cert, sslrootcert]
  connect_timeout:
    description:
      - Seconds to wait for the connection to be established; V(0) waits forever.
    type: int
    default: 10
  application_name:
    description:
      - The C(application_name) the session reports in C(pg_stat_activity) and the server logs.
    type: str
    default: innovate.aws_postgres
requirements:
  - psycopg2 (or psycopg 3)
  - boto3 (only with O(iam_auth=true))
notes:
  - Connection failures name the user, host, port, database and O(sslmode), and give the
    server's message; they never include the password or the IAM token.
"""
