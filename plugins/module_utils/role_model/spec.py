# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The argument spec of the role model and its normalisation into a :class:`Model`.

ansible-core's argument-spec validation checks types and choices; :func:`normalise` then checks
what the spec cannot express (names, duplicates, references between entries, privileges that
exist for an object type) and raises :class:`ModelError` naming the option, the value and what
would be accepted, before any connection is made.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.quoting import (
    IdentifierError,
    validate_identifier,
)

#: Privileges each object type accepts (``ALL`` expands to the whole set).
PRIVILEGES = {
    "schema": ("CREATE", "USAGE"),
    "tables": ("DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"),
    "sequences": ("SELECT", "UPDATE", "USAGE"),
    "functions": ("EXECUTE",),
}
DEFAULT_PRIVILEGE_TYPES = ("tables", "sequences", "functions")

#: pgaudit.log classes; a class may be prefixed with ``-`` to exclude it.
AUDIT_CLASSES = ("all", "ddl", "function", "misc", "misc_set", "none", "read", "role", "write")

#: Role names PostgreSQL reserves (``CREATE ROLE`` refuses them).
RESERVED_ROLE_NAMES = ("public", "none", "current_role", "current_user", "session_user")

SCRAM_PREFIX = "SCRAM-SHA-256$"

ROLE_STATES = ["present", "absent"]

ARGUMENT_SPEC = dict(
    groups=dict(
        type="list",
        elements="dict",
        default=[],
        options=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=ROLE_STATES),
            member_of=dict(type="list", elements="str", default=[]),
            reassign_to=dict(type="str"),
        ),
    ),
    logins=dict(
        type="list",
        elements="dict",
        default=[],
        options=dict(
            name=dict(type="str", required=True),
            password=dict(type="str", no_log=True),
            update_password=dict(type="str", default="on_create", choices=["on_create", "always"]),
            valid_until=dict(type="str"),
            connection_limit=dict(type="int"),
            iam=dict(type="bool", default=False),
            member_of=dict(type="list", elements="str", default=[]),
            state=dict(type="str", default="present", choices=ROLE_STATES),
            reassign_to=dict(type="str"),
        ),
    ),
    schemas=dict(
        type="list",
        elements="dict",
        default=[],
        options=dict(
            name=dict(type="str", required=True),
            owner=dict(type="str"),
            state=dict(type="str", default="present", choices=ROLE_STATES),
        ),
    ),
    privileges=dict(
        type="list",
        elements="dict",
        default=[],
        options=dict(
            role=dict(type="str", required=True),
            schema=dict(type="str", required=True),
            on=dict(type="str", required=True, choices=list(PRIVILEGES)),
            privileges=dict(type="list", elements="str", required=True),
        ),
    ),
    default_privileges=dict(
        type="list",
        elements="dict",
        default=[],
        options=dict(
            owner=dict(type="str", required=True),
            role=dict(type="str", required=True),
            schema=dict(type="str", required=True),
            on=dict(type="str", required=True, choices=list(DEFAULT_PRIVILEGE_TYPES)),
            privileges=dict(type="list", elements="str", required=True),
        ),
    ),
    hardening=dict(type="bool", default=True),
    audit=dict(
        type="dict",
        options=dict(
            database=dict(type="list", elements="str"),
            roles=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    role=dict(type="str", required=True),
                    log=dict(type="list", elements="str", required=True),
                ),
            ),
        ),
    ),
    purge=dict(type="bool", default=False),
)


class ModelError(ValueError):
    """The model is invalid; ``str()`` lists every problem found."""

    def __init__(self, problems):
        self.problems = list(problems)
        super(ModelError, self).__init__("invalid role model: " + "; ".join(self.problems))


