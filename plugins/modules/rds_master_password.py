#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_master_password
short_description: Rotate the master password that RDS manages in Secrets Manager, now
version_added: 0.1.0
description:
  - Rotates the managed master password of an RDS instance or an Aurora cluster at once
    (C(ModifyDBInstance) / C(ModifyDBCluster) with C(RotateMasterUserPassword) and C(ApplyImmediately)),
    and waits until the secret's C(AWSCURRENT) version has changed and the database is available again.
  - Rotation is an action, so the task reports a change on every run (in check mode too, where nothing
    is called but the describe).
  - The password is never read or returned; read the new one with the
    P(innovate.aws_postgres.aws_secret#lookup) lookup and verify it with
    M(innovate.aws_postgres.pg_login_password) (O(innovate.aws_postgres.pg_login_password#module:update_password=never)).
author:
  - Innovate platform team (@innovate-platform)
options:
  db_instance_identifier:
    description:
      - The RDS instance whose master password rotates.
    type: str
  db_cluster_identifier:
    description:
      - The Aurora cluster whose master password rotates.
    type: str
  rotate:
    description:
      - V(false) only describes the instance or cluster (endpoint, master secret ARN) and changes nothing,
        for playbooks that need the endpoint and the secret of a deployment before they work on it.
    type: bool
    default: true
  wait:
    description:
      - Wait until the secret holds a new C(AWSCURRENT) version and the database is available.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait.
    type: int
    default: 600
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
"""

EXAMPLES = r"""
- name: Rotate the master password of app-db
  innovate.aws_postgres.rds_master_password:
    db_instance_identifier: app-db
  register: rotated

- name: Find the endpoint and the master secret of app-db without rotating
  innovate.aws_postgres.rds_master_password:
    db_instance_identifier: app-db
    rotate: false
  register: app_db

- name: Rotate the master password of an Aurora cluster
  innovate.aws_postgres.rds_master_password:
    db_cluster_identifier: orders-aurora
    wait_timeout: 900
"""

RETURN = r"""
identifier:
  description: The instance or cluster identifier.
  returned: always
  type: str
kind:
  description: V(instance) or V(cluster).
  returned: always
  type: str
secret_arn:
  description: The ARN of the managed master secret.
  returned: always
  type: str
previous_version_id:
  description: The secret version that was C(AWSCURRENT) before the rotation.
  returned: always
  type: str
version_id:
  description: The C(AWSCURRENT) version after the rotation (null in check mode or without O(wait)).
  returned: always
  type: str
status:
  description: The status of the instance or cluster.
  returned: always
  type: str
endpoint:
  description: The endpoint C(address) and C(port) (the writer endpoint of a cluster).
  returned: always
  type: dict
engine:
  description: The engine.
  returned: always
  type: str
master_username:
  description: The master user name.
  returned: always
  type: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.master_password.converge import run

ARGUMENT_SPEC = dict(
    db_instance_identifier=dict(type="str"),
    db_cluster_identifier=dict(type="str"),
    rotate=dict(type="bool", default=True),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=600),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                       mutually_exclusive=[("db_instance_identifier", "db_cluster_identifier")],
                       required_one_of=[("db_instance_identifier", "db_cluster_identifier")])
    if module.params["wait_timeout"] < 1:
        module.fail_json(msg="wait_timeout: %s is not accepted; give a number of seconds of at least 1" % module.params["wait_timeout"])
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
