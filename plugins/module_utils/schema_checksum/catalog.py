# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Catalog reads for ``pg_schema_checksum``: the definition of every table, sequence and object.

Everything is keyed by names, never by OIDs, and definitions come from PostgreSQL's own
``pg_get_*def`` functions with ``search_path = pg_catalog`` so that every name in them is
schema-qualified. Objects that belong to an extension are left out (the extension itself,
with its version, is listed instead). Each function runs one query.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SYSTEM_SCHEMA_FILTER = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'"
NOT_EXTENSION_MEMBER = (
    "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = %s::regclass AND d.objid = {oid} AND d.deptype = 'e')"
)


def _member_filter(catalog, oid_expression):
    return NOT_EXTENSION_MEMBER.replace("%s", "'%s'" % catalog).replace("{oid}", oid_expression)


def all_schemas(cursor):
    """The non-system schemas of the database, sorted."""
    cursor.execute("SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE %s AND %s ORDER BY 1"
                   % (SYSTEM_SCHEMA_FILTER, _member_filter("pg_namespace", "n.oid")))
    return [row[0] for row in cursor.fetchall()]


def tables(cursor, schemas):
    """``{(schema, table): {...}}`` for the ordinary and partitioned tables of ``schemas``."""
    cursor.execute(
        "SELECT n.nspname, c.relname, c.relkind::text, c.relpersistence::text, c.relispartition,"
        " CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,"
        " CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,"
        " c.relrowsecurity"
        " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s) AND " + _member_filter("pg_class", "c.oid"),
        (list(schemas),))
    result = {}
    for schema, name, kind, persistence, is_partition, partition_key, bound, row_security in cursor.fetchall():
        result[(schema, name)] = dict(kind="partitioned" if kind == "p" else "table", persistence=persistence,
                                      partition_key=partition_key, partition_of_bound=bound if is_partition else None,
                                      row_security=bool(row_security))
    return result


def columns(cursor, schemas):
    """``{(schema, table): [column, ...]}`` in column order (attnum values themselves are not kept)."""
    cursor.execute(
        "SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,"
        " pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity::text, a.attgenerated::text,"
        " CASE WHEN a.attcollation <> t.typcollation THEN co.collname END, a.attcollation <> 0"
        " FROM pg_catalog.pg_attribute a"
        " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
        " LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
        " LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
        " WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped"
        " ORDER BY n.nspname, c.relname, a.attnum",
        (list(schemas),))
    result = {}
    for schema, table, name, type_name, not_null, default, identity, generated, collation, collatable in cursor.fetchall():
        result.setdefault((schema, table), []).append(dict(
            name=name, type=type_name, not_null=bool(not_null), default=default, identity=identity or None,
            generated=generated or None, collation=collation, collatable=bool(collatable)))
    return result


def _named_definitions(cursor, query, schemas):
    cursor.execute(query, (list(schemas),))
    result = {}
    for schema, table, name, definition in cursor.fetchall():
        result.setdefault((schema, table), {})[name] = definition
    return result


def constraints(cursor, schemas):
    """``{(schema, table): {name: "contype: definition"}}``."""
    return _named_definitions(cursor, (
        "SELECT n.nspname, c.relname, k.conname, k.contype::text || ': ' || pg_catalog.pg_get_constraintdef(k.oid, true)"
        " FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY(%s)"), schemas)


def indexes(cursor, schemas):
    """``{(schema, table): {index name: CREATE INDEX statement}}``."""
    return _named_definitions(cursor, (
        "SELECT n.nspname, c.relname, i.relname, pg_catalog.pg_get_indexdef(x.indexrelid)"
        " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class c ON c.oid = x.indrelid"
        " JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY(%s)"), schemas)


def triggers(cursor, schemas):
    """``{(schema, table): {trigger name: CREATE TRIGGER statement}}`` (user triggers only)."""
    return _named_definitions(cursor, (
        "SELECT n.nspname, c.relname, g.tgname, pg_catalog.pg_get_triggerdef(g.oid, true) || ' ' || g.tgenabled::text"
        " FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT g.tgisinternal AND n.nspname = ANY(%s)"), schemas)


