# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import urllib.parse

import boto3
import pytest
from ansible.errors import AnsibleLookupError

try:
    from unittest import mock
except ImportError:  # pragma: no cover
    import mock

from ansible_collections.innovate.aws_postgres.plugins.lookup.rds_iam_token import generate_tokens

FROZEN = datetime.datetime(2026, 1, 2, 3, 4, 5)
KEYS = dict(access_key="AKIAEXAMPLEKEY000001", secret_key="example/secret+key")


def it_options(**overrides):
    options = dict(host="db.example.com", port=5432, user=None, region="eu-west-1", profile=None, access_key=None,
                   secret_key=None, session_token=None, assume_role_arn=None, external_id=None,
                   role_session_name=None, endpoint_url=None)
    options.update(KEYS)
    options.update(overrides)
    return options


def it_reference(user, host="db.example.com", port=5432, region="eu-west-1", session_token=None):
    client = boto3.Session(aws_access_key_id=KEYS["access_key"], aws_secret_access_key=KEYS["secret_key"],
                           aws_session_token=session_token, region_name=region).client("rds")
    with mock.patch("botocore.auth.get_current_datetime", return_value=FROZEN):
        return client.generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user, Region=region)


def it_generate(options, users):
    with mock.patch("botocore.auth.get_current_datetime", return_value=FROZEN):
        return generate_tokens(options, users)


def test_token_is_what_boto3_signs_for_the_same_endpoint_user_region_and_keys():
    tokens = it_generate(it_options(port=6543), ["app_admin"])
    assert tokens == [it_reference("app_admin", port=6543)]
    query = dict(urllib.parse.parse_qsl(tokens[0].split("/?", 1)[1]))
    assert tokens[0].startswith("db.example.com:6543/?Action=connect&DBUser=app_admin&")
    assert query["X-Amz-Credential"] == "AKIAEXAMPLEKEY000001/20260102/eu-west-1/rds-db/aws4_request"
    assert query["X-Amz-Expires"] == "900"
    assert len(query["X-Amz-Signature"]) == 64


def test_one_token_per_user_and_they_differ():
    tokens = it_generate(it_options(), ["reader", "writer"])
    assert tokens == [it_reference("reader"), it_reference("writer")]
    assert tokens[0] != tokens[1]


def test_session_token_is_signed_into_the_token():
    tokens = it_generate(it_options(session_token="FwoGZXIvYXdzE/session+token=="), ["app"])
    assert tokens == [it_reference("app", session_token="FwoGZXIvYXdzE/session+token==")]
    assert "X-Amz-Security-Token=FwoGZXIvYXdzE%2Fsession%2Btoken%3D%3D" in tokens[0]


def test_another_secret_gives_another_signature():
    other = it_generate(it_options(secret_key="another-secret"), ["app"])
    assert other != [it_reference("app")]


@pytest.mark.parametrize(
    "overrides, users, message",
    [
        (dict(host=None), ["app"], "host is required"),
        ({}, [], "give the database user"),
        (dict(port=70000), ["app"], "not a valid TCP port"),
        (dict(secret_key=None), ["app"], "access_key and secret_key must be given together"),
    ],
)
def test_bad_options_fail_with_a_clear_message(overrides, users, message):
    with pytest.raises(AnsibleLookupError, match=message):
        generate_tokens(it_options(**overrides), users)


def test_missing_region_fails_clearly(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    with pytest.raises(AnsibleLookupError, match="no region"):
        generate_tokens(it_options(region=None), ["app"])
