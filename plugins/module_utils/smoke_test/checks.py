# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The checks of pg_smoke_test, run in one transaction that is always rolled back."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import ident, literal, sql_text

TEMP_TABLE = "innovate_smoke_test"

USER_TABLES = (
    "SELECT n.nspname, c.relname, has_table_privilege(c.oid, 'SELECT')"
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'"
    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass"
    " AND d.objid = c.oid AND d.deptype = 'e')"
    " ORDER BY 1, 2"
)


def split_table(name, option):
    """("schema", "table") from V(schema.table); ValueError naming the option otherwise."""
    parts = (name or "").split(".")
    if len(parts) != 2 or not all(parts):
        raise ValueError("%s: %r is not schema.table, for example app.orders" % (option, name))
    return parts[0], parts[1]


def input_problems(params):
    problems = []
    if params.get("write_values") and not params.get("write_table"):
        problems.append("write_values: only used with write_table; give write_table too")
    for option in ("write_table",):
        if params.get(option):
            try:
                split_table(params[option], option)
            except ValueError as exc:
                problems.append(str(exc))
    if params.get("write_table") and not params.get("write_values"):
        problems.append("write_values: required with write_table (the columns and values of the row to insert)")
    pitr = params.get("point_in_time")
    if pitr:
        try:
            split_table(pitr.get("table"), "point_in_time.table")
        except ValueError as exc:
            problems.append(str(exc))
    return problems


class SmokeTest:
    """Runs the checks on ``cursor`` and records each with its timing; the caller rolls back."""

    def __init__(self, cursor, driver_error):
        self.cursor = cursor
        self.driver_error = driver_error
        self.checks = []
        self.details = {}

    def query(self, statement, params=None):
        self.cursor.execute(statement, params)
        return self.cursor.fetchall() if self.cursor.description else []

    def run_check(self, name, function):
        started = time.time()
        self.query("SAVEPOINT innovate_smoke_check")
        try:
            passed, detail = function()
            self.query("RELEASE SAVEPOINT innovate_smoke_check")
        except self.driver_error as exc:
            self.query("ROLLBACK TO SAVEPOINT innovate_smoke_check")
            passed, detail = False, "%s: %s" % (type(exc).__name__, str(exc).strip().splitlines()[0] if str(exc).strip() else "")
        self.checks.append(dict(name=name, passed=bool(passed), detail=detail, seconds=round(time.time() - started, 3)))
        return passed

    def session(self, write):
        row = self.query("SELECT current_user::text, pg_is_in_recovery(), current_setting('transaction_read_only')")[0]
        self.details["user"] = row[0]
        if write and (row[1] or row[2] == "on"):
            return False, "%s is in a read-only session (in recovery: %s, transaction_read_only: %s)" % (row[0], row[1], row[2])
        return True, "logged in as %s (in recovery: %s)" % (row[0], row[1])

    def read(self):
        tables = self.query(USER_TABLES)
        readable = ["%s.%s" % (schema, table) for schema, table, allowed in tables if allowed]
        self.details["readable_tables"] = readable
        self.details["not_readable_tables"] = ["%s.%s" % (schema, table) for schema, table, allowed in tables if not allowed]
        for name in readable:
            schema, table = name.split(".", 1)
            self.query(sql_text("SELECT 1 FROM {} LIMIT 1").format(ident(schema, table)))
        if not readable:
            return False, "%s can read none of the %d user tables" % (self.details["user"], len(tables))
        return True, "read %d of %d user tables" % (len(readable), len(tables))

    def write(self, table_name, values):
        if table_name:
            schema, table = split_table(table_name, "write_table")
            target = ident(schema, table)
            columns = sorted(values)
        else:
            target = ident(TEMP_TABLE)
            self.query(sql_text("CREATE TEMPORARY TABLE {} (id integer PRIMARY KEY, note text) ON COMMIT DROP").format(target))
            values, columns = dict(id=1, note="smoke test"), ["id", "note"]
        column_list = sql_text(", ").join(ident(column) for column in columns)
        value_list = sql_text(", ").join(literal(values[column]) for column in columns)
        self.query(sql_text("INSERT INTO {} ({}) VALUES ({})").format(target, column_list, value_list))
        condition = sql_text(" AND ").join(
            sql_text("{}::text = {}::text").format(ident(column), literal(values[column])) for column in columns
        )
        found = self.query(sql_text("SELECT count(*) FROM {} WHERE {}").format(target, condition))[0][0]
        self.query(sql_text("UPDATE {} SET {} = {} WHERE {}").format(target, ident(columns[0]), ident(columns[0]), condition))
        self.query(sql_text("DELETE FROM {} WHERE {}").format(target, condition))
        where = table_name or "a temporary table"
        if found < 1:
            return False, "the row inserted into %s could not be read back" % where
        return True, "inserted, read back, updated and deleted a row in %s (rolled back)" % where

    def point_in_time(self, spec):
        schema, table = split_table(spec["table"], "point_in_time.table")
        column = ident(spec["time_column"])
        target = ident(schema, table)
        self.query("SET LOCAL TimeZone = 'UTC'")
        after = self.query(sql_text("SELECT count(*) FROM {} WHERE {} > {}::timestamptz").format(target, column, literal(spec["time"])))[0][0]
        last = self.query(sql_text("SELECT max({})::text FROM {} WHERE {} <= {}::timestamptz").format(
            column, target, column, literal(spec["time"])))[0][0]
        self.details["point_in_time"] = dict(rows_after=after, last_before=last, time=spec["time"], table=spec["table"])
        if not spec.get("verify", True):
            return True, "%s: %d rows after %s, the last before at %s" % (spec["table"], after, spec["time"], last)
        problems = []
        if after:
            problems.append("%d rows after the restore time are present" % after)
        if spec.get("expect_last_before") and last != spec["expect_last_before"]:
            problems.append("the last row before the restore time is at %s, the source's is at %s" % (last, spec["expect_last_before"]))
        if problems:
            return False, "%s: %s" % (spec["table"], "; ".join(problems))
        return True, "%s: no row after %s; the last row before it (at %s) is present" % (spec["table"], spec["time"], last)

    def run(self, params):
        if not self.run_check("session", lambda: self.session(params["write"])):
            return self.result()
        if params["read"]:
            self.run_check("read", self.read)
        if params["write"]:
            self.run_check("write", lambda: self.write(params.get("write_table"), params.get("write_values") or {}))
        if params.get("point_in_time"):
            self.run_check("point_in_time", lambda: self.point_in_time(params["point_in_time"]))
        return self.result()

    def result(self):
        return dict(self.details, checks=self.checks, passed=all(check["passed"] for check in self.checks),
                    failed_checks=[check["name"] for check in self.checks if not check["passed"]])
