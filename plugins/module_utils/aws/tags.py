# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tags as plain dicts, and the set/remove plan that converges them.

Tags whose key starts with ``aws:`` belong to AWS: they are never removed, and asking to set one
is an error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.converters import to_text

RESERVED_PREFIX = "aws:"


def boto3_tag_list_to_dict(tag_list, key_name="Key", value_name="Value"):
    """``[{"Key": "a", "Value": "1"}]`` -> ``{"a": "1"}`` (``None`` -> ``{}``)."""
    return dict((tag[key_name], tag.get(value_name, "")) for tag in (tag_list or []) if key_name in tag)


def dict_to_boto3_tag_list(tags, key_name="Key", value_name="Value"):
    """``{"a": 1}`` -> ``[{"Key": "a", "Value": "1"}]``, sorted by key."""
    return [{key_name: to_text(key), value_name: to_text(value)} for key, value in sorted((tags or {}).items())]


def normalize_tags(tags):
    """Tag values as AWS stores them: text (``None`` -> empty text)."""
    return dict((to_text(key), to_text(value) if value is not None else "") for key, value in (tags or {}).items())


def reserved_tag_errors(desired, option="tags"):
    """One message per desired key in the reserved ``aws:`` namespace."""
    return [
        "%s: the key %r starts with %r, which is reserved for AWS; tags with that prefix cannot be set or "
        "removed (use a key without it)" % (option, key, RESERVED_PREFIX)
        for key in sorted(desired or {})
        if to_text(key).lower().startswith(RESERVED_PREFIX)
    ]


def compare_tags(current, desired, purge=True):
    """``(to_set, to_remove)`` converging ``current`` towards ``desired``.

    ``desired`` ``None`` means tags are not managed: nothing changes. With ``purge`` the keys not
    in ``desired`` are removed, except ``aws:*`` ones. Raises ``ValueError`` when ``desired`` has an
    ``aws:*`` key.
    """
    if desired is None:
        return {}, []
    errors = reserved_tag_errors(desired)
    if errors:
        raise ValueError("; ".join(errors))
    current = normalize_tags(current)
    desired = normalize_tags(desired)
    to_set = dict((key, value) for key, value in desired.items() if current.get(key) != value)
    to_remove = []
    if purge:
        to_remove = sorted(key for key in current if key not in desired and not key.lower().startswith(RESERVED_PREFIX))
    return to_set, to_remove


def apply_tag_changes(current, to_set, to_remove):
    """The tags after ``to_set`` and ``to_remove`` are applied to ``current``."""
    result = normalize_tags(current)
    for key in to_remove:
        result.pop(key, None)
    result.update(to_set)
    return result
