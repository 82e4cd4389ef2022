#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pg_logical_backup
short_description: pg_dump (custom format) each database of a deployment to a WORM S3 bucket with SSE-KMS and a SHA-256
version_added: 0.1.0
description:
  - For each database of O(databases), runs C(pg_dump --format=custom) against the deployment over TLS
    (O(sslmode), default V(verify-full)), computes the SHA-256 of the dump, and uploads it to O(bucket)
    as C(<key_prefix>/<deployment>/<timestamp>/<database>.dump) with SSE-KMS and the metadata
    C(sha256), C(database) and C(format). The object gets the bucket's default Object Lock retention
    (see M(innovate.aws_postgres.s3_backup_bucket)).
  - The password is given to C(pg_dump) in its environment (C(PGPASSWORD)), never on its command line,
    and never appears in messages.
  - The endpoint is read from the DB instance or cluster (O(db_instance_identifier),
    O(db_cluster_identifier); with O(db_assume_role_arn) in another account than the bucket), or given
    (O(login_host), O(login_port)).
  - Every run writes new objects (a backup is never skipped), so the task always reports a change.
    In check mode nothing is dumped or uploaded; the result lists the keys that would be written.
author:
  - Innovate platform team (@innovate-platform)
options:
  databases:
    description: The databases to dump, each to its own object.
    type: list
    elements: str
    required: true
  db_instance_identifier:
    description: The RDS DB instance whose endpoint is dumped.
    type: str
  db_cluster_identifier:
    description: The Aurora DB cluster whose writer endpoint is dumped.
    type: str
  db_assume_role_arn:
    description:
      - The role to assume to read the DB instance or cluster (the data account), when the task's
        O(assume_role_arn) is the bucket's account. Not set, the task's credentials are used.
    type: str
  login_host:
    description: The host to dump from, instead of the instance's or cluster's endpoint.
    type: str
  login_port:
    description: The port of O(login_host).
    type: int
    default: 5432
  login_user:
    description: The PostgreSQL user (the master user, e.g. from the managed master secret).
    type: str
    required: true
  login_password:
    description: Its password. Passed to C(pg_dump) in its environment only.
    type: str
    required: true
  sslmode:
    description: The libpq TLS mode.
    type: str
    choices: [require, verify-ca, verify-full]
    default: verify-full
  ssl_root_cert:
    description: The CA bundle that signs the server certificate (required with V(verify-full)).
    type: path
  pg_dump_path:
    description: The C(pg_dump) binary, of the server's major version or later.
    type: path
    default: /usr/lib/postgresql/15/bin/pg_dump
  dump_timeout:
    description: Seconds each C(pg_dump) may take.
    type: int
    default: 3600
  work_dir:
    description: Where the dumps are written before the upload (a private directory, removed afterwards).
    type: path
  bucket:
    description: The WORM bucket.
    type: str
    required: true
  key_prefix:
    description: The prefix of the object keys.
    type: str
    default: ""
  deployment:
    description: The deployment's name in the object keys. Default the instance or cluster identifier.
    type: str
  timestamp:
    description: The timestamp in the object keys. Default the current UTC time (V(20250301T030000Z)).
    type: str
  kms_key_id:
    description:
      - The KMS key of the SSE-KMS encryption. Not set, the bucket's default key is used (the upload
        still asks for SSE-KMS, as the bucket policy of M(innovate.aws_postgres.s3_backup_bucket) requires).
    type: str
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
attributes:
  check_mode:
    support: full
    description: Resolves the endpoint and checks the bucket; dumps and uploads nothing.
  diff_mode:
    support: none
    description: Every run writes new objects; there is no before and after to show.
  platform:
    support: full
    platforms: posix
    description: Runs C(pg_dump) on the host that runs the module (the controller for the collection's inventories).
notes:
  - An object is uploaded in one request, up to 5 GiB per dump.
requirements:
  - pg_dump (PostgreSQL client) of the server's major version or later.
seealso:
  - module: innovate.aws_postgres.s3_backup_bucket
  - plugin: innovate.aws_postgres.aws_secret
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Weekly dump of the app database to the WORM bucket of the backup account
  innovate.aws_postgres.pg_logical_backup:
    databases: [app]
    db_instance_identifier: app-db
    db_assume_role_arn: arn:aws:iam::111111111111:role/InnovateAutomation
    assume_role_arn: arn:aws:iam::333333333333:role/InnovateAutomation
    login_user: "{{ lookup('innovate.aws_postgres.aws_secret', db_instance_identifier='app-db', key='username', region='us-east-1') }}"
    login_password: "{{ lookup('innovate.aws_postgres.aws_secret', db_instance_identifier='app-db', key='password', region='us-east-1') }}"
    ssl_root_cert: /etc/ssl/rds/global-bundle.pem
    bucket: innovate-prod-333333333333-us-east-1-pg-dumps
    key_prefix: prod
    region: us-east-1
"""

RETURN = r"""
objects:
  description: The objects written (in check mode, only their keys).
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: The object key.
      type: str
      sample: prod/app-db/20250301T030000Z/app.dump
    database:
      description: The database dumped.
      type: str
    size:
      description: The object's size in bytes.
      type: int
    sha256:
      description: The SHA-256 (hex) of the dump, also stored as the object's C(sha256) metadata.
      type: str
    version_id:
      description: The object version written.
      type: str
    lock_mode:
      description: The Object Lock mode S3 applied (the bucket default).
      type: str
    retain_until:
      description: The end of the object's retention.
      type: str
    encryption:
      description: The server-side encryption (C(aws:kms)).
      type: str
    kms_key_id:
      description: The KMS key that encrypts it.
      type: str
endpoint:
  description: The host and port dumped from.
  returned: success
  type: dict
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.logical_backup.run import LogicalBackup

ARGUMENT_SPEC = dict(
    databases=dict(type="list", elements="str", required=True),
    db_instance_identifier=dict(type="str"),
    db_cluster_identifier=dict(type="str"),
    db_assume_role_arn=dict(type="str"),
    login_host=dict(type="str"),
    login_port=dict(type="int", default=5432),
    login_user=dict(type="str", required=True),
    login_password=dict(type="str", required=True, no_log=True),
    sslmode=dict(type="str", choices=["require", "verify-ca", "verify-full"], default="verify-full"),
    ssl_root_cert=dict(type="path"),
    pg_dump_path=dict(type="path", default="/usr/lib/postgresql/15/bin/pg_dump"),
    dump_timeout=dict(type="int", default=3600),
    work_dir=dict(type="path"),
    bucket=dict(type="str", required=True),
    key_prefix=dict(type="str", default="", no_log=False),
    deployment=dict(type="str"),
    timestamp=dict(type="str"),
    kms_key_id=dict(type="str", no_log=False),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                       mutually_exclusive=[("db_instance_identifier", "db_cluster_identifier", "login_host")])
    module.exit_json(**LogicalBackup(module).run())


if __name__ == "__main__":
    main()
