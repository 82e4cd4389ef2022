#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pg_login_password
short_description: Set the password, LOGIN and VALID UNTIL of one PostgreSQL login and prove it with real logins
version_added: 0.1.0
description:
  - The day-2 companion of M(innovate.aws_postgres.pg_role_model) for credential rotation and break-glass
    access. It changes one existing role in one C(ALTER ROLE) statement (password, C(LOGIN)/C(NOLOGIN),
    C(VALID UNTIL)), optionally records an audit row in the same transaction, and then logs in as the role
    to prove that O(role_password) works and that each of O(rejected_passwords) no longer does.
  - C(pg_authid) is never read (RDS hides it). Whether O(role_password) is already the role's password is
    decided by a login attempt with it, so a second run with the same password reports no change.
    When the role cannot log in at the moment (C(NOLOGIN) or expired), the password is set.
  - The clear-text password is never sent to the server; a SCRAM-SHA-256 verifier is computed on the
    controller (libpq) and sent instead, so it does not appear in the server log or pgaudit lines.
  - Check mode computes the plan (a login attempt is made, nothing is changed).
author:
  - Innovate platform team (@innovate-platform)
options:
  name:
    description:
      - The login role to change. It must exist; create it with M(innovate.aws_postgres.pg_role_model).
      - Superusers and the roles RDS reserves (V(rdsadmin), V(rds_superuser), ...) are refused.
    type: str
    required: true
  role_password:
    description:
      - The password the role must have. Never shown in results, diffs or errors.
      - With O(update_password=on_mismatch), it is set unless a login with it already succeeds.
      - With O(update_password=never), nothing is set; the task fails unless it logs in (use it to verify a
        secret, for example the master password after a rotation).
    type: str
  update_password:
    description:
      - V(on_mismatch) sets O(role_password) when a login with it does not succeed.
      - V(never) only checks that O(role_password) logs in.
    type: str
    choices: [on_mismatch, never]
    default: on_mismatch
  login:
    description:
      - V(true) gives the role C(LOGIN), V(false) C(NOLOGIN). When omitted, the role keeps its value.
    type: bool
  valid_until:
    description:
      - The C(VALID UNTIL) timestamp, for example V(2030-01-01 00:00:00+00), or V(infinity). The server parses
        and normalises it before any change; a role past it cannot log in with its password.
      - When omitted, the role keeps its value.
    type: str
  rejected_passwords:
    description:
      - Passwords that must no longer log in as the role (for example the previous one). After the change,
        a login is attempted with each; the task fails when one is accepted.
      - Never shown in results or errors.
    type: list
    elements: str
    default: []
  terminate_sessions:
    description:
      - Terminate the role's open sessions (other than this task's) after the change, for example when
        break-glass access is revoked. Reports a change when a session was terminated.
      - The connecting user needs C(pg_signal_backend) (the RDS master user has it).
    type: bool
    default: false
  audit:
    description:
      - When set, a row is inserted in O(audit.table) in the same transaction as the change (only when
        something changes). The schema and table are created when missing.
    type: dict
    suboptions:
      table:
        description:
          - The audit table as V(schema.table) in lower case.
        type: str
        default: innovate_audit.login_events
      action:
        description:
          - What the row records, for example V(break_glass_elevate) or V(rotate).
        type: str
        default: change
      actor:
        description:
          - Who asked for the change. Defaults to the connecting user.
        type: str
      reason:
        description:
          - Why.
        type: str
      ticket:
        description:
          - The incident or change ticket.
        type: str
extends_documentation_fragment:
  - innovate.aws_postgres.postgres_connection
notes:
  - A refused login is recognised by the server's message (wrong password, expired, C(NOLOGIN)); any other
    connection failure (network, TLS) fails the task instead of being taken for a refused password.
"""

EXAMPLES = r"""
- name: Rotate the idle application login and prove the old password is dead
  innovate.aws_postgres.pg_login_password:
    login_host: "{{ db_endpoint_address }}"
    login_db: app
    login_user: "{{ master.username }}"
    login_password: "{{ master.password }}"
    ca_bundle: /etc/ssl/rds-ca.pem
    name: app_rw_b
    role_password: "{{ new_password }}"
    rejected_passwords:
      - "{{ old_password }}"
  no_log: true

- name: Verify the master password after a rotation
  innovate.aws_postgres.pg_login_password:
    login_host: "{{ db_endpoint_address }}"
    login_user: app_migrator
    login_password: "{{ migrator_password }}"
    name: dbadmin
    role_password: "{{ new_master.password }}"
    update_password: never
    rejected_passwords: ["{{ old_master.password }}"]
  no_log: true

- name: Open break-glass access for 30 minutes, with an audit row
  innovate.aws_postgres.pg_login_password:
    login_host: "{{ db_endpoint_address }}"
    login_user: "{{ master.username }}"
    login_password: "{{ master.password }}"
    name: break_glass_admin
    role_password: "{{ break_glass_password }}"
    login: true
    valid_until: "{{ '%Y-%m-%d %H:%M:%S+00' | strftime(now(utc=true).timestamp() + 1800, utc=true) }}"
    audit:
      action: break_glass_elevate
      reason: INC-1234 production outage
"""

RETURN = r"""
name:
  description: The role.
  returned: always
  type: str
login:
  description: Whether the role has C(LOGIN) after the task.
  returned: success
  type: bool
valid_until:
  description: The role's C(VALID UNTIL) after the task, as the server prints it, or null.
  returned: success
  type: str
expired:
  description: Whether C(VALID UNTIL) is in the past after the task.
  returned: success
  type: bool
password_changed:
  description: Whether the password was (or in check mode would be) set.
  returned: success
  type: bool
statements:
  description: The statements run (or planned in check mode), passwords shown as C('********').
  returned: success
  type: list
  elements: str
login_verified:
  description: Whether a login with O(role_password) succeeded after the change.
  returned: always
  type: bool
rejected_verified:
  description: How many of O(rejected_passwords) were checked and refused.
  returned: always
  type: int
sessions_terminated:
  description: How many sessions of the role were (or in check mode would be) terminated.
  returned: always
  type: int
audited:
  description: Whether an audit row was (or would be) written.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.innovate.aws_postgres.plugins.module_utils.login_password.converge import run
from ansible_collections.innovate.aws_postgres.plugins.module_utils.login_password.validation import input_problems
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import (
    DRIVER,
    driver_missing_message,
    postgres_argument_spec,
)


def main():
    spec = postgres_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        role_password=dict(type="str", no_log=True),
        update_password=dict(type="str", choices=["on_mismatch", "never"], default="on_mismatch"),
        login=dict(type="bool"),
        valid_until=dict(type="str"),
        rejected_passwords=dict(type="list", elements="str", default=[], no_log=True),
        terminate_sessions=dict(type="bool", default=False),
        audit=dict(type="dict", options=dict(
            table=dict(type="str", default="innovate_audit.login_events"),
            action=dict(type="str", default="change"),
            actor=dict(type="str"),
            reason=dict(type="str"),
            ticket=dict(type="str"),
        )),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    if DRIVER is None:
        module.fail_json(msg=driver_missing_message())
    problems = input_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
