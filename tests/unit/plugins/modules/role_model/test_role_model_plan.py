# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Plans computed from recorded catalog snapshots of PostgreSQL 15 and 16 (no server needed)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from psycopg2 import sql

from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.catalog_read import queries
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.plan import PlanError, build_plan, fingerprint

from role_model_snapshots import FACTS, PG15, PG16, base_rows, catalog, model, render, role_row, secrets_in


def standard(change=None):
    params = standard_params()
    if change is not None:
        change(params)
    return model(**params)


def standard_params():
    return dict(
        groups=[dict(name="app_owner"), dict(name="ro"), dict(name="rw", member_of=["ro"])],
        logins=[dict(name="svc", password="Sv-secret-1", member_of=["rw"]), dict(name="iam_user", iam=True, member_of=["ro"])],
        schemas=[dict(name="app", owner="app_owner")],
        privileges=[
            dict(role="ro", schema="app", on="schema", privileges=["usage"]),
            dict(role="ro", schema="app", on="tables", privileges=["select"]),
            dict(role="rw", schema="app", on="tables", privileges=["insert", "update", "delete"]),
        ],
        default_privileges=[dict(owner="app_owner", role="ro", schema="app", on="tables", privileges=["SELECT"])],
        audit=dict(database=["ddl"], roles=[dict(role="svc", log=["write"])]),
    )


def plan_text(plan):
    return [render(statement) for statement in plan.statements]


def converged_rows(version=PG15):
    """What the standard model leaves behind (app.t1 and app.t2 owned by app_owner)."""
    rows = base_rows(version)
    rows["roles"] += [role_row("app_owner"), role_row("ro"), role_row("rw"), role_row("svc", login=True), role_row("iam_user", login=True)]
    rows["memberships"] += [
        ("app_owner", "app_admin", "app_admin", False, True, True),
        ("ro", "rw", "app_admin", False, True, True),
        ("rw", "svc", "app_admin", False, True, True),
        ("ro", "iam_user", "app_admin", False, True, True),
        ("rds_iam", "iam_user", "app_admin", False, True, True),
    ]
    rows["schemas"] += [("app", "app_owner", "ro", "USAGE")]
    rows["objects"] = [
        ("app", "tables", None, None, 2, 0, ["app_owner"]),
        ("app", "tables", "app_owner", "SELECT", 2, 0, None),
        ("app", "tables", "ro", "SELECT", 2, 2, None),
        ("app", "tables", "rw", "INSERT", 2, 2, None),
        ("app", "tables", "rw", "UPDATE", 2, 2, None),
        ("app", "tables", "rw", "DELETE", 2, 2, None),
    ]
    rows["default_acls"] = [("app_owner", "app", "r", "ro", "SELECT")]
    rows["database"] = [("appdb", "app_admin", "svc", "CONNECT", "superuser"), ("appdb", "app_admin", "iam_user", "CONNECT", "superuser")]
    rows["settings"] = [(None, ["pgaudit.log=ddl"]), ("svc", ["pgaudit.log=write"])]
    return rows


def test_empty_catalog_plans_every_statement_in_order():
    plan = build_plan(standard(), catalog(base_rows()), FACTS)
    assert plan_text(plan) == [
        'CREATE ROLE "app_owner" NOLOGIN',
        'CREATE ROLE "ro" NOLOGIN',
        'CREATE ROLE "rw" NOLOGIN',
        'CREATE ROLE "iam_user" WITH LOGIN',
        'CREATE ROLE "svc" WITH LOGIN PASSWORD \'********\'',
        'GRANT "app_owner" TO "app_admin"',
        'GRANT "ro" TO "rw"',
        'GRANT "rw" TO "svc"',
        'GRANT "ro" TO "iam_user"',
        'GRANT "rds_iam" TO "iam_user"',
        'CREATE SCHEMA "app" AUTHORIZATION "app_owner"',
        'REVOKE ALL ON DATABASE "appdb" FROM PUBLIC',
        'GRANT CONNECT ON DATABASE "appdb" TO "iam_user", "svc"',
        'GRANT USAGE ON SCHEMA "app" TO "ro"',
        'ALTER DEFAULT PRIVILEGES FOR ROLE "app_owner" IN SCHEMA "app" GRANT SELECT ON TABLES TO "ro"',
        'ALTER DATABASE "appdb" SET pgaudit.log = \'ddl\'',
        'ALTER ROLE "svc" IN DATABASE "appdb" SET pgaudit.log = \'write\'',
    ]
    assert plan.roles_created == ["app_owner", "ro", "rw", "iam_user", "svc"]
    assert all(isinstance(statement, sql.Composable) for statement in plan.statements)


