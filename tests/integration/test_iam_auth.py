"""IAM database authentication against the local environment's real PostgreSQL servers.

Logins that are members of rds_iam authenticate with a token from boto3's generate_db_auth_token
(verified by the emulator: signature with the access key's secret, expiry, user, endpoint, IAM
auth enabled on the instance, account); they can never use a password. The lookup
innovate.aws_postgres.rds_iam_token and the modules' iam_auth option log in the same way.
"""

import datetime
from unittest import mock

import psycopg2
import pytest

from ext_instances import create_instance, run_tasks

DATA_ACCOUNT = "111111111111"
IAM_LOGIN = "iam_app_admin"
OTHER_LOGIN = "iam_reporting"
LOGIN_PASSWORD = "Iam-Login-Pass-1"


@pytest.fixture(scope="module")
def iam_instance(localenv):
    instance = create_instance(localenv, "ia", {"rds.force_ssl": "1"})
    for role in (IAM_LOGIN, OTHER_LOGIN):
        instance.query('CREATE ROLE "%s" LOGIN PASSWORD %%s' % role, (LOGIN_PASSWORD,))
        instance.query('GRANT rds_iam TO "%s"' % role)
    instance.query('GRANT CREATE ON DATABASE app TO "%s"' % IAM_LOGIN)
    yield instance
    instance.delete()


def ia_token(instance, user=IAM_LOGIN, port=None, signed_at=None, client=None):
    client = client or instance.localenv.client("rds", region=instance.region)
    kwargs = dict(DBHostname=instance.host, Port=port or instance.port, DBUsername=user, Region=instance.region)
    if signed_at is None:
        return client.generate_db_auth_token(**kwargs)
    with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at):
        return client.generate_db_auth_token(**kwargs)


def ia_last_decision(localenv, user):
    decisions = [d for d in localenv.status()["iam_auth"]["decisions"] if d["user"] == user]
    assert decisions, "the validator saw no bind for %s" % user
    return decisions[-1]


def ia_refused(instance, user, password, reason):
    with pytest.raises(psycopg2.OperationalError, match='authentication failed for user "%s"' % user):
        instance.connect(user=user, password=password)
    if reason is not None:
        decision = ia_last_decision(instance.localenv, user)
        assert decision["accepted"] is False
        assert reason in decision["reason"]


def test_valid_token_logs_in_over_verify_full_tls(iam_instance):
    conn = iam_instance.connect(user=IAM_LOGIN, password=ia_token(iam_instance))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            assert cursor.fetchone() == (IAM_LOGIN, True)
    finally:
        conn.close()
    decision = ia_last_decision(iam_instance.localenv, IAM_LOGIN)
    assert decision["accepted"] is True and decision["db_instance"].endswith("/" + iam_instance.identifier)


def test_expired_token_is_refused(iam_instance):
    signed_at = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=16)
    ia_refused(iam_instance, IAM_LOGIN, ia_token(iam_instance, signed_at=signed_at), "expired")


def test_token_of_another_user_is_refused(iam_instance):
    ia_refused(iam_instance, IAM_LOGIN, ia_token(iam_instance, user=OTHER_LOGIN), "is for database user 'iam_reporting'")


def test_token_for_another_port_is_refused(iam_instance):
    ia_refused(iam_instance, IAM_LOGIN, ia_token(iam_instance, port=iam_instance.port + 1), "not this database")


def test_tampered_signature_is_refused(iam_instance):
    token = ia_token(iam_instance)
    tampered = token[:-1] + ("a" if token[-1] != "a" else "b")
    ia_refused(iam_instance, IAM_LOGIN, tampered, "signature does not match")


def test_rds_iam_members_cannot_use_their_password(iam_instance):
    ia_refused(iam_instance, OTHER_LOGIN, LOGIN_PASSWORD, "not an IAM authentication token")
    iam_instance.query('REVOKE rds_iam FROM "%s"' % OTHER_LOGIN)
    try:
        iam_instance.connect(user=OTHER_LOGIN, password=LOGIN_PASSWORD).close()
    finally:
        iam_instance.query('GRANT rds_iam TO "%s"' % OTHER_LOGIN)
    ia_refused(iam_instance, OTHER_LOGIN, LOGIN_PASSWORD, "not an IAM authentication token")


