# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Engine versions: a major pin (``"15"``) or an exact version (``"15.7"``) against what runs.

RDS upgrades minor versions on its own (``auto_minor_version_upgrade``), so a version newer
than the requested one within the same major is never a change: RDS cannot downgrade, and the
next run must not try. A newer major needs ``allow_major_version_upgrade``; an older one is
impossible in place.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_VERSION = re.compile(r"^([1-9][0-9]*)(?:\.([0-9]+))?$")
MINIMUM_MAJOR = 11


def parse(version):
    """``"15.7"`` -> ``(15, 7)``, ``"15"`` -> ``(15, None)``; ``None`` when not a PostgreSQL version."""
    match = _VERSION.match(str(version or "").strip())
    if not match:
        return None
    return int(match.group(1)), (int(match.group(2)) if match.group(2) is not None else None)


def is_major_only(version):
    parsed = parse(version)
    return parsed is not None and parsed[1] is None


def major_of(version):
    parsed = parse(version)
    return parsed[0] if parsed else None


def version_errors(version, option="engine_version"):
    if version is None:
        return []
    parsed = parse(version)
    if parsed is None:
        return ["%s: %r is not a PostgreSQL version; give a major version such as \"16\" (minor upgrades are left to RDS) "
                "or an exact one such as \"16.4\"" % (option, version)]
    if parsed[0] < MINIMUM_MAJOR:
        return ["%s: PostgreSQL %s is not supported by RDS any more; use %d or later" % (option, version, MINIMUM_MAJOR)]
    return []


def compare(desired, current, allow_major):
    """What to do about the engine version: a dict with ``action`` and a ``message``.

    ``action`` is one of ``none`` (nothing to change), ``drift`` (the instance runs a newer minor
    than requested: nothing to change, a warning), ``minor`` (upgrade to ``target``), ``major``
    (upgrade to the major ``target``, which may be a major alone: resolve it first) or
    ``refuse`` (impossible or not allowed; ``message`` says why).
    """
    if desired is None or current is None:
        return dict(action="none")
    wanted, running = parse(desired), parse(current)
    if wanted is None or running is None:
        return dict(action="none") if str(desired) == str(current) else dict(
            action="refuse", message="engine_version: cannot compare %r with the running version %r" % (desired, current))
    if wanted[0] == running[0]:
        if wanted[1] is None or running[1] is None or wanted[1] == running[1]:
            return dict(action="none")
        if running[1] > wanted[1]:
            return dict(action="drift", message=(
                "engine_version: the instance runs %s, newer than the requested %s (a minor upgrade RDS applied); "
                "RDS cannot downgrade, so it is left as it is. Pin the major version (\"%d\") to silence this warning"
                % (current, desired, running[0])))
        return dict(action="minor", target=str(desired))
    if wanted[0] < running[0]:
        return dict(action="refuse", message=(
            "engine_version: the instance runs PostgreSQL %s; going back to %s is impossible in place (RDS cannot "
            "downgrade a major version). Restore a snapshot taken before the upgrade into a new instance instead"
            % (current, desired)))
    if not allow_major:
        return dict(action="refuse", message=(
            "engine_version: %s is a major version upgrade from %s; it restarts the instance, cannot be undone and may "
            "need a parameter group of the new family (db_parameter_group_name). Set allow_major_version_upgrade=true "
            "to do it, or consider innovate.aws_postgres.rds_blue_green" % (desired, current)))
    return dict(action="major", target=str(desired))


def pick_upgrade_target(major_target, current, described_current):
    """The exact version for a major upgrade: ``major_target`` when exact, otherwise the newest
    valid upgrade target of that major listed for ``current`` (a DescribeDBEngineVersions record).
    Returns ``None`` when RDS lists no upgrade path.
    """
    targets = [target["EngineVersion"] for target in (described_current or {}).get("ValidUpgradeTarget", [])]
    if not is_major_only(major_target):
        return major_target if major_target in targets or not targets else None
    wanted = major_of(major_target)
    candidates = [version for version in targets if major_of(version) == wanted and parse(version)]
    if not candidates:
        return None
    return max(candidates, key=parse)
