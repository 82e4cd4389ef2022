"""The waiter helper against the emulator's slow state transitions (the fault switch)."""

import uuid

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.waiters import wait


@pytest.fixture
def slow_instance(localenv):
    rds = localenv.client("rds")
    name = "slow-%s" % uuid.uuid4().hex[:8]
    localenv.set_transitions(creating=4)
    rds.create_db_instance(
        DBInstanceIdentifier=name, Engine="postgres", EngineVersion="15.8", DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20, MasterUsername="app_admin", MasterUserPassword="s3cret-Passw0rd",
    )
    yield rds, name
    localenv.set_transitions(creating=0)
    rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)


def test_a_timeout_shorter_than_the_transition_names_the_last_state(slow_instance):
    rds, name = slow_instance
    with pytest.raises(AwsWaitTimeout) as info:
        wait(rds, "db_instance_available", timeout=1, delay=1, DBInstanceIdentifier=name)
    assert "creating" in str(info.value)
    assert name in str(info.value)


def test_a_timeout_longer_than_the_transition_waits_until_available(slow_instance):
    rds, name = slow_instance
    wait(rds, "db_instance_available", timeout=30, delay=1, DBInstanceIdentifier=name)
    status = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceStatus"]
    assert status == "available"