class Model:
    """The normalised desired state.

    ``groups`` and ``logins`` map a role name to its options; ``schemas`` maps a schema name to
    ``{"owner", "state"}``; ``privileges`` maps ``(role, schema, on)`` to a frozenset of privilege
    names; ``default_privileges`` maps ``(owner, schema, on, role)`` likewise; ``audit_database`` is a
    pgaudit.log value (str), ``""`` to remove it or None when unmanaged; ``audit_roles`` maps a role
    to its pgaudit.log value (``""`` removes it).
    """

    def __init__(self):
        self.groups = {}
        self.logins = {}
        self.schemas = {}
        self.privileges = {}
        self.default_privileges = {}
        self.hardening = True
        self.purge = False
        self.audit_database = None
        self.audit_roles = {}
        self.audit_managed = False
        #: (option path, role name, dropped role or None) of every reference to a role that may be
        #: undeclared but must exist; for reassign_to, the third item is the role that is dropped.
        self.references = []

    def roles(self, state="present"):
        """Declared role names (groups and logins) with ``state``."""
        names = [name for name, role in self.groups.items() if role["state"] == state]
        names.extend(name for name, role in self.logins.items() if role["state"] == state)
        return names

    def role(self, name):
        return self.groups.get(name) or self.logins.get(name)

    def managed_schemas(self):
        """Names of the declared schemas with state=present, sorted."""
        return sorted(name for name, schema in self.schemas.items() if schema["state"] == "present")

    def valid_until_values(self):
        """The distinct ``valid_until`` values of present logins (normalised by the server)."""
        return sorted(set(login["valid_until"] for login in self.logins.values()
                          if login["state"] == "present" and login["valid_until"] is not None))


def is_scram_verifier(password):
    return isinstance(password, str) and password.startswith(SCRAM_PREFIX)


class _Checker:
    def __init__(self):
        self.problems = []

    def fail(self, message):
        self.problems.append(message)

    def identifier(self, value, where, what):
        try:
            validate_identifier(value, "%s (%s)" % (where, what))
        except IdentifierError as exc:
            self.fail(str(exc))
            return False
        return True

    def role_name(self, value, where):
        if not self.identifier(value, where, "role name"):
            return False
        if value in RESERVED_ROLE_NAMES:
            self.fail("%s=%r is reserved by PostgreSQL; use another role name" % (where, value))
            return False
        if value.startswith("pg_"):
            self.fail("%s=%r: role names starting with pg_ are reserved by PostgreSQL" % (where, value))
            return False
        return True


def _privileges(checker, values, on, where):
    accepted = PRIVILEGES[on]
    result = set()
    if not values:
        checker.fail("%s must list at least one privilege; accepted for on=%s: %s" % (where, on, ", ".join(accepted + ("ALL",))))
    for value in values:
        name = value.strip().upper() if isinstance(value, str) else value
        if name in ("ALL", "ALL PRIVILEGES"):
            result.update(accepted)
        elif name in accepted:
            result.add(name)
        else:
            checker.fail(
                "%s: %r is not a privilege of on=%s; accepted: %s" % (where, value, on, ", ".join(accepted + ("ALL",)))
            )
    return frozenset(result)


def _audit_value(checker, values, where):
    """The pgaudit.log text for ``values`` (a list of classes), ``""`` for an empty list."""
    parts = []
    for value in values:
        text = value.strip().lower() if isinstance(value, str) else value
        bare = text[1:] if isinstance(text, str) and text.startswith("-") else text
        if bare not in AUDIT_CLASSES:
            checker.fail(
                "%s: %r is not a pgaudit.log class; accepted: %s (optionally prefixed with - to exclude)"
                % (where, value, ", ".join(AUDIT_CLASSES))
            )
            continue
        if text not in parts:
            parts.append(text)
    return ",".join(parts)


