"""backup_restore_testing through ansible-playbook against the local AWS environment.

One plan goes through its whole life (check mode, create, an equivalent re-run, an update that
changes the schedule, updates one selection, replaces another and purges a third, state=absent);
bad inputs run in one playbook. State is checked with boto3; AWS Backup is a REST API, so the
emulator counts its requests by HTTP method: anything but GET is a write.
"""

import json
import uuid

import pytest

MODULE = "innovate.aws_postgres.backup_restore_testing"
ACCOUNT, REGION = "123456789012", "us-east-1"  # the base credentials (no role assumed)
ROLE_NAME = "service-role/AWSBackupDefaultServiceRole"
ROLE_ARN = "arn:aws:iam::%s:role/%s" % (ACCOUNT, ROLE_NAME)


def rt_unique(prefix):
    return "%s_%s" % (prefix, uuid.uuid4().hex[:8])


def vault_arn(name):
    return "arn:aws:backup:%s:%s:backup-vault:%s" % (REGION, ACCOUNT, name)


def db_arn(name, kind="db"):
    return "arn:aws:rds:%s:%s:%s:%s" % (REGION, ACCOUNT, kind, name)


def run(ansible, check=False, diff=False, **args):
    return ansible.module(MODULE, args, check=check, diff=diff)


def ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def run_tasks(ansible, *tasks):
    """One playbook (ansible-playbook starts once) with a task per (args, check mode[, diff]); the results in order."""
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [
        {"name": "task %d" % index, MODULE: task[0], "check_mode": task[1], "diff": task[2] if len(task) > 2 else False,
         "ignore_errors": True} for index, task in enumerate(tasks)]}]
    report = ansible.playbook(json.dumps(play))
    return [ok(report.result("task %d" % index)) for index in range(len(tasks))]


def backup_writes(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items() if k.startswith("backup:") and k != "backup:GET")


def stored_plan(backup, name):
    try:
        return backup.get_restore_testing_plan(RestoreTestingPlanName=name)["RestoreTestingPlan"]
    except backup.exceptions.ResourceNotFoundException:
        return None


def stored_selections(backup, name):
    summaries = backup.list_restore_testing_selections(RestoreTestingPlanName=name)["RestoreTestingSelections"]
    return dict((item["RestoreTestingSelectionName"], backup.get_restore_testing_selection(
        RestoreTestingPlanName=name, RestoreTestingSelectionName=item["RestoreTestingSelectionName"])["RestoreTestingSelection"])
        for item in summaries)


@pytest.fixture
def backup(localenv):
    return localenv.client("backup")


def plan_args(name):
    """Names, defaults left out: the form a user writes."""
    return dict(
        name=name,
        schedule_expression="cron(0 6 1 * ? *)",
        recovery_point_selection=dict(algorithm="RANDOM_WITHIN_WINDOW", include_vaults=["it-rt-vault", "it-rt-vault-2"],
                                      recovery_point_types=["SNAPSHOT"], selection_window_days=7),
        selections=[
            dict(name="app_db", protected_resource_type="RDS", iam_role=ROLE_NAME,
                 protected_resource_arns=[db_arn("it-rt-app-db"), db_arn("it-rt-app-db-2")],
                 restore_metadata_overrides=dict(dbsubnetgroupname="it-rt-app-db-db", vpcsecuritygroupids=["sg-2", "sg-1"],
                                                 DBInstanceClass="db.t4g.medium"),
                 validation_window_hours=4),
            dict(name="tagged", protected_resource_type="Aurora", iam_role=ROLE_NAME,
                 protected_resource_conditions=dict(string_equals=[dict(key="restore-test", value="true")])),
            dict(name="to_purge", protected_resource_type="RDS", iam_role=ROLE_ARN, protected_resource_arns=["*"]),
        ],
        tags={"team": "dba"},
    )


def equivalent_args(name):
    """The same plan as AWS would answer it: ARNs, defaults spelled out, other orders, UTC alias, prefixed keys."""
    args = plan_args(name)
    args.update(schedule_expression_timezone="UTC", start_window_hours=24)
    args["recovery_point_selection"].update(include_vaults=[vault_arn("it-rt-vault-2"), vault_arn("it-rt-vault")], exclude_vaults=[],
                                            recovery_point_types=["SNAPSHOT", "SNAPSHOT"])
    app_db, tagged, to_purge = args["selections"]
    app_db.update(iam_role=ROLE_ARN, protected_resource_arns=list(reversed(app_db["protected_resource_arns"])),
                  restore_metadata_overrides=dict(DBSubnetGroupName="it-rt-app-db-db", vpcsecuritygroupids='["sg-1", "sg-2"]',
                                                  dbinstanceclass="db.t4g.medium"))
    tagged.update(iam_role=ROLE_ARN, protected_resource_arns=["*"], validation_window_hours=0,
                  protected_resource_conditions=dict(string_equals=[dict(key="aws:ResourceTag/restore-test", value="true")],
                                                     string_not_equals=[]))
    args["selections"] = [to_purge, tagged, app_db]
    return args


