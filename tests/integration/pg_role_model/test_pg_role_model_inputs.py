# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hostile names, bad inputs and passwords, through ansible-playbook against the real server."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import hmac
import json
import os

import psycopg2
import pytest

from pgrm_model import reads, standard_model, writes

EVIL = 'x"; DROP TABLE t; --'


def _all_name_fields(name, role):
    """A model that puts ``name`` in every name field (role names get ``role``)."""
    return dict(
        groups=[dict(name=role("g"), member_of=[name])],
        logins=[dict(name=name, password="Pw-1", member_of=[role("g")]),
                dict(name=role("gone"), state="absent", reassign_to=name)],
        schemas=[dict(name=name, owner=name)],
        privileges=[dict(role=name, schema=name, on="schema", privileges=["USAGE"])],
        default_privileges=[dict(owner=name, role=name, schema=name, on="tables", privileges=["SELECT"])],
        audit=dict(roles=[dict(role=name, log=["read"])]),
    )


FIELDS = (
    "groups[0].member_of[0]", "logins[0].name", "logins[1].reassign_to", "schemas[0].name", "schemas[0].owner",
    "privileges[0].role", "privileges[0].schema", "default_privileges[0].owner", "default_privileges[0].role",
    "default_privileges[0].schema", "audit.roles[0].role",
)


def test_hostile_names_are_quoted_harmlessly(model_db):
    model_db.execute("CREATE TABLE public.t (id int)")
    evil_role = EVIL + model_db.suffix
    quote_role = "'" + model_db.suffix
    unicode_role = "Lecture Seule.é_" + model_db.suffix
    model = dict(
        groups=[dict(name=evil_role), dict(name=unicode_role)],
        logins=[dict(name=quote_role, password="it's a \"pw\"; --", member_of=[evil_role, unicode_role])],
        schemas=[dict(name=EVIL, owner=evil_role), dict(name="'", owner=unicode_role)],
        privileges=[
            dict(role=quote_role, schema=EVIL, on="schema", privileges=["USAGE"]),
            dict(role=unicode_role, schema="'", on="schema", privileges=["USAGE", "CREATE"]),
        ],
        default_privileges=[dict(owner=evil_role, role=quote_role, schema=EVIL, on="tables", privileges=["SELECT"])],
        audit=dict(roles=[dict(role=quote_role, log=["read"])]),
    )
    result, _sent = model_db.run(**model)
    assert result.get("failed") is not True, result.get("msg")
    assert model_db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 't'") == [(1,)]
    names = set(row[0] for row in model_db.query("SELECT rolname FROM pg_roles"))
    assert {evil_role, quote_role, unicode_role} <= names
    assert model_db.query("SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname IN (%s, %s) ORDER BY 1",
                          (EVIL, "'")) == sorted([(EVIL, evil_role), ("'", unicode_role)])
    assert model_db.query("SELECT has_schema_privilege(%s, %s, 'USAGE'), pg_has_role(%s, %s, 'MEMBER')",
                          (quote_role, EVIL, quote_role, evil_role)) == [(True, True)]
    # the password with quotes works
    model_db.connect_as(quote_role, "it's a \"pw\"; --").close()
    again, sent = model_db.run(**model)
    assert again["changed"] is False and writes(sent) == [], again["statements"]


@pytest.mark.parametrize("bad, problem", [
    ("nul\x00name", "contains a NUL character"),
    ("n" * 64, "is 64 bytes long in UTF-8"),
    ("é" * 32, "is 64 bytes long in UTF-8"),
])
def test_invalid_names_in_every_field_fail_before_any_change(model_db, bad, problem):
    result, sent = model_db.run(**_all_name_fields(bad, model_db.role))
    assert result.get("failed") is True
    assert sent == [], "validation must fail before connecting"
    for field in FIELDS:
        assert "%s (" % field in result["msg"] and problem in result["msg"], (field, result["msg"])
    assert model_db.query("SELECT count(*) FROM pg_roles WHERE strpos(rolname, %s) > 0", (model_db.suffix,)) == [(0,)]