def _roles(checker, model, params):
    seen = {}
    for kind in ("groups", "logins"):
        for index, entry in enumerate(params.get(kind) or []):
            where = "%s[%d].name" % (kind, index)
            name = entry["name"]
            if not checker.role_name(name, where):
                continue
            if name in seen:
                checker.fail("%s=%r is already declared as %s; each role is declared once, as a group or a login" % (where, name, seen[name]))
                continue
            seen[name] = "%s[%d]" % (kind, index)
            role = dict(name=name, state=entry["state"], member_of=[], reassign_to=entry.get("reassign_to"), index=index, kind=kind)
            for position, parent in enumerate(entry.get("member_of") or []):
                if checker.identifier(parent, "%s[%d].member_of[%d]" % (kind, index, position), "role name"):
                    if parent == name:
                        checker.fail("%s[%d].member_of[%d]=%r: a role cannot be a member of itself" % (kind, index, position, parent))
                    elif parent in role["member_of"]:
                        checker.fail("%s[%d].member_of lists %r twice" % (kind, index, parent))
                    else:
                        role["member_of"].append(parent)
                        model.references.append(("%s[%d].member_of[%d]" % (kind, index, position), parent, None))
            if role["reassign_to"] is not None:
                if checker.identifier(role["reassign_to"], "%s[%d].reassign_to" % (kind, index), "role name"):
                    model.references.append(("%s[%d].reassign_to" % (kind, index), role["reassign_to"], name))
            if entry["state"] == "absent":
                if role["reassign_to"] is None:
                    checker.fail(
                        "%s[%d] (%r) has state=absent but no reassign_to: name the role that takes over its objects "
                        "(REASSIGN OWNED BY ... TO reassign_to runs before DROP OWNED and DROP ROLE)" % (kind, index, name)
                    )
                elif role["reassign_to"] == name:
                    checker.fail("%s[%d].reassign_to=%r: a role cannot reassign its objects to itself" % (kind, index, name))
            if kind == "logins":
                password = entry.get("password")
                if password is not None and password == "":
                    checker.fail("logins[%d].password for %r is empty; omit it (IAM or no password) or give a password" % (index, name))
                limit = entry.get("connection_limit")
                if limit is not None and limit < -1:
                    checker.fail("logins[%d].connection_limit=%d is not valid; use -1 (no limit) or a number >= 0" % (index, limit))
                role.update(
                    password=password,
                    update_password=entry["update_password"],
                    valid_until=entry.get("valid_until"),
                    connection_limit=limit,
                    iam=entry["iam"],
                )
                if role["valid_until"] is not None and (role["valid_until"].strip() == "" or "\x00" in role["valid_until"]):
                    checker.fail("logins[%d].valid_until=%r is not a timestamp; use for example '2030-01-01 00:00:00+00' or 'infinity'"
                                 % (index, role["valid_until"]))
            getattr(model, kind)[name] = role


def _references(checker, model):
    present = set(model.roles("present"))
    absent = set(model.roles("absent"))
    for name in sorted(present | absent):
        role = model.role(name)
        where = "%s[%d]" % (role["kind"], role["index"])
        if role["state"] == "present":
            for parent in role["member_of"]:
                if parent in absent:
                    checker.fail("%s.member_of names %r, which the model declares with state=absent" % (where, parent))
                elif parent in model.logins:
                    checker.fail("%s.member_of names %r, which is a login; memberships are in group roles" % (where, parent))
        reassign = role["reassign_to"]
        if role["state"] == "absent" and reassign in absent and reassign != name:
            checker.fail("%s.reassign_to=%r is also declared with state=absent" % (where, reassign))
    for name, role in model.logins.items():
        if role["state"] == "present" and "rds_iam" in role["member_of"]:
            checker.fail("logins[%d].member_of lists rds_iam; use iam: true instead" % role["index"])


def _schemas(checker, model, params):
    absent_roles = set(model.roles("absent"))
    for index, entry in enumerate(params.get("schemas") or []):
        name = entry["name"]
        where = "schemas[%d].name" % index
        owner = entry.get("owner")
        if owner is not None and checker.identifier(owner, "schemas[%d].owner" % index, "role name"):
            if owner in absent_roles:
                checker.fail("schemas[%d].owner=%r is declared with state=absent" % (index, owner))
            elif entry["state"] == "present":
                model.references.append(("schemas[%d].owner" % index, owner, None))
        if not checker.identifier(name, where, "schema name"):
            continue
        if name.startswith("pg_") or name == "information_schema":
            checker.fail("%s=%r is a system schema name (pg_* and information_schema are reserved)" % (where, name))
            continue
        if name in model.schemas:
            checker.fail("%s=%r is declared twice" % (where, name))
            continue
        if entry["state"] == "absent" and name == "public":
            checker.fail("schemas[%d]: the public schema cannot be dropped by the role model" % index)
        model.schemas[name] = dict(owner=owner, state=entry["state"], index=index)