def test_lifecycle_check_mode_rerun_update_replace_purge_absent(ansible, localenv, backup):
    name = rt_unique("it_rt")
    args = plan_args(name)

    localenv.reset_requests()
    preview = ok(run(ansible, check=True, diff=True, **args))
    assert preview["changed"] is True and backup_writes(localenv) == {} and stored_plan(backup, name) is None
    assert preview["actions"] == ["create_plan", "create_selection app_db", "create_selection tagged", "create_selection to_purge"]
    assert preview["diff"]["before"] == {"plan": None, "selections": []}
    assert preview["plan"]["arn"] is None and preview["plan"]["schedule_expression_timezone"] == "Etc/UTC"

    created = ok(run(ansible, **args))
    assert created["changed"] is True and created["actions"] == preview["actions"]
    plan = stored_plan(backup, name)
    assert created["plan"]["arn"] == plan["RestoreTestingPlanArn"]
    assert plan["ScheduleExpression"] == "cron(0 6 1 * ? *)" and plan["StartWindowHours"] == 24
    assert plan["RecoveryPointSelection"]["Algorithm"] == "RANDOM_WITHIN_WINDOW"
    assert sorted(plan["RecoveryPointSelection"]["IncludeVaults"]) == [vault_arn("it-rt-vault"), vault_arn("it-rt-vault-2")]
    assert plan["RecoveryPointSelection"]["SelectionWindowDays"] == 7
    assert backup.list_tags(ResourceArn=plan["RestoreTestingPlanArn"])["Tags"] == {"team": "dba"}
    selections = stored_selections(backup, name)
    assert sorted(selections) == ["app_db", "tagged", "to_purge"]
    assert selections["app_db"]["IamRoleArn"] == ROLE_ARN and selections["app_db"]["ValidationWindowHours"] == 4
    assert selections["app_db"]["RestoreMetadataOverrides"] == {
        "dbsubnetgroupname": "it-rt-app-db-db", "vpcsecuritygroupids": '["sg-1", "sg-2"]', "dbinstanceclass": "db.t4g.medium"}
    assert selections["tagged"]["ProtectedResourceArns"] == ["*"]
    assert selections["tagged"]["ProtectedResourceConditions"]["StringEquals"] == [{"Key": "aws:ResourceTag/restore-test", "Value": "true"}]
    assert [item["name"] for item in created["selections"]] == ["app_db", "tagged", "to_purge"]

    # The answer AWS gives, written differently, is no change; a schedule and window change, app_db's overrides
    # changed, tagged becoming RDS (replaced) and to_purge purged, in check mode, neither: no write at all.
    changed = plan_args(name)
    changed.update(schedule_expression="cron(0 3 ? * SUN *)", schedule_expression_timezone="Europe/Berlin", start_window_hours=12)
    app_db, tagged = changed["selections"][:2]
    app_db["restore_metadata_overrides"]["dbinstanceclass"] = "db.t4g.large"
    tagged["protected_resource_type"] = "RDS"
    changed["selections"] = [app_db, tagged]
    changed["tags"] = {"team": "platform"}
    localenv.reset_requests()
    rerun, preview = run_tasks(ansible, (equivalent_args(name), False, True), (changed, True, True))
    assert backup_writes(localenv) == {}
    assert rerun["changed"] is False and rerun["actions"] == [] and rerun["diff"]["before"] == rerun["diff"]["after"]
    assert preview["changed"] is True
    assert preview["actions"] == ["update_plan", "tag_plan", "delete_selection to_purge (not in the task)",
                                  "delete_selection tagged (replaced: protected_resource_type Aurora -> RDS cannot be updated)",
                                  "update_selection app_db", "create_selection tagged"]
    assert preview["diff"]["after"]["plan"]["schedule_expression"] == "cron(0 3 ? * SUN *)"
    assert stored_plan(backup, name)["ScheduleExpression"] == "cron(0 6 1 * ? *)" and len(stored_selections(backup, name)) == 3

    updated = ok(run(ansible, **changed))
    assert updated["actions"] == preview["actions"]
    plan = stored_plan(backup, name)
    assert (plan["ScheduleExpression"], plan["ScheduleExpressionTimezone"], plan["StartWindowHours"]) == (
        "cron(0 3 ? * SUN *)", "Europe/Berlin", 12)
    assert backup.list_tags(ResourceArn=plan["RestoreTestingPlanArn"])["Tags"] == {"team": "platform"}
    selections = stored_selections(backup, name)
    assert sorted(selections) == ["app_db", "tagged"]
    assert selections["app_db"]["RestoreMetadataOverrides"]["dbinstanceclass"] == "db.t4g.large"
    assert selections["tagged"]["ProtectedResourceType"] == "RDS"
    # A re-run changes nothing, and state=absent in check mode neither (one playbook, two tasks).
    localenv.reset_requests()
    rerun, preview = run_tasks(ansible, (changed, False), (dict(name=name, state="absent"), True))
    assert rerun["changed"] is False and preview["changed"] is True and backup_writes(localenv) == {}
    assert preview["actions"] == ["delete_selection app_db (state=absent)", "delete_selection tagged (state=absent)", "delete_plan"]
    assert stored_plan(backup, name) is not None and len(stored_selections(backup, name)) == 2

    # state=absent deletes the selections, then the plan; a second run has nothing to do.
    deleted, again = run_tasks(ansible, (dict(name=name, state="absent"), False), (dict(name=name, state="absent"), False))
    assert deleted["actions"] == preview["actions"] and stored_plan(backup, name) is None
    assert again["changed"] is False and again["actions"] == []


