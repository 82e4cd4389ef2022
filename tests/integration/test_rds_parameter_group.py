"""rds_parameter_group through ansible-playbook against the local AWS environment.

Every test works on its own group names; state is verified with boto3, never only with the
module's own result.
"""

import ast
import uuid

import pytest
import yaml
from botocore.exceptions import ClientError

from harness import REPO

DATA_ACCOUNT = "111111111111"
MODULE = "innovate.aws_postgres.rds_parameter_group"
WRITES = ("Create", "Modify", "Reset", "Delete", "AddTags", "RemoveTags")


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture
def rds(localenv):
    return localenv.client("rds")


def run(ansible, check=False, diff=False, **args):
    return ansible.module(MODULE, args, check=check, diff=diff)


def describe(rds, name, scope="instance"):
    try:
        if scope == "cluster":
            return rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=name)["DBClusterParameterGroups"][0]
        return rds.describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"][0]
    except ClientError as error:
        if error.response["Error"]["Code"] in ("DBParameterGroupNotFound", "DBClusterParameterGroupNotFound"):
            return None
        raise


def user_parameters(rds, name, scope="instance", with_method=False):
    if scope == "cluster":
        pages = rds.get_paginator("describe_db_cluster_parameters").paginate(DBClusterParameterGroupName=name, Source="user")
    else:
        pages = rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=name, Source="user")
    return dict(
        (p["ParameterName"], (p["ParameterValue"], p.get("ApplyMethod")) if with_method else p["ParameterValue"])
        for page in pages for p in page["Parameters"]
    )


def tags_of(rds, arn):
    return dict((t["Key"], t["Value"]) for t in rds.list_tags_for_resource(ResourceName=arn)["TagList"])


def rds_requests(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items() if k.startswith("rds:"))


def writes(requests):
    return dict((k, v) for k, v in requests.items() if k.split(":", 1)[1].startswith(WRITES))


def make_group(rds, name, parameters=None, family="postgres16", tags=None):
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family, Description="made by the test",
                                  Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])
    if parameters:
        rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[
            {"ParameterName": k, "ParameterValue": v, "ApplyMethod": m} for k, (v, m) in parameters.items()])


PARAMETERS = {
    "work_mem": 16384,
    "log_statement": "DDL",
    "rds.force_ssl": True,
    "shared_preload_libraries": ["pg_stat_statements", "pgaudit"],
    "checkpoint_completion_target": 0.8,
    "log_min_duration_statement": 500,
    "timezone": "UTC",
}
STORED = {
    "work_mem": "16384",
    "log_statement": "ddl",
    "rds.force_ssl": "1",
    "shared_preload_libraries": "pg_stat_statements,pgaudit",
    "checkpoint_completion_target": "0.8",
    "log_min_duration_statement": "500",
    "TimeZone": "UTC",
}


def test_create_sets_parameters_as_aws_stores_them_and_a_rerun_changes_nothing(ansible, localenv, rds):
    name = unique("it-create")
    created = run(ansible, name=name, family="postgres16", description="integration", parameters=PARAMETERS, tags={"team": "db"})
    assert created.get("failed") is not True, created.get("msg")
    assert created["changed"] is True
    assert created["parameters"] == STORED
    assert created["pending_reboot"] == ["shared_preload_libraries"]
    assert created["parameter_group"]["arn"] == describe(rds, name)["DBParameterGroupArn"]
    assert user_parameters(rds, name) == STORED
    assert tags_of(rds, created["parameter_group"]["arn"]) == {"team": "db"}

    localenv.reset_requests()
    again = run(ansible, name=name, family="postgres16", description="integration", parameters=PARAMETERS, tags={"team": "db"})
    assert again["changed"] is False
    assert again["changes"] == [] and again["pending_reboot"] == []
    assert rds_requests(localenv) == {"rds:DescribeDBParameterGroups": 1, "rds:DescribeDBParameters": 1,
                                      "rds:ListTagsForResource": 1}


