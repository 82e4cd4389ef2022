"""Assumed-role credentials shared between the module runs of one playbook run."""

import datetime
import os
import stat

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws import connection, credential_cache
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.connection import AwsSession

ROLE = "arn:aws:iam::111111111111:role/InnovateAutomation"
OTHER_ROLE = "arn:aws:iam::222222222222:role/InnovateAutomation"


@pytest.fixture(name="shared_dir")
def shared_dir_fixture(tmp_path, monkeypatch):
    directory = tmp_path / "credentials"
    directory.mkdir(mode=0o700)
    monkeypatch.setitem(connection._SHARED, "credential_cache_dir", str(directory))
    return directory


def assume_role_calls(session):
    calls = []
    session.base_session.events.register("before-call.sts.AssumeRole", lambda **kwargs: calls.append(1))
    return calls


def test_a_second_session_reuses_the_role_the_first_assumed(aws_env, connection_params, shared_dir):
    first = AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=ROLE))
    first_calls = assume_role_calls(first)
    assert first.client("sts").get_caller_identity()["Account"] == "111111111111"
    second = AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=ROLE))
    second_calls = assume_role_calls(second)
    assert second.client("sts").get_caller_identity()["Account"] == "111111111111"
    assert (len(first_calls), len(second_calls)) == (1, 0)
    assert second.assumed_role_user == first.assumed_role_user
    entries = list(shared_dir.iterdir())
    assert len(entries) == 1
    assert stat.S_IMODE(os.stat(entries[0]).st_mode) == 0o600
    assert "testing" not in entries[0].read_text()  # the base secret key is never stored


def test_another_role_or_external_id_is_assumed_again(aws_env, connection_params, shared_dir):
    AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=ROLE)).client("sts").get_caller_identity()
    other = AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=OTHER_ROLE))
    assert other.client("sts").get_caller_identity()["Account"] == "222222222222"
    with_id = AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=ROLE, external_id="x-1"))
    calls = assume_role_calls(with_id)
    with_id.client("sts").get_caller_identity()
    assert calls == [1]
    assert len(list(shared_dir.iterdir())) == 3


def test_credentials_close_to_expiry_are_not_reused(aws_env, connection_params, shared_dir):
    AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=ROLE)).client("sts").get_caller_identity()
    entry = next(shared_dir.iterdir())
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=4)).isoformat()
    text = entry.read_text()
    start = text.index('"Expiration": "') + len('"Expiration": "')
    entry.write_text(text[:start] + soon + text[text.index('"', start):])
    assert credential_cache.load(str(shared_dir), entry.stem) is None
    again = AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=ROLE))
    calls = assume_role_calls(again)
    again.client("sts").get_caller_identity()
    assert calls == [1]


def test_a_damaged_entry_is_ignored(aws_env, connection_params, shared_dir):
    AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=ROLE)).client("sts").get_caller_identity()
    next(shared_dir.iterdir()).write_text("{not json")
    session = AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=ROLE))
    assert session.client("sts").get_caller_identity()["Account"] == "111111111111"


def test_without_a_shared_directory_every_session_assumes_the_role(aws_env, connection_params, monkeypatch):
    monkeypatch.delitem(connection._SHARED, "credential_cache_dir", raising=False)
    for _attempt in range(2):
        session = AwsSession(connection_params(endpoint_url=aws_env, assume_role_arn=ROLE))
        calls = assume_role_calls(session)
        session.client("sts").get_caller_identity()
        assert calls == [1]


def test_warm_loads_models_into_the_shared_loader():
    connection.warm(("sts", "rds"))
    loader = connection.shared_loader()
    assert loader.load_service_model("rds", "service-2") is loader.load_service_model("rds", "service-2")
    assert {"sts", "rds"} <= connection._SHARED["warm"]
