# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting with a timeout the user chose (``wait_timeout``), never a hard-coded one.

``wait`` runs a botocore waiter with ``MaxAttempts`` derived from the timeout; ``poll_until``
polls a describe function for states that have no waiter. Both raise ``AwsWaitTimeout`` naming
what was awaited and the last state observed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout, WaiterError

DEFAULT_DELAY = 15
_MAX_STATES = 4


def attempts_for(timeout, delay):
    """How many waiter attempts, ``delay`` seconds apart, fit in ``timeout`` seconds (at least 1)."""
    if delay <= 0:
        raise ValueError("delay must be positive, got %r" % (delay,))
    return max(1, int(math.ceil(float(timeout) / delay)))


def summarize_state(response):
    """The shallowest status fields of an AWS response, e.g. ``DBInstanceStatus=modifying``."""
    if not response:
        return None
    error = response.get("Error") if isinstance(response, dict) else None
    if error:
        return "error %s: %s" % (error.get("Code"), error.get("Message"))
    level, found = [response], []
    while level and not found:
        deeper = []
        for value in level:
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if key == "ResponseMetadata":
                    continue
                if isinstance(item, str) and isinstance(key, str) and (key.endswith("Status") or key.endswith("State")):
                    found.append("%s=%s" % (key, item))
                elif isinstance(item, (dict, list)):
                    deeper.append(item)
        level = deeper
    return ", ".join(found[:_MAX_STATES]) if found else "no status field in the last response"


def wait(client, waiter_name, timeout, delay=DEFAULT_DELAY, what=None, **params):
    """Wait with botocore's ``waiter_name`` waiter for at most about ``timeout`` seconds."""
    waiter = client.get_waiter(waiter_name)
    config = {"Delay": delay, "MaxAttempts": attempts_for(timeout, delay)}
    try:
        waiter.wait(WaiterConfig=config, **params)
    except WaiterError as e:
        reason = e.kwargs.get("reason", "")
        described = what or "%s (%s)" % (waiter_name, ", ".join("%s=%s" % item for item in sorted(params.items())))
        raise AwsWaitTimeout(
            described,
            timeout,
            last_state=summarize_state(e.last_response),
            reason=None if "Max attempts exceeded" in reason else reason,
        )


def poll_until(describe_fn, predicate, timeout, delay=DEFAULT_DELAY, what="the resource", state_of=None,
               sleep=time.sleep, clock=time.monotonic):
    """Call ``describe_fn`` until ``predicate(result)`` holds; return that result.

    ``state_of(result)`` names the observed state in the timeout message (default: the status
    fields of the result).
    """
    deadline = clock() + timeout
    describe_state = state_of or summarize_state
    while True:
        observed = describe_fn()
        if predicate(observed):
            return observed
        remaining = deadline - clock()
        if remaining <= 0:
            raise AwsWaitTimeout(what, timeout, last_state=describe_state(observed))
        sleep(min(delay, remaining))