def primary_keys(cursor, schemas):
    """``{(schema, table): [column, ...]}`` in key order."""
    cursor.execute(
        "SELECT n.nspname, c.relname, array_agg(a.attname ORDER BY k.ordinality)"
        " FROM pg_catalog.pg_constraint p JOIN pg_catalog.pg_class c ON c.oid = p.conrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " CROSS JOIN LATERAL unnest(p.conkey) WITH ORDINALITY AS k(attnum, ordinality)"
        " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
        " WHERE p.contype = 'p' AND n.nspname = ANY(%s) GROUP BY n.nspname, c.relname",
        (list(schemas),))
    return dict(((schema, table), list(names)) for schema, table, names in cursor.fetchall())


def sequences(cursor, schemas, with_values):
    """``{"schema.sequence": definition}``; with ``with_values`` also ``last_value`` (NULL before first use)."""
    cursor.execute(
        "SELECT s.schemaname, s.sequencename, pg_catalog.format_type(q.seqtypid, NULL), s.start_value::text, s.min_value::text,"
        " s.max_value::text, s.increment_by::text, s.cycle, s.cache_size::text, s.last_value::text,"
        " (SELECT dn.nspname || '.' || dc.relname || '.' || da.attname FROM pg_catalog.pg_depend d"
        "   JOIN pg_catalog.pg_class dc ON dc.oid = d.refobjid JOIN pg_catalog.pg_namespace dn ON dn.oid = dc.relnamespace"
        "   JOIN pg_catalog.pg_attribute da ON da.attrelid = d.refobjid AND da.attnum = d.refobjsubid"
        "   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i') LIMIT 1)"
        " FROM pg_catalog.pg_sequences s"
        " JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname"
        " JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.sequencename"
        " JOIN pg_catalog.pg_sequence q ON q.seqrelid = c.oid"
        " WHERE s.schemaname = ANY(%s) AND " + _member_filter("pg_class", "c.oid"),
        (list(schemas),))
    result = {}
    for schema, name, data_type, start, low, high, increment, cycle, cache, last_value, owned_by in cursor.fetchall():
        definition = dict(data_type=data_type, start=start, min=low, max=high, increment=increment, cycle=bool(cycle), cache=cache,
                          owned_by=owned_by)
        if with_values:
            definition["last_value"] = last_value
        result["%s.%s" % (schema, name)] = definition
    return result


def objects(cursor, schemas):
    """Views, materialized views, functions and procedures, enum and domain types: ``{kind: {name: definition}}``."""
    result = dict(views={}, routines={}, types={})
    cursor.execute(
        "SELECT n.nspname || '.' || c.relname, c.relkind::text || ': ' || pg_catalog.pg_get_viewdef(c.oid, true)"
        " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(%s) AND " + _member_filter("pg_class", "c.oid"),
        (list(schemas),))
    result["views"] = dict(cursor.fetchall())
    cursor.execute(
        "SELECT n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',"
        " pg_catalog.pg_get_functiondef(p.oid)"
        " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
        " WHERE p.prokind IN ('f', 'p') AND n.nspname = ANY(%s) AND " + _member_filter("pg_proc", "p.oid"),
        (list(schemas),))
    result["routines"] = dict(cursor.fetchall())
    cursor.execute(
        "SELECT n.nspname || '.' || t.typname,"
        " CASE t.typtype WHEN 'e' THEN 'enum: ' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)"
        "   FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)"
        " ELSE 'domain: ' || pg_catalog.format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END"
        "   || coalesce(' DEFAULT ' || t.typdefault, '') || coalesce((SELECT ' ' || string_agg(pg_catalog.pg_get_constraintdef(k.oid), ' '"
        "   ORDER BY k.conname) FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid), '') END"
        " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
        " WHERE t.typtype IN ('e', 'd') AND n.nspname = ANY(%s) AND " + _member_filter("pg_type", "t.oid"),
        (list(schemas),))
    result["types"] = dict(cursor.fetchall())
    return result


def extensions(cursor):
    cursor.execute("SELECT extname, extversion FROM pg_catalog.pg_extension ORDER BY 1")
    return dict(cursor.fetchall())
