#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pg_schema_checksum
short_description: Row counts and deterministic schema and data digests of a PostgreSQL database
version_added: 0.1.0
description:
  - Reads, in one read-only C(REPEATABLE READ) transaction (one consistent snapshot), the tables of the
    chosen schemas and returns per table the exact row count, a digest of its definition and a
    digest of its data, plus digests of sequences, views, functions, enum and domain types and the
    installed extensions, so that a restored copy or a promoted replica can be compared with its source.
  - The schema digest covers columns (name, order, type, nullability, default, identity, generated
    expression, collation), constraints, indexes, triggers, partitioning and row-level security, as
    PostgreSQL's own C(pg_get_*def) functions print them with every name schema-qualified. It does not
    depend on OIDs, attribute numbers or physical storage. Owners and privileges are not included.
  - The data digest does not depend on the physical order of rows. Each row is rendered as text (with
    date, time zone, interval, float, bytea and money output settings fixed for the transaction) and hashed;
    the hashes are combined in primary-key order, or for a table without a primary key in the order
    of the rows' text (all columns).
  - A table with more rows than O(sample_threshold_rows) is sampled deterministically; the result
    states the sampling for each such table (RV(tables) C(sampling), RV(sampling)).
  - Sequence definitions are included; their current values only with O(include_sequence_values=true)
    (a restored copy usually has other values).
  - With O(compare_to) (the registered result of an earlier run, for example on the source database),
    each table is read with the sampling of that result and RV(differences) names, table by table,
    what differs.
  - Never changes anything; the task always reports C(changed=false).
author:
  - Innovate platform team (@innovate-platform)
options:
  schemas:
    description:
      - The schemas to read. Default all schemas except the system ones (C(pg_catalog),
        C(information_schema), C(pg_toast)...) and those created by extensions.
      - A schema that does not exist fails the task with the list of schemas.
    type: list
    elements: str
  exclude_tables:
    description:
      - Tables to leave out, as V(schema.table), for example an audit log that differs by design.
    type: list
    elements: str
    default: []
  include_data:
    description:
      - Read the data to compute data digests. With V(false) only row counts and schema digests are returned.
    type: bool
    default: true
  include_sequence_values:
    description:
      - Include each sequence's C(last_value) in its definition (and so in the schema digest).
    type: bool
    default: false
  sample_threshold_rows:
    description:
      - Tables with more rows than this are sampled. The sampling modulus N is the row count divided by
        this number, rounded up; the digest covers the rows whose key hash (the first 28 bits of the md5 of
        the primary key, or of the whole row without one) modulo N is 0, so about this many rows.
      - At least 1.
    type: int
    default: 100000
  compare_to:
    description:
      - The registered result of an earlier C(pg_schema_checksum) task, for example on the source database.
        Tables are then read with the same sampling as in that result, and RV(differences), RV(matches)
        and RV(summary) report what differs.
    type: dict
extends_documentation_fragment:
  - innovate.aws_postgres.postgres_connection
attributes:
  check_mode:
    support: full
    description: The module only reads; check mode runs the same reads.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
  platform:
    support: full
    platforms: postgres
    description: Runs on the controller (or an execution environment) and connects to the database server.
notes:
  - The connecting role needs C(SELECT) on the tables read (for example membership of C(pg_read_all_data),
    or the RDS master user). Counting and hashing read every row of each table (or of its sample).
  - Digests are comparable between servers of the same PostgreSQL major version. Text renderings of some
    types (and C(pg_get_*def) output) may change between major versions.
seealso:
  - module: innovate.aws_postgres.rds_instance
  - module: innovate.aws_postgres.pg_role_model
"""

EXAMPLES = r"""
- name: Checksum of the source database
  innovate.aws_postgres.pg_schema_checksum:
    login_host: "{{ source_endpoint }}"
    login_user: "{{ master_username }}"
    login_password: "{{ master_password }}"
    login_db: app
    ca_bundle: "{{ lookup('env', 'LOCALENV_CA_BUNDLE') }}"
    exclude_tables: [public.audit_log]
  register: source_checksum

- name: Compare the restored copy with the source
  innovate.aws_postgres.pg_schema_checksum:
    login_host: "{{ restored_endpoint }}"
    login_user: "{{ master_username }}"
    login_password: "{{ master_password }}"
    login_db: app
    ca_bundle: "{{ lookup('env', 'LOCALENV_CA_BUNDLE') }}"
    exclude_tables: [public.audit_log]
    compare_to: "{{ source_checksum }}"
  register: restored_checksum

- name: Fail when the restore differs
  ansible.builtin.assert:
    that: restored_checksum.matches
    fail_msg: "{{ restored_checksum.summary }}"
"""

RETURN = r"""
digest:
  description: The digest of the whole database (schema and data).
  returned: success
  type: str
