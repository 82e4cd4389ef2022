"""Fixtures for integration tests: the local environment and ansible runs against it.

The local environment is started once per test session on a free port with its own state
directory, so tests never disturb a running ``make demo``.
"""

import sys

import pytest

from harness import REPO, Ansible, running_localenv

# Tests that use module_utils directly import the repository as ansible_collections.innovate.aws_postgres.
if str(REPO / ".collections") not in sys.path:
    sys.path.insert(0, str(REPO / ".collections"))


@pytest.fixture(scope="session")
def localenv():
    with running_localenv("innovate-it-") as env:
        yield env


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