def test_check_mode_on_a_new_group_plans_and_creates_nothing(ansible, localenv, rds):
    name = unique("it-check-new")
    localenv.reset_requests()
    result = run(ansible, check=True, name=name, family="postgres16", parameters={"work_mem": 8192, "max_connections": 200})
    assert result["changed"] is True
    assert [(c["name"], c["action"], c["after"], c["apply_method"]) for c in result["changes"]] == [
        ("max_connections", "set", "200", "pending-reboot"), ("work_mem", "set", "8192", "immediate")]
    assert result["pending_reboot"] == ["max_connections"]
    assert describe(rds, name) is None
    assert writes(rds_requests(localenv)) == {}


def test_check_mode_on_an_existing_group_changes_nothing(ansible, localenv, rds):
    name = unique("it-check-old")
    make_group(rds, name, {"work_mem": ("4096", "immediate")})
    localenv.reset_requests()
    result = run(ansible, check=True, diff=True, name=name, parameters={"work_mem": 8192, "log_statement": "all"},
                 purge_parameters=True, tags={"new": "tag"})
    assert result["changed"] is True
    assert result["parameters"] == {"work_mem": "8192", "log_statement": "all"}
    assert user_parameters(rds, name) == {"work_mem": "4096"}
    assert tags_of(rds, describe(rds, name)["DBParameterGroupArn"]) == {}
    assert writes(rds_requests(localenv)) == {}


def test_diff_shows_parameters_tags_and_description_before_and_after(ansible, rds):
    name = unique("it-diff")
    make_group(rds, name, {"work_mem": ("4096", "immediate")}, tags={"team": "a"})
    result = run(ansible, diff=True, name=name, parameters={"work_mem": 8192}, tags={"team": "b"})
    assert result["changed"] is True
    assert result["diff"]["before"] == {"parameters": {"work_mem": "4096"}, "tags": {"team": "a"}, "description": "made by the test"}
    assert result["diff"]["after"] == {"parameters": {"work_mem": "8192"}, "tags": {"team": "b"}, "description": "made by the test"}


def test_purge_parameters_resets_undeclared_ones(ansible, rds):
    name = unique("it-purge")
    make_group(rds, name, {"work_mem": ("4096", "immediate"), "log_statement": ("all", "immediate"),
                           "max_connections": ("300", "pending-reboot")})
    result = run(ansible, name=name, parameters={"work_mem": 4096}, purge_parameters=True)
    assert result["changed"] is True
    assert [(c["name"], c["action"]) for c in result["changes"]] == [("log_statement", "reset"), ("max_connections", "reset")]
    assert result["pending_reboot"] == ["max_connections"]
    assert user_parameters(rds, name) == {"work_mem": "4096"}
    assert run(ansible, name=name, parameters={"work_mem": 4096}, purge_parameters=True)["changed"] is False


def test_without_purge_undeclared_parameters_stay(ansible, rds):
    name = unique("it-keep")
    make_group(rds, name, {"log_statement": ("all", "immediate")})
    result = run(ansible, name=name, parameters={"work_mem": 4096})
    assert result["changed"] is True
    assert user_parameters(rds, name) == {"log_statement": "all", "work_mem": "4096"}


def test_null_resets_one_parameter(ansible, rds):
    name = unique("it-null")
    make_group(rds, name, {"log_statement": ("all", "immediate"), "work_mem": ("4096", "immediate")})
    result = run(ansible, name=name, parameters={"log_statement": None})
    assert [(c["name"], c["action"], c["before"], c["after"]) for c in result["changes"]] == [("log_statement", "reset", "all", None)]
    assert user_parameters(rds, name) == {"work_mem": "4096"}


def test_tags_are_converged_and_aws_tags_untouched(ansible, rds):
    name = unique("it-tags")
    make_group(rds, name, tags={"team": "a", "old": "x", "aws:cloudformation:stack-name": "stack"})
    arn = describe(rds, name)["DBParameterGroupArn"]
    result = run(ansible, name=name, tags={"team": "b", "cost": 7})
    assert result["changed"] is True
    assert tags_of(rds, arn) == {"team": "b", "cost": "7", "aws:cloudformation:stack-name": "stack"}
    added = run(ansible, name=name, tags={"extra": "1"}, purge_tags=False)
    assert added["changed"] is True
    assert tags_of(rds, arn) == {"team": "b", "cost": "7", "extra": "1", "aws:cloudformation:stack-name": "stack"}
    assert run(ansible, name=name, tags={"team": "b", "cost": "7", "extra": "1"})["changed"] is False