GOOD_SELECTION = dict(name="sel", protected_resource_type="RDS", iam_role=ROLE_NAME, protected_resource_arns=[db_arn("it-rt-x")])
BAD_INPUTS = [
    (dict(name="app-db-monthly"), "name: 'app-db-monthly' must be 1 to 50 letters, digits or '_'"),
    (dict(schedule_expression="cron(0 5 * * *)"), "schedule_expression: 'cron(0 5 * * *)' is not valid"),
    (dict(schedule_expression="rate(1 day)"), "schedule_expression: 'rate(1 day)' is not valid"),
    (dict(schedule_expression_timezone="Mars/Olympus"), "schedule_expression_timezone: 'Mars/Olympus' is not an IANA time zone"),
    (dict(start_window_hours=200), "start_window_hours: 200 is out of range; expected 1 to 168 hours"),
    (dict(recovery_point_selection=dict(algorithm="RANDOM_WITHIN_WINDOW", include_vaults=["arn:aws:s3:::bucket"],
                                        recovery_point_types=["SNAPSHOT"])), "include_vaults: 'arn:aws:s3:::bucket' is not a backup vault"),
    (dict(recovery_point_selection=dict(algorithm="RANDOM_WITHIN_WINDOW", include_vaults=["v"], recovery_point_types=["SNAPSHOT"],
                                        selection_window_days=400)), "selection_window_days: 400 is out of range; expected 1 to 365 days"),
    (dict(recovery_point_selection=dict(algorithm="OLDEST", include_vaults=["v"], recovery_point_types=["SNAPSHOT"])),
     "value of algorithm must be one of"),
    (dict(selections=[dict(GOOD_SELECTION, name="bad-name")]), "selections[0].name: 'bad-name' must be"),
    (dict(selections=[GOOD_SELECTION, GOOD_SELECTION]), "the name 'sel' is used more than once"),
    (dict(selections=[dict(GOOD_SELECTION, iam_role="arn:aws:iam::1:user/x")], ), "selections[0].iam_role: 'arn:aws:iam::1:user/x' is not"),
    (dict(selections=[dict(GOOD_SELECTION, protected_resource_type="Aurora")]), "is not the ARN of a Aurora resource"),
    (dict(selections=[dict(GOOD_SELECTION, protected_resource_arns=["*", db_arn("x")])]), "'*' selects every resource"),
    (dict(selections=[dict(GOOD_SELECTION, protected_resource_conditions=dict(string_equals=[dict(key="env", value="prod")]))]),
     "not both"),
    (dict(selections=[dict(GOOD_SELECTION, protected_resource_arns=[])]), "give protected_resource_arns"),
    (dict(selections=[dict(GOOD_SELECTION, protected_resource_arns=["*"],
                           protected_resource_conditions=dict(string_equals=[dict(key="aws:cloudformation:stack", value="x")]))]),
     "string_equals[0].key: 'aws:cloudformation:stack' is not a tag key"),
    (dict(selections=[dict(GOOD_SELECTION, validation_window_hours=169)]), "validation_window_hours: 169 is out of range"),
    (dict(selections=[dict(GOOD_SELECTION, restore_metadata_overrides={"db subnet": "x"})]), "'db subnet' is not a restore metadata key"),
    (dict(tags={"aws:owner": "x"}), "tags: the key 'aws:owner' starts with 'aws:'"),
    (dict(recovery_point_selection=None), "state is present but all of the following are missing: recovery_point_selection"),
]


def test_bad_inputs_fail_cleanly_and_change_nothing(ansible, localenv, backup):
    """Every bad input fails before any write, with a message naming the option; one playbook runs them all."""
    tasks, names = [], []
    for index, (extra, _expected) in enumerate(BAD_INPUTS):
        args = dict(name=rt_unique("it_rt_bad"), recovery_point_selection=dict(
            algorithm="LATEST_WITHIN_WINDOW", include_vaults=["*"], recovery_point_types=["SNAPSHOT"]))
        args.update(extra)
        if args["recovery_point_selection"] is None:
            del args["recovery_point_selection"]
        names.append(args["name"])
        tasks.append({"name": "bad input %d" % index, MODULE: args, "ignore_errors": True})
    localenv.reset_requests()
    report = ansible.playbook(json.dumps([{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]))
    for index, (_extra, expected) in enumerate(BAD_INPUTS):
        result = report.result("bad input %d" % index)
        assert result.get("failed") is True and result.get("changed") is False, result
        assert expected in result["msg"], (expected, result["msg"])
        assert "Traceback" not in json.dumps(result)
    assert backup_writes(localenv) == {}
    listed = [item["RestoreTestingPlanName"] for item in backup.list_restore_testing_plans()["RestoreTestingPlans"]]
    assert not set(names) & set(listed)
