# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Validation and normalisation of the role model, before any connection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import postgres_argument_spec
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.catalog_read import Catalog
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.spec import ARGUMENT_SPEC, ModelError

from role_model_snapshots import PG15, model


def _problems(**params):
    with pytest.raises(ModelError) as caught:
        model(**params)
    return caught.value.problems


def test_privileges_are_case_insensitive_all_expands_and_entries_merge():
    result = model(
        groups=[dict(name="ro")],
        schemas=[dict(name="app")],
        privileges=[
            dict(role="ro", schema="app", on="tables", privileges=["select"]),
            dict(role="ro", schema="app", on="tables", privileges=[" Insert "]),
            dict(role="ro", schema="app", on="sequences", privileges=["ALL"]),
        ],
    )
    assert result.privileges[("ro", "app", "tables")] == frozenset(["SELECT", "INSERT"])
    assert result.privileges[("ro", "app", "sequences")] == frozenset(["SELECT", "UPDATE", "USAGE"])


def test_unknown_privilege_names_the_option_value_and_accepted_values():
    problems = _problems(groups=[dict(name="ro")], schemas=[dict(name="app")],
                         privileges=[dict(role="ro", schema="app", on="functions", privileges=["SELECT"])])
    assert problems == ["privileges[0].privileges: 'SELECT' is not a privilege of on=functions; accepted: EXECUTE, ALL"]


def test_comma_string_in_a_privilege_list_is_refused():
    problems = _problems(groups=[dict(name="ro")], schemas=[dict(name="app")],
                         privileges=[dict(role="ro", schema="app", on="schema", privileges=["USAGE,CREATE"])])
    assert "'USAGE,CREATE' is not a privilege of on=schema; accepted: CREATE, USAGE, ALL" in problems[0]


def test_every_problem_is_reported_at_once():
    problems = _problems(
        groups=[dict(name="ro"), dict(name="ro")],
        logins=[dict(name="public"), dict(name="app", member_of=["app"])],
        schemas=[dict(name="pg_secret")],
        privileges=[dict(role="ro", schema="nowhere", on="schema", privileges=["USAGE"])],
        default_privileges=[dict(owner="ro", role="ghost", schema="app", on="tables", privileges=["SELECT"])],
    )
    assert problems == [
        "groups[1].name='ro' is already declared as groups[0]; each role is declared once, as a group or a login",
        "logins[0].name='public' is reserved by PostgreSQL; use another role name",
        "logins[1].member_of[0]='app': a role cannot be a member of itself",
        "schemas[0].name='pg_secret' is a system schema name (pg_* and information_schema are reserved)",
        "privileges[0].schema='nowhere' is not a schema the model manages; declare it in schemas (managed: none)",
        "default_privileges[0].role='ghost' is not declared in groups or logins; privileges are granted to declared roles only (declared: app, ro)",
        "default_privileges[0].schema='app' is not a schema the model manages; declare it in schemas (managed: none)",
    ]


@pytest.mark.parametrize("name, fragment", [
    ("a\x00b", "contains a NUL character"),
    ("x" * 64, "is 64 bytes long in UTF-8"),
    ("", "must not be empty"),
])
def test_invalid_identifiers_are_refused_in_name_fields(name, fragment):
    problems = _problems(groups=[dict(name=name)], logins=[dict(name="l", member_of=[name])], schemas=[dict(name=name, owner=name)])
    assert [p.split(" (")[0] for p in problems] == ["groups[0].name", "logins[0].member_of[0]", "schemas[0].owner", "schemas[0].name"]
    assert all(fragment in p for p in problems)


def test_a_63_byte_unicode_name_with_quotes_is_accepted():
    name = '"é' + "q" * 60
    assert len(name.encode("utf-8")) == 63
    assert name in model(groups=[dict(name=name)]).groups


