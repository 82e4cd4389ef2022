#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pg_smoke_test
short_description: A read/write smoke test of a PostgreSQL database as an application role, rolled back
version_added: 0.1.0
description:
  - Logs in (for example as the application's login on a restored copy of its database) and runs, in one
    transaction that is always rolled back, these checks, each timed (RV(checks)).
  - C(session) - the login works; with O(write=true) the session is not read-only (not a standby).
  - C(read) (O(read=true)) - reads a row of every user table the role may C(SELECT), and fails when it may read none.
  - C(write) (O(write=true)) - inserts a row into O(write_table) with O(write_values) (or into a temporary table
    when O(write_table) is not given), reads it back, updates and deletes it.
  - C(point_in_time) (O(point_in_time)) - on a copy restored to a point in time, no row of a table has a time
    column after that time, and the last row before it is the one the source has at that time.
  - The task fails when a check fails (RV(failed_checks)), with every check's result.
author:
  - Innovate platform team (@innovate-platform)
options:
  read:
    description:
      - Whether to run the C(read) check.
    type: bool
    default: true
  write:
    description:
      - Whether to run the C(write) check. V(false) for a read-only target (a replica, or the production source).
    type: bool
    default: true
  write_table:
    description:
      - The table (V(schema.table)) the C(write) check writes a row into, as the application would. The row is
        never committed. When not given, a temporary table is used (the role needs the C(TEMPORARY) privilege).
    type: str
  write_values:
    description:
      - The columns and values of the row to insert into O(write_table); columns left out take their defaults.
    type: dict
  point_in_time:
    description:
      - The C(point_in_time) check.
    type: dict
    suboptions:
      table:
        description:
          - The table (V(schema.table)) with a time column that rows get when they are written.
        type: str
        required: true
      time_column:
        description:
          - The column (C(timestamptz) or C(timestamp) in UTC) holding when each row was written.
        type: str
        required: true
      time:
        description:
          - The restore time, ISO 8601.
        type: str
        required: true
      expect_last_before:
        description:
          - The C(last_before) of RV(point_in_time) that the source database gives for O(point_in_time.time); the check then
            also requires the same last row before that time.
        type: str
      verify:
        description:
          - V(false) only reports RV(point_in_time) (for example on the source, which has rows after the time).
        type: bool
        default: true
extends_documentation_fragment:
  - innovate.aws_postgres.postgres_connection
attributes:
  check_mode:
    support: full
    description: Nothing is ever committed; check mode runs the same checks.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
  platform:
    support: full
    platforms: postgres
    description: Runs on the controller (or an execution environment) and connects to the database server.
notes:
  - The row of the C(write) check is rolled back, so the test leaves nothing behind; sequences used by column
    defaults do advance (PostgreSQL never rolls them back).
  - The C(point_in_time) check relies on the time column being set when the row is written (for example
    C(DEFAULT now())); a transaction that started before the restore time and committed after it has a time before
    the restore time and yet is not in the copy.
seealso:
  - module: innovate.aws_postgres.pg_schema_checksum
  - module: innovate.aws_postgres.rds_restore_points
"""

EXAMPLES = r"""
- name: Smoke test the restored copy as the application
  innovate.aws_postgres.pg_smoke_test:
    login_host: "{{ restored.endpoint.address }}"
    login_port: "{{ restored.endpoint.port }}"
    login_db: app
    login_user: app_rw
    login_password: "{{ app_rw_password }}"
    ca_bundle: /etc/ssl/rds/global-bundle.pem
    write_table: app.orders
    write_values:
      customer: smoke-test
      amount: 1

- name: Check a point-in-time copy
  innovate.aws_postgres.pg_smoke_test:
    login_host: "{{ pitr_copy.endpoint.address }}"
    login_db: app
    login_user: dbadmin
    login_password: "{{ master_password }}"
    write: false
    point_in_time:
      table: app.events
      time_column: created_at
      time: "2025-03-01T12:30:00Z"
"""

RETURN = r"""
passed:
  description: Whether every check passed.
  returned: always
  type: bool
checks:
  description: Each check run, in order, with C(name), C(passed), C(detail) (in words) and C(seconds).
  returned: always
  type: list
  elements: dict
failed_checks:
  description: The names of the checks that failed.
  returned: always
  type: list
  elements: str
user:
  description: The role logged in as.
  returned: success
  type: str
readable_tables:
  description: With O(read=true), the user tables the role may read (V(schema.table)).
  returned: when O(read=true)
  type: list
  elements: str
not_readable_tables:
  description: With O(read=true), the user tables the role may not read.
  returned: when O(read=true)
  type: list
  elements: str
point_in_time:
  description: With O(point_in_time), C(table), C(time), C(rows_after) (rows with a later time) and C(last_before) (the latest time at or before it, UTC text).
  returned: when O(point_in_time) is given
  type: dict
server_version_num:
  description: The server's C(server_version_num).
  returned: success
  type: int
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import (
    DRIVER,
    connect,
    driver_missing_message,
    postgres_argument_spec,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.smoke_test.checks import SmokeTest, input_problems


def main():
    spec = postgres_argument_spec()
    spec.update(
        read=dict(type="bool", default=True),
        write=dict(type="bool", default=True),
        write_table=dict(type="str"),
        write_values=dict(type="dict"),
        point_in_time=dict(type="dict", options=dict(
            table=dict(type="str", required=True),
            time_column=dict(type="str", required=True),
            time=dict(type="str", required=True),
            expect_last_before=dict(type="str"),
            verify=dict(type="bool", default=True),
        )),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    if DRIVER is None:
        module.fail_json(msg=driver_missing_message())
    problems = input_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)
    conn, facts = connect(module)
    try:
        result = SmokeTest(conn.cursor(), DRIVER.Error).run(module.params)
    finally:
        try:
            conn.rollback()
        finally:
            conn.close()
    result.update(changed=False, server_version_num=facts["server_version_num"])
    if not result["passed"]:
        failing = ["%s: %s" % (check["name"], check["detail"]) for check in result["checks"] if not check["passed"]]
        module.fail_json(msg="smoke test failed - %s" % "; ".join(failing), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
