"""The artifact built by `ansible-galaxy collection build` works once installed."""

import os
import pathlib
import subprocess

import yaml

from harness import REPO, VENV_BIN

INSTALLED = REPO / "build" / "installed"


def run_outside_repo(command, tmp_path, env):
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\ncollections_path = %s\n" % INSTALLED)
    env = dict(env, ANSIBLE_CONFIG=str(config), ANSIBLE_COLLECTIONS_PATH=str(INSTALLED))
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_installed_module_documentation_comes_from_the_installed_copy(ansible, tmp_path):
    assert (INSTALLED / "ansible_collections" / "innovate" / "aws_postgres" / "MANIFEST.json").exists(), "run make build"
    doc = run_outside_repo([str(VENV_BIN / "ansible-doc"), "innovate.aws_postgres.rds_parameter_group"], tmp_path, ansible.env())
    assert doc.returncode == 0, doc.stderr
    assert str(INSTALLED) in doc.stdout


def test_installed_module_converges_a_group(ansible, localenv, tmp_path):
    playbook = tmp_path / "installed.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "tasks": [{"name": "from the installed artifact", "innovate.aws_postgres.rds_parameter_group": {
            "name": "installed-artifact-check", "family": "postgres15", "parameters": {"log_connections": 1},
        }}],
    }]))
    run = run_outside_repo(
        [str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", str(playbook)], tmp_path, ansible.env(),
    )
    assert run.returncode == 0, run.stdout + run.stderr
    params = localenv.client("rds").describe_db_parameters(DBParameterGroupName="installed-artifact-check", Source="user")
    assert {p["ParameterName"]: p["ParameterValue"] for p in params["Parameters"]} == {"log_connections": "1"}
    assert not os.path.islink(INSTALLED / "ansible_collections" / "innovate" / "aws_postgres")
    assert not pathlib.Path(INSTALLED, "ansible_collections", "innovate", "aws_postgres", "localenv").exists()
