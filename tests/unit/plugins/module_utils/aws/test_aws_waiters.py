"""Waiting: attempts derived from the timeout, and timeouts that say what and where it stopped."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.connection import AwsSession
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.waiters import (
    attempts_for,
    poll_until,
    summarize_state,
    wait,
)


class FakeClock:
    """A clock advanced only by the poll loop's sleeps, so timeouts are exact and instant."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize("timeout, delay, expected", [(600, 15, 40), (601, 15, 41), (5, 15, 1), (0, 10, 1), (30, 30, 1)])
def test_attempts_cover_the_timeout(timeout, delay, expected):
    assert attempts_for(timeout, delay) == expected


def test_attempts_refuse_a_non_positive_delay():
    with pytest.raises(ValueError, match="delay must be positive"):
        attempts_for(60, 0)


def test_poll_until_returns_the_first_result_that_satisfies():
    clock = FakeClock()
    states = iter(["creating", "modifying", "available", "unused"])
    result = poll_until(lambda: {"Status": next(states)}, lambda r: r["Status"] == "available", timeout=60, delay=5,
                        sleep=clock.sleep, clock=clock)
    assert result == {"Status": "available"}
    assert clock.sleeps == [5, 5]


def test_poll_until_times_out_naming_what_and_the_last_state():
    clock = FakeClock()
    with pytest.raises(AwsWaitTimeout) as raised:
        poll_until(lambda: {"DBClusterStatus": "backing-up"}, lambda r: False, timeout=12, delay=5,
                   what="cluster c1 to be available", sleep=clock.sleep, clock=clock)
    assert str(raised.value) == (
        "timed out after 12s waiting for cluster c1 to be available; last observed state: DBClusterStatus=backing-up"
    )
    assert clock.sleeps == [5, 5, 2]


def test_poll_until_uses_state_of_for_the_message():
    clock = FakeClock()
    with pytest.raises(AwsWaitTimeout, match="last observed state: 3 members"):
        poll_until(lambda: [1, 2, 3], lambda r: len(r) == 4, timeout=1, delay=1, what="x",
                   state_of=lambda r: "%d members" % len(r), sleep=clock.sleep, clock=clock)


def test_summarize_state_finds_nested_status_fields():
    response = {"DBInstances": [{"DBInstanceIdentifier": "db1", "DBInstanceStatus": "rebooting",
                                 "PendingModifiedValues": {}, "StatusInfos": [{"Status": "replicating"}]}],
                "ResponseMetadata": {"HTTPStatus": 200}}
    assert summarize_state(response) == "DBInstanceStatus=rebooting"
    two = {"DBClusters": [{"Status": "available"}, {"Status": "failing-over", "DBClusterMembers": [{"Status": "x"}]}]}
    assert summarize_state(two) == "Status=available, Status=failing-over"
    assert summarize_state({"DBClusters": []}) == "no status field in the last response"
    assert summarize_state({"Error": {"Code": "DBInstanceNotFound", "Message": "gone"}}) == "error DBInstanceNotFound: gone"
    assert summarize_state(None) is None


def test_botocore_waiter_timeout_reports_the_last_state(aws_env, connection_params):
    rds = AwsSession(connection_params(endpoint_url=aws_env)).client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="waiter-target", Engine="postgres", DBInstanceClass="db.t3.micro",
        AllocatedStorage=20, MasterUsername="admin1", MasterUserPassword="secret-password-1",
    )
    with pytest.raises(AwsWaitTimeout) as raised:
        wait(rds, "db_instance_deleted", timeout=2, delay=1, what="instance waiter-target to be deleted",
             DBInstanceIdentifier="waiter-target")
    assert str(raised.value) == (
        "timed out after 2s waiting for instance waiter-target to be deleted; last observed state: DBInstanceStatus=available"
    )
    wait(rds, "db_instance_available", timeout=2, delay=1, DBInstanceIdentifier="waiter-target")
