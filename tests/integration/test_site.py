"""site.yml against inventories/local, run the way a user runs it."""

import types

import pytest

DATA_ACCOUNT = "111111111111"
INVENTORY = "inventories/local"
GROUPS = {
    "app-db-postgres15": "instance",
    "orders-aurora-aurora-postgresql16": "instance",
    "orders-aurora-aurora-postgresql16-cluster": "cluster",
}


def existing_groups(localenv):
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    names = {group["DBParameterGroupName"] for group in rds.describe_db_parameter_groups()["DBParameterGroups"]}
    names |= {group["DBClusterParameterGroupName"] for group in rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]}
    return names & set(GROUPS)


def user_parameters(localenv, name):
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    if GROUPS[name] == "cluster":
        pages = rds.get_paginator("describe_db_cluster_parameters").paginate(DBClusterParameterGroupName=name, Source="user")
    else:
        pages = rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=name, Source="user")
    return {p["ParameterName"]: p["ParameterValue"] for page in pages for p in page["Parameters"]}


@pytest.fixture(scope="module")
def first_run(localenv, tmp_path_factory):
    from harness import Ansible

    runner = Ansible(localenv, tmp_path_factory.mktemp("site"))
    check = runner.playbook("site.yml", inventory=INVENTORY, check=True, diff=True)
    groups_after_check = existing_groups(localenv)
    converge = runner.playbook("site.yml", inventory=INVENTORY)
    return types.SimpleNamespace(runner=runner, check=check, groups_after_check=groups_after_check, converge=converge)


def test_check_mode_on_a_new_environment_reports_changes_and_creates_nothing(first_run):
    assert first_run.check.rc == 0, first_run.check.stdout + first_run.check.stderr
    assert first_run.check.changed_total() == 2, "one converge task per host reports a change"
    assert first_run.groups_after_check == set()


def test_site_creates_every_group_of_the_inventory_in_the_data_account(first_run, localenv):
    converge = first_run.converge
    assert converge.rc == 0, converge.stdout + converge.stderr
    assert existing_groups(localenv) == set(GROUPS)
    app = user_parameters(localenv, "app-db-postgres15")
    assert app["rds.force_ssl"] == "1"
    assert app["log_min_duration_statement"] == "500"
    assert app["shared_preload_libraries"] == "pg_stat_statements,pgaudit"
    cluster = user_parameters(localenv, "orders-aurora-aurora-postgresql16-cluster")
    assert cluster["pgaudit.log"] == "ddl,role"
    sizing = user_parameters(localenv, "orders-aurora-aurora-postgresql16")
    assert int(sizing["shared_buffers"]) > int(app["shared_buffers"]), "r6g.large has 4x the memory of t4g.medium"


def test_site_reports_static_parameters_as_pending_reboot(first_run):
    converge = first_run.converge
    announced = [r for r in converge.task_results if r["task"] == "Announce parameters that take effect only after a reboot"]
    messages = " ".join(item.get("msg", "") for result in announced for item in result.get("results", []))
    assert "app-db-postgres15: " in messages and "shared_preload_libraries" in messages


def test_second_run_changes_nothing(first_run):
    runner = first_run.runner
    again = runner.playbook("site.yml", inventory=INVENTORY)
    assert again.rc == 0, again.stdout + again.stderr
    assert again.changed_total() == 0


def test_drift_is_reverted_and_undeclared_parameters_are_purged(first_run, localenv):
    runner = first_run.runner
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.modify_db_parameter_group(DBParameterGroupName="app-db-postgres15", Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "10", "ApplyMethod": "immediate"},
        {"ParameterName": "log_statement", "ParameterValue": "all", "ApplyMethod": "immediate"},
    ])
    run = runner.playbook("site.yml", inventory=INVENTORY, diff=True)
    assert run.rc == 0, run.stdout + run.stderr
    assert run.changed_total() == 1
    after = user_parameters(localenv, "app-db-postgres15")
    assert after["log_min_duration_statement"] == "500"
    assert "log_statement" not in after
