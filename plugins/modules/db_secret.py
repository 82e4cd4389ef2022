#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: db_secret
short_description: Manage an application's PostgreSQL connection secret in AWS Secrets Manager
version_added: 0.1.0
description:
  - Creates or updates a Secrets Manager secret that holds how an application connects to a
    PostgreSQL database, as the JSON object RDS and its rotation functions use
    (C(engine), C(host), C(port), C(dbname), C(username), C(password)), or, for IAM database
    authentication, the key C(iam) set to V(true) instead of a password. Also manages its KMS key, description,
    rotation schedule and tags, in one task.
  - Keys the task does not give keep their stored values, so a task that gives only O(host) (as
    DR re-pointing does) keeps the password, user and database name.
  - The password is compared with the stored one but never returned; results and diffs show
    V(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER) in its place.
  - O(state=absent) schedules the deletion after a recovery window, unless
    O(force_delete_without_recovery=true). O(state=present) on a secret scheduled for deletion restores it.
author:
  - Innovate platform team (@innovate-platform)
options:
  name:
    description:
      - The name of the secret, for example V(orders/app/postgres). 1 to 512 ASCII letters, digits and V(/_+=.@-).
    type: str
    required: true
  description:
    description:
      - The description of the secret. When not set, an existing secret keeps its description.
    type: str
  kms_key_id:
    description:
      - The KMS key that encrypts the secret (key ARN, key ID, alias name or alias ARN). Use a key
        ARN for a key of another account. When not set, a new secret uses the AWS managed key
        C(aws/secretsmanager) and an existing one keeps its key.
      - A different key applies to the versions written from now on.
    type: str
  engine:
    description:
      - The C(engine) key of the secret, for example V(postgres) or V(aurora-postgresql).
        A new secret gets V(postgres) when not set.
    type: str
  host:
    description:
      - The C(host) key, the database endpoint. Required to create the secret.
    type: str
  port:
    description:
      - The C(port) key. A new secret gets V(5432) when not set.
    type: int
  dbname:
    description:
      - The C(dbname) key, the database to connect to.
    type: str
  username:
    description:
      - The C(username) key, the login role. Required to create the secret.
    type: str
  password:
    description:
      - The C(password) key. Required to create a secret with O(auth=password).
      - When not set, the stored password is kept.
    type: str
  auth:
    description:
      - V(password) stores the C(password) key (and removes C(iam)).
      - V(iam) stores the key C(iam) set to V(true) and removes the C(password) key, for logins that authenticate
        with IAM tokens (members of C(rds_iam)).
      - When not set, V(password) if O(password) is given, else the secret's current kind.
    type: str
    choices: [password, iam]
  update_password:
    description:
      - V(always) sets the stored password to O(password) when it differs.
      - V(on_create) uses O(password) only when the secret is created (or has no password yet),
        for example when a rotation function changes the password afterwards. The stored
        O(username) is then kept as well, since a rotation with alternating users switches it
        together with the password.
    type: str
    choices: [always, on_create]
    default: always
  purge_keys:
    description:
      - Whether to remove keys of the stored JSON that are not one of C(engine), C(host), C(port),
        C(dbname), C(username), C(password), C(iam). Keys of that list that the task does not
        give are always kept.
    type: bool
    default: false
  rotation:
    description:
      - The rotation settings. When not set, rotation is left as it is.
      - Setting rotation does not rotate the secret right away; the first rotation follows the schedule.
    type: dict
    suboptions:
      enabled:
        description:
          - V(false) turns automatic rotation off.
        type: bool
        default: true
      lambda_arn:
        description:
          - The ARN of the rotation Lambda function. Required to enable rotation on a secret that has none.
        type: str
      schedule_days:
        description:
          - Rotate every this many days, V(1) to V(1000). Mutually exclusive with O(rotation.schedule_expression).
        type: int
      schedule_expression:
        description:
          - A C(rate()) or C(cron()) schedule expression, for example V(rate(30 days)) or V(cron(0 4 ? * SUN *)).
        type: str
      duration:
        description:
          - The length of the rotation window, V(1h) to V(24h).
        type: str
  recovery_window_days:
    description:
      - With O(state=absent), the days during which the secret can still be restored, V(7) to V(30).
        Defaults to V(30).
    type: int
  force_delete_without_recovery:
    description:
      - With O(state=absent), delete the secret at once, without a recovery window. Cannot be undone.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the secret (and restores one scheduled for deletion).
      - V(absent) deletes it (see O(recovery_window_days)).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the result shows the secret as it would be.
  diff_mode:
    support: full
    description: The diff shows description, KMS key, the JSON value with the password redacted, rotation and tags.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and manages the secret through the Secrets Manager API.
