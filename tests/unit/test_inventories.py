"""Every inventory loads and carries what the roles need, with the seeds' settings per environment.

Each inventory is listed with ``ansible-inventory --list`` (it must load without a warning), then
the variables of every database host are rendered by ansible itself (templates, group and host
precedence) and checked against the contract between the inventories and the roles.
"""

import ipaddress
import json
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

from localenv import accounts as localenv_accounts

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
ENVIRONMENTS = ("local", "dev", "staging", "prod")
ACCOUNT_GROUPS = {"data": "data_account", "security": "security_account", "backup": "backup_account", "app": "app_account"}
REGIONS = {"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1"}
# Facts that roles set for later roles: defaults may use them without a default() guard.
FACTS = re.compile(r"^(db_endpoint_address|db_endpoint_port|db_master_secret_arn|db_resource_arn|rds_\w+|pg_bootstrap_\w+)$")
INVENTORY_NAME = re.compile(r"\b(db_[a-z0-9_]+|aws_[a-z0-9_]+|kms_assume_role_arn|backup_assume_role_arn|env_name|pg_ca_bundle|default_tags)\b")
# Every variable an inventory may define for its databases (the contract), whether or not a role has a default for it.
CONTRACT = sorted({
    "env_name", "aws_region", "aws_dr_region", "aws_endpoint_url", "aws_access_key", "aws_secret_key", "aws_accounts",
    "aws_automation_role_name", "aws_assume_role_arn", "aws_account_id", "kms_assume_role_arn", "backup_assume_role_arn",
    "pg_ca_bundle", "default_tags", "db_engine", "db_major_version", "db_instance_class", "db_name", "db_master_username",
    "db_parameters", "db_multi_az", "db_allocated_storage", "db_max_allocated_storage", "db_storage_type", "db_iops",
    "db_storage_throughput", "db_replicas", "db_aurora_readers", "db_serverless_min_acu", "db_serverless_max_acu", "db_autoscaling",
    "db_global_secondary_region", "db_proxy_enabled", "db_extensions", "db_role_model", "db_app_secrets",
    "db_backup_retention_days", "db_performance_insights_retention_days", "db_monitoring_interval", "db_monitoring_role_arn",
    "db_log_exports", "db_deletion_protection", "db_force_ssl", "db_iam_auth", "db_backup_window", "db_maintenance_window",
    "db_subnet_filters", "db_subnet_ids", "db_vpc_id", "db_allowed_security_groups", "db_allowed_cidrs", "db_port",
})
RENDER = """
- hosts: databases
  gather_facts: false
  tasks:
    - name: Render the contract variables of each database
      vars:
        present: "{{ names | select('in', hostvars[inventory_hostname]) | list }}"
      ansible.builtin.copy:
        content: "{{ dict(present | zip(present | map('extract', hostvars[inventory_hostname]))) | to_json }}"
        dest: "{{ out }}/{{ inventory_hostname }}.json"
        mode: "0600"
"""


def required_by_roles():
    """Inventory variables that role defaults use without a default() or an ``is defined`` guard."""
    required = {}
    for defaults in sorted(REPO.glob("roles/*/defaults/main.yml")):
        for name, value in (yaml.safe_load(defaults.read_text()) or {}).items():
            text = json.dumps(value)
            for used in set(INVENTORY_NAME.findall(text)):
                guarded = re.search(r"\b%s\b[\w.\[\]'\"]*\s*\|\s*default\(|\b%s\s+is\s+defined" % (used, used), text)
                if not guarded and not FACTS.match(used):
                    required.setdefault(used, set()).add("%s (%s)" % (defaults.parent.parent.name, name))
    return required


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def inventory(request, tmp_path_factory):
    env = request.param
    path = REPO / "inventories" / env
    run_env = {"ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "PATH": "%s:/usr/bin:/bin" % BIN, "HOME": str(tmp_path_factory.getbasetemp()),
               "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCALHOST_WARNING": "false"}
    listed = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(path), "--list"], cwd=REPO, env=run_env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert listed.returncode == 0, listed.stderr
    assert "WARNING" not in listed.stderr.upper(), listed.stderr
    out = tmp_path_factory.mktemp("render-" + env)
    playbook = out / "render.yml"
    playbook.write_text(RENDER)
    rendered = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(path), str(playbook),
                               "-e", json.dumps({"names": CONTRACT + sorted(required_by_roles()), "out": str(out)})],
                              cwd=REPO, env=run_env, capture_output=True, text=True, timeout=300, check=False)
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    listing = json.loads(listed.stdout)
    hosts = {path.stem: json.loads(path.read_text()) for path in out.glob("*.json")}
    return dict(name=env, listing=listing, hosts=hosts)


def group_hosts(listing, group):
    found = set(listing.get(group, {}).get("hosts", []))
    for child in listing.get(group, {}).get("children", []):
        found |= group_hosts(listing, child)
    return found