def test_static_parameters_apply_pending_reboot_and_are_reported(ansible, rds):
    name = unique("it-static")
    make_group(rds, name)
    parameters = {"max_connections": 250, "shared_buffers": "{DBInstanceClassMemory/32768}", "work_mem": 2048}
    result = run(ansible, name=name, parameters=parameters)
    assert result["pending_reboot"] == ["max_connections", "shared_buffers"]
    assert user_parameters(rds, name, with_method=True) == {
        "max_connections": ("250", "pending-reboot"),
        "shared_buffers": ("{DBInstanceClassMemory/32768}", "pending-reboot"),
        "work_mem": ("2048", "immediate"),
    }


def test_cluster_scope_with_an_aurora_family(ansible, localenv, rds):
    name = unique("it-cluster")
    parameters = {"rds.force_ssl": "on", "log_statement": "ddl", "shared_preload_libraries": "pg_stat_statements,pgaudit"}
    result = run(ansible, name=name, scope="cluster", family="aurora-postgresql16", parameters=parameters)
    assert result.get("failed") is not True, result.get("msg")
    assert result["parameter_group"]["scope"] == "cluster"
    assert describe(rds, name, "cluster")["DBParameterGroupFamily"] == "aurora-postgresql16"
    assert describe(rds, name) is None
    assert user_parameters(rds, name, "cluster") == {"rds.force_ssl": "1", "log_statement": "ddl",
                                                     "shared_preload_libraries": "pg_stat_statements,pgaudit"}
    assert result["pending_reboot"] == ["shared_preload_libraries"]
    localenv.reset_requests()
    assert run(ansible, name=name, scope="cluster", family="aurora-postgresql16", parameters=parameters)["changed"] is False
    assert rds_requests(localenv) == {"rds:DescribeDBClusterParameterGroups": 1, "rds:DescribeDBClusterParameters": 1,
                                      "rds:ListTagsForResource": 1}


def test_more_than_twenty_parameters_are_sent_in_batches(ansible, localenv, rds):
    defaults = rds.get_paginator("describe_engine_default_parameters").paginate(DBParameterGroupFamily="postgres16")
    booleans = sorted(p["ParameterName"] for page in defaults for p in page["EngineDefaults"]["Parameters"]
                      if p.get("DataType") == "boolean" and p.get("ApplyType") == "dynamic" and p.get("IsModifiable"))[:45]
    assert len(booleans) == 45
    name = unique("it-batch")
    make_group(rds, name)
    localenv.reset_requests()
    result = run(ansible, name=name, parameters=dict((n, "off") for n in booleans))
    assert result["changed"] is True and len(result["changes"]) == 45
    assert rds_requests(localenv)["rds:ModifyDBParameterGroup"] == 3
    assert user_parameters(rds, name) == dict((n, "0") for n in booleans)
    localenv.reset_requests()
    purged = run(ansible, name=name, parameters={}, purge_parameters=True)
    assert len(purged["changes"]) == 45
    assert rds_requests(localenv)["rds:ResetDBParameterGroup"] == 3
    assert user_parameters(rds, name) == {}


