# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read everything the role model compares, with one constant set of catalog queries.

:func:`read_catalog` runs the queries of :data:`QUERY_NAMES` once each, whatever the number of
roles, schemas or objects: object ACLs are aggregated by the server per schema, object type,
grantee and privilege. Only world-readable catalogs are read (never ``pg_authid``, which RDS
hides). :meth:`Catalog.from_rows` builds the snapshot from the raw rows, so recorded rows (for
example of PostgreSQL 16) can be planned without a server.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import DRIVER

#: The first server_version_num with per-grant membership options (INHERIT/SET) and grantors.
PG16 = 160000
PUBLIC = "PUBLIC"

_ROLES = (
    "SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcanlogin, r.rolconnlimit,"
    " r.rolvaliduntil::text, pg_catalog.shobj_description(r.oid, 'pg_authid')"
    " FROM pg_catalog.pg_roles AS r"
)

# PostgreSQL 15 has one row per (role, member); inheritance follows the member's rolinherit and
# every membership allows SET ROLE. The 16 shape has one row per grantor with its own options.
_MEMBERSHIPS_15 = (
    "SELECT r.rolname, m.rolname, g.rolname, am.admin_option, m.rolinherit, true"
    " FROM pg_catalog.pg_auth_members AS am"
    " JOIN pg_catalog.pg_roles AS r ON r.oid = am.roleid"
    " JOIN pg_catalog.pg_roles AS m ON m.oid = am.member"
    " LEFT JOIN pg_catalog.pg_roles AS g ON g.oid = am.grantor"
)
_MEMBERSHIPS_16 = (
    "SELECT r.rolname, m.rolname, g.rolname, am.admin_option, am.inherit_option, am.set_option"
    " FROM pg_catalog.pg_auth_members AS am"
    " JOIN pg_catalog.pg_roles AS r ON r.oid = am.roleid"
    " JOIN pg_catalog.pg_roles AS m ON m.oid = am.member"
    " LEFT JOIN pg_catalog.pg_roles AS g ON g.oid = am.grantor"
)

_GRANTEE = "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END"

_SCHEMAS = (
    "SELECT n.nspname, pg_catalog.pg_get_userbyid(n.nspowner), " + _GRANTEE + ", a.privilege_type"
    " FROM pg_catalog.pg_namespace AS n"
    " LEFT JOIN LATERAL pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) AS a"
    " ON a.grantee <> n.nspowner"
    " WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"
)

# One row per (schema, kind) with the object count and owners, then one row per
# (schema, kind, grantee, privilege) with the number of objects that have it, and the number of
# those the grantee does not own (an owner's own privileges are implicit, never purged).
_OBJECTS = (
    "WITH objs AS ("
    " SELECT c.relnamespace AS nsp, CASE WHEN c.relkind = 'S' THEN 'sequences' ELSE 'tables' END AS kind,"
    " c.relowner AS owner,"
    " COALESCE(c.relacl, pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner)) AS acl"
    " FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname = ANY(%(schemas)s::name[])"
    " UNION ALL"
    " SELECT p.pronamespace, 'functions', p.proowner, COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))"
    " FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace"
    " WHERE p.prokind IN ('f', 'a', 'w') AND n.nspname = ANY(%(schemas)s::name[])"
    ")"
    " SELECT n.nspname, o.kind, NULL::text, NULL::text, count(*), 0::bigint,"
    " array_agg(DISTINCT pg_catalog.pg_get_userbyid(o.owner)::text)"
    " FROM objs AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.nsp GROUP BY n.nspname, o.kind"
    " UNION ALL"
    " SELECT n.nspname, o.kind, " + _GRANTEE + ", a.privilege_type, count(*),"
    " count(*) FILTER (WHERE a.grantee <> o.owner), NULL::text[]"
    " FROM objs AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.nsp"
    " CROSS JOIN LATERAL pg_catalog.aclexplode(o.acl) AS a"
    " GROUP BY 1, 2, 3, 4"
)

_DEFAULT_ACLS = (
    "SELECT pg_catalog.pg_get_userbyid(d.defaclrole), n.nspname, d.defaclobjtype::text, " + _GRANTEE + ", a.privilege_type"
    " FROM pg_catalog.pg_default_acl AS d"
    " JOIN pg_catalog.pg_namespace AS n ON n.oid = d.defaclnamespace"
    " CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) AS a"
)

