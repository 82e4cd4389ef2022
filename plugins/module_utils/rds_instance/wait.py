# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for an instance to reach a status, polling DescribeDBInstances within ``wait_timeout``.

Polls start one second apart and slow down to fifteen, so that a fast environment (or a status
that is already reached) costs little and a long creation does not flood the API. A status from
which RDS does not come back on its own ends the wait at once with the reason.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout

DELAYS = (1, 2, 3, 5, 8, 10, 15)
READY = ("available", "storage-optimization")
STUCK = ("failed", "incompatible-parameters", "incompatible-restore", "incompatible-network", "incompatible-option-group",
         "inaccessible-encryption-credentials", "inaccessible-encryption-credentials-recoverable", "restore-error")


class InstanceStuck(Exception):
    """The instance reached a status RDS does not leave without help."""


def status_of(record):
    return record.get("DBInstanceStatus") if record else None


def wait_until(describe, done, timeout, what, sleep=time.sleep, clock=time.monotonic):
    """Call ``describe()`` until ``done(record)``; return that record. Raises ``AwsWaitTimeout``
    when ``timeout`` seconds pass and ``InstanceStuck`` on a status RDS does not leave by itself."""
    deadline = clock() + timeout
    attempt = 0
    while True:
        record = describe()
        if done(record):
            return record
        status = status_of(record)
        if status in STUCK:
            raise InstanceStuck("%s: the instance is %s, a status RDS does not leave on its own; see the RDS events of the "
                                "instance (aws rds describe-events) for the cause" % (what, status))
        remaining = deadline - clock()
        if remaining <= 0:
            raise AwsWaitTimeout(what, timeout, last_state="DBInstanceStatus=%s" % (status or "gone"))
        sleep(min(DELAYS[min(attempt, len(DELAYS) - 1)], remaining))
        attempt += 1


def is_ready(record):
    return status_of(record) in READY


def is_stopped(record):
    return status_of(record) == "stopped"


def is_gone(record):
    return record is None
