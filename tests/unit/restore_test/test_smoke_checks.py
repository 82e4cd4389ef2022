"""pg_smoke_test: input checks, and the checks' logic on a recorded cursor."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.smoke_test.checks import SmokeTest, input_problems, split_table


class FakeError(Exception):
    pass


class FakeCursor:
    """Answers queries from a list of (fragment, rows) rules; raises FakeError for a fragment mapped to an exception."""

    def __init__(self, rules):
        self.rules = rules
        self.executed = []
        self.description = None
        self.rows = []

    def execute(self, statement, params=None):
        text = statement if isinstance(statement, str) else repr(statement)
        self.executed.append(text)
        for fragment, rows in self.rules:
            if fragment in text:
                if isinstance(rows, Exception):
                    raise rows
                self.rows, self.description = rows, [("column",)]
                return
        self.rows, self.description = [], None

    def fetchall(self):
        return self.rows


def params(**overrides):
    base = dict(read=True, write=True, write_table=None, write_values=None, point_in_time=None)
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides, text", [
    (dict(write_values={"a": 1}), "write_values: only used with write_table"),
    (dict(write_table="orders", write_values={"a": 1}), "write_table: 'orders' is not schema.table"),
    (dict(write_table="app.orders"), "write_values: required with write_table"),
    (dict(point_in_time=dict(table="a.b.c", time_column="t", time="2026-01-01T00:00:00Z")), "point_in_time.table: 'a.b.c' is not schema.table"),
])
def test_bad_inputs(overrides, text):
    problems = input_problems(params(**overrides))
    assert len(problems) == 1 and text in problems[0], problems


def test_split_table():
    assert split_table("app.orders", "x") == ("app", "orders")
    with pytest.raises(ValueError, match="x: '' is not schema.table"):
        split_table("", "x")


def session(in_recovery=False, read_only="off"):
    return ("current_user::text", [("app_rw", in_recovery, read_only)])


def test_read_only_session_fails_the_write_test_and_stops():
    result = SmokeTest(FakeCursor([session(True, "on")]), FakeError).run(params())
    assert result["passed"] is False and result["failed_checks"] == ["session"]
    assert [check["name"] for check in result["checks"]] == ["session"]
    assert "read-only session" in result["checks"][0]["detail"]


def test_no_readable_table_and_a_refused_insert_fail_and_are_reported():
    rules = [session(), ("has_table_privilege", [("app", "orders", False)]), ("INSERT", FakeError("permission denied for table orders"))]
    result = SmokeTest(FakeCursor(rules), FakeError).run(params(write_table="app.orders", write_values={"customer": "x"}))
    assert result["failed_checks"] == ["read", "write"]
    assert result["not_readable_tables"] == ["app.orders"]
    assert "FakeError: permission denied for table orders" == result["checks"][2]["detail"]


def test_point_in_time_check():
    rules = [session(), ("count(*)", [(1,)]), ("max(", [("2026-11-22 04:00:00+00",)])]
    spec = dict(table="app.events", time_column="created_at", time="2026-11-22T04:00:01Z", expect_last_before="2026-11-22 03:00:00+00")
    result = SmokeTest(FakeCursor(rules), FakeError).run(params(read=False, write=False, point_in_time=spec))
    assert result["failed_checks"] == ["point_in_time"]
    detail = result["checks"][1]["detail"]
    assert "1 rows after the restore time are present" in detail and "the source's is at 2026-11-22 03:00:00+00" in detail
    result = SmokeTest(FakeCursor(rules), FakeError).run(params(read=False, write=False, point_in_time=dict(spec, verify=False)))
    assert result["passed"] is True and result["point_in_time"]["rows_after"] == 1


def test_passing_run_uses_savepoints_and_never_commits():
    rules = [session(), ("has_table_privilege", [("app", "orders", True)]), ("SELECT count(*)", [(1,)]), ("max(", [(None,)])]
    cursor = FakeCursor(rules)
    result = SmokeTest(cursor, FakeError).run(params())
    assert result["passed"] is True and [check["name"] for check in result["checks"]] == ["session", "read", "write"]
    assert not any(statement.strip().upper().startswith(("COMMIT", "END")) for statement in cursor.executed)
    assert sum("SAVEPOINT innovate_smoke_check" in statement for statement in cursor.executed) == 6
