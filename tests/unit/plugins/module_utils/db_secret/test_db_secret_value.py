"""Merging the task into a connection secret's JSON value, and redaction."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.db_secret.value import (
    REDACTED,
    REDACTED_CHANGED,
    auth_of,
    merge_value,
    parse_value,
    public_keys,
    redacted,
)

STORED = {"engine": "postgres", "host": "old.example", "port": 5432, "dbname": "orders", "username": "app", "password": "s3cret",
          "dbClusterIdentifier": "orders"}


def params(**overrides):
    base = dict(engine=None, host=None, port=None, dbname=None, username=None, password=None, auth=None,
                update_password="always", purge_keys=False)
    base.update(overrides)
    return base


def test_a_new_secret_gets_the_default_port():
    value, changed = merge_value(None, params(host="h", username="u", password="p"), created=True)
    assert value == {"engine": "postgres", "host": "h", "port": 5432, "username": "u", "password": "p"}
    assert changed is True


def test_an_existing_engine_is_kept_unless_given():
    aurora = dict(STORED, engine="aurora-postgresql")
    assert merge_value(aurora, params(host="h2"), created=False)[0]["engine"] == "aurora-postgresql"
    assert merge_value(aurora, params(engine="postgres"), created=False)[0]["engine"] == "postgres"


def test_host_only_update_keeps_every_other_key():
    value, changed = merge_value(STORED, params(host="new.example"), created=False)
    assert value == dict(STORED, host="new.example")
    assert changed is False


def test_purge_keys_drops_keys_outside_the_connection_shape_only():
    value, _changed = merge_value(STORED, params(purge_keys=True), created=False)
    assert "dbClusterIdentifier" not in value
    assert value["password"] == "s3cret" and value["host"] == "old.example"


@pytest.mark.parametrize("update_password, expected, changed", [("always", "n3w", True), ("on_create", "s3cret", False)])
def test_update_password(update_password, expected, changed):
    value, password_changed = merge_value(STORED, params(password="n3w", update_password=update_password), created=False)
    assert value["password"] == expected and password_changed is changed


def test_same_password_is_no_change():
    assert merge_value(STORED, params(password="s3cret"), created=False) == (dict(STORED), False)


def test_on_create_still_sets_a_password_on_a_secret_that_has_none():
    iam = {"engine": "postgres", "host": "h", "username": "u", "iam": True}
    value, changed = merge_value(iam, params(password="p", update_password="on_create", auth="password"), created=False)
    assert value["password"] == "p" and "iam" not in value and changed is True


def test_iam_auth_replaces_the_password_with_the_marker():
    value, changed = merge_value(STORED, params(auth="iam"), created=False)
    assert "password" not in value and value["iam"] is True and changed is False
    assert auth_of(value) == "iam" and auth_of(STORED) == "password" and auth_of({}) is None


def test_redaction_never_shows_the_password():
    assert "s3cret" not in str(redacted(STORED)) and "s3cret" not in str(public_keys(STORED))
    assert redacted(STORED)["password"] == REDACTED
    assert redacted(STORED, changed=True)["password"] == REDACTED_CHANGED
    assert "password" not in public_keys(STORED)
    assert redacted({"host": "h", "iam": True}) == {"host": "h", "iam": True}


def test_parse_value_accepts_json_objects_only():
    assert parse_value('{"a": 1}') == {"a": 1}
    assert parse_value("plain text") is None and parse_value("[1]") is None and parse_value(None) is None


def test_on_create_keeps_the_user_a_rotation_switched_to_with_its_password():
    rotated = dict(STORED, username="app_b", password="r0tated")
    value, changed = merge_value(rotated, params(username="app", password="n3w", update_password="on_create", host="h2"), created=False)
    assert (value["username"], value["password"], value["host"], changed) == ("app_b", "r0tated", "h2", False)


def test_always_sets_the_user_and_password_given():
    rotated = dict(STORED, username="app_b", password="r0tated")
    value, changed = merge_value(rotated, params(username="app", password="n3w", update_password="always"), created=False)
    assert (value["username"], value["password"], changed) == ("app", "n3w", True)
