"""rds_parameter_group run in-process against a real moto server.

Plain moto has no engine defaults, so these tests cover what needs none: input checks before any
request, creation, tags, idempotence and request economy of a no-op run, check mode, family and
description rules, deletion. Value validation against engine defaults is covered by the
integration tests against the local environment.
"""

import collections
import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from moto.server import ThreadedMotoServer

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.converge import ParameterGroupConverger
from ansible_collections.innovate.aws_postgres.plugins.modules import rds_parameter_group


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield "http://%s:%d" % (host, port)
    server.stop()


@pytest.fixture
def rds(endpoint, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client("rds", endpoint_url=endpoint, region_name="us-east-1")


class Run:
    """Runs the module once and records its result and the AWS requests it made."""

    def __init__(self, endpoint, capsys):
        self.endpoint = endpoint
        self.capsys = capsys
        self.requests = collections.Counter()

    def __call__(self, check=False, diff=False, before_call=None, **args):
        args = dict(args, endpoint_url=self.endpoint, _ansible_check_mode=check, _ansible_diff=diff)
        self.requests = collections.Counter()
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module = AwsModule(argument_spec=rds_parameter_group.ARGUMENT_SPEC, supports_check_mode=True)
                module.client("rds").meta.events.register("before-call", self._count)
                for event, handler in (before_call or {}).items():
                    module.client("rds").meta.events.register(event, handler)
                module.exit_json(**ParameterGroupConverger(module).run())
        captured = self.capsys.readouterr()
        self.stderr = captured.err
        return json.loads(captured.out)

    def _count(self, model, **kwargs):
        self.requests[model.name] += 1


@pytest.fixture
def run(endpoint, rds, capsys):
    return Run(endpoint, capsys)


def group_names(rds):
    return [group["DBParameterGroupName"] for group in rds.describe_db_parameter_groups()["DBParameterGroups"]]


def tags_of(rds, arn):
    return dict((tag["Key"], tag["Value"]) for tag in rds.list_tags_for_resource(ResourceName=arn)["TagList"])


@pytest.mark.parametrize("args, message", [
    (dict(name="default.postgres16", parameters={"work_mem": 64}), "is an AWS default parameter group, which cannot be modified"),
    (dict(name="bad--name", family="postgres16"), "must not contain two consecutive hyphens"),
    (dict(name="unit-mysql", family="mysql8.0"), "'mysql8.0' is not a supported parameter group family"),
    (dict(name="unit-absent", state="absent", parameters={"work_mem": 64}), "parameters: cannot be used with state=absent"),
    (dict(name="unit-absent", state="absent", purge_parameters=True), "purge_parameters: cannot be used with state=absent"),
    (dict(name="unit-aws-tag", family="postgres16", tags={"aws:owner": "me"}), "reserved for AWS"),
    (dict(name="unit-dict-value", family="postgres16", parameters={"work_mem": {"a": 1}}), "is a dict"),
    (dict(name="unit-dup", family="postgres16", parameters={"TimeZone": "UTC", "timezone": "UTC"}), "name the same parameter"),
])
def test_bad_input_fails_before_any_request(run, rds, args, message):
    result = run(**args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert result["changed"] is False
    assert sum(run.requests.values()) == 0
    assert args["name"] not in group_names(rds)


def test_all_input_problems_are_reported_in_one_failure(run):
    result = run(name="9-bad", family="postgres9.6", tags={"aws:x": "1"})
    assert result["msg"].startswith("3 problems: 1) name: '9-bad'")
    assert len(result["errors"]) == 3


def test_create_then_noop_needs_three_reads(run, rds):
    created = run(name="Unit-Create", family="postgres16", description="unit test", tags={"team": "db", "tier": 1})
    assert created["changed"] is True
    assert created["parameter_group"]["name"] == "unit-create"
    assert created["parameter_group"]["arn"].endswith(":pg:unit-create")
    assert created["parameter_group"]["tags"] == {"team": "db", "tier": "1"}
    assert run.requests == {"DescribeDBParameterGroups": 1, "CreateDBParameterGroup": 1}
    described = rds.describe_db_parameter_groups(DBParameterGroupName="unit-create")["DBParameterGroups"][0]
    assert described["Description"] == "unit test"
    assert tags_of(rds, described["DBParameterGroupArn"]) == {"team": "db", "tier": "1"}

    again = run(name="unit-create", family="postgres16", description="unit test", tags={"team": "db", "tier": 1})
    assert again["changed"] is False
    assert run.requests == {"DescribeDBParameterGroups": 1, "DescribeDBParameters": 1, "ListTagsForResource": 1}


def test_values_aws_already_holds_need_no_engine_defaults(run, rds):
    rds.create_db_parameter_group(DBParameterGroupName="unit-held", DBParameterGroupFamily="postgres16", Description="d")
    rds.modify_db_parameter_group(DBParameterGroupName="unit-held", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"},
        {"ParameterName": "shared_preload_libraries", "ParameterValue": "pg_stat_statements,pgaudit", "ApplyMethod": "pending-reboot"},
    ])
    result = run(name="unit-held", parameters={"rds.force_ssl": True, "shared_preload_libraries": ["pg_stat_statements", "pgaudit"]})
    assert result["changed"] is False
    assert result["changes"] == [] and result["pending_reboot"] == []
    assert result["parameters"] == {"rds.force_ssl": "1", "shared_preload_libraries": "pg_stat_statements,pgaudit"}
    assert "DescribeEngineDefaultParameters" not in run.requests


def test_check_mode_on_a_new_group_only_describes(run, rds):
    result = run(check=True, diff=True, name="unit-check-new", family="postgres16", tags={"a": "b"})
    assert result["changed"] is True
    assert result["parameter_group"]["arn"] is None
    assert result["diff"] == {"before": {}, "after": {"parameters": {}, "tags": {"a": "b"},
                                                      "description": "Managed by innovate.aws_postgres"}}
    assert run.requests == {"DescribeDBParameterGroups": 1}
    assert "unit-check-new" not in group_names(rds)


def test_family_of_an_existing_group_cannot_change(run, rds):
    rds.create_db_parameter_group(DBParameterGroupName="unit-family", DBParameterGroupFamily="postgres15", Description="d")
    result = run(name="unit-family", family="postgres16")
    assert result["failed"] is True
    assert result["msg"] == (
        "family: DB parameter group unit-family has family postgres15, the task asks for postgres16; a parameter "
        "group's family cannot change: create a group with a new name for postgres16 and attach that instead"
    )


def test_a_different_description_warns_and_changes_nothing(run, rds):
    rds.create_db_parameter_group(DBParameterGroupName="unit-descr", DBParameterGroupFamily="postgres16", Description="old")
    result = run(diff=True, name="unit-descr", description="new")
    assert result["changed"] is False
    # Module warnings reach the result; when controller code was imported in this process they
    # are displayed (on stderr) instead.
    assert "AWS cannot change a parameter group's description" in json.dumps(result.get("warnings", [])) + run.stderr
    assert result["diff"]["before"]["description"] == "old" and result["diff"]["after"]["description"] == "new"
    assert rds.describe_db_parameter_groups(DBParameterGroupName="unit-descr")["DBParameterGroups"][0]["Description"] == "old"


def test_missing_family_for_a_new_group_fails(run, rds):
    result = run(name="unit-no-family")
    assert result["failed"] is True
    assert result["msg"].startswith("family: required to create DB parameter group unit-no-family")
    assert "unit-no-family" not in group_names(rds)


def test_tags_purge_keeps_aws_tags(run, rds):
    arn = rds.create_db_parameter_group(DBParameterGroupName="unit-tags", DBParameterGroupFamily="postgres16", Description="d",
                                        Tags=[{"Key": "old", "Value": "1"}, {"Key": "aws:cloudformation:stack-name", "Value": "s"},
                                              {"Key": "keep", "Value": "k"}])["DBParameterGroup"]["DBParameterGroupArn"]
    result = run(diff=True, name="unit-tags", tags={"keep": "k", "new": "n"})
    assert result["changed"] is True
    assert tags_of(rds, arn) == {"keep": "k", "new": "n", "aws:cloudformation:stack-name": "s"}
    assert result["parameter_group"]["tags"] == tags_of(rds, arn)
    assert result["diff"]["before"]["tags"]["old"] == "1" and "old" not in result["diff"]["after"]["tags"]

    additive = run(name="unit-tags", tags={"extra": "e"}, purge_tags=False)
    assert additive["changed"] is True
    assert tags_of(rds, arn) == {"keep": "k", "new": "n", "extra": "e", "aws:cloudformation:stack-name": "s"}
    assert run(name="unit-tags", tags={"extra": "e"}, purge_tags=False)["changed"] is False


def test_absent_deletes_once(run, rds):
    rds.create_db_parameter_group(DBParameterGroupName="unit-gone", DBParameterGroupFamily="postgres16", Description="d")
    checked = run(check=True, diff=True, name="unit-gone", state="absent")
    assert checked["changed"] is True and "unit-gone" in group_names(rds)
    assert checked["diff"] == {"before": {"description": "d", "parameters": {}, "tags": {}}, "after": {}}
    deleted = run(name="unit-gone", state="absent")
    assert deleted["changed"] is True
    assert deleted["deleted"]["name"] == "unit-gone"
    assert "unit-gone" not in group_names(rds)
    again = run(name="unit-gone", state="absent")
    assert (again["changed"], again["deleted"], again["parameter_group"]) == (False, None, None)
    assert run.requests == {"DescribeDBParameterGroups": 1}


class _HttpStatus:
    status_code = 400
    headers = {}


def _group_in_use(**kwargs):
    """Answer DeleteDBParameterGroup as AWS does for a group attached to an instance (moto never does)."""
    return _HttpStatus(), {
        "Error": {"Code": "InvalidDBParameterGroupState", "Message": "One or more database instances are still members of this parameter group"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }


def test_deleting_a_group_in_use_fails_with_the_remedy(run, rds):
    rds.create_db_parameter_group(DBParameterGroupName="unit-in-use", DBParameterGroupFamily="postgres16", Description="d")
    result = run(name="unit-in-use", state="absent", before_call={"before-call.rds.DeleteDBParameterGroup": _group_in_use})
    assert result["failed"] is True and result["changed"] is False
    assert result["error_code"] == "InvalidDBParameterGroupState"
    assert result["msg"] == (
        "DB parameter group unit-in-use is in use and cannot be deleted: attach another parameter group to the DB "
        "instances or clusters that use it (or delete them), then retry"
    )
    assert "unit-in-use" in group_names(rds)


def test_cluster_scope_uses_the_cluster_apis(run, rds):
    created = run(name="unit-cluster", scope="cluster", family="aurora-postgresql16")
    assert created["changed"] is True
    assert created["parameter_group"]["scope"] == "cluster"
    assert run.requests == {"DescribeDBClusterParameterGroups": 1, "CreateDBClusterParameterGroup": 1}
    assert rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName="unit-cluster")["DBClusterParameterGroups"]
    again = run(name="unit-cluster", scope="cluster", family="aurora-postgresql16")
    assert again["changed"] is False
    assert run.requests == {"DescribeDBClusterParameterGroups": 1, "DescribeDBClusterParameters": 1, "ListTagsForResource": 1}


def test_main_runs_the_module(endpoint, rds, capsys):
    args = dict(name="unit-main", family="postgres16", endpoint_url=endpoint)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            rds_parameter_group.main()
    assert exited.value.code == 0
    assert json.loads(capsys.readouterr().out)["changed"] is True
    assert "unit-main" in group_names(rds)
