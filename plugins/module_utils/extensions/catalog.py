# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one catalog read of pg_extensions: everything the plan needs, in a single query."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

#: One statement; the server aggregates every part to JSON so the read is one round trip.
STATE_QUERY = """
SELECT json_build_object(
  'installed', (SELECT COALESCE(json_object_agg(e.extname, json_build_object(
                    'version', e.extversion, 'schema', n.nspname, 'relocatable', e.extrelocatable)), '{}'::json)
                  FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace),
  'available', (SELECT COALESCE(json_object_agg(a.name, a.default_version), '{}'::json)
                  FROM pg_catalog.pg_available_extensions AS a),
  'versions', (SELECT COALESCE(json_object_agg(v.name, v.versions), '{}'::json) FROM (
                  SELECT name, json_agg(json_build_object(
                           'version', version, 'superuser', superuser, 'trusted', trusted,
                           'relocatable', relocatable, 'schema', schema, 'requires', requires)
                         ORDER BY version) AS versions
                    FROM pg_catalog.pg_available_extension_versions GROUP BY name) AS v),
  'update_targets', (SELECT COALESCE(json_object_agg(t.extname, t.targets), '{}'::json) FROM (
                  SELECT e.extname, json_agg(p.target ORDER BY p.target) AS targets
                    FROM pg_catalog.pg_extension AS e,
                         LATERAL pg_catalog.pg_extension_update_paths(e.extname) AS p
                   WHERE p.source = e.extversion AND p.path IS NOT NULL
                   GROUP BY e.extname) AS t),
  'dependents', (SELECT COALESCE(json_object_agg(d.required, d.dependents), '{}'::json) FROM (
                  SELECT r.extname AS required, json_agg(e.extname ORDER BY e.extname) AS dependents
                    FROM pg_catalog.pg_depend AS dep
                    JOIN pg_catalog.pg_extension AS e ON e.oid = dep.objid
                    JOIN pg_catalog.pg_extension AS r ON r.oid = dep.refobjid
                   WHERE dep.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                     AND dep.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                   GROUP BY r.extname) AS d),
  'schemas', (SELECT COALESCE(json_agg(nspname ORDER BY nspname), '[]'::json)
                FROM pg_catalog.pg_namespace WHERE nspname = ANY (%s)),
  'shared_preload_libraries', (SELECT s.setting FROM pg_catalog.pg_settings AS s
                                WHERE s.name = 'shared_preload_libraries'),
  'allowed_extensions', pg_catalog.current_setting('rds.allowed_extensions', true),
  'current_user', current_user,
  'database', pg_catalog.current_database(),
  'current_schema', current_schema,
  'superuser', (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user),
  'rds_superuser', EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS r WHERE r.rolname = 'rds_superuser'
                            AND pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')),
  'create_on_database', pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE'),
  'server_version_num', pg_catalog.current_setting('server_version_num')::int
)::text
"""


def read_state(cursor, schemas):
    """The server state for planning, as a dict (see :data:`STATE_QUERY` for the keys).

    ``shared_preload_libraries`` is None when the role may not see it (only superusers and members
    of ``pg_read_all_settings``, such as ``rds_superuser``, may).
    """
    cursor.execute(STATE_QUERY, (sorted(set(schemas)),))
    value = cursor.fetchone()[0]
    return json.loads(value) if isinstance(value, str) else value
