# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The timeline of a failover: named steps with ISO-8601 UTC start and end times and durations.

    timeline = Timeline()
    with timeline.step("promote"):
        ...
    timeline.as_list()  # [{"step": "promote", "started_at": "...Z", "finished_at": "...Z", "seconds": 1.234}]
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import time


def iso(timestamp):
    """timestamp (seconds since the epoch) as ISO-8601 UTC with milliseconds, e.g. 2025-03-01T10:00:00.123Z."""
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


class Timeline(object):
    """Steps in the order they started."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self.steps = []

    def add(self, name, started, finished):
        self.steps.append({"step": name, "started_at": iso(started), "finished_at": iso(finished),
                           "seconds": round(max(0.0, finished - started), 3), "_started": started, "_finished": finished})

    @contextlib.contextmanager
    def step(self, name):
        """Record the time the body takes as step name (also when it raises)."""
        started = self.clock()
        try:
            yield
        finally:
            self.add(name, started, self.clock())

    def started(self, name):
        """When step name started (seconds since the epoch), None when it did not run."""
        for item in self.steps:
            if item["step"] == name:
                return item["_started"]
        return None

    def finished(self, name):
        for item in self.steps:
            if item["step"] == name:
                return item["_finished"]
        return None

    def as_list(self):
        return [dict((key, value) for key, value in item.items() if not key.startswith("_")) for item in self.steps]