notes:
  - A run that changes nothing makes two read requests (DescribeSecret, GetSecretValue).
seealso:
  - module: innovate.aws_postgres.kms_key
  - module: innovate.aws_postgres.rds_failover
"""

EXAMPLES = r"""
- name: Connection secret of the orders application
  innovate.aws_postgres.db_secret:
    name: orders/app/postgres
    description: Orders application login
    host: orders-db.abcdefghij.us-east-1.rds.amazonaws.com
    dbname: orders
    username: orders_app
    password: "{{ lookup('ansible.builtin.password', '/dev/null chars=ascii_letters,digits length=32') }}"
    update_password: on_create
    tags:
      team: orders
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599
  register: orders_secret

- name: Re-point the secret to the DR region's endpoint (the password and other keys are kept)
  innovate.aws_postgres.db_secret:
    name: orders/app/postgres
    host: orders-db.klmnopqrst.us-west-2.rds.amazonaws.com
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599

- name: Secret of a login that authenticates with IAM tokens
  innovate.aws_postgres.db_secret:
    name: orders/reporting/postgres
    host: orders-db.abcdefghij.us-east-1.rds.amazonaws.com
    dbname: orders
    username: reporting
    auth: iam
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599

- name: Delete the secret, recoverable for 7 days
  innovate.aws_postgres.db_secret:
    name: orders/reporting/postgres
    state: absent
    recovery_window_days: 7
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599
"""

RETURN = r"""
secret:
  description: The secret after the run (in check mode, as it would be), without its password.
  returned: when the secret exists or is created
  type: dict
  contains:
    arn:
      description: The ARN of the secret; V(null) for a secret that check mode would create.
      type: str
      sample: arn:aws:secretsmanager:us-east-1:111111111111:secret:orders/app/postgres-AbCdEf
    name:
      description: The name of the secret.
      type: str
    version_id:
      description: The ID of the current version (the one written by this run, if any).
      type: str
    description:
      description: The description.
      type: str
    kms_key_id:
      description: The KMS key as the secret reports it; V(null) for the AWS managed key.
      type: str
    connection:
      description: The JSON keys of the secret except the password.
      type: dict
      sample: {engine: postgres, host: orders-db.abcdefghij.us-east-1.rds.amazonaws.com, port: 5432, dbname: orders, username: orders_app}
    auth:
      description: V(password) or V(iam).
      type: str
    rotation:
      description: The rotation settings, C(enabled), C(lambda_arn), C(schedule_days), C(schedule_expression), C(duration).
      type: dict
    tags:
      description: The tags of the secret.
      type: dict
    deletion_date:
      description: When the secret is deleted, for a secret scheduled for deletion.
      type: str
actions:
  description: The changes made (or that check mode would make), for example V(update_secret_string), V(rotation_rotate), V(tag).
  returned: when O(state=present) and the secret existed
  type: list
  elements: str
changed_keys:
  description: The names of the JSON keys whose value changed (V(password) included, never its value).
  returned: when O(state=present)
  type: list
  elements: str
  sample: [host]
recovery_window_days:
  description: The recovery window of a deletion made by this run.
  returned: when this run schedules a deletion
  type: int
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.db_secret.converge import DbSecretConverger

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    description=dict(type="str"),
    kms_key_id=dict(type="str"),
    engine=dict(type="str"),
    host=dict(type="str"),
    port=dict(type="int"),
    dbname=dict(type="str"),
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    auth=dict(type="str", choices=["password", "iam"]),
    update_password=dict(type="str", choices=["always", "on_create"], default="always", no_log=False),
    purge_keys=dict(type="bool", default=False, no_log=False),
    rotation=dict(type="dict", options=dict(
        enabled=dict(type="bool", default=True),
        lambda_arn=dict(type="str"),
        schedule_days=dict(type="int"),
        schedule_expression=dict(type="str"),
        duration=dict(type="str"),
    )),
    recovery_window_days=dict(type="int"),
    force_delete_without_recovery=dict(type="bool", default=False),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.exit_json(**DbSecretConverger(module).run())


if __name__ == "__main__":
    main()
