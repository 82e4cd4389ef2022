# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Compare the model with the catalog snapshot and plan the fewest statements, in order.

Statements are composed with the driver's ``sql`` module only (identifiers through
``sql.Identifier``, values through ``sql.Literal``, passwords wrapped in ``Secret``). The order is:
roles (create/alter), the connecting user's access to owner roles, memberships, schemas,
hardening, privileges, default privileges, pgaudit settings, purge of memberships, then schemas
and roles with state=absent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import ident, literal, sql_text
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.statements import Secret
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.catalog_read import PG16, PUBLIC
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.spec import is_scram_verifier

#: The role comment that records the fingerprint of a SCRAM verifier set by this module.
FINGERPRINT_PREFIX = "innovate.aws_postgres password sha256:"

_KIND_KEYWORD = {"tables": "TABLES", "sequences": "SEQUENCES", "functions": "FUNCTIONS", "types": "TYPES"}
_KNOWN_PRIVILEGES = frozenset(
    ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "USAGE", "CREATE",
     "EXECUTE", "CONNECT", "TEMPORARY", "MAINTAIN"]
)


class PlanError(ValueError):
    """The model cannot be applied to this server; ``str()`` lists every problem."""

    def __init__(self, problems):
        self.problems = list(problems)
        super(PlanError, self).__init__("the role model cannot be applied: " + "; ".join(self.problems))


def fingerprint(verifier):
    """The comment that identifies ``verifier`` (a SHA-256 of it; the verifier itself is never stored)."""
    return FINGERPRINT_PREFIX + hashlib.sha256(verifier.encode("utf-8")).hexdigest()


def _privs(names):
    return sql_text(", ").join(sql_text(name) for name in sorted(names))


def _grantee(name):
    return sql_text("PUBLIC") if name == PUBLIC else ident(name, what="role name")


class Plan:
    """The planned statements and what the module reports about them."""

    def __init__(self):
        self.statements = []
        self.warnings = []
        self.roles_created = []
        self.roles_dropped = []
        self.before = {}
        self.after = {}

    def add(self, statement):
        self.statements.append(statement)