def _check_role_ref(checker, model, role, where, allow_undeclared):
    if not checker.identifier(role, where, "role name"):
        return False
    declared = model.role(role)
    if declared is not None and declared["state"] == "absent":
        checker.fail("%s=%r is declared with state=absent" % (where, role))
        return False
    if declared is None and not allow_undeclared:
        checker.fail(
            "%s=%r is not declared in groups or logins; privileges are granted to declared roles only (declared: %s)"
            % (where, role, ", ".join(sorted(model.roles("present"))) or "none")
        )
        return False
    return True


def _check_schema_ref(checker, model, schema, where):
    if not checker.identifier(schema, where, "schema name"):
        return False
    declared = model.schemas.get(schema)
    if declared is None or declared["state"] != "present":
        checker.fail(
            "%s=%r is not a schema the model manages; declare it in schemas (managed: %s)"
            % (where, schema, ", ".join(model.managed_schemas()) or "none")
        )
        return False
    return True


def _grants(checker, model, params):
    for index, entry in enumerate(params.get("privileges") or []):
        where = "privileges[%d]" % index
        ok = _check_role_ref(checker, model, entry["role"], where + ".role", False)
        ok = _check_schema_ref(checker, model, entry["schema"], where + ".schema") and ok
        privs = _privileges(checker, entry["privileges"], entry["on"], where + ".privileges")
        if ok:
            key = (entry["role"], entry["schema"], entry["on"])
            model.privileges[key] = model.privileges.get(key, frozenset()) | privs
    for index, entry in enumerate(params.get("default_privileges") or []):
        where = "default_privileges[%d]" % index
        ok = _check_role_ref(checker, model, entry["role"], where + ".role", False)
        if _check_role_ref(checker, model, entry["owner"], where + ".owner", True):
            model.references.append((where + ".owner", entry["owner"], None))
        else:
            ok = False
        ok = _check_schema_ref(checker, model, entry["schema"], where + ".schema") and ok
        privs = _privileges(checker, entry["privileges"], entry["on"], where + ".privileges")
        if ok:
            key = (entry["owner"], entry["schema"], entry["on"], entry["role"])
            model.default_privileges[key] = model.default_privileges.get(key, frozenset()) | privs


def _audit(checker, model, params):
    audit = params.get("audit")
    if not audit:
        return
    model.audit_managed = True
    if audit.get("database") is not None:
        model.audit_database = _audit_value(checker, audit["database"], "audit.database")
    for index, entry in enumerate(audit.get("roles") or []):
        where = "audit.roles[%d]" % index
        if not _check_role_ref(checker, model, entry["role"], where + ".role", True):
            continue
        model.references.append((where + ".role", entry["role"], None))
        if entry["role"] in model.audit_roles:
            checker.fail("%s.role=%r is listed twice" % (where, entry["role"]))
            continue
        model.audit_roles[entry["role"]] = _audit_value(checker, entry["log"], where + ".log")


def normalise(params):
    """Return the :class:`Model` of the module ``params``; raise :class:`ModelError` if invalid."""
    checker = _Checker()
    model = Model()
    model.hardening = bool(params.get("hardening", True))
    model.purge = bool(params.get("purge", False))
    _roles(checker, model, params)
    _references(checker, model)
    _schemas(checker, model, params)
    _grants(checker, model, params)
    _audit(checker, model, params)
    if checker.problems:
        raise ModelError(checker.problems)
    return model