def test_references_to_absent_roles_and_logins_are_refused():
    problems = _problems(
        groups=[dict(name="gone", state="absent", reassign_to="gone")],
        logins=[dict(name="a"), dict(name="b", member_of=["a", "gone"])],
        schemas=[dict(name="app", owner="gone")],
    )
    assert problems == [
        "groups[0].reassign_to='gone': a role cannot reassign its objects to itself",
        "logins[1].member_of names 'a', which is a login; memberships are in group roles",
        "logins[1].member_of names 'gone', which the model declares with state=absent",
        "schemas[0].owner='gone' is declared with state=absent",
    ]


def test_absent_role_needs_reassign_to():
    assert _problems(logins=[dict(name="old", state="absent")]) == [
        "logins[0] ('old') has state=absent but no reassign_to: name the role that takes over its objects "
        "(REASSIGN OWNED BY ... TO reassign_to runs before DROP OWNED and DROP ROLE)"
    ]


def test_audit_classes_are_validated_and_normalised():
    result = model(groups=[dict(name="ro")], audit=dict(database=["DDL", " role", "-misc"], roles=[dict(role="ro", log=[])]))
    assert result.audit_database == "ddl,role,-misc"
    assert result.audit_roles == {"ro": ""}
    assert result.audit_managed is True
    assert _problems(audit=dict(database=["ddl", "select"])) == [
        "audit.database: 'select' is not a pgaudit.log class; accepted: all, ddl, function, misc, misc_set, none, read, role, write "
        "(optionally prefixed with - to exclude)"
    ]


def test_login_values_are_checked():
    problems = _problems(logins=[dict(name="a", password="", connection_limit=-2, valid_until=" "), dict(name="b", member_of=["rds_iam"])])
    assert problems == [
        "logins[0].password for 'a' is empty; omit it (IAM or no password) or give a password",
        "logins[0].connection_limit=-2 is not valid; use -1 (no limit) or a number >= 0",
        "logins[0].valid_until=' ' is not a timestamp; use for example '2030-01-01 00:00:00+00' or 'infinity'",
        "logins[1].member_of lists rds_iam; use iam: true instead",
    ]


def test_argument_spec_types_and_no_log():
    spec = postgres_argument_spec()
    spec.update(ARGUMENT_SPEC)
    result = ArgumentSpecValidator(spec).validate(dict(
        logins=[dict(name="a", password="Very-secret-9")],
        privileges=[dict(role="a", schema="s", on="views", privileges=["SELECT"])],
    ))
    messages = " ".join(error.msg if hasattr(error, "msg") else str(error) for error in result.errors)
    assert "value of on must be one of: schema, tables, sequences, functions, got: views" in messages
    assert "Very-secret-9" in result._no_log_values
    assert ARGUMENT_SPEC["logins"]["options"]["password"]["no_log"] is True


def test_catalog_rows_are_parsed_into_the_snapshot():
    snapshot = Catalog.from_rows(PG15, dict(
        default_acls=[("o", "app", "r", "ro", "SELECT"), ("o", "app", "S", "ro", "USAGE"), ("o", "app", "f", "PUBLIC", "EXECUTE")],
        settings=[(None, ["work_mem=4MB", "pgaudit.log=DDL, Role"]), ("ro", ["search_path=app"])],
        objects=[("app", "tables", None, None, 4, 0, ["o"]), ("app", "tables", "ro", "SELECT", 4, 4, None),
                 ("app", "tables", "rw", "SELECT", 3, 3, None), ("app", "tables", "o", "SELECT", 4, 0, None)],
    ))
    assert snapshot.default_acls == {("o", "app", "tables"): {"ro": {"SELECT"}}, ("o", "app", "sequences"): {"ro": {"USAGE"}},
                                     ("o", "app", "functions"): {"PUBLIC": {"EXECUTE"}}}
    assert snapshot.audit == {None: "ddl,role"}
    assert snapshot.full_privileges("app", "tables", "ro") == {"SELECT"}
    assert snapshot.full_privileges("app", "tables", "rw") == set()
    assert snapshot.full_privileges("app", "tables", "o") == {"SELECT"}
    assert snapshot.granted_privileges("app", "tables", "o") == set()
    assert snapshot.granted_privileges("app", "tables", "rw") == {"SELECT"}