class _Planner:
    def __init__(self, model, catalog, facts, password_hasher=None):
        self.password_hasher = password_hasher
        self.model = model
        self.catalog = catalog
        self.user = facts["current_user"]
        self.superuser = bool(facts.get("is_superuser"))
        self.pg16 = catalog.server_version_num >= PG16
        self.database = catalog.database["name"] or facts.get("database")
        self.plan = Plan()
        self.problems = []

    # -- helpers ---------------------------------------------------------------------------------
    def exists(self, role):
        return role in self.catalog.roles

    def available(self, role):
        """The role exists or the model creates it."""
        declared = self.model.role(role)
        return self.exists(role) or (declared is not None and declared["state"] == "present")

    def require_role(self, role, where):
        if not self.available(role):
            self.problems.append(
                "%s=%r: role %r does not exist on the server and is not declared in groups or logins" % (where, role, role)
            )
            return False
        return True

    def _closure(self, attribute):
        reach = set([self.user])
        edges = {}
        for row in self.catalog.memberships:
            if getattr(row, attribute):
                edges.setdefault(row.member, set()).add(row.role)
        stack = [self.user]
        while stack:
            for parent in edges.get(stack.pop(), ()):
                if parent not in reach:
                    reach.add(parent)
                    stack.append(parent)
        return reach

    def rows(self, role=None, member=None):
        return [row for row in self.catalog.memberships
                if (role is None or row.role == role) and (member is None or row.member == member)]

    def can_act_as(self, role):
        return self.superuser or role in self.privileges_of

    # -- phases ----------------------------------------------------------------------------------
    def check(self):
        model = self.model
        for name in model.roles("present") + model.roles("absent"):
            if name == self.user:
                self.problems.append("%r is the role this task connects as; it cannot be managed by the model it applies" % name)
            elif self.catalog.roles.get(name, {}).get("superuser"):
                self.problems.append("%r is a superuser on the server; the role model does not manage superusers" % name)
        for name in model.roles("present"):
            role = model.role(name)
            if role["kind"] == "logins" and role["iam"] and not self.exists("rds_iam"):
                self.problems.append(
                    "logins[%d].iam=true for %r but the role rds_iam does not exist: IAM database authentication needs "
                    "an RDS or Aurora server (or a server with an rds_iam role)" % (role["index"], name)
                )
        for where, role, dropped in model.references:
            if dropped is not None and not self.exists(dropped):
                continue  # nothing to reassign: the role to drop does not exist
            self.require_role(role, where)
        if model.audit_managed and not self.catalog.pgaudit_loaded and (model.audit_database or any(model.audit_roles.values())):
            self.problems.append(
                "audit: the server has not loaded pgaudit, so pgaudit.log cannot be set; add pgaudit to the "
                "shared_preload_libraries parameter (innovate.aws_postgres.rds_parameter_group) and reboot the instance "
                "(innovate.aws_postgres.rds_instance with reboot_for_pending=now)"
            )
        for (given, normalised) in sorted(self.catalog.valid_until.items()):
            if normalised is None:
                self.problems.append("logins valid_until=%r is not a timestamp the server accepts" % given)

    def roles(self):
        for name, group in sorted(self.model.groups.items()):
            if group["state"] != "present":
                continue
            current = self.catalog.roles.get(name)
            if current is None:
                self.plan.add(sql_text("CREATE ROLE {} NOLOGIN").format(ident(name, what="role name")))
                self.plan.roles_created.append(name)
            elif current["login"]:
                self.plan.add(sql_text("ALTER ROLE {} NOLOGIN").format(ident(name, what="role name")))
        for name, login in sorted(self.model.logins.items()):
            if login["state"] == "present":
                self._login(name, login)

    def _password(self, name, password):
        """The PASSWORD clause; a clear-text password is sent as a SCRAM verifier when a hasher is set."""
        if self.password_hasher is not None and not is_scram_verifier(password):
            password = self.password_hasher(password, name)
        return sql_text("PASSWORD {}").format(literal(Secret(password)))

    def _login(self, name, login):
        current = self.catalog.roles.get(name)
        options = []
        password = login["password"]
        verifier = is_scram_verifier(password)
        comment = None
        valid_until = login["valid_until"]
        if current is None:
            options.append(sql_text("LOGIN"))
            if password is not None:
                options.append(self._password(name, password))
                if verifier:
                    comment = fingerprint(password)
            if valid_until is not None:
                options.append(sql_text("VALID UNTIL {}").format(literal(valid_until)))
            if login["connection_limit"] is not None:
                options.append(sql_text("CONNECTION LIMIT {}").format(literal(login["connection_limit"])))
            self.plan.add(sql_text("CREATE ROLE {} WITH ").format(ident(name, what="role name")) + sql_text(" ").join(options))
            self.plan.roles_created.append(name)
        else:
            if not current["login"]:
                options.append(sql_text("LOGIN"))
            if password is not None:
                expected = fingerprint(password) if verifier else None
                if login["update_password"] == "always" or (verifier and current["comment"] != expected):
                    options.append(self._password(name, password))
                    comment = expected
            if valid_until is not None and current["valid_until"] != self.catalog.valid_until.get(valid_until):
                options.append(sql_text("VALID UNTIL {}").format(literal(valid_until)))
            limit = login["connection_limit"]
            if limit is not None and current["connection_limit"] != limit:
                options.append(sql_text("CONNECTION LIMIT {}").format(literal(limit)))
            if options:
                self.plan.add(sql_text("ALTER ROLE {} WITH ").format(ident(name, what="role name")) + sql_text(" ").join(options))
        if comment is not None and (current is None or current["comment"] != comment):
            self.plan.add(sql_text("COMMENT ON ROLE {} IS {}").format(ident(name, what="role name"), literal(comment)))

    def access(self):
        """Make the connecting user able to act as the roles whose objects it manages."""
        self.privileges_of = self._closure("inherit")
        self.settable = self._closure("set")
        if self.superuser:
            return
        needed = set()
        for name, schema in self.model.schemas.items():
            current = self.catalog.schemas.get(name)
            if schema["state"] == "present" and schema["owner"] is not None:
                needed.add(schema["owner"])
            # ALTER SCHEMA ... OWNER TO and DROP SCHEMA act as the schema's current owner
            changes_owner = schema["state"] == "present" and schema["owner"] not in (None, (current or {}).get("owner"))
            if current is not None and (changes_owner or schema["state"] == "absent"):
                if not self.catalog.roles.get(current["owner"], {}).get("superuser", True):
                    needed.add(current["owner"])
        for (owner, _schema, _on, _role) in self.model.default_privileges:
            needed.add(owner)
        for name in self.model.roles("absent"):
            if self.exists(name):
                needed.add(name)
                needed.add(self.model.role(name)["reassign_to"])
        for role in sorted(needed):
            if role == self.user or (role in self.privileges_of and role in self.settable):
                continue
            if self.pg16:
                statement = sql_text("GRANT {} TO {} WITH INHERIT TRUE, SET TRUE")
            else:
                statement = sql_text("GRANT {} TO {}")
            self.plan.add(statement.format(ident(role, what="role name"), ident(self.user, what="role name")))
            self.privileges_of.add(role)
            self.settable.add(role)

    def _desired_parents(self, name):
        role = self.model.role(name)
        parents = list(role["member_of"])
        if role["kind"] == "logins" and role["iam"]:
            parents.append("rds_iam")
        return parents

    def _revoke_membership(self, row):
        role, member = ident(row.role, what="role name"), ident(row.member, what="role name")
        if not self.pg16:
            self.plan.add(sql_text("REVOKE {} FROM {}").format(role, member))
            return
        if row.grantor is None or not (self.superuser or row.grantor == self.user or row.grantor in self.privileges_of):
            self.plan.warnings.append(
                "membership of %r in %r was granted by %r, whose grants the connecting user %r cannot revoke; it is kept"
                % (row.member, row.role, row.grantor, self.user)
            )
            return
        self.plan.add(sql_text("REVOKE {} FROM {} GRANTED BY {}").format(role, member, ident(row.grantor, what="role name")))

    def memberships(self):
        for name in self.model.roles("present"):
            for parent in self._desired_parents(name):
                rows = self.rows(parent, name)
                held = any(row.inherit for row in rows) if self.pg16 else bool(rows)
                if held:
                    continue
                if self.pg16:
                    statement = sql_text("GRANT {} TO {} WITH INHERIT TRUE")
                else:
                    statement = sql_text("GRANT {} TO {}")
                self.plan.add(statement.format(ident(parent, what="role name"), ident(name, what="role name")))
        for name, login in sorted(self.model.logins.items()):
            if login["state"] == "present" and not login["iam"]:
                for row in self.rows("rds_iam", name):
                    self._revoke_membership(row)

    def purge_memberships(self):
        if not self.model.purge:
            return
        present = set(self.model.roles("present"))
        dropped = set(self.model.roles("absent"))
        for row in sorted(self.catalog.memberships, key=lambda r: (r.role, r.member, r.grantor or "")):
            if row.member == self.user or row.role == "rds_iam" or row.member in dropped:
                continue  # the connecting user's access is kept; DROP ROLE removes the memberships of dropped roles
            if row.member in present:
                if row.role in self._desired_parents(row.member):
                    continue
            elif row.role in present:
                pass
            else:
                continue
            self._revoke_membership(row)

    def schemas(self):
        for name, schema in sorted(self.model.schemas.items()):
            if schema["state"] != "present":
                continue
            current = self.catalog.schemas.get(name)
            owner = schema["owner"]
            if current is None:
                if owner is None:
                    self.plan.add(sql_text("CREATE SCHEMA {}").format(ident(name, what="schema name")))
                else:
                    self.plan.add(sql_text("CREATE SCHEMA {} AUTHORIZATION {}").format(
                        ident(name, what="schema name"), ident(owner, what="role name")))
            elif owner is not None and current["owner"] != owner:
                self.plan.add(sql_text("ALTER SCHEMA {} OWNER TO {}").format(
                    ident(name, what="schema name"), ident(owner, what="role name")))

    def hardening(self):
        if not self.model.hardening:
            return
        public = self.catalog.schemas.get("public")
        if public is not None and "CREATE" in public["acl"].get(PUBLIC, ()):
            self.plan.add(sql_text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        acl = self.catalog.database["acl"]
        db = ident(self.database, what="database name")
        if acl.get(PUBLIC):
            self.plan.add(sql_text("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db))
        grantees = [name for name in sorted(self.model.logins)
                    if self.model.logins[name]["state"] == "present" and "CONNECT" not in acl.get(name, ())]
        owner = self.catalog.database["owner"]
        if not self.superuser and owner not in self.privileges_of:
            if not any("CONNECT" in acl.get(role, ()) for role in self.privileges_of):
                grantees.append(self.user)
        if grantees:
            self.plan.add(sql_text("GRANT CONNECT ON DATABASE {} TO {}").format(
                db, sql_text(", ").join(ident(name, what="role name") for name in grantees)))

    def _schema_owner(self, name):
        owner = self.model.schemas[name]["owner"]
        if owner is None and name in self.catalog.schemas:
            owner = self.catalog.schemas[name]["owner"]
        return owner

    def _known(self, privileges, where):
        known = set(p for p in privileges if p in _KNOWN_PRIVILEGES)
        for unknown in sorted(set(privileges) - known):
            self.plan.warnings.append("%s: privilege %r reported by the server is not managed" % (where, unknown))
        return known

    def _warn_owners(self, schema, kind):
        entry = self.catalog.objects.get((schema, kind))
        if entry is None or self.superuser:
            return
        for owner in entry["owners"]:
            if owner not in self.privileges_of:
                self.plan.warnings.append(
                    "some %s in schema %r are owned by %r, which the connecting user %r is not a member of: PostgreSQL "
                    "skips them (with a warning) when granting or revoking; grant %r to %r or change their owner"
                    % (kind, schema, owner, self.user, owner, self.user)
                )

    def privileges(self):
        desired = self.model.privileges
        for schema in self.model.managed_schemas():
            current = self.catalog.schemas.get(schema, dict(owner=None, acl={}))
            owner = self._schema_owner(schema)
            target = ident(schema, what="schema name")
            grantees = set(role for (role, s, on) in desired if s == schema and on == "schema")
            for role in sorted(grantees):
                if role in (owner, current["owner"]):
                    continue  # the owner holds every privilege on its schema
                missing = desired[(role, schema, "schema")] - current["acl"].get(role, set())
                if missing:
                    self.plan.add(sql_text("GRANT {} ON SCHEMA {} TO {}").format(_privs(missing), target, _grantee(role)))
            if self.model.purge:
                for grantee in sorted(current["acl"]):
                    if grantee == owner:
                        continue
                    extra = self._known(current["acl"][grantee], "schema %r" % schema) - desired.get((grantee, schema, "schema"), frozenset())
                    if extra:
                        self.plan.add(sql_text("REVOKE {} ON SCHEMA {} FROM {}").format(_privs(extra), target, _grantee(grantee)))
            for kind in ("tables", "sequences", "functions"):
                self._objects(schema, kind)

    def _objects(self, schema, kind):
        desired = self.model.privileges
        entry = self.catalog.objects.get((schema, kind))
        if entry is None or entry["total"] == 0:
            return
        keyword = sql_text(_KIND_KEYWORD[kind])
        target = ident(schema, what="schema name")
        count = len(self.plan.statements)
        for (role, s, on) in sorted(desired):
            if s != schema or on != kind:
                continue
            missing = desired[(role, s, on)] - self.catalog.full_privileges(schema, kind, role)
            if missing:
                self.plan.add(sql_text("GRANT {} ON ALL {} IN SCHEMA {} TO {}").format(_privs(missing), keyword, target, _grantee(role)))
        if self.model.purge:
            for grantee in sorted(entry["granted"]):
                held = self._known(self.catalog.granted_privileges(schema, kind, grantee), "%s in schema %r" % (kind, schema))
                extra = held - desired.get((grantee, schema, kind), frozenset())
                if extra:
                    self.plan.add(sql_text("REVOKE {} ON ALL {} IN SCHEMA {} FROM {}").format(_privs(extra), keyword, target, _grantee(grantee)))
        if len(self.plan.statements) > count:
            self._warn_owners(schema, kind)

    def default_privileges(self):
        desired = self.model.default_privileges
        for (owner, schema, kind, role) in sorted(desired):
            current = self.catalog.default_acls.get((owner, schema, kind), {}).get(role, set())
            missing = desired[(owner, schema, kind, role)] - current
            if missing:
                self.plan.add(sql_text("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} ON {} TO {}").format(
                    ident(owner, what="role name"), ident(schema, what="schema name"), _privs(missing),
                    sql_text(_KIND_KEYWORD[kind]), _grantee(role)))
        if not self.model.purge:
            return
        managed = set(self.model.managed_schemas())
        for (owner, schema, kind) in sorted(self.catalog.default_acls):
            if schema not in managed or kind not in _KIND_KEYWORD:
                continue
            for grantee, held in sorted(self.catalog.default_acls[(owner, schema, kind)].items()):
                extra = self._known(held, "default privileges in schema %r" % schema) - desired.get((owner, schema, kind, grantee), frozenset())
                if not extra:
                    continue
                if not self.can_act_as(owner):
                    self.plan.warnings.append(
                        "default privileges of %r in schema %r for %r are not in the model but the connecting user %r "
                        "is not a member of %r, so they are kept" % (owner, schema, grantee, self.user, owner))
                    continue
                self.plan.add(sql_text("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} REVOKE {} ON {} FROM {}").format(
                    ident(owner, what="role name"), ident(schema, what="schema name"), _privs(extra),
                    sql_text(_KIND_KEYWORD[kind]), _grantee(grantee)))

    def audit(self):
        if not self.model.audit_managed:
            return
        db = ident(self.database, what="database name")
        wanted = self.model.audit_database
        current = self.catalog.audit.get(None)
        if wanted is not None and wanted != (current or ""):
            if wanted:
                self.plan.add(sql_text("ALTER DATABASE {} SET pgaudit.log = {}").format(db, literal(wanted)))
            else:
                self.plan.add(sql_text("ALTER DATABASE {} RESET pgaudit.log").format(db))
        roles = dict(self.model.audit_roles)
        if self.model.purge:
            for name in self.model.roles("present"):
                if name not in roles and self.catalog.audit.get(name) is not None:
                    roles[name] = ""
        for name, wanted in sorted(roles.items()):
            if wanted == (self.catalog.audit.get(name) or ""):
                continue
            role = ident(name, what="role name")
            if wanted:
                self.plan.add(sql_text("ALTER ROLE {} IN DATABASE {} SET pgaudit.log = {}").format(role, db, literal(wanted)))
            else:
                self.plan.add(sql_text("ALTER ROLE {} IN DATABASE {} RESET pgaudit.log").format(role, db))

    def absent(self):
        for name, schema in sorted(self.model.schemas.items()):
            if schema["state"] == "absent" and name in self.catalog.schemas:
                self.plan.add(sql_text("DROP SCHEMA {}").format(ident(name, what="schema name")))
        for name in sorted(self.model.roles("absent")):
            if not self.exists(name):
                continue
            role = ident(name, what="role name")
            target = ident(self.model.role(name)["reassign_to"], what="role name")
            self.plan.add(sql_text("REASSIGN OWNED BY {} TO {}").format(role, target))
            self.plan.add(sql_text("DROP OWNED BY {}").format(role))
            self.plan.add(sql_text("DROP ROLE {}").format(role))
            self.plan.roles_dropped.append(name)

    # -- summaries -------------------------------------------------------------------------------
    def summaries(self):
        model, catalog = self.model, self.catalog
        before = dict(roles={}, schemas={}, privileges=[], default_privileges=[], audit={})
        after = dict(roles={}, schemas={}, privileges=[], default_privileges=[], audit={})
        for name in sorted(model.roles("present") + model.roles("absent")):
            role = model.role(name)
            current = catalog.roles.get(name)
            if current is None:
                before["roles"][name] = dict(state="absent")
            else:
                parents = sorted(set(row.role for row in self.rows(member=name)))
                entry = dict(state="present", login=current["login"], member_of=parents)
                if current["login"]:
                    entry.update(connection_limit=current["connection_limit"], valid_until=current["valid_until"])
                before["roles"][name] = entry
            if role["state"] == "absent":
                after["roles"][name] = dict(state="absent")
                continue
            entry = dict(state="present", login=role["kind"] == "logins", member_of=sorted(self._desired_parents(name)))
            if role["kind"] == "logins":
                entry.update(
                    connection_limit=role["connection_limit"] if role["connection_limit"] is not None else (current or {}).get("connection_limit", -1),
                    valid_until=catalog.valid_until.get(role["valid_until"]) if role["valid_until"] is not None else (current or {}).get("valid_until"),
                )
            after["roles"][name] = entry
        for name, schema in sorted(model.schemas.items()):
            current = catalog.schemas.get(name)
            before["schemas"][name] = dict(state="present", owner=current["owner"]) if current else dict(state="absent")
            after["schemas"][name] = dict(state=schema["state"], owner=schema["owner"] or (current or {}).get("owner"))
        for (role, schema, on) in sorted(model.privileges):
            if on == "schema":
                held = catalog.schemas.get(schema, dict(acl={}))["acl"].get(role, set())
            else:
                held = catalog.full_privileges(schema, on, role)
            before["privileges"].append(dict(role=role, schema=schema, on=on, privileges=sorted(held)))
            after["privileges"].append(dict(role=role, schema=schema, on=on, privileges=sorted(model.privileges[(role, schema, on)])))
        for (owner, schema, on, role) in sorted(model.default_privileges):
            held = catalog.default_acls.get((owner, schema, on), {}).get(role, set())
            before["default_privileges"].append(dict(owner=owner, schema=schema, on=on, role=role, privileges=sorted(held)))
            after["default_privileges"].append(dict(owner=owner, schema=schema, on=on, role=role,
                                                    privileges=sorted(model.default_privileges[(owner, schema, on, role)])))
        if model.audit_managed:
            if model.audit_database is not None:
                before["audit"]["database"] = catalog.audit.get(None) or ""
                after["audit"]["database"] = model.audit_database
            for name in sorted(model.audit_roles):
                before["audit"][name] = catalog.audit.get(name) or ""
                after["audit"][name] = model.audit_roles[name]
        before["hardening"] = dict(public_connect=bool(catalog.database["acl"].get(PUBLIC)),
                                   public_create_in_public=("CREATE" in catalog.schemas.get("public", dict(acl={}))["acl"].get(PUBLIC, ())))
        if model.hardening:
            after["hardening"] = dict(public_connect=False, public_create_in_public=False)
        else:
            after["hardening"] = dict(before["hardening"])
        self.plan.before, self.plan.after = before, after


def build_plan(model, catalog, facts, password_hasher=None):
    """Return the :class:`Plan` that converges ``catalog`` to ``model``; raise :class:`PlanError`.

    ``facts`` are the connection facts (``current_user``, ``is_superuser``, ``database``).
    ``password_hasher(password, role)`` turns a clear-text password into the SCRAM verifier that is
    sent instead (so the clear text never reaches the server's statement or audit log); without it
    the clear text is sent.
    """
    planner = _Planner(model, catalog, facts, password_hasher)
    planner.check()
    if planner.problems:
        raise PlanError(planner.problems)
    planner.roles()
    planner.access()
    planner.memberships()
    planner.schemas()
    planner.hardening()
    planner.privileges()
    planner.default_privileges()
    planner.audit()
    planner.purge_memberships()
    planner.absent()
    planner.summaries()
    return planner.plan
