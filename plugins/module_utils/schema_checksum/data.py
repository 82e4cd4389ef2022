# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Row counts and data digests of one table, independent of physical row order.

Each row is rendered as text (``ROW(r.*)::text``, with the output settings fixed by
``OUTPUT_SETTINGS``) and hashed with md5; the digest is the md5 of those row hashes concatenated
in primary-key order (collatable key columns compared with ``COLLATE "C"``), or, for a table
without a primary key, in the order of the rows' text (all columns). A table with more rows than
the sampling threshold is read through a deterministic sample: the rows whose key hash
(``md5`` of the primary key, or of the whole row without one) taken modulo N is 0.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import ident, literal, sql_text

ROW_ALIAS = "pg_schema_checksum_row"
# Settings that change how values are rendered as text; fixed so that two servers render alike.
OUTPUT_SETTINGS = (
    ("search_path", "pg_catalog"),
    ("DateStyle", "ISO, YMD"),
    ("IntervalStyle", "postgres"),
    ("TimeZone", "UTC"),
    ("extra_float_digits", "1"),
    ("bytea_output", "hex"),
    ("lc_monetary", "C"),
)
# The sample predicate: 28 bits of the md5 of the key text, modulo N.
BUCKET = "(('x' || substr(md5({}), 1, 7))::bit(28)::int % {}) = 0"


def modulus_for(rows, threshold):
    """The sampling modulus N for a table of ``rows`` rows: 1 (every row) up to ``threshold`` rows."""
    if rows <= threshold:
        return 1
    return -(-rows // threshold)


def _key_text(key_columns):
    row = sql_text(ROW_ALIAS)
    if not key_columns:
        return sql_text("ROW({}.*)::text").format(row)
    parts = sql_text(", ").join(sql_text("{}.{}").format(row, ident(name)) for name in key_columns)
    return sql_text("ROW({})::text").format(parts)


def _order(key_columns, collatable):
    row = sql_text(ROW_ALIAS)
    if not key_columns:
        return sql_text('ROW({}.*)::text COLLATE "C"').format(row)
    items = []
    for name in key_columns:
        column = sql_text("{}.{}").format(row, ident(name))
        items.append(sql_text('{} COLLATE "C"').format(column) if collatable.get(name) else column)
    return sql_text(", ").join(items)


def count_query(schema, table):
    return sql_text("SELECT count(*) FROM {}").format(ident(schema, table))


def digest_query(schema, table, key_columns, collatable, modulus):
    """The query returning ``(rows read, digest)`` for the table with sampling modulus ``modulus``."""
    row = sql_text(ROW_ALIAS)
    query = sql_text("SELECT count(*), md5(coalesce(string_agg(md5(ROW({}.*)::text), '' ORDER BY {}), '')) FROM {} AS {}").format(
        row, _order(key_columns, collatable), ident(schema, table), row)
    if modulus > 1:
        query = sql_text("{} WHERE {}").format(query, sql_text(BUCKET).format(_key_text(key_columns), literal(int(modulus))))
    return query


def sampling_method(key_columns, modulus):
    if modulus <= 1:
        return None
    key = "primary key (%s)" % ", ".join(key_columns) if key_columns else "whole row (no primary key)"
    return "rows whose md5 of the %s, first 28 bits as an integer, modulo %d is 0" % (key, modulus)