@pytest.mark.parametrize("parameters, expected", [
    ({"shared_bufers": 1024}, "parameters.shared_bufers: postgres16 has no parameter named 'shared_bufers'; did you mean shared_buffers"),
    ({"log_statement": "everything"}, "parameters.log_statement: value 'everything' is not accepted; expected one of: none, ddl, mod, all"),
    ({"work_mem": 10}, "parameters.work_mem: value 10 is not accepted; expected an integer in 64-2147483647"),
    ({"rds.force_ssl": "sometimes"}, "expected a boolean (true/false, on/off, yes/no, 1/0)"),
    ({"shared_preload_libraries": ["pgaudit", "timescaledb"]}, "'timescaledb' not allowed; each element must be one of"),
    ({"port": 5433}, "parameters.port: the parameter is not modifiable (RDS manages it)"),
])
def test_bad_values_fail_naming_what_is_accepted_and_change_nothing(ansible, localenv, rds, parameters, expected):
    name = unique("it-bad-value")
    make_group(rds, name, {"work_mem": ("4096", "immediate")})
    localenv.reset_requests()
    result = run(ansible, name=name, parameters=dict(parameters, log_min_duration_statement=100))
    assert result["failed"] is True
    assert expected in result["msg"]
    assert "Traceback" not in result["msg"]
    assert user_parameters(rds, name) == {"work_mem": "4096"}
    assert writes(rds_requests(localenv)) == {}


def test_every_problem_is_reported_in_one_failure(ansible, rds):
    name = unique("it-many")
    result = run(ansible, name=name, family="postgres16",
                 parameters={"shared_bufers": 1, "work_mem": 1, "log_statement": "x", "max_connections": 100})
    assert result["failed"] is True
    assert result["msg"].startswith("3 problems: ")
    assert len(result["errors"]) == 3
    assert describe(rds, name) is None


@pytest.mark.parametrize("args, expected", [
    (dict(family="mysql8.0"), "family: 'mysql8.0' is not a supported parameter group family"),
    (dict(family="postgres9.6"), "PostgreSQL 9 is not supported"),
    (dict(family="postgres99", parameters={"work_mem": 64}), "(while reading the engine defaults of family postgres99)"),
    (dict(), "family: required to create DB parameter group"),
])
def test_wrong_or_missing_family_fails_and_creates_nothing(ansible, rds, args, expected):
    name = unique("it-family")
    result = run(ansible, name=name, **args)
    assert result["failed"] is True
    assert expected in result["msg"]
    assert describe(rds, name) is None


def test_family_of_an_existing_group_cannot_change(ansible, rds):
    name = unique("it-family-change")
    make_group(rds, name, {"work_mem": ("4096", "immediate")}, family="postgres15")
    result = run(ansible, name=name, family="postgres16", parameters={"work_mem": 8192})
    assert result["failed"] is True
    assert "has family postgres15, the task asks for postgres16; a parameter group's family cannot change" in result["msg"]
    assert user_parameters(rds, name) == {"work_mem": "4096"}


@pytest.mark.parametrize("name, expected", [
    ("it--double", "must not contain two consecutive hyphens"),
    ("9starts-with-digit", "must start with a letter"),
    ("ends-with-hyphen-", "must not end with a hyphen"),
    ("under_score", "may contain only ASCII letters, digits and hyphens"),
])
def test_invalid_names_fail_before_any_request(ansible, localenv, rds, name, expected):
    localenv.reset_requests()
    result = run(ansible, name=name, family="postgres16")
    assert result["failed"] is True
    assert expected in result["msg"]
    assert rds_requests(localenv) == {}


def test_default_groups_are_refused_before_any_request(ansible, localenv, rds):
    localenv.reset_requests()
    result = run(ansible, name="default.postgres16", parameters={"work_mem": 8192})
    assert result["failed"] is True
    assert "is an AWS default parameter group, which cannot be modified or deleted" in result["msg"]
    assert rds_requests(localenv) == {}
    assert "work_mem" not in user_parameters(rds, "default.postgres16")


@pytest.mark.parametrize("args, expected", [
    (dict(state="absent", parameters={"work_mem": 64}), "parameters: cannot be used with state=absent"),
    (dict(state="absent", purge_parameters=True), "purge_parameters: cannot be used with state=absent"),
    (dict(state="absent", tags={"a": "b"}), "tags: cannot be used with state=absent"),
    (dict(scope="database"), "value of scope must be one of: instance, cluster"),
    (dict(tags={"aws:owner": "me"}), "reserved for AWS"),
])
def test_conflicting_options_fail_cleanly_and_change_nothing(ansible, rds, args, expected):
    name = unique("it-conflict")
    make_group(rds, name, {"work_mem": ("4096", "immediate")})
    result = run(ansible, name=name, **args)
    assert result["failed"] is True
    assert expected in result["msg"]
    assert describe(rds, name) is not None
    assert user_parameters(rds, name) == {"work_mem": "4096"}