schema_digest:
  description: The digest of the definitions (tables, sequences, objects, extensions).
  returned: success
  type: str
data_digest:
  description: The digest of the row counts and data digests of every table; V(null) with O(include_data=false).
  returned: success
  type: str
schemas:
  description: The schemas read.
  returned: success
  type: list
  elements: str
tables:
  description: Per table (key V(schema.table)), its row count, digests and how its data was read.
  returned: success
  type: dict
  contains:
    rows:
      description: The exact number of rows.
      type: int
    schema_digest:
      description: The digest of the table's definition.
      type: str
    schema_parts:
      description: Digests of the parts of the definition, C(table), C(columns), C(constraints), C(indexes), C(triggers).
      type: dict
    data_digest:
      description: The digest of the rows (of the sampled rows when C(sampling) is set); V(null) with O(include_data=false).
      type: str
    ordered_by:
      description: The primary key columns the rows are ordered by, or V(all columns (no primary key)).
      type: raw
    sampling:
      description: V(null) when every row was read; otherwise C(modulus), C(rows_read) and C(method) (in words).
      type: dict
row_counts:
  description: The row count of each table, by V(schema.table).
  returned: success
  type: dict
total_rows:
  description: The sum of the row counts.
  returned: success
  type: int
sequences:
  description: Each sequence's definition (type, start, min, max, increment, cycle, cache, owning column, and C(last_value) when asked).
  returned: success
  type: dict
objects:
  description: A digest per view, materialized view, function, procedure, enum and domain type, keyed like V(view public.active_orders).
  returned: success
  type: dict
extensions:
  description: The installed extensions and their versions.
  returned: success
  type: dict
sampling:
  description: C(threshold_rows), C(sampled_tables) and C(notes), one sentence per sampled table saying how it was sampled.
  returned: success
  type: dict
output_settings:
  description: The settings fixed for the transaction so that values render alike on every server.
  returned: success
  type: dict
differences:
  description:
    - With O(compare_to), what differs. C(tables) maps each table that differs to C(rows) (C(this) and C(compare_to)
      counts), C(schema) (the parts that differ, such as V(columns) or V(indexes)) and C(data) (V(true)), as far as
      each differs. C(missing_tables) and C(extra_tables) list tables only in O(compare_to) or only here; C(sequences),
      C(objects) and C(extensions) have C(missing), C(extra) and C(changed) names.
    - Empty when everything matches.
  returned: when O(compare_to) is given
  type: dict
matches:
  description: With O(compare_to), whether nothing differs.
  returned: when O(compare_to) is given
  type: bool
summary:
  description: With O(compare_to), one line per difference.
  returned: when O(compare_to) is given
  type: list
  elements: str
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
from ansible_collections.innovate.aws_postgres.plugins.module_utils.schema_checksum.collect import InputProblem, collect
from ansible_collections.innovate.aws_postgres.plugins.module_utils.schema_checksum.compare import compare, result_problems


def input_problems(params):
    problems = []
    if params["sample_threshold_rows"] < 1:
        problems.append("sample_threshold_rows: %d is not accepted; give a number of rows of at least 1" % params["sample_threshold_rows"])
    for name in params["schemas"] or []:
        if not name or name.startswith("pg_") or name == "information_schema":
            problems.append("schemas: %r is a system schema or empty; give user schemas such as public" % name)
    for name in params["exclude_tables"]:
        if name.count(".") != 1 or not all(name.split(".")):
            problems.append("exclude_tables: %r is not schema.table, for example public.audit_log" % name)
    if params.get("compare_to") is not None:
        problems += result_problems(params["compare_to"])
    return problems


def main():
    spec = postgres_argument_spec()
    spec.update(
        schemas=dict(type="list", elements="str"),
        exclude_tables=dict(type="list", elements="str", default=[]),
        include_data=dict(type="bool", default=True),
        include_sequence_values=dict(type="bool", default=False),
        sample_threshold_rows=dict(type="int", default=100000),
        compare_to=dict(type="dict"),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    if DRIVER is None:
        module.fail_json(msg=driver_missing_message())
    problems = input_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)
    conn, facts = connect(module)
    failure = None
    result = None
    try:
        result = collect(conn.cursor(), module.params, module.params.get("compare_to"))
    except InputProblem as exc:
        failure = str(exc)
    except DRIVER.Error as exc:
        failure = "could not read database %s: %s" % (facts["database"], DRIVER.error_message(exc))
    finally:
        try:
            conn.rollback()
        finally:
            conn.close()
    if failure is not None:
        module.fail_json(msg=failure, problems=[failure])
    result.update(changed=False, server_version_num=facts["server_version_num"])
    if module.params.get("compare_to") is not None:
        differences, summary = compare(result, module.params["compare_to"])
        result.update(differences=differences, matches=not differences, summary=summary)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