@pytest.mark.parametrize("version", [PG15, PG16])
def test_converged_catalog_plans_nothing(version):
    plan = build_plan(standard(), catalog(converged_rows(version), version), FACTS)
    assert plan_text(plan) == []
    assert plan.before == plan.after
    assert plan.warnings == []


def test_partial_object_privileges_are_granted_on_all_objects_once():
    rows = converged_rows()
    rows["objects"][2] = ("app", "tables", "ro", "SELECT", 1, 1, None)  # one of the two tables lacks SELECT
    plan = build_plan(standard(), catalog(rows), FACTS)
    assert plan_text(plan) == ['GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "ro"']


def test_owner_privileges_count_as_held_and_are_never_purged():
    params = standard()
    params.privileges[("app_owner", "app", "tables")] = frozenset(["SELECT"])
    params.purge = True
    plan = build_plan(params, catalog(converged_rows()), FACTS)
    assert plan_text(plan) == []


def test_purge_revokes_undeclared_grants_on_pg15():
    rows = converged_rows()
    rows["roles"].append(role_row("stranger", login=True))
    rows["schemas"] += [("app", "app_owner", "PUBLIC", "USAGE"), ("app", "app_owner", "rw", "CREATE")]
    rows["objects"] += [("app", "tables", "ro", "INSERT", 1, 1, None), ("app", "tables", "stranger", "SELECT", 2, 2, None)]
    rows["default_acls"].append(("app_owner", "app", "r", "ro", "TRUNCATE"))
    rows["memberships"] += [("rw", "stranger", "app_admin", False, True, True), ("pg_read_all_data", "ro", "rdsadmin", False, True, True)]
    params = standard()
    params.purge = True
    assert plan_text(build_plan(params, catalog(rows), FACTS)) == [
        'REVOKE USAGE ON SCHEMA "app" FROM PUBLIC',
        'REVOKE CREATE ON SCHEMA "app" FROM "rw"',
        'REVOKE INSERT ON ALL TABLES IN SCHEMA "app" FROM "ro"',
        'REVOKE SELECT ON ALL TABLES IN SCHEMA "app" FROM "stranger"',
        'ALTER DEFAULT PRIVILEGES FOR ROLE "app_owner" IN SCHEMA "app" REVOKE TRUNCATE ON TABLES FROM "ro"',
        'REVOKE "pg_read_all_data" FROM "ro"',
        'REVOKE "rw" FROM "stranger"',
    ]
    params.purge = False
    assert plan_text(build_plan(params, catalog(rows), FACTS)) == []


def test_pg16_createrole_admin_rows_do_not_count_as_usable_membership():
    rows = converged_rows(PG16)
    # On 16 CREATE ROLE by app_admin records an ADMIN-only grant by the bootstrap superuser.
    rows["memberships"][1] = ("app_owner", "app_admin", "rdsadmin", True, False, False)
    plan = build_plan(standard(), catalog(rows, PG16), FACTS)
    assert plan_text(plan) == ['GRANT "app_owner" TO "app_admin" WITH INHERIT TRUE, SET TRUE']


def test_pg16_membership_counts_whatever_its_grantor_when_it_inherits():
    rows = converged_rows(PG16)
    rows["memberships"][3] = ("rw", "svc", "other_admin", False, True, True)
    rows["memberships"].append(("rw", "svc", "rdsadmin", True, False, False))
    assert plan_text(build_plan(standard(), catalog(rows, PG16), FACTS)) == []
    rows["memberships"][3] = ("rw", "svc", "other_admin", False, False, True)  # only a SET grant: no privileges
    assert plan_text(build_plan(standard(), catalog(rows, PG16), FACTS)) == ['GRANT "rw" TO "svc" WITH INHERIT TRUE']


def test_pg16_purge_names_the_grantor_and_keeps_what_it_cannot_revoke():
    rows = converged_rows(PG16)
    rows["roles"] += [role_row("stranger", login=True), role_row("other_admin", login=True, createrole=True)]
    rows["memberships"] += [
        ("rw", "stranger", "app_admin", False, True, True),
        ("rw", "stranger", "rdsadmin", False, True, True),
        ("ro", "app_admin", "rdsadmin", True, False, False),  # the connecting user's own rows are never purged
    ]
    params = standard()
    params.purge = True
    plan = build_plan(params, catalog(rows, PG16), FACTS)
    assert plan_text(plan) == ['REVOKE "rw" FROM "stranger" GRANTED BY "app_admin"']
    assert len(plan.warnings) == 1 and "granted by 'rdsadmin'" in plan.warnings[0]


def test_pg15_and_pg16_read_memberships_with_their_own_columns():
    assert "m.rolinherit, true" in queries(PG15)["memberships"]
    assert "am.inherit_option, am.set_option" in queries(PG16)["memberships"]
    assert "inherit_option" not in queries(PG15)["memberships"]
    assert set(queries(PG15)) == set(queries(PG16))


