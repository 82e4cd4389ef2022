"""Safe response access and snake_case conversion."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import (
    camel_dict_to_snake_dict,
    camel_to_snake,
    get_path,
)

RESPONSE = {"DBParameterGroups": [{"DBParameterGroupName": "app", "DBParameterGroupArn": "arn:1", "Description": None}]}


@pytest.mark.parametrize("path, expected", [
    ("DBParameterGroups.0.DBParameterGroupArn", "arn:1"),
    ("DBParameterGroups.-1.DBParameterGroupName", "app"),
    ("DBParameterGroups.1.DBParameterGroupName", "fallback"),
    ("DBParameterGroups.0.Missing", "fallback"),
    ("DBParameterGroups.0.Description", "fallback"),
    ("DBParameterGroups.name", "fallback"),
    ("DBParameterGroups.0.DBParameterGroupName.deeper", "fallback"),
    ("Marker", "fallback"),
])
def test_get_path_never_raises(path, expected):
    assert get_path(RESPONSE, path, "fallback") == expected


def test_get_path_on_none_and_empty_path():
    assert get_path(None, "A.B") is None
    assert get_path(RESPONSE, "") == RESPONSE


@pytest.mark.parametrize("name, expected", [
    ("DBParameterGroupArn", "db_parameter_group_arn"),
    ("IsModifiable", "is_modifiable"),
    ("ARN", "arn"),
    ("TagList", "tag_list"),
    ("DBInstanceIdentifier", "db_instance_identifier"),
    ("IAMDatabaseAuthenticationEnabled", "iam_database_authentication_enabled"),
    ("Ipv6Address", "ipv6_address"),
    ("already_snake", "already_snake"),
])
def test_camel_to_snake(name, expected):
    assert camel_to_snake(name) == expected


def test_camel_dict_to_snake_dict_recurses_and_keeps_ignored_values():
    data = {"DBParameterGroup": {"DBParameterGroupFamily": "postgres16", "Tags": {"CostCenter": "1"}},
            "Parameters": [{"ParameterName": "work_mem", "ApplyType": "dynamic"}]}
    assert camel_dict_to_snake_dict(data, ignore_keys=("Tags",)) == {
        "db_parameter_group": {"db_parameter_group_family": "postgres16", "tags": {"CostCenter": "1"}},
        "parameters": [{"parameter_name": "work_mem", "apply_type": "dynamic"}],
    }
