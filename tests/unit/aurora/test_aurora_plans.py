"""Unit tests of the aurora_cluster plans: versions, members, reader auto scaling, input checks."""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora import members, plan, scaling, validation, versions


def up_instance(identifier, role="reader", instance_class="db.r6g.large", tier=1, autoscaled=False):
    return dict(identifier=identifier, arn="arn:aws:rds:us-east-1:1:db:" + identifier, role=role, autoscaled=autoscaled,
                instance_class=instance_class, pending_instance_class=None, promotion_tier=tier, db_parameter_group_name="default",
                performance_insights=False, performance_insights_retention_period=None, monitoring_interval=0,
                monitoring_role_arn=None, auto_minor_version_upgrade=True, tags={})


def up_params(**overrides):
    params = dict(identifier="app-db", instance_class=None, writer=None, readers=None, purge_readers=True, tags=None, purge_tags=True)
    params.update(overrides)
    return params


def test_version_pinned_by_major_tolerates_minor_drift():
    assert versions.version_change("16.6", "16") == (None, None)
    assert versions.version_change("16.6", "16.4") == (None, None)
    assert versions.version_change("16.2", "16.4") == ("minor", "16.4")
    assert versions.version_change("15.8", "16") == ("major", "16")
    assert versions.version_change("16.4", "15.8") == ("downgrade", "15.8")
    assert versions.version_change("16.4", None) == (None, None)


def test_readers_empty_never_touches_the_writer_even_when_named_like_a_reader():
    instances = [up_instance("app-db-2", role="writer"), up_instance("app-db-1"), up_instance("application-autoscaling-x", autoscaled=True)]
    result = members.plan_members(up_params(readers=[]), "app-db", instances)
    assert [item["identifier"] for item in result["delete"]] == ["app-db-1"]
    assert result["create"] == [] and result["writer"] == "app-db-2"


def test_after_a_failover_the_declared_names_still_match():
    instances = [up_instance("app-db-2", role="writer"), up_instance("app-db-1")]
    params = up_params(writer=dict(identifier="app-db-1"), readers=[dict(identifier="app-db-2")], instance_class="db.r6g.large")
    result = members.plan_members(params, "app-db", instances)
    assert result["create"] == [] and result["delete"] == [] and result["modify"] == []


def test_missing_readers_are_created_with_free_names_and_purge_can_be_off():
    instances = [up_instance("app-db-1", role="writer"), up_instance("app-db-3")]
    params = up_params(readers=[{}, dict(promotion_tier=4), dict(identifier="reporting")], instance_class="db.r6g.large")
    result = members.plan_members(params, "app-db", instances)
    assert sorted((item["identifier"], item["role"]) for item in result["create"]) == [("app-db-2", "reader"), ("reporting", "reader")]
    kept = members.plan_members(up_params(readers=[], purge_readers=False), "app-db", instances)
    assert kept["delete"] == []


def test_a_class_change_is_planned_once_even_while_pending():
    instances = [up_instance("app-db-1", role="writer")]
    assert members.plan_members(up_params(instance_class="db.r6g.xlarge"), "app-db", instances)["modify"][0]["changes"] == \
        {"instance_class": ("db.r6g.large", "db.r6g.xlarge")}
    instances[0]["pending_instance_class"] = "db.r6g.xlarge"
    assert members.plan_members(up_params(instance_class="db.r6g.xlarge"), "app-db", instances)["modify"] == []


def test_new_cluster_gets_a_writer_first():
    result = members.plan_members(up_params(instance_class="db.serverless", readers=[{}]), "app-db", [])
    assert [(item["identifier"], item["role"]) for item in result["create"]] == [("app-db-1", "writer"), ("app-db-2", "reader")]


