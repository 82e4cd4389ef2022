# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read one database's schema and data digests in one read-only, repeatable-read transaction."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.schema_checksum import catalog, data
from ansible_collections.innovate.aws_postgres.plugins.module_utils.schema_checksum.compare import previous_modulus
from ansible_collections.innovate.aws_postgres.plugins.module_utils.schema_checksum.digest import digest


class InputProblem(Exception):
    """The task asks for something the database does not have; ``str()`` is the message."""


def begin(cursor):
    """Start the snapshot: every later read sees the same committed state; nothing can be written."""
    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    for name, value in data.OUTPUT_SETTINGS:
        cursor.execute("SELECT pg_catalog.set_config(%s, %s, true)", (name, value))


def choose_schemas(cursor, wanted):
    available = catalog.all_schemas(cursor)
    if not wanted:
        return available
    missing = [name for name in wanted if name not in available]
    if missing:
        raise InputProblem("schemas: %s %s not in the database (or %s a system schema); the database has: %s" % (
            ", ".join(missing), "is" if len(missing) == 1 else "are", "is" if len(missing) == 1 else "are",
            ", ".join(available) or "no user schemas"))
    return sorted(set(wanted))


def _table_name(key):
    return "%s.%s" % key


def _excluded(excluded, existing):
    names = set(_table_name(key) for key in existing)
    unknown = [name for name in excluded if name not in names]
    if unknown:
        raise InputProblem("exclude_tables: %s not found in the schemas read (give schema.table, for example public.audit_log)"
                           % ", ".join(unknown))
    return set(excluded)


def _schema_parts(definition, columns, constraints, indexes, triggers):
    column_view = [dict((k, v) for k, v in column.items() if k != "collatable") for column in columns]
    return dict(table=digest(definition), columns=digest(column_view), constraints=digest(constraints or {}),
                indexes=digest(indexes or {}), triggers=digest(triggers or {}))


def collect(cursor, params, previous=None):
    """The checksum of the database as a dict (see the module's RETURN), reading with ``cursor``."""
    begin(cursor)
    schemas = choose_schemas(cursor, params.get("schemas"))
    tables = catalog.tables(cursor, schemas)
    excluded = _excluded(params.get("exclude_tables") or [], tables)
    columns = catalog.columns(cursor, schemas)
    constraints = catalog.constraints(cursor, schemas)
    indexes = catalog.indexes(cursor, schemas)
    triggers = catalog.triggers(cursor, schemas)
    keys = catalog.primary_keys(cursor, schemas)
    threshold = params["sample_threshold_rows"]
    result_tables, notes = {}, []
    for key in sorted(tables):
        name = _table_name(key)
        if name in excluded:
            continue
        table_columns = columns.get(key, [])
        parts = _schema_parts(tables[key], table_columns, constraints.get(key), indexes.get(key), triggers.get(key))
        entry = dict(schema_parts=parts, schema_digest=digest(parts), ordered_by=keys.get(key) or "all columns (no primary key)")
        cursor.execute(data.count_query(*key))
        entry["rows"] = cursor.fetchone()[0]
        entry["data_digest"] = None
        entry["sampling"] = None
        if params["include_data"]:
            modulus = previous_modulus(previous, name)
            if modulus is None:
                modulus = data.modulus_for(entry["rows"], threshold)
            collatable = dict((column["name"], column["collatable"]) for column in table_columns)
            cursor.execute(data.digest_query(key[0], key[1], keys.get(key), collatable, modulus))
            read, table_digest = cursor.fetchone()
            entry["data_digest"] = table_digest
            if modulus > 1:
                entry["sampling"] = dict(modulus=modulus, rows_read=read, method=data.sampling_method(keys.get(key), modulus))
                notes.append("%s: %d rows (more than sample_threshold_rows %d%s): data digest over the %d rows whose %s"
                             % (name, entry["rows"], threshold, ", or sampled so in compare_to" if previous else "", read,
                                data.sampling_method(keys.get(key), modulus)[len("rows whose "):]))
        result_tables[name] = entry
    sequences = catalog.sequences(cursor, schemas, params["include_sequence_values"])
    object_defs = catalog.objects(cursor, schemas)
    objects = {}
    for kind, definitions in sorted(object_defs.items()):
        for name, definition in definitions.items():
            objects["%s %s" % (kind[:-1], name)] = digest(definition)
    extensions = catalog.extensions(cursor)
    schema_digest = digest(dict(tables=dict((name, table["schema_digest"]) for name, table in result_tables.items()),
                                sequences=sequences, objects=objects, extensions=extensions))
    data_digest = None
    if params["include_data"]:
        data_digest = digest(dict((name, [table["rows"], table["data_digest"], (table["sampling"] or {}).get("modulus", 1)])
                                  for name, table in result_tables.items()))
    return dict(
        schemas=schemas, tables=result_tables, sequences=sequences, objects=objects, extensions=extensions,
        row_counts=dict((name, table["rows"]) for name, table in result_tables.items()),
        total_rows=sum(table["rows"] for table in result_tables.values()),
        schema_digest=schema_digest, data_digest=data_digest,
        digest=digest([schema_digest, data_digest]),
        sampling=dict(threshold_rows=threshold, sampled_tables=sorted(name for name, table in result_tables.items() if table["sampling"]),
                      notes=notes),
        output_settings=dict(data.OUTPUT_SETTINGS),
    )
