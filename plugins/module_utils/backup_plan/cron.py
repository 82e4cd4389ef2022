# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check AWS Backup schedule expressions: ``cron(minutes hours day-of-month month day-of-week year)``.

The syntax is EventBridge's six-field cron. AWS Backup runs a rule at most once an hour, so the
minutes field must be one number. ``schedule_problem`` returns ``None`` for a valid expression and
otherwise one sentence saying what is wrong.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
EXAMPLE = "cron(0 5 ? * * *) (05:00 every day) or cron(0 3 ? * SUN *) (03:00 every Sunday)"
_WRAPPED = re.compile(r"^cron\((.*)\)$")
# name, low, high, names, special tokens allowed
FIELDS = (
    ("minutes", 0, 59, None),
    ("hours", 0, 23, None),
    ("day-of-month", 1, 31, None),
    ("month", 1, 12, MONTHS),
    ("day-of-week", 1, 7, DAYS),
    ("year", 1970, 2199, None),
)


def _value(text, low, high, names):
    if names and text.upper() in names:
        return names.index(text.upper()) + low
    if not text.isdigit():
        return None
    number = int(text)
    return number if low <= number <= high else None


def _item_ok(item, field, low, high, names):
    if field == "day-of-month" and (item in ("L", "LW") or re.match(r"^\d{1,2}W$", item)):
        return item in ("L", "LW") or _value(item[:-1], low, high, None) is not None
    if field == "day-of-week":
        if re.match(r"^[1-7A-Za-z]+#[1-5]$", item):
            return _value(item.split("#")[0], low, high, names) is not None
        if re.match(r"^[1-7A-Za-z]*L$", item) and item != "L":
            return _value(item[:-1], low, high, names) is not None
        if item == "L":
            return True
    base, _sep, step = item.partition("/")
    if _sep and (not step.isdigit() or int(step) < 1):
        return False
    if base == "*":
        return True
    start, dash, end = base.partition("-")
    if _value(start, low, high, names) is None:
        return False
    return not dash or _value(end, low, high, names) is not None


def _field_problem(text, field, low, high, names):
    if text == "?":
        return None if field in ("day-of-month", "day-of-week") else "'?' is only allowed in day-of-month or day-of-week"
    for item in text.split(","):
        if not item or not _item_ok(item, field, low, high, names):
            return "%r is not a valid %s value (%d-%d%s)" % (text, field, low, high, ", names" if names else "")
    return None


def schedule_problem(expression):
    """``None`` when ``expression`` is a valid AWS Backup schedule, else what is wrong with it."""
    match = _WRAPPED.match((expression or "").strip())
    if not match:
        return "expected cron(minutes hours day-of-month month day-of-week year), for example %s" % EXAMPLE
    fields = match.group(1).split()
    if len(fields) != 6:
        return "a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got %d; for example %s" % (
            len(fields), EXAMPLE)
    for text, (field, low, high, names) in zip(fields, FIELDS):
        problem = _field_problem(text, field, low, high, names)
        if problem:
            return problem
    if not fields[0].isdigit():
        return "the minutes field must be one number (AWS Backup runs a rule at most once an hour), got %r" % fields[0]
    if (fields[2] == "?") == (fields[4] == "?"):
        return "exactly one of day-of-month and day-of-week must be '?', for example %s" % EXAMPLE
    return None