def test_scaling_plan_register_update_and_remove():
    wanted = dict(enabled=True, min_capacity=1, max_capacity=4, metric="connections", target_value=300, scale_in_cooldown=300,
                  scale_out_cooldown=300, disable_scale_in=False, policy_name=None)
    actions = scaling.plan_scaling("app-db", wanted, None, {})
    assert [kind for kind, _kwargs in actions] == ["register", "put_policy"]
    policy = dict(PolicyName="app-db-readers-connections", PolicyType="TargetTrackingScaling",
                  TargetTrackingScalingPolicyConfiguration=actions[1][1]["TargetTrackingScalingPolicyConfiguration"])
    target = dict(MinCapacity=1, MaxCapacity=4)
    assert scaling.plan_scaling("app-db", wanted, target, {policy["PolicyName"]: policy}) == []
    assert [kind for kind, _kwargs in scaling.plan_scaling("app-db", dict(wanted, max_capacity=6), target, {policy["PolicyName"]: policy})] == \
        ["register"]
    assert [kind for kind, _kwargs in scaling.plan_scaling("app-db", dict(enabled=False), target, {policy["PolicyName"]: policy})] == \
        ["delete_policy", "deregister"]
    assert scaling.plan_scaling("app-db", None, target, {}) == []


def up_cluster(**overrides):
    cluster = dict(identifier="app-db", engine_version="16.4", storage_encrypted=True, kms_key_id="arn:aws:kms:us-east-1:1:key/k1",
                   database_name="app", master_username="dbadmin", db_subnet_group_name="app-db-db", vpc_security_group_ids=[],
                   cloudwatch_logs_exports=[], serverless_v2_scaling=None, manage_master_user_password=True,
                   master_user_secret_kms_key_id=None, deletion_protection=True, copy_tags_to_snapshot=True,
                   db_cluster_parameter_group_name="default.aurora-postgresql16", iam_database_authentication=False,
                   backup_retention_period=1, preferred_backup_window=None, preferred_maintenance_window=None)
    cluster.update(overrides)
    return cluster


def test_modify_plan_refuses_what_aws_cannot_change_and_keeps_minor_drift():
    params = dict(storage_encrypted=False, kms_key_id=None, engine_version="16", database_name="other", master_username="dbadmin")
    request, changes, errors = plan.modify_plan(params, up_cluster(engine_version="16.6"), secondary=False)
    assert request is None and changes == {}
    assert any(error.startswith("storage_encrypted:") for error in errors) and any(error.startswith("database_name:") for error in errors)
    request, changes, errors = plan.modify_plan(dict(storage_encrypted=True, kms_key_id="k1", engine_version="16.6",
                                                     backup_retention_period=7), up_cluster(), secondary=False)
    assert errors == [] and request["EngineVersion"] == "16.6" and request["BackupRetentionPeriod"] == 7
    assert set(changes) == {"engine_version", "backup_retention_period"}
    _request, _changes, errors = plan.modify_plan(dict(storage_encrypted=True, engine_version="17"), up_cluster(), secondary=False)
    assert errors and "allow_major_version_upgrade" in errors[0]


def test_input_errors_name_the_option_and_the_accepted_values():
    base = dict(identifier="app-db", state="present", readers=None, writer=None, reader_autoscaling=None, tags=None)
    assert validation.input_errors(base) == []
    errors = validation.input_errors(dict(base, identifier="app--db", serverless_v2_scaling=dict(min_capacity=3.0, max_capacity=1.5),
                                          instance_class="db.serverless", readers=[dict(promotion_tier=20)],
                                          reader_autoscaling=dict(enabled=True, min_capacity=5, max_capacity=2, metric="cpu", target_value=95)))
    assert any(e.startswith("identifier:") for e in errors)
    assert any("min_capacity 3.0 is greater than max_capacity 1.5" in e for e in errors)
    assert any(e.startswith("readers[0].promotion_tier") for e in errors)
    assert any(e.startswith("reader_autoscaling: min_capacity 5") for e in errors)
    assert any(e.startswith("reader_autoscaling.target_value: 95") for e in errors)