def test_iam_false_revokes_rds_iam():
    rows = converged_rows()
    params = standard()
    params.logins["iam_user"]["iam"] = False
    assert plan_text(build_plan(params, catalog(rows), FACTS)) == ['REVOKE "rds_iam" FROM "iam_user"']


def _login_catalog(comment=None, limit=-1, valid_until=None):
    rows = base_rows()
    rows["roles"].append(role_row("svc", login=True, comment=comment, limit=limit, valid_until=valid_until))
    rows["database"] = [("appdb", "app_admin", "svc", "CONNECT", "superuser")]
    return rows


def test_clear_text_password_on_existing_role_changes_nothing_with_on_create():
    params = model(logins=[dict(name="svc", password="New-secret")])
    assert plan_text(build_plan(params, catalog(_login_catalog()), FACTS)) == []


def test_update_password_always_sets_it_through_the_hasher():
    params = model(logins=[dict(name="svc", password="New-secret", update_password="always")])
    plan = build_plan(params, catalog(_login_catalog()), FACTS, password_hasher=lambda pw, role: "SCRAM-SHA-256$hashed:%s" % role)
    assert plan_text(plan) == ['ALTER ROLE "svc" WITH PASSWORD \'********\'']
    assert secrets_in(plan.statements[0]) == ["SCRAM-SHA-256$hashed:svc"]
    assert "New-secret" not in repr(plan.statements)


def test_scram_verifier_is_compared_through_its_fingerprint():
    verifier = "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy"
    params = model(logins=[dict(name="svc", password=verifier)])
    same = build_plan(params, catalog(_login_catalog(comment=fingerprint(verifier))), FACTS, password_hasher=lambda pw, role: "unused")
    assert plan_text(same) == []
    other = build_plan(params, catalog(_login_catalog(comment=fingerprint(verifier + "x"))), FACTS, password_hasher=lambda pw, role: "unused")
    assert plan_text(other) == ['ALTER ROLE "svc" WITH PASSWORD \'********\'',
                                'COMMENT ON ROLE "svc" IS \'%s\'' % fingerprint(verifier)]
    assert secrets_in(other.statements[0]) == [verifier]  # a verifier is sent as given
    assert verifier not in fingerprint(verifier)


def test_login_attributes_compare_with_the_server_normalised_valid_until():
    rows = _login_catalog(limit=5, valid_until="2030-01-01 00:00:00+00")
    rows["valid_until"] = [("2030-01-01", "2030-01-01 00:00:00+00")]
    params = model(logins=[dict(name="svc", valid_until="2030-01-01", connection_limit=5)])
    assert plan_text(build_plan(params, catalog(rows), FACTS)) == []
    params = model(logins=[dict(name="svc", valid_until="2030-01-01", connection_limit=6)])
    assert plan_text(build_plan(params, catalog(rows), FACTS)) == ['ALTER ROLE "svc" WITH CONNECTION LIMIT 6']


def test_hardening_revokes_public_create_and_keeps_the_connecting_user_connected():
    rows = base_rows()
    rows["schemas"].append(("public", "pg_database_owner", "PUBLIC", "CREATE"))
    rows["database"] = [("appdb", "someone_else", "PUBLIC", "CONNECT", "superuser")]
    plan = build_plan(model(), catalog(rows), FACTS)
    assert plan_text(plan) == [
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        'REVOKE ALL ON DATABASE "appdb" FROM PUBLIC',
        'GRANT CONNECT ON DATABASE "appdb" TO "app_admin"',
    ]
    params = model(hardening=False)
    assert plan_text(build_plan(params, catalog(rows), FACTS)) == []


def test_audit_settings_are_set_reset_and_purged():
    rows = converged_rows()
    params = standard()
    params.audit_database = ""
    params.audit_roles = {}
    params.purge = True
    assert plan_text(build_plan(params, catalog(rows), FACTS)) == [
        'ALTER DATABASE "appdb" RESET pgaudit.log',
        'ALTER ROLE "svc" IN DATABASE "appdb" RESET pgaudit.log',
    ]


def test_absent_role_is_reassigned_then_dropped_with_access_first():
    rows = converged_rows()
    rows["roles"].append(role_row("old_batch", login=True))
    params = standard()
    params.logins["old_batch"] = dict(name="old_batch", state="absent", reassign_to="app_owner", member_of=[], kind="logins", index=2,
                                      password=None, update_password="on_create", valid_until=None, connection_limit=None, iam=False)
    plan = build_plan(params, catalog(rows), FACTS)
    assert plan_text(plan) == [
        'GRANT "old_batch" TO "app_admin"',
        'REASSIGN OWNED BY "old_batch" TO "app_owner"',
        'DROP OWNED BY "old_batch"',
        'DROP ROLE "old_batch"',
    ]
    assert plan.roles_dropped == ["old_batch"]


