# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for a blue/green deployment's status within ``wait_timeout`` (polls 1 s apart, slowing to 15 s)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout

DELAYS = (1, 1, 2, 3, 5, 8, 10, 15)
BROKEN = ("INVALID_CONFIGURATION", "SWITCHOVER_FAILED", "PROVISIONING_FAILED")


class DeploymentStuck(Exception):
    """The deployment reached a status it does not leave by itself, or the switchover was rolled back."""


def wait_for(describe, wanted, timeout, what, rolled_back_from=None, sleep=time.sleep, clock=time.monotonic):
    """Poll ``describe()`` until the deployment's status is ``wanted``; return the record.

    ``rolled_back_from``: the status a rolled-back switchover returns to (AVAILABLE with StatusDetails).
    """
    deadline = clock() + timeout
    attempt = 0
    while True:
        record = describe()
        status = (record or {}).get("Status")
        if status == wanted:
            return record
        if record is None:
            raise DeploymentStuck("%s: the blue/green deployment disappeared" % what)
        if status in BROKEN:
            raise DeploymentStuck("%s: the deployment is %s (%s)" % (what, status, record.get("StatusDetails") or "no details"))
        if rolled_back_from and status == rolled_back_from and attempt > 0:
            raise DeploymentStuck("%s: RDS rolled the switchover back - %s" % (what, record.get("StatusDetails") or "no details"))
        remaining = deadline - clock()
        if remaining <= 0:
            raise AwsWaitTimeout(what, timeout, last_state="Status=%s" % status)
        sleep(min(DELAYS[min(attempt, len(DELAYS) - 1)], remaining))
        attempt += 1


def wait_instance_gone(describe, timeout, what, sleep=time.sleep, clock=time.monotonic):
    deadline = clock() + timeout
    attempt = 0
    while True:
        record = describe()
        if record is None:
            return
        remaining = deadline - clock()
        if remaining <= 0:
            raise AwsWaitTimeout(what, timeout, last_state="DBInstanceStatus=%s" % record.get("DBInstanceStatus"))
        sleep(min(DELAYS[min(attempt, len(DELAYS) - 1)], remaining))
        attempt += 1