# The last column is the context of pgaudit.log: "superuser" when the pgaudit library is loaded,
# "user" for a mere placeholder, NULL when nothing defines it.
_DATABASE = (
    "SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba), " + _GRANTEE + ", a.privilege_type,"
    " (SELECT s.context FROM pg_catalog.pg_settings AS s WHERE s.name = 'pgaudit.log')"
    " FROM pg_catalog.pg_database AS d"
    " LEFT JOIN LATERAL pg_catalog.aclexplode(COALESCE(d.datacl, pg_catalog.acldefault('d', d.datdba))) AS a"
    " ON a.grantee <> d.datdba"
    " WHERE d.datname = pg_catalog.current_database()"
)

_SETTINGS = (
    "SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(s.setrole)::text END, s.setconfig"
    " FROM pg_catalog.pg_db_role_setting AS s"
    " JOIN pg_catalog.pg_database AS d ON d.oid = s.setdatabase AND d.datname = pg_catalog.current_database()"
)

# The server normalises the valid_until values (and rejects invalid ones) before any change.
_VALID_UNTIL = "SELECT v, v::timestamptz::text FROM unnest(%(values)s::text[]) AS v"

QUERY_NAMES = ("roles", "memberships", "schemas", "objects", "default_acls", "database", "settings", "valid_until")

_DEFACL_KIND = {"r": "tables", "S": "sequences", "f": "functions", "T": "types", "n": "schemas"}


def queries(server_version_num):
    """The catalog queries, by name, for ``server_version_num``."""
    return dict(
        roles=_ROLES,
        memberships=_MEMBERSHIPS_16 if server_version_num >= PG16 else _MEMBERSHIPS_15,
        schemas=_SCHEMAS,
        objects=_OBJECTS,
        default_acls=_DEFAULT_ACLS,
        database=_DATABASE,
        settings=_SETTINGS,
        valid_until=_VALID_UNTIL,
    )


def _audit_value(setconfig):
    for item in setconfig or ():
        name, _sep, value = item.partition("=")
        if name.lower() == "pgaudit.log":
            return ",".join(part.strip().lower() for part in value.split(",") if part.strip())
    return None


class Membership:
    """One ``pg_auth_members`` row (on 15, the options are derived as PostgreSQL 15 applies them)."""

    __slots__ = ("role", "member", "grantor", "admin", "inherit", "set")

    def __init__(self, role, member, grantor, admin, inherit, set_option):
        self.role = role
        self.member = member
        self.grantor = grantor
        self.admin = bool(admin)
        self.inherit = bool(inherit)
        self.set = bool(set_option)

    def __repr__(self):
        return "Membership(%r in %r by %r admin=%s inherit=%s set=%s)" % (
            self.member, self.role, self.grantor, self.admin, self.inherit, self.set)


