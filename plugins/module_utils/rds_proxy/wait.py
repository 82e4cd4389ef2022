# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for a proxy, its target and its deletion within the task's ``wait_timeout``.

All waits of one run share one deadline, so a run never waits longer than ``wait_timeout`` in
total. A proxy in a state it will not leave by itself (for example ``incompatible-network``)
ends the wait at once with an explanation.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.waiters import poll_until

POLL_DELAY = 5
STUCK = {
    "incompatible-network": "the proxy cannot reach its subnets (for example: no free IP addresses, or the subnets were removed)",
    "insufficient-resource-limits": "the account has reached a limit the proxy needs (for example: network interfaces)",
    "suspended": "AWS suspended the proxy (for example: its role or secrets were unusable for a long time)",
}


class ProxyWaiter(object):
    def __init__(self, converger, deadline):
        self.converger = converger
        self.api = converger.api
        self.deadline = deadline

    def remaining(self):
        return max(1, self.deadline - time.monotonic())

    def poll(self, doing, describe, predicate, what, state_of):
        def checked():
            return self.converger.step(doing, describe)
        try:
            return poll_until(checked, predicate, self.remaining(), delay=POLL_DELAY, what=what, state_of=state_of)
        except AwsWaitTimeout as e:
            self.converger.fail("%s; raise wait_timeout (now %ss) or check the proxy in the RDS console" % (e, self.converger.params["wait_timeout"]))
        return None

    def available(self, name):
        def ready(raw):
            status = (raw or {}).get("Status")
            if status in STUCK:
                self.converger.fail("DB proxy %s is %s: %s" % (name, status, STUCK[status]))
            if raw is None:
                self.converger.fail("DB proxy %s disappeared while waiting for it to become available" % name)
            return status == "available"
        return self.poll("reading DB proxy %s" % name, lambda: self.api.proxy(name), ready,
                         "DB proxy %s to become available" % name, lambda raw: "Status=%s" % (raw or {}).get("Status"))

    def gone(self, name):
        return self.poll("reading DB proxy %s" % name, lambda: self.api.proxy(name), lambda raw: raw is None,
                         "DB proxy %s to be deleted" % name, lambda raw: "Status=%s" % (raw or {}).get("Status"))

    def registered(self, name):
        """The targets once none is REGISTERING any more."""
        def settled(targets):
            return all((target.get("health") or {}).get("state") != "REGISTERING" for target in targets)
        return self.poll("reading the targets of %s" % name, lambda: self.api.targets(name), settled,
                         "the targets of DB proxy %s to finish registering" % name,
                         lambda targets: ", ".join("%s=%s" % (t["rds_resource_id"], (t.get("health") or {}).get("state")) for t in targets))

    def target_resource(self, target, read, status_key):
        kind, identifier = target
        return self.poll("reading DB %s %s" % (kind, identifier), lambda: read(identifier),
                         lambda described: (described or {}).get(status_key) == "available",
                         "DB %s %s to become available" % (kind, identifier),
                         lambda described: "%s=%s" % (status_key, (described or {}).get(status_key)))
