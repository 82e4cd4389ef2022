# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure choices of rds_restore_points: the latest snapshot, the PITR window and a seeded random time in it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import random

UTC = datetime.timezone.utc


class ChoiceError(Exception):
    """The restore points do not allow what was asked (the message says why)."""


def iso(moment):
    """ISO 8601 in UTC with a Z, to the second (what RDS takes as RestoreTime)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text, option="restore_time"):
    """A timezone-aware datetime from ISO 8601 text (a Z or an offset; no offset means UTC)."""
    value = text.strip()
    if value.endswith("Z") or value.endswith("z"):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ChoiceError("%s: %r is not an ISO 8601 time; give one such as 2025-03-01T12:30:00Z" % (option, text))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def latest_snapshot(snapshots, types):
    """The available snapshot of one of ``types`` (automated, manual) with the newest SnapshotCreateTime."""
    candidates = [
        snapshot for snapshot in snapshots
        if snapshot.get("Status") == "available" and snapshot.get("SnapshotType") in types and snapshot.get("SnapshotCreateTime")
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda snapshot: snapshot["SnapshotCreateTime"])


def pitr_window(earliest, latest, now, days, margin_seconds):
    """The (start, end) a point-in-time restore is chosen from: the last ``days`` days, inside the restorable window."""
    if latest is None or earliest is None:
        raise ChoiceError("the instance has no restorable window (automated backups off, a read replica, or no backup finished yet)")
    start = max(earliest, now - datetime.timedelta(days=days)) + datetime.timedelta(seconds=margin_seconds)
    end = latest - datetime.timedelta(seconds=margin_seconds)
    if end < start:
        raise ChoiceError(
            "the restorable window %s .. %s (last %d days, %d s margin at each end) leaves no time to choose from"
            % (iso(earliest), iso(latest), days, margin_seconds)
        )
    return start, end


def pick_time(start, end, seed):
    """A random whole second in [start, end], the same for the same seed and window."""
    seconds = int((end - start).total_seconds())
    offset = random.Random(str(seed)).randint(0, max(seconds, 0))
    return (start + datetime.timedelta(seconds=offset)).replace(microsecond=0)


def check_given_time(moment, start, end):
    if moment < start or moment > end:
        raise ChoiceError("restore_time: %s is outside the window to restore from, %s .. %s" % (iso(moment), iso(start), iso(end)))
    return moment
