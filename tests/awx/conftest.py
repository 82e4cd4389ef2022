"""Fixtures for the AWX / Automation Controller tests: the controller content of awx/vars, the
collection built as a tarball, and one local environment for the whole session."""

import os
import pathlib
import subprocess
import sys

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
VENV_BIN = pathlib.Path(sys.executable).parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

from harness import running_localenv  # noqa: E402  pylint: disable=wrong-import-position
from awx_job import copy_project  # noqa: E402  pylint: disable=wrong-import-position


def load_controller_content():
    """Every awx/vars/*.yml merged into one dict, as awx/apply.yml loads them."""
    content = {}
    for path in sorted((REPO / "awx" / "vars").glob("*.yml")):
        data = yaml.safe_load(path.read_text()) or {}
        duplicated = set(data) & set(content)
        assert not duplicated, "%s defines %s again" % (path.name, sorted(duplicated))
        content.update(data)
    return content


@pytest.fixture(scope="session")
def controller():
    return load_controller_content()


@pytest.fixture(scope="session")
def collection_tarball(tmp_path_factory):
    """The collection as ansible-galaxy collection build writes it (what the EE and AWX install).

    Built from a copy of the project, as a project sync would see it, so that files being edited
    meanwhile cannot make the tarball's checksums disagree with its content."""
    source = tmp_path_factory.mktemp("source")
    copy_project(source)
    out = tmp_path_factory.mktemp("dist")
    env = dict(os.environ, ANSIBLE_CONFIG=str(source / "ansible.cfg"))
    completed = subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(out), str(source)],
                               cwd=source, env=env, check=False, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    tarballs = list(out.glob("innovate-aws_postgres-*.tar.gz"))
    assert len(tarballs) == 1, tarballs
    return tarballs[0]


@pytest.fixture(scope="session")
def localenv():
    with running_localenv("innovate-awx-") as env:
        yield env
