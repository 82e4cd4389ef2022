"""Planning: only real differences become changes, with the right apply method and batching."""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.plan import (
    apply_method_for,
    build_changes,
    modify_batches,
    pending_candidates,
    pending_reboot,
    reset_batches,
    same_value,
    user_values,
    values_after,
)


def user_set(metadata, **values):
    """Entries like DescribeDBParameters(Source=user) returns: metadata plus the user value."""
    return dict((name, dict(metadata[name], ParameterValue=value, Source="user")) for name, value in values.items())


def test_apply_methods():
    assert apply_method_for("dynamic") == "immediate"
    assert apply_method_for("static") == "pending-reboot"
    assert apply_method_for(None) == "pending-reboot"


def test_same_value_compares_as_the_type_does(metadata):
    assert same_value("1", "1")
    assert same_value("on", "1", metadata["rds.force_ssl"])
    assert not same_value("0", "1", metadata["rds.force_ssl"])
    assert same_value("0.90", "0.9", metadata["checkpoint_completion_target"])
    assert same_value("a, b", "a,b", metadata["shared_preload_libraries"])
    assert not same_value("b,a", "a,b", metadata["shared_preload_libraries"])
    assert not same_value("DDL", "ddl", metadata["log_statement"])
    assert same_value(None, None) and not same_value("1", None) and not same_value(None, "1")


def test_values_equal_to_the_current_ones_need_no_validation(metadata):
    current = user_set(metadata, work_mem="4096", **{"rds.force_ssl": "1", "TimeZone": "UTC"})
    desired = {"work_mem": 4096, "rds.force_ssl": True, "timezone": "UTC", "log_statement": "ddl", "statement_timeout": None}
    to_check, unchanged = pending_candidates(desired, current)
    assert unchanged == {"work_mem": "4096", "rds.force_ssl": "1", "TimeZone": "UTC"}
    assert to_check == {"log_statement": "ddl"}


def test_values_are_normalised_with_the_metadata_aws_returns_for_user_set_parameters(metadata):
    current = user_set(metadata, log_statement="ddl", shared_preload_libraries="pg_stat_statements,pgaudit",
                       checkpoint_completion_target="0.8")
    desired = {"log_statement": "DDL", "shared_preload_libraries": ["pg_stat_statements", "PGAUDIT"],
               "checkpoint_completion_target": 0.80}
    to_check, unchanged = pending_candidates(desired, current)
    assert to_check == {}
    assert sorted(unchanged) == ["checkpoint_completion_target", "log_statement", "shared_preload_libraries"]


def test_invalid_values_for_user_set_parameters_are_left_to_validation(metadata):
    current = user_set(metadata, log_statement="ddl")
    to_check, unchanged = pending_candidates({"log_statement": "everything"}, current)
    assert to_check == {"log_statement": "everything"} and unchanged == {}


def test_changed_values_and_resets_of_user_set_parameters_are_checked(metadata):
    current = user_set(metadata, work_mem="4096", max_connections="100")
    to_check, unchanged = pending_candidates({"work_mem": 8192, "max_connections": None}, current)
    assert to_check == {"work_mem": 8192, "max_connections": None}
    assert unchanged == {}


def test_changes_carry_before_after_and_apply_method(metadata):
    current = user_set(metadata, work_mem="4096", max_connections="100")
    normalized = {"work_mem": "8192", "max_connections": "200", "shared_preload_libraries": "pgaudit", "log_statement": "ddl"}
    changes = build_changes(normalized, current, metadata)
    assert changes == [
        dict(name="log_statement", action="set", before=None, after="ddl", apply_type="dynamic", apply_method="immediate"),
        dict(name="max_connections", action="set", before="100", after="200", apply_type="static", apply_method="pending-reboot"),
        dict(name="shared_preload_libraries", action="set", before=None, after="pgaudit", apply_type="static",
             apply_method="pending-reboot"),
        dict(name="work_mem", action="set", before="4096", after="8192", apply_type="dynamic", apply_method="immediate"),
    ]
    assert pending_reboot(changes) == ["max_connections", "shared_preload_libraries"]


def test_unchanged_values_make_no_changes(metadata):
    current = user_set(metadata, work_mem="4096")
    assert build_changes({"work_mem": "4096"}, current, metadata) == []
    assert build_changes({}, current, metadata, purge=False) == []


def test_purge_resets_only_undeclared_user_set_parameters(metadata):
    current = user_set(metadata, work_mem="4096", max_connections="100", log_statement="ddl")
    changes = build_changes({"work_mem": "4096"}, current, {}, purge=True)
    assert changes == [
        dict(name="log_statement", action="reset", before="ddl", after=None, apply_type="dynamic", apply_method="immediate"),
        dict(name="max_connections", action="reset", before="100", after=None, apply_type="static", apply_method="pending-reboot"),
    ]


def test_null_resets_a_user_set_parameter(metadata):
    current = user_set(metadata, statement_timeout="5000")
    (change,) = build_changes({"statement_timeout": None}, current, metadata)
    assert change["action"] == "reset" and change["before"] == "5000" and change["after"] is None


def test_values_after_applies_sets_and_resets():
    changes = [dict(name="a", action="set", after="2"), dict(name="b", action="reset", after=None),
               dict(name="c", action="set", after="x")]
    assert values_after({"a": "1", "b": "5", "d": "7"}, changes) == {"a": "2", "c": "x", "d": "7"}


def test_user_values():
    assert user_values({"a": {"ParameterValue": "1"}, "b": {}}) == {"a": "1", "b": None}


def test_batches_split_sets_and_resets_at_twenty(metadata):
    changes = [dict(name="p%02d" % n, action="set", after=str(n), apply_method="immediate") for n in range(25)]
    changes += [dict(name="r%02d" % n, action="reset", after=None, apply_method="pending-reboot") for n in range(21)]
    modifies = modify_batches(changes)
    resets = reset_batches(changes)
    assert [len(batch) for batch in modifies] == [20, 5]
    assert [len(batch) for batch in resets] == [20, 1]
    assert modifies[1][0] == {"ParameterName": "p20", "ParameterValue": "20", "ApplyMethod": "immediate"}
    assert resets[1] == [{"ParameterName": "r20", "ApplyMethod": "pending-reboot"}]
