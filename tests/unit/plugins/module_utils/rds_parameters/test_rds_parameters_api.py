"""The scope table names real boto3 operations and response keys of both parameter group kinds."""

import boto3
import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.api import (
    MAX_PARAMETERS_PER_CALL,
    SCOPES,
    batches,
)

RDS = boto3.client("rds", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
MODEL = RDS.meta.service_model


def operation(method_name):
    return MODEL.operation_model(RDS.meta.method_to_api_mapping[method_name])


@pytest.mark.parametrize("scope", sorted(SCOPES))
def test_every_operation_exists_and_takes_the_group_name(scope):
    table = SCOPES[scope]
    for method in (table.describe_groups, table.describe_parameters, table.create, table.modify, table.reset, table.delete):
        assert hasattr(RDS, method), method
        assert table.name_key in operation(method).input_shape.members, method
    assert "DBParameterGroupFamily" in operation(table.describe_engine_defaults).input_shape.members


@pytest.mark.parametrize("scope", sorted(SCOPES))
def test_response_keys_exist_in_the_output_shapes(scope):
    table = SCOPES[scope]
    described = operation(table.describe_groups).output_shape.members[table.groups_key].member
    assert table.arn_key in described.members and table.name_key in described.members
    created = operation(table.create).output_shape.members[table.created_key]
    assert table.arn_key in created.members
    assert "Parameters" in operation(table.describe_parameters).output_shape.members
    assert "Source" in operation(table.describe_parameters).input_shape.members


@pytest.mark.parametrize("scope", sorted(SCOPES))
def test_paginated_reads_have_botocore_paginators(scope):
    table = SCOPES[scope]
    assert RDS.can_paginate(table.describe_parameters)
    assert RDS.can_paginate(table.describe_engine_defaults)


def test_scopes_use_their_own_apis():
    assert SCOPES["instance"].modify == "modify_db_parameter_group"
    assert SCOPES["cluster"].modify == "modify_db_cluster_parameter_group"
    assert SCOPES["cluster"].describe_engine_defaults == "describe_engine_default_cluster_parameters"


def test_batches_hold_at_most_twenty():
    sizes = [len(batch) for batch in batches(range(45))]
    assert MAX_PARAMETERS_PER_CALL == 20
    assert sizes == [20, 20, 5]
    assert batches([]) == []
    assert [item for batch in batches(range(45)) for item in batch] == list(range(45))