def test_token_is_refused_when_iam_auth_is_disabled_on_the_instance(localenv):
    instance = create_instance(localenv, "in", {"rds.force_ssl": "1"}, iam=False)
    try:
        instance.query('CREATE ROLE "%s" LOGIN' % IAM_LOGIN)
        instance.query('GRANT rds_iam TO "%s"' % IAM_LOGIN)
        ia_refused(instance, IAM_LOGIN, ia_token(instance), "IAM database authentication is not enabled")
    finally:
        instance.delete()


def test_assumed_role_credentials_of_the_instance_account_are_accepted_others_are_not(localenv, tmp_path):
    instance = create_instance(localenv, "ic", {"rds.force_ssl": "1"}, account_id=DATA_ACCOUNT)
    try:
        instance.query('CREATE ROLE "%s" LOGIN' % IAM_LOGIN)
        instance.query('GRANT rds_iam TO "%s"' % IAM_LOGIN)
        instance.query('GRANT CREATE ON DATABASE app TO "%s"' % IAM_LOGIN)
        data_client = localenv.client("rds", account_id=DATA_ACCOUNT)
        conn = instance.connect(user=IAM_LOGIN, password=ia_token(instance, client=data_client))
        conn.close()
        management_token = ia_token(instance, client=localenv.client("rds"))
        ia_refused(instance, IAM_LOGIN, management_token, "belongs to account 123456789012")

        connection = instance.connection_args(login_user=IAM_LOGIN)
        connection["login_password"] = (
            "{{ lookup('innovate.aws_postgres.rds_iam_token', host=%r, port=%d, user=%r, region='us-east-1',"
            " assume_role_arn='arn:aws:iam::%s:role/InnovateAutomation') }}"
            % (instance.host, instance.port, IAM_LOGIN, DATA_ACCOUNT)
        )
        result = run_tasks(localenv, tmp_path, [{
            "name": "pg_extensions with a token of the data account's role",
            "innovate.aws_postgres.pg_extensions": dict(connection, extensions=[{"name": "pgcrypto"}]),
        }])
        assert not result.get("failed"), result.get("msg")
        assert instance.extensions() == {"pgcrypto": "1.3"}
        assert ia_last_decision(localenv, IAM_LOGIN)["accepted"] is True
    finally:
        instance.delete()


def test_lookup_token_and_iam_auth_option_run_pg_extensions_as_an_iam_login(localenv, iam_instance, tmp_path):
    connection = iam_instance.connection_args(login_user=IAM_LOGIN)
    del connection["login_password"]
    lookup = (
        "{{ lookup('innovate.aws_postgres.rds_iam_token', host=%r, port=%d, user=%r, region='us-east-1') }}"
        % (iam_instance.host, iam_instance.port, IAM_LOGIN)
    )
    created = run_tasks(localenv, tmp_path, [{
        "name": "pg_extensions as an IAM login",
        "innovate.aws_postgres.pg_extensions": dict(connection, login_password=lookup, extensions=[{"name": "pg_trgm"}]),
    }])
    assert not created.get("failed"), created.get("msg")
    assert created["statements"] == ['CREATE EXTENSION "pg_trgm"']
    assert iam_instance.query(
        "SELECT extowner::regrole::text FROM pg_extension WHERE extname = 'pg_trgm'"
    ) == [(IAM_LOGIN,)]
    assert ia_last_decision(localenv, IAM_LOGIN)["accepted"] is True
    assert "X-Amz-Signature" not in created["_output"] and "X-Amz-Signature" not in str(created)

    again = run_tasks(localenv, tmp_path, [{
        "name": "pg_extensions with iam_auth",
        "innovate.aws_postgres.pg_extensions": dict(
            connection, iam_auth=True, iam_region="us-east-1", extensions=[{"name": "pg_trgm"}]
        ),
    }])
    assert not again.get("failed"), again.get("msg")
    assert again["changed"] is False and again["statements"] == []

    refused = run_tasks(localenv, tmp_path, [{
        "name": "pg_extensions with a password",
        "innovate.aws_postgres.pg_extensions": dict(
            connection, login_password=LOGIN_PASSWORD, extensions=[{"name": "pg_trgm"}]
        ),
    }])
    assert refused.get("failed") is True
    assert "LDAP authentication failed" in refused["msg"]
    assert LOGIN_PASSWORD not in refused["_output"]
