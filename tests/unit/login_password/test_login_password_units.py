"""Input checks of pg_login_password and the login-attempt classification (no server needed)."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.login_password import attempt
from ansible_collections.innovate.aws_postgres.plugins.module_utils.login_password.validation import input_problems
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import PostgresConnectionError


def params(**overrides):
    base = dict(name="app_rw_a", login_user="dbadmin", role_password=None, update_password="on_mismatch", login=None,
                valid_until=None, rejected_passwords=[], terminate_sessions=False, audit=None)
    base.update(overrides)
    return base


def test_good_input_has_no_problems():
    assert input_problems(params(role_password="x" * 32, rejected_passwords=["old"],
                                 audit=dict(table="innovate_audit.login_events", actor="me", reason=None, ticket=None))) == []


@pytest.mark.parametrize("overrides, expected", [
    (dict(name=""), "name: name must not be empty"),
    (dict(name="x" * 64), "63 bytes"),
    (dict(name="rdsadmin"), "'rdsadmin' is a role RDS reserves"),
    (dict(name="dbadmin", login=False), "would lock out login_user 'dbadmin'"),
    (dict(update_password="never"), "update_password: 'never'"),
    (dict(role_password=""), "role_password: an empty password"),
    (dict(role_password="same", rejected_passwords=["same"]), "rejected_passwords: it holds role_password"),
    (dict(rejected_passwords=[""]), "rejected_passwords: empty entries"),
    (dict(audit=dict(table="public.Events")), "audit.table: 'public.Events' is not accepted"),
    (dict(audit=dict(table="a.b", reason="r" * 1001)), "audit.reason: 1001 characters is too long"),
])
def test_bad_input_names_the_option(overrides, expected):
    problems = input_problems(params(**overrides))
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize("message, accepted", [
    ('unable to connect: FATAL:  password authentication failed for user "x"', False),
    ('unable to connect: FATAL:  role "x" is not permitted to log in', False),
])
def test_a_refused_login_is_told_apart(monkeypatch, message, accepted):
    def refuse(_params):
        raise PostgresConnectionError(message)
    monkeypatch.setattr(attempt, "connect", refuse)
    assert attempt.accepts(dict(login_host="h", login_port=5432), "x", "pw") is accepted


def test_a_network_failure_is_not_a_refused_password(monkeypatch):
    def unreachable(_params):
        raise PostgresConnectionError("unable to connect: could not connect to server: Connection refused")
    monkeypatch.setattr(attempt, "connect", unreachable)
    with pytest.raises(attempt.AttemptError, match="Connection refused"):
        attempt.accepts(dict(login_host="h", login_port=5432), "x", "pw")


def test_the_attempt_uses_the_task_connection_but_the_role_and_never_iam(monkeypatch):
    seen = {}

    class Conn:
        def close(self):
            seen["closed"] = True

    def record(params):
        seen.update(params)
        return Conn(), {}
    monkeypatch.setattr(attempt, "connect", record)
    assert attempt.accepts(dict(login_host="db", login_port=5433, login_db="app", sslmode="verify-full", ca_bundle="/ca",
                                connect_timeout=3, login_user="dbadmin", login_password="master", iam_auth=True), "app_rw_b", "new")
    assert (seen["login_user"], seen["login_password"], seen["iam_auth"], seen["login_port"], seen["closed"]) == ("app_rw_b", "new", False, 5433, True)
