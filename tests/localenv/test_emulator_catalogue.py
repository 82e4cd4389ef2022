"""The parameter catalogue: lookups, per-version deltas, RDS specifics, stable regeneration."""

import filecmp

import pytest

from localenv import catalogue
from localenv.catalogue import generate

FAMILIES = ["aurora-postgresql15", "aurora-postgresql16", "postgres14", "postgres15",
            "postgres16"]


def test_families():
    assert catalogue.families() == FAMILIES


def test_lookup_shapes_follow_pg_settings():
    work_mem = catalogue.lookup("postgres15", "work_mem")
    assert work_mem["DataType"] == "integer"
    assert work_mem["AllowedValues"] == "64-2147483647"
    assert work_mem["ApplyType"] == "dynamic"
    assert work_mem["IsModifiable"] is True
    assert work_mem["Unit"] == "kB"
    assert catalogue.lookup("postgres15", "max_connections")["ApplyType"] == "static"
    assert catalogue.lookup("postgres15", "log_connections")["AllowedValues"] == "0,1"
    assert catalogue.lookup("postgres15", "wal_compression")["AllowedValues"] == \
        "pglz,lz4,zstd,on,off"
    assert catalogue.lookup("postgres15", "random_page_cost")["DataType"] == "float"


def test_unknown_names_and_families():
    assert catalogue.lookup("postgres15", "no_such_setting") is None
    assert catalogue.lookup("mysql8.0", "work_mem") is None
    assert catalogue.parameters("mysql8.0") is None
    with pytest.raises(KeyError):
        catalogue.apply_type("postgres15", "no_such_setting")


def test_extension_settings_are_captured():
    for name in ("pgaudit.log", "pgaudit.role", "pg_stat_statements.track",
                 "auto_explain.log_min_duration"):
        assert catalogue.lookup("postgres15", name)["IsModifiable"], name
    assert catalogue.lookup("postgres15", "pg_stat_statements.max")["ApplyType"] == "static"


def test_rds_blocked_and_internal_settings_are_not_modifiable():
    for name in ("data_directory", "listen_addresses", "port", "hba_file", "ssl_cert_file",
                 "block_size", "server_version"):
        assert catalogue.lookup("postgres15", name)["IsModifiable"] is False, name
    assert catalogue.lookup("postgres15", "port")["Source"] == "system"


def test_rds_specific_parameters():
    assert catalogue.lookup("postgres14", "rds.force_ssl")["ParameterValue"] == "0"
    assert catalogue.lookup("postgres15", "rds.force_ssl")["ParameterValue"] == "1"
    assert catalogue.apply_type("postgres15", "rds.force_ssl") == "dynamic"
    assert catalogue.apply_type("postgres15", "rds.logical_replication") == "static"
    assert catalogue.lookup("postgres16", "rds.log_retention_period")["AllowedValues"] == \
        "1440-10080"
    libraries = catalogue.lookup("postgres15", "shared_preload_libraries")
    assert libraries["DataType"] == "list"
    assert libraries["ParameterValue"] == "pg_stat_statements"
    assert {"pgaudit", "pg_cron", "auto_explain"} <= set(libraries["AllowedValues"].split(","))
    assert catalogue.lookup("postgres15", "aurora_compute_plan_id") is None
    assert catalogue.lookup("aurora-postgresql15", "aurora_compute_plan_id") is not None


def test_version_deltas():
    assert catalogue.lookup("postgres16", "debug_parallel_query") is not None
    assert catalogue.lookup("postgres16", "force_parallel_mode") is None
    assert catalogue.lookup("postgres15", "force_parallel_mode") is not None
    for name in ("createrole_self_grant", "scram_iterations", "reserved_connections",
                 "vacuum_buffer_usage_limit", "icu_validation_level", "send_abort_for_kill"):
        assert catalogue.lookup("postgres16", name) is not None, name
        assert catalogue.lookup("postgres15", name) is None, name
    for name in ("promote_trigger_file", "vacuum_defer_cleanup_age"):
        assert catalogue.lookup("postgres16", name) is None, name
    for name in ("recovery_prefetch", "stats_fetch_consistency", "archive_library"):
        assert catalogue.lookup("postgres14", name) is None, name
        assert catalogue.lookup("postgres15", name) is not None, name
    assert catalogue.lookup("postgres14", "stats_temp_directory") is not None
    assert catalogue.lookup("postgres14", "wal_compression")["AllowedValues"] == "0,1"
    assert catalogue.lookup("postgres14", "work_mem")["MinimumEngineVersion"] == "14.1"


def test_aurora_scope():
    assert catalogue.scope("aurora-postgresql16", "work_mem") == "instance"
    assert catalogue.scope("aurora-postgresql16", "rds.force_ssl") == "cluster"
    assert catalogue.scope("aurora-postgresql16", "shared_preload_libraries") == "both"
    assert catalogue.scope("aurora-postgresql16", "max_connections") == "instance"
    assert "Scope" not in catalogue.lookup("postgres16", "work_mem")


def test_regeneration_is_a_no_op(tmp_path):
    generate.main(["--output", str(tmp_path)])
    names = sorted(p.name for p in catalogue.DATA_DIR.glob("*.json"))
    assert sorted(p.name for p in tmp_path.glob("*.json")) == names
    match, mismatch, errors = filecmp.cmpfiles(catalogue.DATA_DIR, tmp_path, names,
                                               shallow=False)
    assert (mismatch, errors) == ([], [])