def test_a_different_description_only_warns(ansible, rds):
    name = unique("it-descr")
    make_group(rds, name)
    result = run(ansible, diff=True, name=name, description="something else")
    assert result["changed"] is False
    assert "AWS cannot change a parameter group's description" in " ".join(str(w) for w in result.get("warnings", []))
    assert result["diff"]["before"]["description"] == "made by the test"
    assert result["diff"]["after"]["description"] == "something else"
    assert describe(rds, name)["Description"] == "made by the test"


def test_absent_deletes_and_is_idempotent(ansible, rds):
    name = unique("it-absent")
    make_group(rds, name)
    checked = run(ansible, check=True, name=name, state="absent")
    assert checked["changed"] is True and describe(rds, name) is not None
    deleted = run(ansible, name=name, state="absent")
    assert deleted["changed"] is True and deleted["deleted"]["name"] == name
    assert describe(rds, name) is None
    assert run(ansible, name=name, state="absent")["changed"] is False


@pytest.mark.parametrize("faults", [dict(throttle_rate=1, max_faults=3), dict(error_rate=1, max_faults=3)])
def test_throttling_and_server_errors_are_absorbed_by_retries(ansible, localenv, rds, faults):
    name = unique("it-faults")
    localenv.set_faults(services=["rds"], **faults)
    result = run(ansible, name=name, family="postgres16", parameters={"work_mem": 8192})
    injected = localenv.status()["faults"]["injected"]
    localenv.clear_faults()
    assert result.get("failed") is not True, result.get("msg")
    assert injected == 3
    assert user_parameters(rds, name) == {"work_mem": "8192"}


def test_persistent_throttling_fails_with_a_clear_message(ansible, localenv, rds):
    name = unique("it-throttled")
    localenv.set_faults(services=["rds"], throttle_rate=1)
    result = run(ansible, name=name, family="postgres16", max_attempts=2, retry_mode="standard")
    localenv.clear_faults()
    assert result["failed"] is True
    assert result["msg"].startswith("RDS DescribeDBParameterGroups failed: Throttling: ")
    assert result["msg"].endswith("(while reading DB parameter group %s)" % name)
    assert result["error_code"] == "Throttling"
    assert describe(rds, name) is None


def test_assume_role_creates_the_group_in_the_target_account(ansible, localenv):
    name = unique("it-assumed")
    role = "arn:aws:iam::%s:role/InnovateAutomation" % DATA_ACCOUNT
    result = run(ansible, name=name, family="postgres16", parameters={"work_mem": 8192}, assume_role_arn=role)
    assert result.get("failed") is not True, result.get("msg")
    assert ":%s:" % DATA_ACCOUNT in result["parameter_group"]["arn"]
    data_rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    assert user_parameters(data_rds, name) == {"work_mem": "8192"}
    assert describe(localenv.client("rds"), name) is None


def test_the_documented_examples_run_against_the_local_environment(ansible, localenv, rds):
    source = ast.parse((REPO / "plugins" / "modules" / "rds_parameter_group.py").read_text())
    examples = next(node.value.value for node in source.body
                    if isinstance(node, ast.Assign) and node.targets[0].id == "EXAMPLES")
    tasks = yaml.safe_load(examples)
    for task in tasks:
        args = task.get(MODULE)
        if args:
            args["endpoint_url"] = localenv.endpoint_url
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]
    result = ansible.playbook(yaml.safe_dump(play, sort_keys=False))
    assert result.rc == 0, result.stdout + result.stderr
    assert result.failed_total() == 0
    created = result.result("Parameter group for an RDS for PostgreSQL 16 instance")
    assert created["pending_reboot"] == ["shared_preload_libraries"]
    assert user_parameters(rds, "orders-pg16")["pgaudit.log"] == "ddl,role"
    assert describe(rds, "orders-aurora16", "cluster") is None
