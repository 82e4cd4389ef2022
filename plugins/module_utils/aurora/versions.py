# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Engine versions pinned by major (``"16"``) or exact (``"16.4"``), with minor drift tolerated.

AWS applies minor upgrades on its own (auto minor version upgrade, maintenance): a cluster that
runs a newer minor of the requested major, or a newer minor than the exact version requested,
is in the desired state. Only an older version of the same major is upgraded; a different major
needs ``allow_major_version_upgrade``; going back to an older major is impossible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

VERSION = re.compile(r"^\d+(\.\d+)*$")


def major(version):
    return str(version).split(".", 1)[0]


def key(version):
    return tuple(int(part) for part in str(version).split("."))


def is_valid(version):
    return bool(VERSION.match(str(version)))


def is_major_only(version):
    return "." not in str(version)


def version_change(current, desired):
    """``(kind, target)``: kind is None (nothing to do), "minor", "major" or "downgrade".

    ``target`` is the version to request (the exact version, or the major when only the major
    was given: the caller resolves it to that major's default minor).
    """
    if desired is None or current is None:
        return None, None
    desired = str(desired)
    if major(current) == major(desired):
        if is_major_only(desired) or key(current) >= key(desired):
            return None, None
        return "minor", desired
    if key(major(desired)) < key(major(current)):
        return "downgrade", desired
    return "major", desired
