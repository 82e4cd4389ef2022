# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Compare a ``pg_schema_checksum`` result with an earlier one, table by table."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SCHEMA_PARTS = ("table", "columns", "constraints", "indexes", "triggers")


def result_problems(previous):
    """Why ``previous`` is not a result of this module (empty when it is one)."""
    if not isinstance(previous, dict):
        return ["compare_to: expected the registered result of an earlier pg_schema_checksum task (a dict), got %s"
                % type(previous).__name__]
    tables = previous.get("tables")
    if not isinstance(tables, dict):
        return ["compare_to: the dict has no 'tables' mapping; pass the whole registered result of pg_schema_checksum "
                "(for example compare_to: \"{{ source_checksum }}\")"]
    problems = []
    for name, table in sorted(tables.items()):
        if not isinstance(table, dict) or "rows" not in table or "schema_digest" not in table:
            problems.append("compare_to: tables[%r] has no rows/schema_digest; it is not a pg_schema_checksum result" % name)
    return problems[:5]


def previous_modulus(previous, name):
    """The sampling modulus the earlier result used for ``name`` (1 = every row), or None when it has no such table."""
    if not previous:
        return None
    table = previous["tables"].get(name)
    if table is None:
        return None
    return int((table.get("sampling") or {}).get("modulus") or 1)


def _named_changes(current, previous):
    current, previous = current or {}, previous or {}
    changes = {}
    missing = sorted(set(previous) - set(current))
    extra = sorted(set(current) - set(previous))
    changed = sorted(name for name in set(current) & set(previous) if current[name] != previous[name])
    if missing:
        changes["missing"] = missing
    if extra:
        changes["extra"] = extra
    if changed:
        changes["changed"] = changed
    return changes


def compare(current, previous):
    """``(differences, summary)``: what differs between ``current`` and ``previous``, and one line per difference."""
    differences, summary = {}, []
    tables_now, tables_then = current["tables"], previous["tables"]
    missing = sorted(set(tables_then) - set(tables_now))
    extra = sorted(set(tables_now) - set(tables_then))
    if missing:
        differences["missing_tables"] = missing
        summary.append("tables missing here: %s" % ", ".join(missing))
    if extra:
        differences["extra_tables"] = extra
        summary.append("tables only here: %s" % ", ".join(extra))
    tables = {}
    for name in sorted(set(tables_now) & set(tables_then)):
        now, then = tables_now[name], tables_then[name]
        found = {}
        if now["rows"] != then["rows"]:
            found["rows"] = dict(this=now["rows"], compare_to=then["rows"])
            summary.append("%s: %s rows here, %s in compare_to" % (name, now["rows"], then["rows"]))
        if now["schema_digest"] != then["schema_digest"]:
            parts = [part for part in SCHEMA_PARTS if (now.get("schema_parts") or {}).get(part) != (then.get("schema_parts") or {}).get(part)]
            found["schema"] = parts or ["definition"]
            summary.append("%s: schema differs (%s)" % (name, ", ".join(found["schema"])))
        if now.get("data_digest") is not None and then.get("data_digest") is not None and now["data_digest"] != then["data_digest"]:
            found["data"] = True
            summary.append("%s: data differs%s" % (name, " (in the sampled rows)" if now.get("sampling") else ""))
        if found:
            tables[name] = found
    if tables:
        differences["tables"] = tables
    for key in ("sequences", "objects", "extensions"):
        changes = _named_changes(current.get(key), previous.get(key))
        if changes:
            differences[key] = changes
            summary.append("%s differ: %s" % (key, "; ".join("%s %s" % (kind, ", ".join(names)) for kind, names in sorted(changes.items()))))
    return differences, summary