def test_every_account_group_exists_and_databases_live_in_the_data_account(inventory):
    listing = inventory["listing"]
    children = set(listing["all"]["children"])
    assert {"databases", "security_account", "backup_account", "app_account"} <= children
    databases = group_hosts(listing, "databases")
    assert databases and databases == set(inventory["hosts"])
    assert databases == group_hosts(listing, "data_account")
    assert {"app-db", "orders-aurora"} <= databases


def test_account_ids_and_roles_to_assume(inventory):
    for host, hv in inventory["hosts"].items():
        ids = hv["aws_accounts"]
        assert set(ids) == set(ACCOUNT_GROUPS) | {"nonprod"}, host  # nonprod: restore tests only (no group, no hosts)
        assert all(isinstance(value, str) and re.match(r"^\d{12}$", value) for value in ids.values()), ids
        assert len(set(ids.values())) == 5, "each account is distinct: %s" % ids
        role = hv["aws_automation_role_name"]
        assert hv["aws_account_id"] == ids["data"]
        assert hv["aws_assume_role_arn"] == "arn:aws:iam::%s:role/%s" % (ids["data"], role)
        assert hv["kms_assume_role_arn"] == "arn:aws:iam::%s:role/%s" % (ids["security"], role)
        assert hv["backup_assume_role_arn"] == "arn:aws:iam::%s:role/%s" % (ids["backup"], role)
        assert hv["env_name"] == inventory["name"]
        assert hv["aws_region"] in REGIONS and hv["aws_dr_region"] in REGIONS and hv["aws_region"] != hv["aws_dr_region"]
        assert hv["default_tags"]["environment"] == inventory["name"]
        if inventory["name"] == "local":
            assert ids == {name: localenv_accounts.ACCOUNTS[name] for name in ids}, "local uses the emulator's accounts"
            assert hv["aws_endpoint_url"].startswith("http://127.0.0.1:")
        else:
            assert "aws_endpoint_url" not in hv and "aws_access_key" not in hv and "aws_secret_key" not in hv
            assert "localenv" not in hv["pg_ca_bundle"] and "/tmp/" not in hv["pg_ca_bundle"]


def test_every_database_host_has_what_the_roles_need(inventory):
    required = required_by_roles()
    for host, hv in inventory["hosts"].items():
        missing = dict((name, sorted(users)) for name, users in required.items() if name not in hv)
        assert not missing, "%s lacks %s" % (host, missing)


def check_identifier(name):
    assert re.match(r"^[a-z][a-z0-9-]{0,62}$", name) and "--" not in name and not name.endswith("-"), name


def test_engine_and_sizing_are_valid(inventory):
    for host, hv in inventory["hosts"].items():
        check_identifier(host)
        engine = hv["db_engine"]
        assert engine in ("postgres", "aurora-postgresql"), host
        assert hv["db_major_version"] in ("15", "16") and isinstance(hv["db_major_version"], str), host
        assert re.match(r"^[a-z_][a-z0-9_]{0,62}$", hv["db_name"]) and re.match(r"^[a-z][a-z0-9_]{0,15}$", hv["db_master_username"])
        assert hv["db_master_username"] not in ("rdsadmin", "admin", "postgres"), host
        klass = hv["db_instance_class"]
        if klass == "db.serverless":
            assert engine == "aurora-postgresql", "Serverless v2 is Aurora only (%s)" % host
            assert 0.5 <= float(hv["db_serverless_min_acu"]) <= float(hv["db_serverless_max_acu"]) <= 256, host
        else:
            assert re.match(r"^db\.(t4g|m7g|r6g|r7g)\.(medium|large|\d*xlarge)$", klass), (host, klass)
        if engine == "postgres":
            assert hv["db_storage_type"] == "gp3" and isinstance(hv["db_multi_az"], bool)
            assert 20 <= int(hv["db_allocated_storage"]) < int(hv["db_max_allocated_storage"]), host
            if int(hv["db_allocated_storage"]) < 400:
                assert "db_iops" not in hv and "db_storage_throughput" not in hv, "gp3 under 400 GiB runs at its baseline (%s)" % host
            for replica in hv.get("db_replicas", []):
                check_identifier("%s-%s" % (host, replica["identifier_suffix"]))
                assert replica.get("region", hv["aws_region"]) in REGIONS
        else:
            for reader in hv.get("db_aurora_readers", []):
                assert set(reader) <= {"instance_class", "promotion_tier", "availability_zone"}, reader
                assert 0 <= int(reader.get("promotion_tier", 1)) <= 15
                assert reader.get("availability_zone", hv["aws_region"] + "a").startswith(hv["aws_region"])
            scaling = hv.get("db_autoscaling")
            if scaling:
                assert scaling["metric"] in ("cpu", "connections") and 1 <= scaling["min_capacity"] <= scaling["max_capacity"] <= 15


