"""IAM authentication tokens from botocore's generate_db_auth_token, verified like RDS does."""

import datetime
from unittest import mock

import boto3
import pytest

from localenv.emulator.iam_auth import token as iam_token

REGION = "us-east-1"
PORT = 54321
HOSTS = {"127.0.0.1", "localhost"}
STATIC = iam_token.Credentials("AKIASTATICKEY0000001", "static/secret+key", "123456789012")
TEMPORARY = iam_token.Credentials(
    "ASIATEMPORARYKEY0001",
    "temporary/secret",
    "111111111111",
    session_token="FwoGZXIvYXdzE+session/token==",
    expiration=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1),
)


def it_lookup(access_key_id):
    return {STATIC.access_key_id: STATIC, TEMPORARY.access_key_id: TEMPORARY}.get(access_key_id)


def it_token(credentials=STATIC, user="app_user", host="127.0.0.1", port=PORT, region=REGION, signed_at=None):
    session = boto3.Session(
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
        region_name=region,
    )
    client = session.client("rds")
    if signed_at is None:
        return client.generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user, Region=region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at.replace(tzinfo=None)):
        return client.generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user, Region=region)


def it_verify(token, user="app_user", port=PORT, region=REGION, now=None):
    return iam_token.verify(token, user, HOSTS, port, region, it_lookup, now=now)


def test_token_signed_with_static_keys_is_accepted():
    verified = it_verify(it_token())
    assert verified.user == "app_user"
    assert verified.account_id == "123456789012"
    assert verified.expires_at - verified.signed_at == datetime.timedelta(seconds=900)


def test_token_signed_with_temporary_credentials_is_accepted():
    verified = it_verify(it_token(TEMPORARY))
    assert verified.account_id == "111111111111"
    assert verified.access_key_id == TEMPORARY.access_key_id


def test_user_names_with_spaces_and_unicode_are_signed_and_checked():
    assert it_verify(it_token(user="Grüße user"), user="Grüße user").user == "Grüße user"


@pytest.mark.parametrize(
    "kwargs, verify_kwargs, reason",
    [
        (dict(user="other_user"), {}, "is for database user 'other_user', not 'app_user'"),
        (dict(port=PORT + 1), {}, "not this database"),
        (dict(host="db.example.com"), {}, "not this database"),
        (dict(region="us-west-2"), {}, "signed for region us-west-2"),
        ({}, dict(later=datetime.timedelta(minutes=15, seconds=1)), "expired"),
    ],
)
def test_token_for_another_user_endpoint_region_or_time_is_rejected(kwargs, verify_kwargs, reason):
    token = it_token(**kwargs)
    later = verify_kwargs.pop("later", None)
    if later is not None:
        verify_kwargs["now"] = datetime.datetime.now(datetime.timezone.utc) + later
    with pytest.raises(iam_token.TokenRejected, match=reason):
        it_verify(token, **verify_kwargs)


def test_token_signed_twenty_minutes_ago_is_expired():
    old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
    with pytest.raises(iam_token.TokenRejected, match="expired"):
        it_verify(it_token(signed_at=old))


def test_token_signed_fourteen_minutes_ago_is_still_valid():
    old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=14)
    assert it_verify(it_token(signed_at=old)).user == "app_user"


def test_tampered_signature_is_rejected():
    token = it_token()
    last = token[-1]
    tampered = token[:-1] + ("0" if last != "0" else "1")
    with pytest.raises(iam_token.TokenRejected, match="signature does not match"):
        it_verify(tampered)


def test_altered_user_in_a_signed_token_is_rejected():
    token = it_token(user="app_user").replace("DBUser=app_user", "DBUser=admin")
    with pytest.raises(iam_token.TokenRejected, match="signature does not match"):
        it_verify(token, user="admin")


def test_token_signed_with_a_wrong_secret_key_is_rejected():
    wrong = iam_token.Credentials(STATIC.access_key_id, "not-the-secret", STATIC.account_id)
    with pytest.raises(iam_token.TokenRejected, match="signature does not match"):
        it_verify(it_token(wrong))


def test_unknown_access_key_is_rejected():
    unknown = iam_token.Credentials("AKIAUNKNOWN000000000", "whatever", "123456789012")
    with pytest.raises(iam_token.TokenRejected, match="unknown"):
        it_verify(it_token(unknown))


def test_temporary_key_needs_its_own_session_token():
    stolen = iam_token.Credentials(
        TEMPORARY.access_key_id, TEMPORARY.secret_access_key, TEMPORARY.account_id, session_token="another-token"
    )
    with pytest.raises(iam_token.TokenRejected, match="X-Amz-Security-Token does not belong"):
        it_verify(it_token(stolen))
    without = iam_token.Credentials(TEMPORARY.access_key_id, TEMPORARY.secret_access_key, TEMPORARY.account_id)
    with pytest.raises(iam_token.TokenRejected, match="has no X-Amz-Security-Token"):
        it_verify(it_token(without))


def test_expired_temporary_credentials_are_rejected():
    expired = iam_token.Credentials(
        TEMPORARY.access_key_id,
        TEMPORARY.secret_access_key,
        TEMPORARY.account_id,
        session_token=TEMPORARY.session_token,
        expiration=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1),
    )
    with pytest.raises(iam_token.TokenRejected, match="temporary credentials .* expired"):
        iam_token.verify(it_token(TEMPORARY), "app_user", HOSTS, PORT, REGION, lambda key: expired)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("a password", "not an IAM authentication token"),
        ("127.0.0.1/?Action=connect", "host:port"),
        ("127.0.0.1:5432/?Action=connect&DBUser=x", "lacks"),
        ("127.0.0.1:5432/?Action=connect&Action=connect", "repeats"),
    ],
)
def test_malformed_tokens_are_rejected(text, reason):
    with pytest.raises(iam_token.TokenRejected, match=reason):
        it_verify(text)
