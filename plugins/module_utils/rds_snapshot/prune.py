# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which manual snapshots a retention rule keeps and which it deletes (no request here).

Candidates are the manual snapshots of one instance or cluster whose identifier starts with
``name_prefix`` (compared in lower case, as RDS stores identifiers). A snapshot is kept when it is
among the ``keep_count`` newest candidates, or younger than ``keep_days`` days, or not
``available`` (a snapshot being created or copied is never deleted and does not count as one of
the newest). Every other candidate is deleted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def _aware(value):
    if value is None:
        return _EPOCH
    if isinstance(value, str):
        text = value.replace("Z", "+00:00")
        try:
            value = datetime.datetime.fromisoformat(text)
        except ValueError:
            return _EPOCH
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def select(snapshots, name_prefix, keep_count=None, keep_days=None, now=None):
    """``(keep, delete, skipped)``: lists of normalized snapshots (see api.normalize), newest first.

    ``skipped`` holds the candidates that are not available (kept, not counted).
    """
    now = _aware(now or datetime.datetime.now(datetime.timezone.utc))
    prefix = (name_prefix or "").lower()
    candidates = [s for s in snapshots if (s.get("identifier") or "").lower().startswith(prefix) and s.get("snapshot_type") == "manual"]
    candidates.sort(key=lambda s: (_aware(s.get("create_time") or s.get("created")), s.get("identifier")), reverse=True)
    skipped = [s for s in candidates if s.get("status") != "available"]
    ready = [s for s in candidates if s.get("status") == "available"]
    keep, delete = [], []
    for index, snapshot in enumerate(ready):
        newest = keep_count is not None and index < keep_count
        young = keep_days is not None and now - _aware(snapshot.get("create_time") or snapshot.get("created")) < datetime.timedelta(days=keep_days)
        (keep if newest or young else delete).append(snapshot)
    return keep, delete, skipped


def describe_rule(name_prefix, keep_count=None, keep_days=None):
    rules = []
    if keep_count is not None:
        rules.append("the %d newest" % keep_count)
    if keep_days is not None:
        rules.append("those younger than %d days" % keep_days)
    return "manual snapshots starting with %r: keep %s" % (name_prefix, " and ".join(rules))