@pytest.mark.parametrize("change, expected", [
    (lambda m, r: m["privileges"].append(dict(role=r("ro"), schema="app", on="sequences", privileges=["EXECUTE"])),
     "privileges[5].privileges: 'EXECUTE' is not a privilege of on=sequences; accepted: SELECT, UPDATE, USAGE, ALL"),
    (lambda m, r: m["privileges"].append(dict(role=r("ro"), schema="app", on="tables", privileges=["SELECT,INSERT"])),
     "privileges[5].privileges: 'SELECT,INSERT' is not a privilege of on=tables; accepted: DELETE, INSERT, REFERENCES"),
    (lambda m, r: m["privileges"].append(dict(role=r("ro"), schema="other", on="tables", privileges=["SELECT"])),
     "privileges[5].schema='other' is not a schema the model manages; declare it in schemas (managed: app)"),
    (lambda m, r: m["logins"].append(dict(name=r("ro"))),
     "logins[3].name=%r is already declared as groups[1]"),
    (lambda m, r: m["logins"][0]["member_of"].append(r("writer")),
     "logins[0].member_of names %r, which is a login; memberships are in group roles"),
    (lambda m, r: m["privileges"].append(dict(role=r("nobody"), schema="app", on="schema", privileges=["USAGE"])),
     "privileges[5].role=%r is not declared in groups or logins"),
    (lambda m, r: m["logins"].append(dict(name=r("old"), state="absent")),
     "logins[3] (%r) has state=absent but no reassign_to"),
    (lambda m, r: m.update(audit=dict(roles=[dict(role=r("ro"), log=["reads"])])),
     "audit.roles[0].log: 'reads' is not a pgaudit.log class; accepted: all, ddl, function"),
    (lambda m, r: m["groups"].append(dict(name="pg_monitor")),
     "groups[3].name='pg_monitor': role names starting with pg_ are reserved"),
])
def test_bad_input_fails_before_any_change(model_db, change, expected):
    model = standard_model(model_db)
    change(model, model_db.role)
    result, sent = model_db.run(**model)
    assert result.get("failed") is True
    if "%r" in expected:
        names = {"logins[3].name=%r": "ro", "logins[0].member_of names %r": "writer", "privileges[5].role=%r": "nobody",
                 "logins[3] (%r)": "old"}
        base = [value for key, value in names.items() if expected.startswith(key)][0]
        expected = expected % model_db.role(base)
    assert expected in result["msg"]
    assert sent == []
    assert model_db.query("SELECT count(*) FROM pg_roles WHERE strpos(rolname, %s) > 0", (model_db.suffix,)) == [(0,)]


@pytest.mark.parametrize("change, expected", [
    (lambda m, r: m["logins"][0].update(member_of=[r("missing_group")]),
     "logins[0].member_of[0]=%r: role %r does not exist on the server and is not declared in groups or logins"),
    (lambda m, r: m["logins"][0].update(valid_until="next tuesday-ish"),
     "logins[0].valid_until='next tuesday-ish': the server does not accept it as a timestamp: "
     "invalid input syntax for type timestamp with time zone"),
])
def test_problems_found_in_the_catalog_fail_before_any_change(model_db, change, expected):
    model = standard_model(model_db)
    change(model, model_db.role)
    result, sent = model_db.run(**model)
    assert result.get("failed") is True
    if "%r" in expected:
        expected = expected % (model_db.role("missing_group"), model_db.role("missing_group"))
    assert expected in result["msg"]
    assert sent and writes(sent) == [] and len(reads(sent)) >= 2
    assert model_db.query("SELECT count(*) FROM pg_roles WHERE strpos(rolname, %s) > 0", (model_db.suffix,)) == [(0,)]


def _scram_verifier(password, salt=None, iterations=4096):
    salt = salt or os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    parts = (iterations, base64.b64encode(salt).decode(), base64.b64encode(stored_key).decode(), base64.b64encode(server_key).decode())
    return "SCRAM-SHA-256$%d:%s$%s:%s" % parts


