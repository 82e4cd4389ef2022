"""Waiting in rds_proxy: one deadline, stuck states end the wait with an explanation."""

import time

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy import wait
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy.wait import ProxyWaiter


class Failed(Exception):
    pass


class FakeConverger(object):
    def __init__(self, api):
        self.api = api
        self.params = dict(wait_timeout=5)
        self.failures = []

    @staticmethod
    def step(_doing, function, *args):
        return function(*args)

    def fail(self, message):
        self.failures.append(message)
        raise Failed(message)


class Api(object):
    def __init__(self, statuses, targets=None):
        self.statuses = list(statuses)
        self.target_states = list(targets or [])

    def proxy(self, name):
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return None if status is None else {"DBProxyName": name, "Status": status}

    def targets(self, name):
        state = self.target_states.pop(0) if len(self.target_states) > 1 else self.target_states[0]
        return [dict(rds_resource_id="orders-db", health=dict(state=state))]


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(wait, "POLL_DELAY", 0.01)


def waiter(api, timeout=5):
    converger = FakeConverger(api)
    return ProxyWaiter(converger, time.monotonic() + timeout), converger


def test_available_after_creating():
    proxy_waiter, _converger = waiter(Api(["creating", "creating", "available"]))
    assert proxy_waiter.available("orders-proxy")["Status"] == "available"


def test_a_stuck_proxy_fails_at_once_with_the_reason():
    proxy_waiter, converger = waiter(Api(["creating", "incompatible-network"]))
    with pytest.raises(Failed):
        proxy_waiter.available("orders-proxy")
    assert "incompatible-network" in converger.failures[0] and "subnets" in converger.failures[0]


def test_timeout_names_the_last_state_and_the_option():
    proxy_waiter, converger = waiter(Api(["modifying"]), timeout=0.05)
    with pytest.raises(Failed):
        proxy_waiter.available("orders-proxy")
    assert "Status=modifying" in converger.failures[0] and "wait_timeout" in converger.failures[0]


def test_gone_and_registered():
    proxy_waiter, _converger = waiter(Api(["deleting", None]))
    assert proxy_waiter.gone("orders-proxy") is None
    proxy_waiter, _converger = waiter(Api(["available"], targets=["REGISTERING", "AVAILABLE"]))
    assert proxy_waiter.registered("orders-proxy")[0]["health"]["state"] == "AVAILABLE"
