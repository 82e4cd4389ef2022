# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Validation of the ``extensions`` option and the SQL of each planned action."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import (
    IdentifierError,
    ident,
    literal,
    sql_text,
    validate_identifier,
)

MAX_VERSION_LENGTH = 64


def validate_desired(entries):
    """``(normalized entries, errors)`` for the ``extensions`` option (names, schemas, versions)."""
    desired = []
    errors = []
    for index, entry in enumerate(entries or []):
        where = "extensions[%d]" % index
        entry = dict(entry)
        try:
            validate_identifier(entry.get("name"), "%s.name" % where)
            if entry.get("schema") is not None:
                validate_identifier(entry["schema"], "%s.schema" % where)
        except IdentifierError as exc:
            errors.append(str(exc))
            continue
        version = entry.get("version")
        if version is not None:
            if version.strip() == "" or "\x00" in version or len(version) > MAX_VERSION_LENGTH:
                errors.append(
                    "%s.version=%r is not a version: use a version listed in pg_available_extension_versions "
                    "or 'latest'" % (where, version)
                )
                continue
            if entry["state"] == "absent":
                errors.append("%s.version cannot be used with state=absent (extension %s)" % (where, entry["name"]))
                continue
        if entry.get("schema") is not None and entry["state"] == "absent":
            errors.append("%s.schema cannot be used with state=absent (extension %s)" % (where, entry["name"]))
            continue
        desired.append(entry)
    return desired, errors


def statement(action):
    """The composed SQL of one planned action."""
    name = ident(action["name"], what="extension name")
    kind = action["action"]
    if kind == "create":
        parts = [sql_text("CREATE EXTENSION {}").format(name)]
        if action.get("schema"):
            parts.append(sql_text("SCHEMA {}").format(ident(action["schema"], what="schema name")))
        if action.get("version"):
            parts.append(sql_text("VERSION {}").format(literal(action["version"])))
        if action.get("cascade"):
            parts.append(sql_text("CASCADE"))
        return sql_text(" ").join(parts)
    if kind == "update":
        return sql_text("ALTER EXTENSION {} UPDATE TO {}").format(name, literal(action["version"]))
    if kind == "set_schema":
        return sql_text("ALTER EXTENSION {} SET SCHEMA {}").format(name, ident(action["schema"], what="schema name"))
    if kind == "drop":
        return sql_text("DROP EXTENSION {} CASCADE" if action.get("cascade") else "DROP EXTENSION {}").format(name)
    raise ValueError("unknown extension action %r" % kind)


def record(recorder, actions):
    """Add the statements of ``actions`` to ``recorder`` (a StatementRecorder), in order."""
    for action in actions:
        recorder.add(statement(action))
    return recorder
