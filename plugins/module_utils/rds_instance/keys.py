# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Does the KMS key a task names (key id, key ARN, alias, alias ARN) match the ARN RDS reports?"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def match_without_lookup(given, current):
    """True or False when the names alone decide; None when ``given`` is an alias (KMS must be asked)."""
    if given is None or current is None:
        return given == current
    if ":alias/" in given or given.startswith("alias/"):
        return None
    if given.startswith("arn:"):
        return given == current
    return current == given or current.endswith(":key/" + given)


def region_of(key_id, default):
    """The region of a key or alias ARN, else ``default``."""
    if key_id and key_id.startswith("arn:"):
        parts = key_id.split(":")
        if len(parts) > 3 and parts[3]:
            return parts[3]
    return default
