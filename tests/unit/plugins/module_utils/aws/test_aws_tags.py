"""Tag conversion and the set/remove plan, with aws:* tags left alone."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import (
    apply_tag_changes,
    boto3_tag_list_to_dict,
    compare_tags,
    dict_to_boto3_tag_list,
    reserved_tag_errors,
)


def test_tag_list_round_trip_stringifies_values():
    tags = {"team": "orders", "cost-center": 42, "enabled": True}
    as_list = dict_to_boto3_tag_list(tags)
    assert as_list == [{"Key": "cost-center", "Value": "42"}, {"Key": "enabled", "Value": "True"}, {"Key": "team", "Value": "orders"}]
    assert boto3_tag_list_to_dict(as_list) == {"team": "orders", "cost-center": "42", "enabled": "True"}
    assert boto3_tag_list_to_dict(None) == {}


def test_purge_removes_undeclared_but_never_aws_tags():
    current = {"team": "a", "old": "x", "aws:cloudformation:stack-name": "s"}
    to_set, to_remove = compare_tags(current, {"team": "b", "new": "1"}, purge=True)
    assert to_set == {"team": "b", "new": "1"}
    assert to_remove == ["old"]


def test_without_purge_nothing_is_removed():
    to_set, to_remove = compare_tags({"team": "a", "old": "x"}, {"team": "a"}, purge=False)
    assert (to_set, to_remove) == ({}, [])


def test_unmanaged_tags_change_nothing():
    assert compare_tags({"team": "a"}, None, purge=True) == ({}, [])


def test_equal_values_of_other_types_are_not_changes():
    assert compare_tags({"replicas": "2"}, {"replicas": 2}, purge=True) == ({}, [])


def test_desired_aws_keys_are_rejected_with_a_clear_message():
    with pytest.raises(ValueError, match="the key 'aws:owner' starts with 'aws:', which is reserved for AWS"):
        compare_tags({}, {"aws:owner": "me", "team": "a"}, purge=True)
    assert reserved_tag_errors({"AWS:Thing": 1, "ok": 2}) == [
        "tags: the key 'AWS:Thing' starts with 'aws:', which is reserved for AWS; tags with that prefix cannot be set "
        "or removed (use a key without it)"
    ]


def test_apply_tag_changes_gives_the_resulting_tags():
    assert apply_tag_changes({"a": "1", "b": "2"}, {"b": "3", "c": "4"}, ["a"]) == {"b": "3", "c": "4"}
