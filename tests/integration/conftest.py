"""Fixtures for integration tests: the local environment and ansible runs against it.

The local environment is started once per test session on a free port with its own state
directory, so tests never disturb a running ``make demo``.
"""

import os
import shutil
import sys
import tempfile

import pytest

from harness import REPO, Ansible, LocalEnv, free_port

# Tests that use module_utils directly import the repository as ansible_collections.innovate.aws_postgres.
if str(REPO / ".collections") not in sys.path:
    sys.path.insert(0, str(REPO / ".collections"))


@pytest.fixture(scope="session")
def localenv():
    state_dir = tempfile.mkdtemp(prefix="innovate-it-", dir="/tmp")
    os.chmod(state_dir, 0o755)
    env = LocalEnv(free_port(), state_dir)
    result = env.cli("up", check=False)
    if result.returncode != 0:
        pytest.fail("localenv up failed:\n%s\n%s" % (result.stdout, result.stderr))
    try:
        yield env
    finally:
        env.cli("down", check=False)
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_faults_leak(request):
    yield
    if "localenv" in request.fixturenames:
        env = request.getfixturevalue("localenv")
        env.clear_faults()
        env.set_transitions(creating=0, modifying=0, rebooting=0, deleting=0)


@pytest.fixture
def ansible(localenv, tmp_path):
    return Ansible(localenv, tmp_path)
