# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""RPO and RTO of a drill from the writer's log and the sequence numbers the new primary holds.

The writer's log has one JSON object per line: ``{"event": "ack", "seq": n, "ts": t, "host", "port"}`` after each
acknowledged commit, ``{"event": "error", "seq": n, "ts": t, "error": "..."}`` after each failed attempt
(``ts`` in seconds since the epoch). An attempt whose commit was sent but not acknowledged may or may not be on the
server: such rows are reported as ``unacknowledged_present``, never as lost.

- RPO rows: acknowledged sequence numbers missing on the new primary.
- RPO seconds: from the last acknowledged commit that survived before the first lost one to the last lost one
  (0 when nothing is lost).
- RTO (client side): the outage is the longest stretch between two acknowledged commits that contains failed
  attempts - from the last acknowledged commit before it to the first one after it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json


def read_log(lines):
    """``(acks, errors)``: lists of dicts in log order; lines that are not JSON objects are skipped."""
    acks, errors = [], []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        if entry.get("event") == "ack":
            acks.append(entry)
        elif entry.get("event") == "error":
            errors.append(entry)
    return acks, errors


def _outage(acks, errors):
    """The longest gap between consecutive acknowledged commits that contains errors (None without errors)."""
    if not errors:
        return None
    times = sorted(entry["ts"] for entry in acks)
    error_times = sorted(entry["ts"] for entry in errors)
    best = None
    for index in range(len(times) + 1):
        start = times[index - 1] if index > 0 else None
        end = times[index] if index < len(times) else None
        inside = [t for t in error_times if (start is None or t > start) and (end is None or t < end)]
        if not inside:
            continue
        seconds = (end - start) if start is not None and end is not None else None
        candidate = dict(last_ack_before=start, first_ack_after=end, failed_attempts=len(inside), seconds=seconds,
                         first_error=next(entry.get("error") for entry in errors if entry["ts"] == inside[0]))
        if best is None or (seconds is not None and (best["seconds"] is None or seconds > best["seconds"])):
            best = candidate
    return best


def account(acks, errors, present_seqs):
    """The drill's accounting: counts, lost sequence numbers, RPO (rows, seconds), RTO and a consistency check."""
    present = set(int(seq) for seq in present_seqs)
    acknowledged = dict((int(entry["seq"]), entry) for entry in acks)
    lost = sorted(seq for seq in acknowledged if seq not in present)
    kept = sorted(seq for seq in acknowledged if seq in present)
    attempted = set(int(entry["seq"]) for entry in errors)
    unacknowledged_present = sorted(seq for seq in present if seq not in acknowledged)
    rpo_seconds = 0.0
    if lost:
        first_lost_ts = acknowledged[lost[0]]["ts"]
        survivors_before = [acknowledged[seq]["ts"] for seq in kept if acknowledged[seq]["ts"] <= first_lost_ts]
        start = max(survivors_before) if survivors_before else first_lost_ts
        rpo_seconds = max(acknowledged[seq]["ts"] for seq in lost) - start
    outage = _outage(acks, errors)
    result = dict(
        acknowledged=len(acknowledged),
        present_acknowledged=len(kept),
        lost=len(lost),
        lost_seqs=lost[:100],
        unacknowledged_present=len(unacknowledged_present),
        failed_attempts=len(errors),
        failed_attempts_present=len([seq for seq in unacknowledged_present if seq in attempted]),
        rpo_rows=len(lost),
        rpo_seconds=round(rpo_seconds, 3),
        rto_seconds=round(outage["seconds"], 3) if outage and outage["seconds"] is not None else None,
        outage=outage,
        outage_observed=outage is not None,
        first_ack=min(entry["ts"] for entry in acks) if acks else None,
        last_ack=max(entry["ts"] for entry in acks) if acks else None,
    )
    result["consistent"] = result["acknowledged"] == result["present_acknowledged"] + result["lost"]
    return result
