"""Rendering postgresql.conf / pg_hba.conf from parameter group values (catalogue from a real server)."""

import os
import shutil
import tempfile

import pytest

from localenv.dataplane import config, formulas, template


@pytest.fixture(scope="module")
def dp_template():
    root = tempfile.mkdtemp(prefix="dp-config-", dir="/tmp")
    os.chmod(root, 0o755)
    yield template.ensure_template(os.path.join(root, "postgres"))
    shutil.rmtree(root, ignore_errors=True)


def _render(tpl, parameters, instance_class="db.t3.micro"):
    placement = config.Placement(
        port=5999, socket_dir="/tmp/sock", cert_file="/tmp/c.crt", key_file="/tmp/c.key", instance_class=instance_class
    )
    return config.render(parameters, tpl.catalogue, placement, tpl.libraries)


def test_defaults_are_small(dp_template):
    rendered = _render(dp_template, {})
    assert rendered.settings["shared_buffers"] == "4096"  # 32MB in 8kB pages
    assert rendered.settings["max_connections"] == "50"
    assert "hostssl all          all       127.0.0.1/32   md5" in rendered.hba
    assert "\nhost    all          all       127.0.0.1/32   md5" in rendered.hba
    scram = _render(dp_template, {"rds.accepted_password_auth_method": "scram"})
    assert "\nhost    all          all       127.0.0.1/32   scram-sha-256" in scram.hba
    assert " md5" not in scram.hba


def test_formula_is_evaluated_then_capped(dp_template):
    small = _render(dp_template, {"shared_buffers": "{DBInstanceClassMemory/131072}"})
    assert small.settings["shared_buffers"] == str(1024**3 // 131072)  # 64MB in 8kB pages: not capped
    big = _render(dp_template, {"shared_buffers": "{DBInstanceClassMemory/32768}"}, "db.r6g.2xlarge")
    assert big.settings["shared_buffers"] == str(128 * 1024 * 1024 // 8192)
    conns = _render(dp_template, {"max_connections": "LEAST({DBInstanceClassMemory/9531392},5000)"}, "db.r7g.large")
    assert conns.settings["max_connections"] == "200"
    assert formulas.class_memory("db.m7g.large") == 8 * formulas.GIB
    assert formulas.class_memory("db.unknown.size") == 4 * formulas.GIB


def test_units_caps_and_managed_settings(dp_template):
    rendered = _render(
        dp_template,
        {
            "work_mem": "1048576",  # kB -> 1 GiB, capped to 64MB
            "maintenance_work_mem": "1GB",
            "effective_cache_size": "{DBInstanceClassMemory/16384}",
            "port": "5432",
            "listen_addresses": "*",
            "ssl": "off",
            "log_min_duration_statement": "250",
        },
    )
    assert rendered.settings["work_mem"] == str(64 * 1024)
    assert rendered.settings["maintenance_work_mem"] == str(256 * 1024)
    assert rendered.settings["effective_cache_size"] == str(1024**3 // 16384)
    assert rendered.settings["port"] == "5999"
    assert rendered.settings["listen_addresses"] == "127.0.0.1"
    assert rendered.settings["ssl"] == "on"
    assert rendered.settings["log_min_duration_statement"] == "250"
    assert {"port", "listen_addresses", "ssl"} <= set(rendered.skipped)


def test_rds_only_and_unknown_parameters(dp_template):
    rendered = _render(
        dp_template,
        {
            "rds.force_ssl": "1",
            "rds.logical_replication": "1",
            "rds.log_retention_period": "4320",
            "shared_preload_libraries": "pg_stat_statements,pgaudit,not_installed_lib",
            "pgaudit.log": "ddl,role",
            "enable_seqscan": "maybe",
        },
    )
    assert rendered.force_ssl
    assert "\nhost    all          all" not in rendered.hba
    assert "hostssl all          all       127.0.0.1/32   md5" in rendered.hba
    assert rendered.settings["wal_level"] == "logical"
    assert rendered.settings["shared_preload_libraries"] == "pg_stat_statements,pgaudit"
    assert rendered.settings["pgaudit.log"] == "ddl,role"
    assert "rds.log_retention_period" in rendered.skipped
    assert "shared_preload_libraries:not_installed_lib" in rendered.skipped
    assert "enable_seqscan" in rendered.skipped
