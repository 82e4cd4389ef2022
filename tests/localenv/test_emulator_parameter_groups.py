"""Parameter groups over boto3 against the real daemon: describe, paging, validation, errors."""

import botocore.exceptions
import pytest

from localenv import catalogue


def _error(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], \
        response["ResponseMetadata"]["HTTPStatusCode"]


def _error_code(call, **kwargs):
    return _error(call, **kwargs)[0]


@pytest.fixture
def emu_group(emu_rds, emu_name):
    emu_rds.create_db_parameter_group(DBParameterGroupName=emu_name,
                                      DBParameterGroupFamily="postgres15", Description="test")
    return emu_name


def _modify(rds, group, *params):
    return rds.modify_db_parameter_group(
        DBParameterGroupName=group,
        Parameters=[{"ParameterName": n, "ParameterValue": v, "ApplyMethod": m}
                    for n, v, m in params])


def test_describe_returns_whole_catalogue_with_paging(emu_rds, emu_group):
    paginator = emu_rds.get_paginator("describe_db_parameters")
    pages = list(paginator.paginate(DBParameterGroupName=emu_group,
                                    PaginationConfig={"PageSize": 20}))
    names = [p["ParameterName"] for page in pages for p in page["Parameters"]]
    assert len(names) == len(catalogue.parameters("postgres15"))
    assert len(set(names)) == len(names)
    assert len(pages) == -(-len(names) // 20)
    first = emu_rds.describe_db_parameters(DBParameterGroupName=emu_group)
    assert len(first["Parameters"]) == 100 and first["Marker"]
    work_mem = next(p for page in pages for p in page["Parameters"]
                    if p["ParameterName"] == "work_mem")
    assert work_mem["Source"] == "engine-default"
    assert work_mem["DataType"] == "integer" and work_mem["ApplyType"] == "dynamic"
    assert work_mem["AllowedValues"] == "64-2147483647"


def test_max_records_bounds(emu_rds, emu_group):
    code, message, status = _error(emu_rds.describe_db_parameters,
                                   DBParameterGroupName=emu_group, MaxRecords=5)
    assert (code, status) == ("InvalidParameterValue", 400)
    assert "MaxRecords" in message


def test_modify_then_filter_by_source(emu_rds, emu_group):
    _modify(emu_rds, emu_group, ("work_mem", "8192", "immediate"),
            ("shared_preload_libraries", "pg_stat_statements,pgaudit", "pending-reboot"))
    user = emu_rds.describe_db_parameters(DBParameterGroupName=emu_group,
                                          Source="user")["Parameters"]
    assert {p["ParameterName"]: (p["ParameterValue"], p["ApplyMethod"]) for p in user} == {
        "work_mem": ("8192", "immediate"),
        "shared_preload_libraries": ("pg_stat_statements,pgaudit", "pending-reboot")}
    system = emu_rds.describe_db_parameters(DBParameterGroupName=emu_group,
                                            Source="system")["Parameters"]
    assert "port" in {p["ParameterName"] for p in system}
    assert all(p["Source"] == "system" for p in system)
    defaults = [p for page in emu_rds.get_paginator("describe_db_parameters").paginate(
        DBParameterGroupName=emu_group, Source="engine-default") for p in page["Parameters"]]
    assert "work_mem" not in {p["ParameterName"] for p in defaults}
    assert all(p["Source"] == "engine-default" for p in defaults)


def test_reset_named_and_all(emu_rds, emu_group):
    _modify(emu_rds, emu_group, ("work_mem", "8192", "immediate"),
            ("max_connections", "200", "pending-reboot"))
    emu_rds.reset_db_parameter_group(
        DBParameterGroupName=emu_group,
        Parameters=[{"ParameterName": "work_mem", "ApplyMethod": "immediate"}])
    user = emu_rds.describe_db_parameters(DBParameterGroupName=emu_group, Source="user")
    assert [p["ParameterName"] for p in user["Parameters"]] == ["max_connections"]
    emu_rds.reset_db_parameter_group(DBParameterGroupName=emu_group, ResetAllParameters=True)
    user = emu_rds.describe_db_parameters(DBParameterGroupName=emu_group, Source="user")
    assert user["Parameters"] == []


@pytest.mark.parametrize("params, code, text", [
    ([("no_such_setting", "1", "immediate")], "InvalidParameterValue",
     "Could not find parameter with name: no_such_setting"),
    ([("port", "5433", "pending-reboot")], "InvalidParameterValue", "cannot be modified"),
    ([("block_size", "16384", "pending-reboot")], "InvalidParameterValue", "cannot be modified"),
    ([("max_connections", "200", "immediate")], "InvalidParameterCombination",
     "cannot use immediate apply method for static parameter"),
    ([("work_mem", "1", "immediate")], "InvalidParameterValue", "allowed values are: 64-"),
    ([("work_mem", "lots", "immediate")], "InvalidParameterValue", "Invalid parameter value"),
    ([("rds.force_ssl", "yes", "immediate")], "InvalidParameterValue", "allowed values are: 0,1"),
    ([("shared_preload_libraries", "pgaudit,notalib", "pending-reboot")],
     "InvalidParameterValue", "Invalid parameter value"),
    ([("log_statement", "everything", "immediate")], "InvalidParameterValue",
     "allowed values are: none,ddl,mod,all"),
    ([("work_mem", "%d" % (64 + i), "immediate") for i in range(21)],
     "InvalidParameterValue", "maximum of 20"),
])
def test_modify_validation(emu_rds, emu_group, params, code, text):
    error = _error(lambda: _modify(emu_rds, emu_group, *params))
    assert error[0] == code and text in error[1] and error[2] == 400
    user = emu_rds.describe_db_parameters(DBParameterGroupName=emu_group, Source="user")
    assert user["Parameters"] == []


def test_valid_values_are_accepted(emu_rds, emu_group):
    _modify(emu_rds, emu_group, ("shared_buffers", "{DBInstanceClassMemory/32768}",
                                 "pending-reboot"),
            ("random_page_cost", "1.1", "immediate"), ("log_statement", "ddl", "immediate"),
            ("rds.force_ssl", "1", "immediate"), ("pgaudit.log", "ddl,role", "immediate"))
    user = emu_rds.describe_db_parameters(DBParameterGroupName=emu_group, Source="user")
    assert len(user["Parameters"]) == 5


def test_not_found_errors(emu_rds):
    missing = "emu-missing-group"
    for call, key, kind in [
            (emu_rds.describe_db_parameters, "DBParameterGroupName", "DBParameterGroup"),
            (emu_rds.describe_db_parameter_groups, "DBParameterGroupName", "DBParameterGroup"),
            (emu_rds.describe_db_cluster_parameters, "DBClusterParameterGroupName",
             "DBClusterParameterGroup"),
            (emu_rds.describe_db_cluster_parameter_groups, "DBClusterParameterGroupName",
             "DBClusterParameterGroup")]:
        assert _error(call, **{key: missing}) == (
            "DBParameterGroupNotFound", "%s not found: %s" % (kind, missing), 404)
    code, _message, status = _error(
        emu_rds.modify_db_parameter_group, DBParameterGroupName=missing,
        Parameters=[{"ParameterName": "work_mem", "ParameterValue": "64", "ApplyMethod": "immediate"}])
    assert (code, status) == ("DBParameterGroupNotFound", 404)


def test_create_errors(emu_rds, emu_group):
    code = _error_code(
        emu_rds.create_db_parameter_group, DBParameterGroupName=emu_group,
        DBParameterGroupFamily="postgres15", Description="again")
    assert code == "DBParameterGroupAlreadyExists"
    code, message = _error(
        emu_rds.create_db_parameter_group, DBParameterGroupName=emu_group + "-x",
        DBParameterGroupFamily="postgres99", Description="bad")[:2]
    assert code == "InvalidParameterValue" and "postgres99" in message
    code = _error_code(
        emu_rds.create_db_cluster_parameter_group, DBClusterParameterGroupName=emu_group + "-c",
        DBParameterGroupFamily="aurora-mysql8.0", Description="bad")
    assert code == "InvalidParameterValue"


def test_default_groups_exist_and_are_read_only(emu_rds):
    params = emu_rds.describe_db_parameters(DBParameterGroupName="default.postgres16",
                                            Source="system")["Parameters"]
    assert "listen_addresses" in {p["ParameterName"] for p in params}
    groups = emu_rds.describe_db_parameter_groups(DBParameterGroupName="default.postgres16")
    assert groups["DBParameterGroups"][0]["DBParameterGroupFamily"] == "postgres16"
    code = _error_code(lambda: _modify(emu_rds, "default.postgres16", ("work_mem", "8192", "immediate")))
    assert code == "InvalidParameterValue"


def test_engine_defaults_with_paginator(emu_rds):
    paginator = emu_rds.get_paginator("describe_engine_default_parameters")
    params = [p for page in paginator.paginate(DBParameterGroupFamily="postgres16")
              for p in page["EngineDefaults"]["Parameters"]]
    assert len(params) == len(catalogue.parameters("postgres16"))
    force_ssl = next(p for p in params if p["ParameterName"] == "rds.force_ssl")
    assert force_ssl["ParameterValue"] == "1" and force_ssl["Source"] == "engine-default"
    page = emu_rds.describe_engine_default_parameters(DBParameterGroupFamily="postgres16",
                                                      MaxRecords=20)["EngineDefaults"]
    assert page["DBParameterGroupFamily"] == "postgres16" and len(page["Parameters"]) == 20
    assert page["Marker"]


def test_aurora_cluster_and_instance_scopes(emu_rds, emu_name):
    emu_rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=emu_name,
                                              DBParameterGroupFamily="aurora-postgresql16",
                                              Description="cluster")
    emu_rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=emu_name,
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1",
                     "ApplyMethod": "immediate"}])
    user = emu_rds.describe_db_cluster_parameters(DBClusterParameterGroupName=emu_name,
                                                  Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ParameterValue"]) for p in user] == [("rds.force_ssl", "1")]
    code, message = _error(
        emu_rds.modify_db_cluster_parameter_group, DBClusterParameterGroupName=emu_name,
        Parameters=[{"ParameterName": "work_mem", "ParameterValue": "8192", "ApplyMethod": "immediate"}])[:2]
    assert code == "InvalidParameterValue" and "work_mem" in message
    cluster = [p for page in emu_rds.get_paginator(
        "describe_engine_default_cluster_parameters").paginate(
            DBParameterGroupFamily="aurora-postgresql16")
        for p in page["EngineDefaults"]["Parameters"]]
    names = {p["ParameterName"] for p in cluster}
    assert "rds.force_ssl" in names and "work_mem" not in names
    assert "log_min_duration_statement" in names
    instance = {p["ParameterName"] for page in emu_rds.get_paginator(
        "describe_engine_default_parameters").paginate(DBParameterGroupFamily="aurora-postgresql16")
        for p in page["EngineDefaults"]["Parameters"]}
    assert "work_mem" in instance and "log_min_duration_statement" in instance
    assert "rds.force_ssl" not in instance
    emu_rds.reset_db_cluster_parameter_group(DBClusterParameterGroupName=emu_name,
                                             ResetAllParameters=True)
    assert emu_rds.describe_db_cluster_parameters(DBClusterParameterGroupName=emu_name,
                                                  Source="user")["Parameters"] == []


def test_tags_on_parameter_groups(emu_rds, emu_group):
    arn = emu_rds.describe_db_parameter_groups(
        DBParameterGroupName=emu_group)["DBParameterGroups"][0]["DBParameterGroupArn"]
    emu_rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "team", "Value": "db"},
                                                         {"Key": "env", "Value": "test"}])
    emu_rds.remove_tags_from_resource(ResourceName=arn, TagKeys=["env"])
    assert emu_rds.list_tags_for_resource(ResourceName=arn)["TagList"] == [
        {"Key": "team", "Value": "db"}]


def test_copy_keeps_user_values(emu_rds, emu_group):
    _modify(emu_rds, emu_group, ("work_mem", "8192", "immediate"))
    emu_rds.copy_db_parameter_group(SourceDBParameterGroupIdentifier=emu_group,
                                    TargetDBParameterGroupIdentifier=emu_group + "-copy",
                                    TargetDBParameterGroupDescription="copy")
    user = emu_rds.describe_db_parameters(DBParameterGroupName=emu_group + "-copy",
                                          Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ParameterValue"]) for p in user] == [("work_mem", "8192")]