class Catalog:
    """A snapshot of what the role model compares.

    ``roles``: name -> dict(superuser, inherit, createrole, login, connection_limit, valid_until,
    comment). ``memberships``: list of :class:`Membership`. ``schemas``: name -> dict(owner,
    acl={grantee: set(privileges)}). ``objects``: (schema, kind) -> dict(total, owners,
    acl={grantee: {privilege: number of objects}}, granted=the same without the grantee's own objects). ``default_acls``: (owner, schema, kind) ->
    {grantee: set(privileges)}. ``database``: dict(name, owner, acl={grantee: set}); ``pgaudit_loaded``: whether the
    server loaded pgaudit (``pgaudit.log`` is then a superuser-context setting, not a placeholder).
    ``audit``: role name (None for the database) -> pgaudit.log text. ``valid_until``: given text
    -> the server's timestamptz text.
    """

    def __init__(self, server_version_num):
        self.server_version_num = server_version_num
        self.roles = {}
        self.memberships = []
        self.schemas = {}
        self.objects = {}
        self.default_acls = {}
        self.database = dict(name=None, owner=None, acl={})
        self.pgaudit_loaded = False
        self.audit = {}
        self.valid_until = {}

    @classmethod
    def from_rows(cls, server_version_num, rows):
        """Build the snapshot from ``rows``: query name -> list of row tuples (see :func:`queries`)."""
        catalog = cls(server_version_num)
        for name, superuser, inherit, createrole, login, limit, valid_until, comment in rows.get("roles", ()):
            catalog.roles[name] = dict(
                superuser=bool(superuser), inherit=bool(inherit), createrole=bool(createrole), login=bool(login),
                connection_limit=limit, valid_until=valid_until, comment=comment,
            )
        for role, member, grantor, admin, inherit, set_option in rows.get("memberships", ()):
            catalog.memberships.append(Membership(role, member, grantor, admin, inherit, set_option))
        for schema, owner, grantee, privilege in rows.get("schemas", ()):
            entry = catalog.schemas.setdefault(schema, dict(owner=owner, acl={}))
            if grantee is not None:
                entry["acl"].setdefault(grantee, set()).add(privilege)
        for schema, kind, grantee, privilege, count, granted, owners in rows.get("objects", ()):
            entry = catalog.objects.setdefault((schema, kind), dict(total=0, owners=[], acl={}, granted={}))
            if grantee is None:
                entry["total"] = count
                entry["owners"] = sorted(owners or [])
            else:
                entry["acl"].setdefault(grantee, {})[privilege] = count
                if granted:
                    entry["granted"].setdefault(grantee, {})[privilege] = granted
        for owner, schema, objtype, grantee, privilege in rows.get("default_acls", ()):
            kind = _DEFACL_KIND.get(objtype, objtype)
            catalog.default_acls.setdefault((owner, schema, kind), {}).setdefault(grantee, set()).add(privilege)
        for name, owner, grantee, privilege, audit_context in rows.get("database", ()):
            catalog.database["name"] = name
            catalog.database["owner"] = owner
            catalog.pgaudit_loaded = audit_context == "superuser"
            if grantee is not None:
                catalog.database["acl"].setdefault(grantee, set()).add(privilege)
        for role, setconfig in rows.get("settings", ()):
            value = _audit_value(setconfig)
            if value is not None:
                catalog.audit[role] = value
        for given, normalised in rows.get("valid_until", ()):
            catalog.valid_until[given] = normalised
        return catalog

    def full_privileges(self, schema, kind, grantee):
        """The privileges ``grantee`` holds on every object of ``kind`` in ``schema``."""
        entry = self.objects.get((schema, kind))
        if entry is None or entry["total"] == 0:
            return set()
        return set(p for p, count in entry["acl"].get(grantee, {}).items() if count >= entry["total"])

    def granted_privileges(self, schema, kind, grantee):
        """The privileges granted to ``grantee`` on at least one object of ``kind`` in ``schema`` it does not own."""
        entry = self.objects.get((schema, kind))
        if entry is None:
            return set()
        return set(p for p, count in entry["granted"].get(grantee, {}).items() if count > 0)


class CatalogReadError(Exception):
    """A catalog query failed; ``query`` is its name in :data:`QUERY_NAMES`, ``str()`` the message."""

    def __init__(self, query, msg):
        super(CatalogReadError, self).__init__(msg)
        self.query = query
        self.msg = msg


def read_catalog(cursor, server_version_num, schemas, valid_until_values):
    """Run the catalog queries on ``cursor`` and return ``(Catalog, number of queries run)``.

    ``schemas`` are the managed schema names whose objects are read; ``valid_until_values`` the
    texts to normalise. A failing query (for example a valid_until value the server cannot
    parse) raises :class:`CatalogReadError`.
    """
    texts = queries(server_version_num)
    params = dict(objects=dict(schemas=list(schemas)), valid_until=dict(values=list(valid_until_values)))
    rows = {}
    for name in QUERY_NAMES:
        error = None
        try:
            if name in params:
                cursor.execute(texts[name], params[name])
            else:
                cursor.execute(texts[name])
            rows[name] = cursor.fetchall()
        except DRIVER.Error as exc:
            error = CatalogReadError(name, DRIVER.error_message(exc))
        if error is not None:
            raise error
    return Catalog.from_rows(server_version_num, rows), len(QUERY_NAMES)