@pytest.mark.parametrize("rows_change, params_change, expected", [
    (lambda r: r["roles"].append(role_row("ro", superuser=True)), None, "'ro' is a superuser on the server"),
    (None, lambda p: p["groups"].append(dict(name="app_admin")), "'app_admin' is the role this task connects as"),
    (None, lambda p: p["logins"][0]["member_of"].append("ghost"),
     "logins[0].member_of[1]='ghost': role 'ghost' does not exist on the server and is not declared"),
    (lambda r: r["roles"].remove(role_row("rds_iam")), None, "logins[1].iam=true for 'iam_user' but the role rds_iam does not exist"),
    (None, lambda p: p["schemas"][0].update(owner="ghost"), "schemas[0].owner='ghost': role 'ghost' does not exist"),
    (None, lambda p: p["default_privileges"][0].update(owner="ghost"), "default_privileges[0].owner='ghost': role 'ghost' does not exist"),
    (None, lambda p: p["audit"]["roles"].append(dict(role="ghost", log=["read"])), "audit.roles[1].role='ghost': role 'ghost' does not exist"),
    (lambda r: r["roles"].append(role_row("old", login=True)), lambda p: p["logins"].append(dict(name="old", state="absent", reassign_to="ghost")),
     "logins[2].reassign_to='ghost': role 'ghost' does not exist"),
    (lambda r: r.update(database=[("appdb", "app_admin", None, None, "user")]), None,
     "audit: the server has not loaded pgaudit, so pgaudit.log cannot be set; add pgaudit to the shared_preload_libraries parameter"),
])
def test_problems_that_need_the_catalog_fail_before_planning(rows_change, params_change, expected):
    rows = base_rows()
    params = standard(params_change)
    if rows_change:
        rows_change(rows)
    with pytest.raises(PlanError) as caught:
        build_plan(params, catalog(rows), FACTS)
    assert expected in str(caught.value)


def test_objects_of_owners_the_user_cannot_act_as_give_a_warning():
    rows = converged_rows()
    rows["objects"][0] = ("app", "tables", None, None, 3, 0, ["app_owner", "foreign_owner"])
    plan = build_plan(standard(), catalog(rows), FACTS)
    assert plan_text(plan) == ['GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "ro"',
                               'GRANT DELETE, INSERT, UPDATE ON ALL TABLES IN SCHEMA "app" TO "rw"']
    assert any("owned by 'foreign_owner'" in warning for warning in plan.warnings)


def test_hostile_names_stay_identifiers():
    evil = 'x"; DROP TABLE t; --'
    params = model(groups=[dict(name=evil)], schemas=[dict(name="'", owner=evil)],
                   privileges=[dict(role=evil, schema="'", on="tables", privileges=["SELECT"])])
    text = plan_text(build_plan(params, catalog(base_rows()), FACTS))
    assert text[0] == 'CREATE ROLE "x""; DROP TABLE t; --" NOLOGIN'
    assert 'CREATE SCHEMA "\'" AUTHORIZATION "x""; DROP TABLE t; --"' in text


def test_absent_role_that_does_not_exist_needs_nothing():
    params = standard(lambda p: p["logins"].append(dict(name="old", state="absent", reassign_to="ghost")))
    plan = build_plan(params, catalog(converged_rows()), FACTS)
    assert plan_text(plan) == [] and plan.roles_dropped == []


def test_changing_a_schema_owner_acts_as_the_current_owner():
    rows = converged_rows()
    rows["roles"].append(role_row("legacy_owner"))
    rows["schemas"] += [("legacy", "legacy_owner", None, None), ("old", "legacy_owner", None, None)]
    params = standard(lambda p: p["schemas"].extend([dict(name="legacy", owner="app_owner"), dict(name="old", state="absent")]))
    assert plan_text(build_plan(params, catalog(rows), FACTS)) == [
        'GRANT "legacy_owner" TO "app_admin"',
        'ALTER SCHEMA "legacy" OWNER TO "app_owner"',
        'DROP SCHEMA "old"',
    ]


def test_purge_leaves_the_memberships_of_dropped_roles_to_drop_role():
    rows = converged_rows()
    rows["roles"].append(role_row("old", login=True))
    rows["memberships"].append(("ro", "old", "app_admin", False, True, True))
    params = standard(lambda p: p.update(purge=True) or p["logins"].append(dict(name="old", state="absent", reassign_to="app_owner")))
    assert plan_text(build_plan(params, catalog(rows), FACTS)) == [
        'GRANT "old" TO "app_admin"',
        'REASSIGN OWNED BY "old" TO "app_owner"',
        'DROP OWNED BY "old"',
        'DROP ROLE "old"',
    ]
