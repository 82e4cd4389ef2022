#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pg_extensions
short_description: Converge the PostgreSQL extensions of one database in one transaction
version_added: 0.1.0
description:
  - Declares the extensions of the database the task connects to (O(login_db)); which are
    installed, at which version and in which schema, and which are dropped.
  - One connection, one catalog query (installed extensions, available versions and update paths,
    C(shared_preload_libraries), C(rds.allowed_extensions) and the privileges of the connecting
    role), one plan, one transaction. A second run with the same options changes nothing.
  - Knows which extensions need a library in C(shared_preload_libraries) (C(pgaudit),
    C(pg_stat_statements), C(pg_cron), C(pglogical), C(pg_hint_plan), C(pg_tle), ...). When the
    server has not loaded it, the task fails before any change and says what to do, that is, add the library
    to the instance's DB parameter group with M(innovate.aws_postgres.rds_parameter_group), then
    reboot the instance (C(shared_preload_libraries) is static), for example with
    M(innovate.aws_postgres.rds_instance) and O(innovate.aws_postgres.rds_instance#module:reboot_for_pending=now).
  - Works as the RDS or Aurora master user, which is a member of C(rds_superuser) but not a
    superuser. When C(rds.allowed_extensions) restricts the extensions of the instance, an extension
    it does not list fails before any change with a message that says so.
  - An unknown extension, or a version the server does not have, fails before any change with the
    list of what is available.
author:
  - Innovate platform team (@innovate-platform)
options:
  extensions:
    description:
      - The extensions to converge. Extensions not listed are left alone.
      - Extensions are created in dependency order (one that another listed extension requires comes
        first) and dropped dependents first, whatever their order in the list.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The extension name as in C(pg_available_extensions), for example V(pg_trgm), V(uuid-ossp).
        type: str
        required: true
      state:
        description:
          - V(present) creates the extension when it is missing and updates or moves it when
            O(extensions[].version) or O(extensions[].schema) say so.
          - V(absent) drops it (C(DROP EXTENSION), with C(CASCADE) when O(extensions[].cascade=true)).
        type: str
        choices: [present, absent]
        default: present
      version:
        description:
          - The wanted version, as listed in C(pg_available_extension_versions).
          - V(latest) means the default version of the installed package (the newest it ships); an
            older installed version is updated to it with C(ALTER EXTENSION ... UPDATE TO).
          - When omitted, a missing extension is created at its default version and an installed one
            is never updated.
          - Updating needs an update path from the installed version; a downgrade or a version without a
            path fails before any change with the reachable versions.
        type: str
      schema:
        description:
          - The schema the extension's objects live in. The schema must exist.
          - When omitted, a new extension goes to the schema its control file names, else to the first
            schema of the C(search_path) (usually C(public)); an installed extension is not moved.
          - A different schema for an installed extension moves it with
            C(ALTER EXTENSION ... SET SCHEMA); extensions that are not relocatable fail.
        type: str
      cascade:
        description:
          - With O(extensions[].state=present), also create the extensions it requires
            (C(CREATE EXTENSION ... CASCADE)).
          - With O(extensions[].state=absent), also drop the objects and extensions that depend on it
            (C(DROP EXTENSION ... CASCADE)). Without it, a drop that would remove other objects fails
            and nothing is changed.
        type: bool
        default: false
extends_documentation_fragment:
  - innovate.aws_postgres.postgres_connection
attributes:
  check_mode:
    support: full
    description:
      - The catalog is read and the plan is returned in RV(statements); nothing is executed, not even
        inside a rolled-back transaction.
  diff_mode:
    support: full
    description: The diff shows the version and schema of each listed extension before and after.
  platform:
    support: full
    platforms: postgres
    description: Runs on the controller (or an execution environment) and connects to the database server.
notes:
  - The connecting role needs the privileges to create the extensions, for example the RDS master user.
    On a self-managed server a non-superuser may create only extensions marked C(trusted).
  - C(rds.allowed_extensions) is read with C(current_setting); when the server does not know it (not RDS),
    every extension is allowed.
  - C(shared_preload_libraries) is only visible to superusers and members of C(pg_read_all_settings)
    (C(rds_superuser) is one). For other roles the preload check cannot be made; a warning says so
    and the server decides.
  - An extension that a non-superuser created as a trusted extension has its objects owned by the
    bootstrap superuser, so PostgreSQL refuses to move it with O(extensions[].schema) for that user; the
    task then fails and its transaction is rolled back.
seealso:
  - module: innovate.aws_postgres.rds_parameter_group
  - module: innovate.aws_postgres.pg_role_model
  - plugin: innovate.aws_postgres.rds_iam_token
    plugin_type: lookup
  - name: Extensions supported on Amazon RDS for PostgreSQL
    description: The extensions and versions each RDS for PostgreSQL version supports.
    link: https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-extensions.html
"""

EXAMPLES = r"""
- name: Extensions of the app database, as the RDS master user over verify-full TLS
  innovate.aws_postgres.pg_extensions:
    login_host: "{{ db_endpoint }}"
    login_port: "{{ db_port }}"
    login_user: "{{ master_username }}"
    login_password: "{{ master_password }}"
    login_db: app
    ca_bundle: "{{ lookup('env', 'LOCALENV_CA_BUNDLE') }}"
    extensions:
      - name: pg_trgm
      - name: uuid-ossp
      - name: pgcrypto
      - name: pgaudit
      - name: pg_stat_statements
        version: latest

- name: Move pg_trgm to its own schema and drop hstore with what depends on it
  innovate.aws_postgres.pg_extensions:
    login_host: "{{ db_endpoint }}"
    login_port: "{{ db_port }}"
    login_user: "{{ master_username }}"
    login_password: "{{ master_password }}"
    login_db: app
    ca_bundle: "{{ lookup('env', 'LOCALENV_CA_BUNDLE') }}"
    extensions:
      - name: pg_trgm
        schema: extensions
      - name: hstore
        state: absent
        cascade: true

- name: The same as an IAM database login (the role is a member of rds_iam)
  innovate.aws_postgres.pg_extensions:
    login_host: "{{ db_endpoint }}"
    login_port: "{{ db_port }}"
    login_user: app_admin
    login_password: >-
      {{ lookup('innovate.aws_postgres.rds_iam_token', host=db_endpoint, port=db_port,
                user='app_admin', region='us-east-1') }}
    login_db: app
    ca_bundle: "{{ lookup('env', 'LOCALENV_CA_BUNDLE') }}"
    extensions:
      - name: pg_trgm
"""

RETURN = r"""
statements:
  description: The statements executed (or, in check mode, that would be), in order.
  returned: always
  type: list
  elements: str
  sample:
    - CREATE EXTENSION "pg_trgm"
    - CREATE EXTENSION "pgaudit"
    - ALTER EXTENSION "pg_stat_statements" UPDATE TO '1.10'
extensions:
  description:
    - The state of each listed extension after the task (or, in check mode, as it would be).
  returned: always
  type: dict
  sample:
    pg_trgm:
      state: present
      version: "1.6"
      schema: public
    hstore:
      state: absent
queries:
  description: The number of catalog queries run; always 1.
  returned: always
  type: int
  sample: 1
problems:
  description: When the task fails before any change, every reason found (all extensions are checked).
  returned: failure
  type: list
  elements: str
  sample:
    - "extension hstore is not allowed on this server: rds.allowed_extensions is 'pg_trgm,pgaudit'. ..."
server_version_num:
  description: The server's C(server_version_num).
  returned: success
  type: int
  sample: 150007
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.innovate.aws_postgres.plugins.module_utils.extensions.catalog import read_state
from ansible_collections.innovate.aws_postgres.plugins.module_utils.extensions.plan import plan as compute_plan
from ansible_collections.innovate.aws_postgres.plugins.module_utils.extensions.statements import (
    record,
    validate_desired,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import (
    DRIVER,
    connect,
    driver_missing_message,
    postgres_argument_spec,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.statements import (
    StatementError,
    StatementRecorder,
)

ARGUMENT_SPEC = dict(
    extensions=dict(
        type="list",
        elements="dict",
        required=True,
        options=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            version=dict(type="str"),
            schema=dict(type="str"),
            cascade=dict(type="bool", default=False),
        ),
    ),
)


def _close(conn):
    try:
        conn.rollback()
    finally:
        conn.close()


def run(module):
    if DRIVER is None:
        module.fail_json(msg=driver_missing_message())
    desired, errors = validate_desired(module.params["extensions"])
    if errors:
        module.fail_json(msg="invalid extensions: %s" % "; ".join(errors), problems=errors, queries=0,
                         statements=[], extensions={})
    conn, facts = connect(module)
    cursor = conn.cursor()
    failure = None
    try:
        state = read_state(cursor, [entry["schema"] for entry in desired if entry.get("schema")])
    except DRIVER.Error as exc:
        failure = "could not read the extension catalog of database %s: %s" % (
            facts["database"], DRIVER.error_message(exc))
    if failure is not None:
        _close(conn)
        module.fail_json(msg=failure, queries=1, statements=[], extensions={})
    plan = compute_plan(desired, state)
    for warning in plan.warnings:
        module.warn(warning)
    if plan.problems:
        _close(conn)
        module.fail_json(
            msg="%s. Nothing was changed." % " ".join(problem.rstrip(".") + "." for problem in plan.problems).rstrip("."),
            problems=plan.problems,
            queries=1,
            statements=[],
            extensions=plan.before,
        )
    recorder = StatementRecorder(conn)
    record(recorder, plan.actions)
    statements = recorder.statements
    result = dict(
        changed=plan.changed,
        statements=statements,
        extensions=plan.after,
        queries=1,
        server_version_num=state["server_version_num"],
    )
    if module._diff:
        result["diff"] = dict(before=dict(extensions=plan.before), after=dict(extensions=plan.after))
    if module.check_mode or not plan.actions:
        _close(conn)
        module.exit_json(**result)
    try:
        recorder.execute(cursor)
        conn.commit()
    except StatementError as exc:
        failure = "%s. The transaction was rolled back; nothing was changed." % exc.msg.rstrip(".")
    except DRIVER.Error as exc:
        failure = "could not commit the extension changes: %s" % DRIVER.error_message(exc)
    if failure is not None:
        _close(conn)
        result.update(changed=False, extensions=plan.before)
        module.fail_json(msg=failure, **result)
    conn.close()
    module.exit_json(**result)


def main():
    argument_spec = postgres_argument_spec()
    argument_spec.update(ARGUMENT_SPEC)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
