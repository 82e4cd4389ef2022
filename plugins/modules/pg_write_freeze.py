#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pg_write_freeze
short_description: Freeze or re-enable the writes of application roles in a PostgreSQL database, or prove a write
version_added: 0.1.0
description:
  - The DR runbook's "freeze writes" and "re-enable writes" steps, and its "verify writes on the new primary" step.
  - O(state=frozen) makes the O(roles) unable to write in the database O(login_db) - with O(method=read_only) their new
    sessions are read-only (C(ALTER ROLE .. IN DATABASE .. SET default_transaction_read_only = on)); with
    O(method=revoke_connect) they lose CONNECT on the database. Their open sessions are then terminated
    (O(terminate_sessions)).
  - O(state=thawed) undoes it (C(RESET default_transaction_read_only) or C(GRANT CONNECT)).
  - O(state=probe) writes one row into O(probe_table) (created when missing) as the login user and reads it back; it
    fails on a read-only server (a standby), which is the point.
  - C(default_transaction_read_only) is a guard against the application's ordinary writes, not a security boundary - a
    session may still C(SET) it off. O(method=revoke_connect) is stronger but needs CONNECT to be granted to the roles
    themselves (not only through PUBLIC); the module refuses it otherwise.
author:
  - Innovate platform team (@innovate-platform)
options:
  state:
    description: V(frozen), V(thawed) or V(probe) (see the description).
    type: str
    choices: [frozen, thawed, probe]
    required: true
  roles:
    description: The login roles of the application to freeze or thaw. Required with V(frozen) and V(thawed).
    type: list
    elements: str
    default: []
  method:
    description: How writes are frozen (see the description).
    type: str
    choices: [read_only, revoke_connect]
    default: read_only
  terminate_sessions:
    description: With O(state=frozen), terminate the roles' open sessions in the database.
    type: bool
    default: true
  probe_table:
    description: With O(state=probe), the table (V(schema.table)) the probe row is written into.
    type: str
    default: public.dr_write_probe
  probe_label:
    description: With O(state=probe), the label of the probe row (for example the incident id).
    type: str
    default: write probe
extends_documentation_fragment:
  - innovate.aws_postgres.postgres_connection
attributes:
  check_mode:
    support: full
    description: Only reads; the result shows the statements that would run and the sessions that would be terminated.
  diff_mode:
    support: full
    description: The diff shows, per role, whether it is frozen before and after.
  platform:
    support: full
    platforms: posix
    description: Connects to PostgreSQL from the controller.
seealso:
  - module: innovate.aws_postgres.rds_failover
  - module: innovate.aws_postgres.pg_role_model
"""

EXAMPLES = r"""
- name: Freeze the application's writes on the old primary
  innovate.aws_postgres.pg_write_freeze:
    login_host: "{{ db_endpoint_address }}"
    login_user: dbadmin
    login_password: "{{ master.password }}"
    login_db: app
    state: frozen
    roles: [app_rw, app_migrator]

- name: Prove a write on the new primary
  innovate.aws_postgres.pg_write_freeze:
    login_host: "{{ new_writer.endpoint_address }}"
    login_port: "{{ new_writer.endpoint_port }}"
    login_user: dbadmin
    login_password: "{{ master.password }}"
    login_db: app
    state: probe
    probe_label: INC-1234
"""

RETURN = r"""
roles:
  description: Per role - C(role), C(frozen_before), C(frozen_after).
  returned: with O(state=frozen) or O(state=thawed)
  type: list
  elements: dict
statements:
  description: The statements run (or, in check mode, that would run).
  returned: always
  type: list
  elements: str
terminated_sessions:
  description: How many sessions were terminated (in check mode, would be).
  returned: always
  type: int
probe:
  description: The row the probe wrote - C(id), C(label), C(written_at) (ISO 8601).
  returned: with O(state=probe), not in check mode
  type: dict
in_recovery:
  description: Whether the server is a standby (C(pg_is_in_recovery())).
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import (
    DRIVER,
    connect,
    driver_missing_message,
    postgres_argument_spec,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import IdentifierError
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover import freeze


def problems_of(params):
    problems = []
    if params["state"] in ("frozen", "thawed") and not params["roles"]:
        problems.append("roles: give the application login roles to %s (state=%s)" % (
            "freeze" if params["state"] == "frozen" else "thaw", params["state"]))
    table = params["probe_table"] or ""
    if table.count(".") != 1 or not all(table.split(".")):
        problems.append("probe_table: %r is not schema.table, for example public.dr_write_probe" % table)
    return problems


def change_roles(module, cursor, database, result):
    params = module.params
    freezing = params["state"] == "frozen"
    plans = []
    for role in params["roles"]:
        state = freeze.role_state(cursor, role, database)
        if not state["exists"]:
            raise freeze.FreezeError("roles: role %s does not exist in the server of database %s" % (role, database))
        statements = freeze.statements_for(role, database, params["method"], freezing, state)
        plans.append((role, freeze.frozen(state, params["method"]), statements))
    for role, before, statements in plans:
        for statement in statements:
            result["statements"].append(statement.as_string(cursor.connection) if hasattr(statement, "as_string") else str(statement))
            if not module.check_mode:
                cursor.execute(statement)
        result["roles"].append({"role": role, "frozen_before": before, "frozen_after": freezing if not module.check_mode else before})
        if statements:
            result["changed"] = True
    if freezing and params["terminate_sessions"]:
        pids = freeze.sessions(cursor, params["roles"], database)
        result["terminated_sessions"] = len(pids) if module.check_mode else freeze.terminate(cursor, pids)
        if result["terminated_sessions"]:
            result["changed"] = True
    result["diff"] = {"before": dict((r["role"], r["frozen_before"]) for r in result["roles"]),
                      "after": dict((r["role"], freezing) for r in result["roles"])}


def main():
    spec = postgres_argument_spec()
    spec.update(
        state=dict(type="str", required=True, choices=["frozen", "thawed", "probe"]),
        roles=dict(type="list", elements="str", default=[]),
        method=dict(type="str", choices=["read_only", "revoke_connect"], default="read_only"),
        terminate_sessions=dict(type="bool", default=True),
        probe_table=dict(type="str", default="public.dr_write_probe"),
        probe_label=dict(type="str", default="write probe"),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    if DRIVER is None:
        module.fail_json(msg=driver_missing_message())
    problems = problems_of(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    conn, facts = connect(module)
    database = facts["database"]
    result = dict(changed=False, statements=[], roles=[], terminated_sessions=0)
    failure = None
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT pg_is_in_recovery()")
        result["in_recovery"] = bool(cursor.fetchone()[0])
        if result["in_recovery"]:
            failure = "%s is a standby (in recovery): it cannot be written to%s" % (
                database, "" if module.params["state"] == "probe" else ", so its roles cannot be changed; act on the primary")
        elif module.params["state"] == "probe":
            if not module.check_mode:
                result["probe"] = freeze.probe(cursor, module.params["probe_table"], module.params["probe_label"])
            result["changed"] = True
        else:
            change_roles(module, cursor, database, result)
        if failure is None and not module.check_mode:
            conn.commit()
    except (freeze.FreezeError, IdentifierError) as exc:
        failure = str(exc)
    except DRIVER.Error as exc:
        failure = "could not %s in database %s: %s" % (
            "write the probe row" if module.params["state"] == "probe" else "change the roles", database, DRIVER.error_message(exc))
    finally:
        try:
            conn.rollback()
        finally:
            conn.close()
    if failure is not None:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
