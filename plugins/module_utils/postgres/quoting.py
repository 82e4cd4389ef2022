# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Identifier and literal helpers built only on the driver's ``sql`` module.

Never build SQL by string formatting: compose with ``sql.SQL(...).format(ident(...), literal(...))``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import (
    DRIVER,
    driver_missing_message,
)

#: The ``sql`` module of the driver in use (``psycopg2.sql`` or ``psycopg.sql``), or None.
sql = DRIVER.sql if DRIVER is not None else None

#: PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server.
MAX_IDENTIFIER_BYTES = 63


class IdentifierError(ValueError):
    """An identifier PostgreSQL would reject or silently change; ``str()`` is the message."""


class DriverMissingError(RuntimeError):
    """Neither psycopg2 nor psycopg is installed; ``str()`` is ansible's missing_required_lib text."""


def _sql_module():
    if sql is None:
        raise DriverMissingError(driver_missing_message())
    return sql


def validate_identifier(name, what="identifier"):
    """Return ``name`` if PostgreSQL accepts it unchanged as a quoted identifier, else raise.

    Any text of 1 to 63 bytes (UTF-8) without a NUL character is accepted: quotes, spaces, dots,
    upper case and non-ASCII characters are fine because the name is always quoted. Longer
    names are refused because PostgreSQL would silently truncate them to 63 bytes. Bytes are
    counted in UTF-8, the encoding of RDS and Aurora databases.
    ``what`` names the thing in the message (for example ``"role name"``).
    """
    if not isinstance(name, str):
        raise IdentifierError("%s must be a string, got %s %r" % (what, type(name).__name__, name))
    if name == "":
        raise IdentifierError("%s must not be empty" % what)
    if "\x00" in name:
        raise IdentifierError("%s %r contains a NUL character, which PostgreSQL does not accept" % (what, name))
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise IdentifierError("%s %r is not valid Unicode text (it contains a lone surrogate)" % (what, name))
    if size > MAX_IDENTIFIER_BYTES:
        raise IdentifierError(
            "%s %r is %d bytes long in UTF-8; PostgreSQL identifiers are limited to %d bytes and longer "
            "ones would be silently truncated, so it is refused" % (what, name, size, MAX_IDENTIFIER_BYTES)
        )
    return name


def ident(*parts, **kwargs):
    """``sql.Identifier(*parts)`` after validating each part (``ident("schema", "table")``).

    The keyword ``what`` names the identifier in error messages (default ``"identifier"``).
    """
    what = kwargs.pop("what", "identifier")
    if kwargs:
        raise TypeError("ident() got unexpected keyword arguments: %s" % ", ".join(sorted(kwargs)))
    if not parts:
        raise TypeError("ident() needs at least one name")
    for part in parts:
        validate_identifier(part, what)
    return _sql_module().Identifier(*parts)


def literal(value):
    """``sql.Literal(value)``; wrap secrets as ``literal(Secret(value))`` (see statements.py)."""
    return _sql_module().Literal(value)


def sql_text(text):
    """``sql.SQL(text)`` for fixed SQL text written in the module's source (never user input)."""
    return _sql_module().SQL(text)
