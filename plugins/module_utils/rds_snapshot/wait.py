# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for a snapshot to be available or gone, polling its describe request within ``wait_timeout``.

Polls start one second apart and slow down to fifteen. A snapshot that ends ``failed`` ends the
wait at once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout

DELAYS = (1, 2, 3, 5, 8, 10, 15)
STUCK = ("failed", "incompatible-restore", "incompatible-parameters")


class SnapshotStuck(Exception):
    """The snapshot reached a status RDS does not leave."""


def wait_until(describe, done, timeout, what, sleep=time.sleep, clock=time.monotonic):
    """Call ``describe()`` until ``done(record)``; return that record."""
    deadline = clock() + timeout
    attempt = 0
    while True:
        record = describe()
        if done(record):
            return record
        status = (record or {}).get("Status")
        if status in STUCK:
            raise SnapshotStuck("%s: the snapshot is %s; see the RDS events of the snapshot (aws rds describe-events) for the cause"
                                % (what, status))
        remaining = deadline - clock()
        if remaining <= 0:
            raise AwsWaitTimeout(what, timeout, last_state="Status=%s" % (status or "gone"))
        sleep(min(DELAYS[min(attempt, len(DELAYS) - 1)], remaining))
        attempt += 1


def is_available(record):
    return (record or {}).get("Status") == "available"


def is_gone(record):
    return record is None or (record or {}).get("Status") == "deleted"