def _can_login(db, user, password):
    try:
        db.connect_as(user, password).close()
        return True
    except psycopg2.OperationalError:
        return False


def test_passwords_are_set_on_create_and_never_shown(model_db):
    user = model_db.role("app")
    model = dict(logins=[dict(name=user, password="First-secret-1")])
    position = model_db.server.log_position()
    created, _sent = model_db.run(**model)
    log = model_db.server.log_since(position)
    assert created["changed"] is True
    assert created["statements"] == ['CREATE ROLE "%s" WITH LOGIN PASSWORD \'********\'' % user,
                                     'REVOKE ALL ON DATABASE "%s" FROM PUBLIC' % model_db.name,
                                     'GRANT CONNECT ON DATABASE "%s" TO "%s"' % (model_db.name, user)]
    assert "First-secret-1" not in json.dumps(created) and "First-secret-1" not in created["_output"]
    assert "First-secret-1" not in log, "the clear text reached the server log; a SCRAM verifier must be sent"
    assert "PASSWORD 'SCRAM-SHA-256$" in log
    assert _can_login(model_db, user, "First-secret-1")

    # on_create: a different clear-text password for an existing role changes nothing
    model["logins"][0]["password"] = "Second-secret-2"
    unchanged, sent = model_db.run(**model)
    assert unchanged["changed"] is False and writes(sent) == []
    assert _can_login(model_db, user, "First-secret-1") and not _can_login(model_db, user, "Second-secret-2")

    # always: set on every run, reported as a change
    model["logins"][0]["update_password"] = "always"
    for _attempt in range(2):
        always, _sent = model_db.run(**model)
        assert always["changed"] is True
        assert always["statements"] == ['ALTER ROLE "%s" WITH PASSWORD \'********\'' % user]
    assert _can_login(model_db, user, "Second-secret-2")


def test_scram_verifier_is_set_when_it_differs(model_db):
    user = model_db.role("scram")
    verifier = _scram_verifier("Verifier-pw-1")
    model = dict(logins=[dict(name=user, password=verifier)])
    created, _sent = model_db.run(**model)
    assert created["changed"] is True
    assert verifier not in json.dumps(created)
    assert 'COMMENT ON ROLE "%s" IS \'innovate.aws_postgres password sha256:' % user in created["diff"]["prepared"]
    assert _can_login(model_db, user, "Verifier-pw-1")
    same, sent = model_db.run(**model)
    assert same["changed"] is False and writes(sent) == []
    model["logins"][0]["password"] = _scram_verifier("Verifier-pw-2")
    changed, _sent = model_db.run(**model)
    assert changed["changed"] is True
    assert changed["statements"][0] == 'ALTER ROLE "%s" WITH PASSWORD \'********\'' % user
    assert _can_login(model_db, user, "Verifier-pw-2") and not _can_login(model_db, user, "Verifier-pw-1")
    again, sent = model_db.run(**model)
    assert again["changed"] is False and writes(sent) == []


def test_login_attributes_and_iam_membership_converge(model_db):
    user = model_db.role("svc")
    model = dict(logins=[dict(name=user, iam=True, connection_limit=3, valid_until="2031-06-01")])
    first, _sent = model_db.run(**model)
    assert first["changed"] is True
    assert model_db.query("SELECT rolconnlimit, rolvaliduntil::date::text, pg_has_role(rolname, 'rds_iam', 'MEMBER')"
                          " FROM pg_roles WHERE rolname = %s", (user,)) == [(3, "2031-06-01", True)]
    model["logins"][0].update(iam=False, connection_limit=10)
    second, _sent = model_db.run(**model)
    assert second["statements"] == ['ALTER ROLE "%s" WITH CONNECTION LIMIT 10' % user, 'REVOKE "rds_iam" FROM "%s"' % user]
    assert model_db.query("SELECT rolconnlimit, pg_has_role(rolname, 'rds_iam', 'MEMBER') FROM pg_roles WHERE rolname = %s",
                          (user,)) == [(10, False)]
    third, sent = model_db.run(**model)
    assert third["changed"] is False and writes(sent) == []
