# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for a cluster and its instances within one deadline for the whole task (``wait_timeout``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.waiters import poll_until

DELAY = 10
READY = "available"


class Deadline(object):
    def __init__(self, seconds, clock=time.monotonic):
        self.clock = clock
        self.end = clock() + seconds
        self.seconds = seconds

    def remaining(self):
        return max(1, self.end - self.clock())


def cluster_available(api, identifier, deadline):
    return poll_until(
        lambda: api.cluster(identifier),
        lambda cluster: cluster is not None and cluster["status"] == READY,
        deadline.remaining(), delay=DELAY, what="DB cluster %s to be available" % identifier,
        state_of=lambda cluster: "Status=%s" % (cluster["status"] if cluster else "missing"),
    )


def cluster_gone(api, identifier, deadline):
    poll_until(
        lambda: api.cluster(identifier),
        lambda cluster: cluster is None,
        deadline.remaining(), delay=DELAY, what="DB cluster %s to be deleted" % identifier,
        state_of=lambda cluster: "Status=%s" % (cluster["status"] if cluster else "deleted"),
    )


def instances_settled(api, cluster_identifier, available, gone, deadline):
    """Wait until the instances in ``available`` are available and those in ``gone`` are deleted."""
    available, gone = set(available), set(gone)

    def read():
        cluster = api.cluster(cluster_identifier)
        return api.instances(cluster) if cluster else []

    def settled(instances):
        by_name = dict((item["identifier"], item) for item in instances)
        return (all(name in by_name and by_name[name]["status"] == READY for name in available)
                and not any(name in by_name for name in gone))

    def state_of(instances):
        by_name = dict((item["identifier"], item["status"]) for item in instances)
        return ", ".join("%s=%s" % (name, by_name.get(name, "missing")) for name in sorted(available | gone))

    if available or gone:
        poll_until(read, settled, deadline.remaining(), delay=DELAY,
                   what="the instances of DB cluster %s (%s)" % (cluster_identifier, ", ".join(sorted(available | gone))),
                   state_of=state_of)
