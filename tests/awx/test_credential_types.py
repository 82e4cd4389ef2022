"""The credential types of awx/vars/credential_types.yml, rendered as the controller renders them.

The AWS assume-role type must make boto3 assume the role by itself (config profile with role_arn
+ source_profile), so that a playbook with no AWS credential options reaches the target account.
"""

import configparser
import json
import os
import subprocess
import sys

import pytest

from awx_job import Job
from controller_rules import ENV_BLOCKLIST, render_injectors

DATA_ACCOUNT = "111111111111"
SECURITY_ACCOUNT = "222222222222"
ACCESS_KEY = "AKIAAWXTESTAUTOMATION"
SECRET_KEY = "awx-credential-secret-key-9f8e7d6c5b4a"

IDENTITY = """
import json
import boto3
print(json.dumps(boto3.client("sts").get_caller_identity()))
"""


def credential_type(controller, name):
    matches = [item for item in controller["controller_credential_types"] if item["name"] == name]
    assert len(matches) == 1, "credential type %r is defined %d times" % (name, len(matches))
    return matches[0]


@pytest.fixture(name="assume_role_type")
def fixture_assume_role_type(controller):
    return credential_type(controller, "AWS assume-role into an account")


def caller_identity(env, localenv):
    """sts:GetCallerIdentity from a bare boto3 client, with only the injected environment."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    clean.update(env, AWS_ENDPOINT_URL=localenv.endpoint_url, AWS_DEFAULT_REGION="us-east-1")
    completed = subprocess.run([sys.executable, "-c", IDENTITY], env=clean, capture_output=True, text=True, check=False, timeout=60)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_every_credential_type_is_well_formed(controller):
    for item in controller["controller_credential_types"]:
        field_ids = [field["id"] for field in item["inputs"]["fields"]]
        assert len(field_ids) == len(set(field_ids)), item["name"]
        assert set(item["inputs"].get("required", [])) <= set(field_ids), item["name"]
        assert item["kind"] in ("cloud", "net"), "custom credential types are cloud or net"
        for name in item["injectors"].get("env", {}):
            assert not name.startswith("ANSIBLE_") and name not in ENV_BLOCKLIST, name
        secret = [field["id"] for field in item["inputs"]["fields"] if field.get("secret")]
        assert secret, "%s has no secret input" % item["name"]


def test_example_credentials_hold_no_secret(controller):
    types = {item["name"]: item for item in controller["controller_credential_types"]}
    for credential in controller["controller_credentials"]:
        ctype = types[credential["credential_type"]]
        fields = {field["id"]: field for field in ctype["inputs"]["fields"]}
        assert set(credential["inputs"]) <= set(fields), credential["name"]
        missing = set(ctype["inputs"]["required"]) - set(credential["inputs"])
        assert not missing, "%s lacks %s" % (credential["name"], missing)
        for name, value in credential["inputs"].items():
            if fields[name].get("secret"):
                assert value.startswith("{{ vault_") and value.endswith(" }}"), \
                    "%s: the secret %s must come from a vault variable, not be written here" % (credential["name"], name)


def test_assume_role_injectors_write_a_profile_boto3_assumes_by_itself(assume_role_type, localenv, tmp_path):
    role_arn = "arn:aws:iam::%s:role/InnovateAutomation" % DATA_ACCOUNT
    env, extra_vars, files = render_injectors(
        assume_role_type, {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "role_arn": role_arn}, tmp_path)
    assert extra_vars == {}
    assert set(env) == {"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_PROFILE"}
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == files["template.credentials"]
    assert env["AWS_CONFIG_FILE"] == files["template.config"]
    for path in files.values():
        assert os.path.dirname(path) == str(tmp_path / "env")
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    credentials = configparser.ConfigParser()
    credentials.read(env["AWS_SHARED_CREDENTIALS_FILE"])
    source = credentials["innovate-source"]
    assert source["aws_access_key_id"] == ACCESS_KEY and source["aws_secret_access_key"] == SECRET_KEY
    config = configparser.ConfigParser()
    config.read(env["AWS_CONFIG_FILE"])
    profile = config["profile %s" % env["AWS_PROFILE"]]
    assert profile["role_arn"] == role_arn and profile["source_profile"] == "innovate-source"
    assert "external_id" not in profile, "an empty external id must not be written"
    assert SECRET_KEY not in json.dumps(env), "the secret key goes into the file only"

    identity = caller_identity(env, localenv)
    assert identity["Account"] == DATA_ACCOUNT
    assert identity["Arn"].startswith("arn:aws:sts::%s:assumed-role/InnovateAutomation/awx-innovate-aws-postgres" % DATA_ACCOUNT)


def test_external_id_reaches_the_profile_and_another_account_is_reached(assume_role_type, localenv, tmp_path):
    role_arn = "arn:aws:iam::%s:role/InnovateAutomation" % SECURITY_ACCOUNT
    env, _extra, _files = render_injectors(
        assume_role_type,
        {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "role_arn": role_arn, "external_id": "innovate-ext-42"}, tmp_path)
    config = configparser.ConfigParser()
    config.read(env["AWS_CONFIG_FILE"])
    assert config["profile innovate"]["external_id"] == "innovate-ext-42"
    assert caller_identity(env, localenv)["Account"] == SECURITY_ACCOUNT


def test_break_glass_type_gives_the_login_and_a_password_file_only(controller, tmp_path):
    env, extra_vars, files = render_injectors(
        credential_type(controller, "PostgreSQL break-glass admin"), {"username": "break_glass_admin", "password": "s3cr3t-bg"}, tmp_path)
    assert extra_vars == {"break_glass_role": "break_glass_admin"}
    assert env == {"PGPASSFILE": files["template.pgpass"]}
    with open(files["template.pgpass"], encoding="utf-8") as stream:
        # The controller's sandbox drops a template's final newline (keep_trailing_newline is off); libpq does not mind.
        assert stream.read() == "*:*:*:break_glass_admin:s3cr3t-bg"
    assert oct(os.stat(files["template.pgpass"]).st_mode & 0o777) == "0o600", "libpq ignores a group- or world-readable file"


def test_a_playbook_without_aws_options_runs_in_the_role_account(assume_role_type, localenv, tmp_path, collection_tarball):
    """A collection module with no credential or role option: the landing-zone subnets it finds
    by tag exist only in the data account, so the plan proves the role was assumed by boto3."""
    project = tmp_path / "src"
    (project / "inventories" / "awx").mkdir(parents=True)
    (project / "inventories" / "awx" / "hosts.yml").write_text("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n")
    (project / "network_plan.yml").write_text(
        "- name: Plan a database network\n"
        "  hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - name: Plan the network of awx-db\n"
        "      innovate.aws_postgres.rds_network:\n"
        "        name: awx-db-db\n"
        "        subnet_filters:\n"
        "          tag:tier: private\n"
        "          tag:Name: innovate-data-*\n"
        "        allowed_security_groups:\n"
        "          - app-servers\n"
        "      check_mode: true\n"
        "      register: network\n"
        "    - name: Publish the planned subnet group\n"
        "      ansible.builtin.set_stats:\n"
        "        data:\n"
        "          planned_subnets: \"{{ network.subnet_group.subnet_ids | default([]) | length }}\"\n"
    )
    template = {"name": "network plan", "playbook": "network_plan.yml", "survey_enabled": False}
    role_arn = "arn:aws:iam::%s:role/InnovateAutomation" % DATA_ACCOUNT
    job = Job(tmp_path / "job", template, inventory="awx",
              credentials=[(assume_role_type, {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "role_arn": role_arn})],
              environment={"AWS_ENDPOINT_URL": localenv.endpoint_url, "AWS_DEFAULT_REGION": "us-east-1"})
    job.prepare(collection_tarball, project=project).run()
    assert job.status == "successful", job.explain()
    assert int(job.artifact_data()["planned_subnets"]) == 3
    assert job.leaked(SECRET_KEY) == []
    assert localenv.requests()["by_operation"].get("sts:AssumeRole", 0) >= 1