def test_protection_and_observability_settings_are_valid(inventory):
    for host, hv in inventory["hosts"].items():
        assert 1 <= int(hv["db_backup_retention_days"]) <= 35, host
        assert int(hv["db_performance_insights_retention_days"]) in [7, 731] + [31 * month for month in range(1, 24)]
        assert int(hv["db_monitoring_interval"]) in (0, 1, 5, 10, 15, 30, 60)
        if int(hv["db_monitoring_interval"]):
            assert hv["db_monitoring_role_arn"].startswith("arn:aws:iam::%s:role/" % hv["aws_accounts"]["data"])
        assert {"postgresql", "upgrade"} <= set(hv["db_log_exports"]) <= {"postgresql", "upgrade", "iam-db-auth-error"}
        assert isinstance(hv["db_deletion_protection"], bool) and hv["db_force_ssl"] is True, host


def test_network_selection_and_sources(inventory):
    for host, hv in inventory["hosts"].items():
        assert bool(hv.get("db_subnet_filters")) != bool(hv.get("db_subnet_ids")), "exactly one of db_subnet_filters / db_subnet_ids"
        assert hv.get("db_allowed_security_groups") or hv.get("db_allowed_cidrs"), host
        for cidr in hv.get("db_allowed_cidrs", []):
            network = ipaddress.ip_network(cidr, strict=True)
            assert network.prefixlen > 0 and network.is_private, (host, cidr)


def test_extensions_role_model_and_secrets_agree(inventory):
    for host, hv in inventory["hosts"].items():
        assert {"pg_trgm", "uuid-ossp", "pgcrypto", "pgaudit"} <= {ext["name"] for ext in hv["db_extensions"]}, host
        model = hv["db_role_model"]
        assert set(model) <= {"groups", "logins", "schemas", "privileges", "default_privileges", "hardening", "audit", "purge"}
        for entry in model.get("privileges", []) + model.get("default_privileges", []):
            assert entry.get("on") in ("schema", "tables", "sequences", "functions"), "quote the key 'on' in YAML: %s" % entry
        logins = {login["name"]: login for login in model.get("logins", [])}
        assert all("password" not in login for login in logins.values()), "passwords come from the secrets, never the inventory"
        for secret in hv.get("db_app_secrets", []):
            assert secret["login"] in logins, "%s: secret of %s, which the role model does not declare" % (host, secret["login"])
            assert secret.get("auth", "password") == ("iam" if logins[secret["login"]].get("iam") else "password"), secret


def test_each_environment_carries_the_seeds_settings(inventory):
    hosts, env = inventory["hosts"], inventory["name"]
    rds = dict((host, hv) for host, hv in hosts.items() if hv["db_engine"] == "postgres")
    aurora = dict((host, hv) for host, hv in hosts.items() if hv["db_engine"] == "aurora-postgresql")
    assert rds and aurora
    if env == "prod":
        for host, hv in rds.items():
            assert hv["db_instance_class"] == "db.m7g.large" and hv["db_multi_az"] is True, host
            assert hv["db_storage_type"] == "gp3" and 100 <= hv["db_allocated_storage"] <= 200
            assert hv["db_allocated_storage"] < hv["db_max_allocated_storage"] <= 200
        for hv in hosts.values():
            assert hv["db_backup_retention_days"] == 14 and hv["db_performance_insights_retention_days"] == 7
            assert hv["db_monitoring_interval"] == 5 and hv["db_deletion_protection"] is True and hv["db_force_ssl"] is True
        assert any(len(hv["db_aurora_readers"]) == 2 for hv in aurora.values()), "an Aurora deployment with 2 readers"
        assert any(replica.get("region") == hv["aws_dr_region"] for hv in rds.values() for replica in hv["db_replicas"]), "a DR replica"
    elif env == "staging":
        assert any(hv["db_instance_class"] == "db.serverless" for hv in aurora.values()), "Aurora Serverless v2 in staging"
        assert all(hv["db_deletion_protection"] for hv in hosts.values())
    elif env == "dev":
        for host, hv in rds.items():
            assert hv["db_instance_class"] == "db.t4g.medium" and hv["db_multi_az"] is False, host
    else:
        app, orders = hosts["app-db"], hosts["orders-aurora"]
        assert app["db_engine"] == "postgres" and app["db_multi_az"] is True
        assert len(app["db_replicas"]) == 1 and app["db_replicas"][0].get("region", app["aws_region"]) == app["aws_region"]
        assert orders["db_engine"] == "aurora-postgresql" and len(orders["db_aurora_readers"]) == 1
        assert all(hv["db_deletion_protection"] is True for hv in hosts.values())
        assert hosts["app-db"]["db_subnet_filters"] == {"tag:tier": "private", "tag:Name": "innovate-data-*"}
