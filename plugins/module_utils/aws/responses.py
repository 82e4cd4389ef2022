# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read AWS responses safely and return them in snake_case.

AWS leaves fields out of responses freely; ``get_path`` returns a default instead of raising
``KeyError``. ``camel_dict_to_snake_dict`` converts keys such as ``DBParameterGroupArn`` to
``db_parameter_group_arn``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_MISSING = object()
_ACRONYM_BOUNDARY = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")


def get_path(data, path, default=None):
    """The value at a dotted ``path`` (``"DBParameterGroups.0.DBParameterGroupArn"``) or ``default``.

    Numeric parts index lists; any missing key, short list or wrong type gives ``default``.
    """
    current = data
    for part in path.split(".") if path else []:
        if isinstance(current, dict):
            current = current.get(part, _MISSING)
        elif isinstance(current, (list, tuple)) and re.match(r"^-?\d+$", part):
            index = int(part)
            current = current[index] if -len(current) <= index < len(current) else _MISSING
        else:
            current = _MISSING
        if current is _MISSING:
            return default
    return default if current is None else current


def camel_to_snake(name):
    """``DBParameterGroupArn`` -> ``db_parameter_group_arn``; ``IsModifiable`` -> ``is_modifiable``."""
    return _WORD_BOUNDARY.sub(r"\1_\2", _ACRONYM_BOUNDARY.sub(r"\1_\2", name)).lower()


def camel_dict_to_snake_dict(data, ignore_keys=()):
    """Convert every dict key in ``data`` to snake_case, recursively.

    The values under keys named in ``ignore_keys`` (CamelCase names, e.g. ``Tags``) are kept as
    they are, so user data such as tag keys is not rewritten.
    """
    if isinstance(data, dict):
        return dict(
            (camel_to_snake(key) if isinstance(key, str) else key,
             value if key in ignore_keys else camel_dict_to_snake_dict(value, ignore_keys))
            for key, value in data.items()
        )
    if isinstance(data, list):
        return [camel_dict_to_snake_dict(item, ignore_keys) for item in data]
    return data
