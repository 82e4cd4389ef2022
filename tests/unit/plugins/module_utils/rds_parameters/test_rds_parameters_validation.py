"""Names, families and values are checked before any change, with messages that say what to do."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.validation import (
    canonical_names,
    duplicate_name_errors,
    is_default_group,
    is_formula,
    normalize_value,
    parse_enum,
    parse_numeric_allowed,
    validate_family,
    validate_group_name,
    validate_values,
    value_to_text,
    value_type_errors,
)


@pytest.mark.parametrize("name", ["a", "orders-pg16", "A1-b2-c3", "x" * 255])
def test_valid_group_names(name):
    assert validate_group_name(name) == []


@pytest.mark.parametrize("name, problem", [
    ("", "must be 1 to 255 characters long (it has 0)"),
    ("x" * 256, "must be 1 to 255 characters long (it has 256)"),
    ("1orders", "must start with a letter"),
    ("-orders", "must start with a letter"),
    ("orders-", "must not end with a hyphen"),
    ("orders--pg", "must not contain two consecutive hyphens"),
    ("orders_pg", "may contain only ASCII letters, digits and hyphens (found '_')"),
    ("orders.pg 16", "may contain only ASCII letters, digits and hyphens (found ' ', '.')"),
    ("ördér", "must start with a letter"),
])
def test_invalid_group_names_say_why(name, problem):
    errors = validate_group_name(name)
    assert len(errors) == 1
    assert errors[0].startswith("name: %r is not a valid parameter group name: it " % name)
    assert problem in errors[0]


def test_all_name_problems_are_reported_together():
    (error,) = validate_group_name("9bad--name_")
    assert "must start with a letter" in error
    assert "found '_'" in error
    assert "two consecutive hyphens" in error


def test_default_groups_are_refused_with_a_remedy():
    assert is_default_group("default.postgres16") and is_default_group("Default.Aurora-Postgresql16")
    assert not is_default_group("defaults-app")
    (error,) = validate_group_name("default.postgres16")
    assert error == ("name: 'default.postgres16' is an AWS default parameter group, which cannot be modified or "
                     "deleted; create a group of your own (for example 'custom-postgres16') and attach it instead")


@pytest.mark.parametrize("family", [None, "postgres10", "postgres16", "postgres17", "aurora-postgresql15", "aurora-postgresql16"])
def test_supported_families(family):
    assert validate_family(family) == []


@pytest.mark.parametrize("family, hint", [
    ("mysql8.0", "this collection manages PostgreSQL parameter groups only"),
    ("postgres9.6", "PostgreSQL 9 is not supported: families start at 10"),
    ("postgres16.1", "did you mean postgres16?"),
    ("postgresql16", "did you mean postgres16?"),
    ("aurora-postgresql16.4", "did you mean aurora-postgresql16?"),
    ("aurora-mysql8.0", "this collection manages PostgreSQL parameter groups only"),
    ("Postgres16", "did you mean postgres16?"),
])
def test_unsupported_families_name_what_is_accepted(family, hint):
    (error,) = validate_family(family)
    assert error.startswith("family: %r is not a supported parameter group family: use postgresNN (for example "
                            "postgres16) or aurora-postgresqlNN (for example aurora-postgresql16)" % family)
    assert error.endswith(hint)


@pytest.mark.parametrize("value, text", [
    (True, "1"), (False, "0"), (5, "5"), (0.25, "0.25"), (2.0, "2"), ("on", "on"),
    (["pg_stat_statements", "pgaudit"], "pg_stat_statements,pgaudit"), (None, None),
])
def test_value_to_text(value, text):
    assert value_to_text(value) == text


def test_value_types_other_than_scalars_and_lists_are_refused():
    errors = value_type_errors({"a": {"x": 1}, "b": [1, {"y": 2}], "c": None, "d": [1, "two"]})
    assert len(errors) == 2
    assert errors[0].startswith("parameters.a: value {'x': 1} is a dict; give a string, number, boolean")
    assert errors[1].startswith("parameters.b: value [1, {'y': 2}] is a list")


@pytest.mark.parametrize("value", [True, "true", "On", "YES", "1", 1, "y"])
def test_boolean_truths_normalise_to_1(metadata, value):
    assert normalize_value("rds.force_ssl", value, metadata["rds.force_ssl"]) == ("1", None)


@pytest.mark.parametrize("value", [False, "false", "off", "No", "0", 0])
def test_boolean_falsehoods_normalise_to_0(metadata, value):
    assert normalize_value("rds.force_ssl", value, metadata["rds.force_ssl"]) == ("0", None)


def test_boolean_garbage_is_refused(metadata):
    text, error = normalize_value("rds.force_ssl", "maybe", metadata["rds.force_ssl"])
    assert text is None
    assert error == "parameters.rds.force_ssl: value 'maybe' is not accepted; expected a boolean (true/false, on/off, yes/no, 1/0)"


@pytest.mark.parametrize("name, value, text", [
    ("work_mem", 65536, "65536"),
    ("work_mem", "4096", "4096"),
    ("work_mem", 64.0, "64"),
    ("idle_session_timeout", -1, "-1"),
    ("idle_session_timeout", "100", "100"),
    ("checkpoint_completion_target", 0.9, "0.9"),
    ("checkpoint_completion_target", "1", "1"),
    ("effective_cache_size", "{DBInstanceClassMemory*3/32768}", "{DBInstanceClassMemory*3/32768}"),
    ("max_connections", "LEAST({DBInstanceClassMemory/9531392},5000)", "LEAST({DBInstanceClassMemory/9531392},5000)"),
    ("max_connections", "GREATEST({DBInstanceClassMemory/9531392},5000)", "GREATEST({DBInstanceClassMemory/9531392},5000)"),
    ("shared_buffers", "SUM({DBInstanceClassMemory/12038},-50003)", "SUM({DBInstanceClassMemory/12038},-50003)"),
])
def test_numbers_in_range_and_formulas_are_accepted(metadata, name, value, text):
    assert normalize_value(name, value, metadata[name]) == (text, None)


@pytest.mark.parametrize("name, value, expected", [
    ("work_mem", 10, "expected an integer in 64-2147483647 or an RDS formula such as {DBInstanceClassMemory/32768}"),
    ("work_mem", "64MB", "expected an integer in 64-2147483647 or an RDS formula"),
    ("work_mem", 1.5, "expected an integer in 64-2147483647"),
    ("work_mem", True, "expected an integer"),
    ("idle_session_timeout", 0, "expected an integer in -1,1-100"),
    ("idle_session_timeout", 101, "expected an integer in -1,1-100"),
    ("checkpoint_completion_target", 1.5, "expected a number in 0-1"),
    ("checkpoint_completion_target", "fast", "expected a number in 0-1"),
    ("max_connections", "{DBInstanceClassMemory/9531392", "or an RDS formula"),
])
def test_numbers_out_of_range_or_malformed_are_refused(metadata, name, value, expected):
    text, error = normalize_value(name, value, metadata[name])
    assert text is None
    assert error.startswith("parameters.%s: value %r is not accepted; " % (name, value))
    assert expected in error


def test_string_enums_take_the_case_aws_lists(metadata):
    assert normalize_value("log_statement", "DDL", metadata["log_statement"]) == ("ddl", None)
    assert normalize_value("TimeZone", "europe/paris", metadata["TimeZone"]) == ("Europe/Paris", None)
    text, error = normalize_value("log_statement", "everything", metadata["log_statement"])
    assert error == "parameters.log_statement: value 'everything' is not accepted; expected one of: none, ddl, mod, all"


def test_free_strings_are_kept(metadata):
    assert normalize_value("search_path", '"$user", public', metadata["search_path"]) == ('"$user", public', None)


def test_list_parameters_accept_yaml_lists_and_comma_text(metadata):
    meta = metadata["shared_preload_libraries"]
    assert normalize_value("shared_preload_libraries", ["pg_stat_statements", "PGAUDIT"], meta) == ("pg_stat_statements,pgaudit", None)
    assert normalize_value("shared_preload_libraries", "pg_stat_statements, pgaudit", meta) == ("pg_stat_statements,pgaudit", None)
    assert normalize_value("pgaudit.log", "ddl,-read", metadata["pgaudit.log"]) == ("ddl,-read", None)


def test_list_elements_outside_the_allowed_values_are_named(metadata):
    text, error = normalize_value("shared_preload_libraries", ["pg_stat_statements", "timescaledb"], metadata["shared_preload_libraries"])
    assert text is None
    assert error == (
        "parameters.shared_preload_libraries: value ['pg_stat_statements', 'timescaledb'] is not accepted: "
        "'timescaledb' not allowed; each element must be one of: auto_explain, orafce, pgaudit, pglogical, pg_cron, "
        "pg_stat_statements, pg_hint_plan"
    )


def test_scalar_parameters_refuse_lists(metadata):
    text, error = normalize_value("log_statement", ["ddl", "mod"], metadata["log_statement"])
    assert error == "parameters.log_statement: value ['ddl', 'mod'] is not accepted; expected a single value, not a list"


def test_unmodifiable_parameters_are_refused(metadata):
    text, error = normalize_value("rds.extensions", "plpgsql", metadata["rds.extensions"])
    assert error == "parameters.rds.extensions: the parameter is not modifiable (RDS manages it); remove it from parameters"


def test_long_enumerations_list_the_closest_values():
    meta = {"DataType": "string", "AllowedValues": ",".join("zone%02d" % n for n in range(40)) + ",Europe/Paris"}
    text, error = normalize_value("TimeZone", "Europe/Pariss", meta)
    assert error.endswith("expected one of the 41 values AWS lists for it (closest: Europe/Paris)")


def test_validate_values_reports_every_problem_and_suggests_names(metadata):
    values = {"shared_bufers": 1024, "work_mem": 1, "log_statement": "mod", "rds.force_ssl": "yes",
              "timezone": "UTC", "maintenance_work_mem_typo_xyz": 5, "max_connections": None}
    normalized, errors = validate_values(values, metadata, "postgres16")
    assert normalized == {"log_statement": "mod", "rds.force_ssl": "1", "TimeZone": "UTC", "max_connections": None}
    assert len(errors) == 3
    assert "parameters.maintenance_work_mem_typo_xyz: postgres16 has no parameter named 'maintenance_work_mem_typo_xyz'; " \
           "see the parameters of the postgres16 family" in errors[0]
    assert errors[1] == "parameters.shared_bufers: postgres16 has no parameter named 'shared_bufers'; did you mean shared_buffers?"
    assert errors[2].startswith("parameters.work_mem: value 1 is not accepted; expected an integer in 64-2147483647")


def test_suggestions_are_at_most_three():
    metadata = dict((name, {"DataType": "integer"}) for name in ("log_min_messages", "log_min_duration", "log_min_error", "log_mint", "other"))
    normalized, (error,) = validate_values({"log_min": 1}, metadata, "postgres16")
    assert normalized == {}
    assert error.count(",") == 2 and "did you mean" in error


def test_names_match_case_insensitively_and_duplicates_are_refused():
    assert canonical_names(["timezone", "work_mem", "nope"], {"TimeZone": {}, "work_mem": {}}) == {
        "timezone": "TimeZone", "work_mem": "work_mem", "nope": "nope"}
    assert duplicate_name_errors(["TimeZone", "timezone", "work_mem"]) == [
        "parameters: TimeZone and timezone name the same parameter; give it once"]


@pytest.mark.parametrize("text, expected", [
    ("{DBInstanceClassMemory/32768}", True),
    ("GREATEST({DBInstanceClassMemory/9531392},5000)", True),
    ("least({DBInstanceClassMemory/9531392},5000)", True),
    ("SUM({DBInstanceClassMemory/12038},-50003)", True),
    ("{DBInstanceClassMemory/32768", False),
    ("GREATEST(1,2))", False),
    ("{x}; DROP", False),
    ("1024", False),
    (1024, False),
])
def test_formula_detection(text, expected):
    assert is_formula(text) is expected


def test_allowed_value_parsing():
    assert parse_numeric_allowed("-1,1-100") == [(-1.0, -1.0), (1.0, 100.0)]
    assert parse_numeric_allowed("0.1-1.5") == [(0.1, 1.5)]
    assert parse_numeric_allowed("-2147483648-2147483647") == [(-2147483648.0, 2147483647.0)]
    assert parse_enum("a,b,c") == ["a", "b", "c"]
    assert parse_enum("[a-z]*") is None
    assert parse_enum("") is None


def test_values_without_a_data_type_are_only_converted_to_text():
    assert normalize_value("x", ["a", "b"], {"ParameterName": "x"}) == ("a,b", None)
    assert normalize_value("x", True, {}) == ("1", None)
