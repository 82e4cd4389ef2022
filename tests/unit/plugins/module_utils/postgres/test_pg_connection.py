# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import re
import subprocess
import sys
import textwrap
import traceback

import psycopg2.extensions
import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.testing import patch_module_args

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import (
    POSTGRES_CONNECTION_ARGUMENT_SPEC,
    PostgresConnectionError,
    connect,
    generate_iam_token,
    postgres_argument_spec,
)

COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", ".collections"))
PKG = "ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres"


def _connect_error(params, **kwargs):
    with pytest.raises(PostgresConnectionError) as err:
        connect(params, **kwargs)
    return str(err.value)


def test_verify_full_connects_and_reports_server_facts(pg):
    conn, facts = connect(pg.params())
    try:
        assert 150000 <= facts["server_version_num"] < 160000
        assert facts["server_version"].startswith("15.")
        assert facts["current_user"] == "postgres"
        assert facts["database"] == "postgres"
        assert facts["is_superuser"] is True
        assert facts["ssl"] is True
        assert facts["ssl_version"].startswith("TLSv1.")
        assert facts["driver"] == "psycopg2"
        cursor = conn.cursor()
        cursor.execute("SELECT current_setting('application_name'), ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        assert cursor.fetchone() == ("innovate.aws_postgres", True)
    finally:
        conn.close()


def test_connection_is_transactional_unless_autocommit(pg):
    conn, _facts = connect(pg.params())
    auto, _facts = connect(pg.params(), autocommit=True)
    try:
        assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE
        conn.cursor().execute("SELECT 1")
        assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS
        auto.cursor().execute("SELECT 1")
        assert auto.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE
    finally:
        conn.close()
        auto.close()


def test_missing_options_take_the_argument_spec_defaults(pg):
    params = pg.params()
    del params["login_db"]
    del params["login_user"]
    conn, facts = connect(dict(params, sslmode=None))
    conn.close()
    assert (facts["database"], facts["current_user"], facts["ssl"]) == ("postgres", "postgres", True)


def test_wrong_ca_fails_cleanly_naming_the_target(pg):
    msg = _connect_error(pg.params(ca_bundle=pg.wrong_ca_file))
    assert msg.startswith("unable to connect to PostgreSQL as postgres@127.0.0.1:%d/postgres (sslmode=verify-full)" % pg.port)
    assert "certificate verify failed" in msg
    assert pg.password not in msg
    assert "Traceback" not in msg


def test_verify_full_checks_the_host_name_and_verify_ca_does_not(pg):
    # The server certificate names only the IP address 127.0.0.1, not "localhost".
    msg = _connect_error(pg.params(login_host="localhost"))
    assert "postgres@localhost:%d/postgres (sslmode=verify-full)" % pg.port in msg
    assert 'does not match host name "localhost"' in msg
    conn, facts = connect(pg.params(login_host="localhost", sslmode="verify-ca"))
    conn.close()
    assert facts["ssl"] is True


def test_sslmode_disable_is_refused_by_hostssl_only_server(pg):
    msg = _connect_error(pg.params(sslmode="disable"))
    assert "(sslmode=disable)" in msg
    assert "no pg_hba.conf entry" in msg
    assert "no encryption" in msg
    assert pg.password not in msg


def test_wrong_password_is_never_echoed(pg):
    wrong = "Wrong-" + pg.password[::-1]
    with pytest.raises(PostgresConnectionError) as err:
        connect(pg.params(login_password=wrong))
    msg = str(err.value)
    assert 'password authentication failed for user "postgres"' in msg
    assert err.value.__context__ is None
    full = "".join(traceback.format_exception(err.type, err.value, err.tb))
    assert wrong not in full
    assert pg.password not in full


def test_missing_ca_bundle_file_is_refused_before_connecting(pg, tmp_path):
    missing = str(tmp_path / "nope.pem")
    msg = _connect_error(pg.params(ca_bundle=missing))
    assert msg == "ca_bundle=%s does not exist or is not a file" % missing


def test_module_failure_is_json_with_target_and_without_password(pg, capsys):
    args = dict(
        host=pg.host,
        port=pg.port,
        db="postgres",
        user="postgres",
        password=pg.password,
        ca_cert=pg.wrong_ca_file,
    )
    with patch_module_args(args):
        module = AnsibleModule(argument_spec=postgres_argument_spec(), supports_check_mode=True)
        with pytest.raises(SystemExit) as exit_info:
            connect(module)
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    result = json.loads(out)
    assert result["failed"] is True
    assert "certificate verify failed" in result["msg"]
    assert result["connection"] == dict(
        host=pg.host, port=pg.port, database="postgres", user="postgres", sslmode="verify-full", iam_auth=False
    )
    assert pg.password not in out


def test_argument_spec_defaults_aliases_and_no_log():
    result = ArgumentSpecValidator(POSTGRES_CONNECTION_ARGUMENT_SPEC).validate(
        dict(host="db.example.com", sslrootcert="/etc/ca.pem", password="hunter2-secret")
    )
    assert result.errors.errors == []
    params = result.validated_parameters
    assert params["login_host"] == "db.example.com"
    assert params["ca_bundle"] == "/etc/ca.pem"
    assert params["login_port"] == 5432
    assert params["login_db"] == "postgres"
    assert params["login_user"] == "postgres"
    assert params["sslmode"] == "verify-full"
    assert params["connect_timeout"] == 10
    assert params["application_name"] == "innovate.aws_postgres"
    assert params["iam_auth"] is False
    assert "hunter2-secret" in result._no_log_values


def test_argument_spec_rejects_unknown_sslmode():
    result = ArgumentSpecValidator(POSTGRES_CONNECTION_ARGUMENT_SPEC).validate(dict(sslmode="verify"))
    messages = " ".join(str(err) for err in result.errors.errors)
    assert "sslmode" in messages and "verify-full" in messages


def test_postgres_argument_spec_is_a_copy():
    spec = postgres_argument_spec()
    spec["login_port"]["default"] = 1
    assert POSTGRES_CONNECTION_ARGUMENT_SPEC["login_port"]["default"] == 5432


def test_iam_auth_and_password_are_mutually_exclusive(pg):
    msg = _connect_error(pg.params(iam_auth=True))
    assert msg.startswith("login_password and iam_auth are mutually exclusive")
    assert pg.password not in msg


def test_iam_auth_requires_tls(pg):
    msg = _connect_error(pg.params(login_password=None, iam_auth=True, sslmode="prefer"))
    assert msg == "iam_auth requires TLS: sslmode=prefer is not allowed, use one of require, verify-ca, verify-full"


@pytest.fixture
def fake_aws(monkeypatch, tmp_path):
    """Fixed fake credentials and region, and no shared AWS config from the machine."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def _token_query(token):
    assert "://" not in token
    host_port, query = token.split("/?", 1)
    pairs = [pair.split("=", 1) for pair in query.split("&")]
    return host_port, pairs


def test_iam_token_has_the_rds_connect_shape(fake_aws):
    host = "orders.abc123xyz.eu-west-1.rds.amazonaws.com"
    token = generate_iam_token(dict(login_host=host, login_port=5432, login_user="app_user", iam_auth=True))
    host_port, pairs = _token_query(token)
    assert host_port == host + ":5432"
    assert pairs[:2] == [["Action", "connect"], ["DBUser", "app_user"]]
    query = dict(pairs)
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Credential"] == "testing%2F{0}%2Feu-west-1%2Frds-db%2Faws4_request".format(today)
    assert re.match(r"^%sT\d{6}Z$" % today, query["X-Amz-Date"])
    assert query["X-Amz-Expires"] == "900"
    assert query["X-Amz-SignedHeaders"] == "host"
    assert re.match(r"^[0-9a-f]{64}$", query["X-Amz-Signature"])


def test_iam_region_option_wins_over_the_environment(fake_aws):
    token = generate_iam_token(
        dict(login_host="db.example.com", login_port=6432, login_user="u", iam_region="us-east-2")
    )
    assert token.startswith("db.example.com:6432/?Action=connect&DBUser=u&")
    assert "%2Fus-east-2%2Frds-db%2Faws4_request" in token


def test_iam_profile_selects_the_signing_credentials(fake_aws):
    (fake_aws / "aws-credentials").write_text(
        "[dbadmin]\naws_access_key_id = AKIDPROFILEEXAMPLE\naws_secret_access_key = profile-secret\n"
    )
    token = generate_iam_token(dict(login_host="db.example.com", login_user="u", iam_profile="dbadmin"))
    assert "X-Amz-Credential=AKIDPROFILEEXAMPLE%2F" in token


def test_iam_unknown_profile_fails_cleanly(fake_aws):
    with pytest.raises(PostgresConnectionError) as err:
        generate_iam_token(dict(login_host="db.example.com", login_user="u", iam_profile="nosuchprofile"))
    assert str(err.value).startswith("could not generate an IAM authentication token for u@db.example.com:5432/postgres")
    assert "nosuchprofile" in str(err.value)


def test_iam_token_needs_a_region(fake_aws, monkeypatch):
    monkeypatch.delenv("AWS_REGION")
    with pytest.raises(PostgresConnectionError) as err:
        generate_iam_token(dict(login_host="db.example.com", login_user="u"))
    assert "set iam_region or AWS_REGION / AWS_DEFAULT_REGION" in str(err.value)


def test_iam_token_needs_a_host(fake_aws):
    with pytest.raises(PostgresConnectionError) as err:
        generate_iam_token(dict(login_user="u"))
    assert str(err.value).startswith("iam_auth requires login_host")


def test_iam_login_failure_does_not_reveal_the_token(pg, fake_aws):
    # The test server has no IAM validator, so the (real, signed) token is refused as a password.
    msg = _connect_error(pg.params(login_password=None, iam_auth=True, login_user="iam_app"))
    assert 'password authentication failed for user "iam_app"' in msg
    assert "X-Amz-Signature" not in msg
    assert "Action=connect" not in msg


def _run_python(script, *args):
    env = dict(os.environ, PYTHONPATH=COLLECTIONS_ROOT)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)] + list(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        check=False,
    )
    return result


PSYCOPG3_SCRIPT = """
    import json, sys
    sys.modules["psycopg2"] = None  # as if psycopg2 were not installed
    from {pkg} import catalog
    from {pkg}.connection import PostgresConnectionError, connect
    from {pkg}.quoting import ident, sql
    from {pkg}.statements import Secret, StatementRecorder

    params, role, password = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
    out = {{}}
    conn, facts = connect(params)
    out["facts"] = facts
    out["sql_module"] = sql.__name__
    recorder = StatementRecorder(conn)
    recorder.add(sql.SQL("CREATE ROLE {{}} LOGIN PASSWORD {{}}").format(ident(role), sql.Literal(Secret(password))))
    recorder.add(sql.SQL("COMMENT ON ROLE {{}} IS %s").format(ident(role)), params=["made with psycopg 3"])
    out["statements"] = recorder.statements
    cursor = conn.cursor()
    recorder.execute(cursor)
    conn.commit()
    out["role"] = catalog.get_role(cursor, role)
    cursor.execute("SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = %s", (role,))
    out["comment"] = cursor.fetchone()[0]
    conn.close()
    login, login_facts = connect(dict(params, login_user=role, login_password=password))
    login.close()
    out["login_user"] = login_facts["current_user"]
    try:
        connect(dict(params, ca_bundle=sys.argv[4]))
    except PostgresConnectionError as exc:
        out["wrong_ca"] = str(exc)
    print(json.dumps(out))
"""


def test_psycopg3_is_used_when_psycopg2_is_missing(pg, new_role):
    role = new_role("Psycopg3 \"role\"")
    password = "p3-" + pg.password
    result = _run_python(
        PSYCOPG3_SCRIPT.format(pkg=PKG), json.dumps(pg.params()), role, password, pg.wrong_ca_file
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["facts"]["driver"] == "psycopg"
    assert out["facts"]["ssl"] is True
    assert out["sql_module"] == "psycopg.sql"
    quoted = '"%s"' % role.replace('"', '""')
    assert out["statements"] == [
        "CREATE ROLE %s LOGIN PASSWORD '********'" % quoted,
        "COMMENT ON ROLE %s IS 'made with psycopg 3'" % quoted,
    ]
    assert out["role"]["name"] == role and out["role"]["login"] is True
    assert out["comment"] == "made with psycopg 3"
    assert out["login_user"] == role
    assert "certificate verify failed" in out["wrong_ca"]
    assert pg.password not in result.stdout.replace(password, "")


MISSING_DRIVERS_SCRIPT = """
    import json, sys
    sys.modules["psycopg2"] = None
    sys.modules["psycopg"] = None
    from ansible.module_utils.basic import AnsibleModule
    from ansible.module_utils.testing import patch_module_args
    from {pkg}.connection import connect, postgres_argument_spec
    from {pkg}.quoting import DriverMissingError, ident
    try:
        ident("x")
    except DriverMissingError as exc:
        sys.stderr.write("ident: %s\\n" % exc)
    with patch_module_args(dict(login_host="127.0.0.1", login_password="secret-never-shown")):
        module = AnsibleModule(argument_spec=postgres_argument_spec())
        connect(module)
"""


def test_missing_drivers_fail_with_missing_required_lib():
    result = _run_python(MISSING_DRIVERS_SCRIPT.format(pkg=PKG))
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["failed"] is True
    assert out["msg"].startswith("Failed to import the required Python library (psycopg2 (or psycopg 3))")
    assert "secret-never-shown" not in result.stdout
    assert "ident: Failed to import the required Python library (psycopg2 (or psycopg 3))" in result.stderr
