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


# pytest-xdist hands whole files to the workers in collection order: the longest files go first, so
# that no worker starts one of them while the others are running out of work (measured with --durations).
LONGEST_FIRST = (
    "test_restore_test.py", "test_rds_network.py", "test_db_secret.py", "test_site.py", "test_day2_migrate_to_aurora.py",
    "test_pg_extensions.py", "test_rds_parameter_group.py", "test_dr_failover_aurora.py", "test_posture_audit.py",
    "test_aurora_cluster.py", "test_dr_failover_playbook.py", "test_day2_break_glass.py", "test_rds_proxy.py",
)


def pytest_collection_modifyitems(items):
    rank = dict((name, position) for position, name in enumerate(LONGEST_FIRST))
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


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
