# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Planning and validation of pg_extensions, from a server state as catalog.read_state returns it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.extensions import plan as ext_plan
from ansible_collections.innovate.aws_postgres.plugins.module_utils.extensions import preload
from ansible_collections.innovate.aws_postgres.plugins.module_utils.extensions.statements import validate_desired


def pe_version(version, requires=None, schema=None, superuser=True, trusted=False, relocatable=True):
    return dict(version=version, requires=requires, schema=schema, superuser=superuser, trusted=trusted,
                relocatable=relocatable)


BASE_STATE = dict(
    installed={"plpgsql": dict(version="1.0", schema="pg_catalog", relocatable=False)},
    available={
        "pg_trgm": "1.6", "pgaudit": "1.7", "pg_stat_statements": "1.10", "cube": "1.5",
        "earthdistance": "1.1", "hstore": "1.8", "plpgsql": "1.0", "file_fdw": "1.0",
    },
    versions={
        "pg_trgm": [pe_version("1.5", trusted=True), pe_version("1.6", trusted=True)],
        "pgaudit": [pe_version("1.7", trusted=True, relocatable=False)],
        "pg_stat_statements": [pe_version("1.9", trusted=True), pe_version("1.10", trusted=True)],
        "cube": [pe_version("1.4", trusted=True), pe_version("1.5", trusted=True)],
        "earthdistance": [pe_version("1.1", requires=["cube"], trusted=True)],
        "hstore": [pe_version("1.8", trusted=True)],
        "plpgsql": [pe_version("1.0", schema="pg_catalog", relocatable=False)],
        "file_fdw": [pe_version("1.0")],
    },
    update_targets={},
    dependents={},
    schemas=["ext"],
    shared_preload_libraries="pg_stat_statements",
    allowed_extensions="*",
    current_user="master",
    database="app",
    current_schema="public",
    superuser=False,
    rds_superuser=True,
    create_on_database=True,
    server_version_num=150007,
)


def pe_state(**changes):
    state = copy.deepcopy(BASE_STATE)
    state.update(changes)
    return state


def pe_desired(*entries):
    desired, errors = validate_desired(
        [dict(dict(state="present", version=None, schema=None, cascade=False), **entry) for entry in entries]
    )
    assert errors == []
    return desired


def pe_plan(state, *entries):
    return ext_plan.plan(pe_desired(*entries), state)


def test_missing_extensions_are_created_in_dependency_order():
    result = pe_plan(pe_state(), {"name": "earthdistance"}, {"name": "cube"}, {"name": "pg_trgm", "schema": "ext"})
    assert result.problems == []
    assert [(a["action"], a["name"]) for a in result.actions] == [
        ("create", "cube"), ("create", "earthdistance"), ("create", "pg_trgm")]
    assert result.actions[2]["schema"] == "ext"
    assert result.after["earthdistance"] == dict(state="present", version="1.1", schema="public")
    assert result.before["cube"] == dict(state="absent")


def test_installed_extensions_plan_nothing():
    state = pe_state(installed=dict(BASE_STATE["installed"], pg_trgm=dict(version="1.6", schema="public", relocatable=True)))
    result = pe_plan(state, {"name": "pg_trgm"}, {"name": "pg_trgm_absent_one", "state": "absent"})
    assert result.problems == [] and result.actions == [] and not result.changed


def test_unknown_extension_fails_with_what_is_available_and_a_suggestion():
    result = pe_plan(pe_state(), {"name": "pg_trgmx"})
    assert len(result.problems) == 1
    assert "extension pg_trgmx is not available" in result.problems[0]
    assert "Did you mean pg_trgm?" in result.problems[0]
    assert "cube, earthdistance, file_fdw, hstore" in result.problems[0]


def test_library_only_names_are_explained():
    result = pe_plan(pe_state(), {"name": "auto_explain"})
    assert "library loaded through shared_preload_libraries, not an extension" in result.problems[0]


def test_unavailable_version_fails_listing_versions():
    result = pe_plan(pe_state(), {"name": "cube", "version": "0.9"})
    assert result.problems == ["extension cube has no version 0.9 on this server; available versions: 1.4, 1.5 (default 1.5)"]


def test_explicit_version_is_passed_and_latest_is_not():
    result = pe_plan(pe_state(), {"name": "cube", "version": "1.4"}, {"name": "pg_trgm", "version": "latest"})
    assert [a.get("version") for a in result.actions] == ["1.4", None]
    assert result.after["pg_trgm"]["version"] == "1.6"


def test_missing_preload_library_fails_with_the_remedy():
    result = pe_plan(pe_state(shared_preload_libraries="pg_stat_statements"), {"name": "pgaudit"}, {"name": "pg_trgm"})
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert "pgaudit need pgaudit in shared_preload_libraries" in problem
    assert "innovate.aws_postgres.rds_parameter_group" in problem
    assert "{shared_preload_libraries: [pg_stat_statements, pgaudit]}" in problem
    assert "reboot" in problem and "innovate.aws_postgres.rds_instance with reboot_for_pending: now" in problem


def test_preloaded_library_given_as_libdir_path_counts():
    assert preload.loaded_libraries('"$libdir/pgaudit.so", pg_stat_statements') == ["pgaudit", "pg_stat_statements"]
    result = pe_plan(pe_state(shared_preload_libraries="$libdir/pgaudit,pg_stat_statements"), {"name": "pgaudit"})
    assert result.problems == []


def test_invisible_preload_setting_warns_instead_of_failing():
    result = pe_plan(pe_state(shared_preload_libraries=None), {"name": "pgaudit"})
    assert result.problems == []
    assert "cannot read shared_preload_libraries" in result.warnings[0]


def test_extension_outside_allowed_extensions_fails_clearly():
    result = pe_plan(pe_state(allowed_extensions="pg_trgm, cube"), {"name": "pg_trgm"}, {"name": "hstore"})
    assert len(result.problems) == 1
    assert "extension hstore is not allowed on this server: rds.allowed_extensions is 'pg_trgm, cube'" in result.problems[0]


def test_cascade_creation_of_a_disallowed_requirement_fails():
    result = pe_plan(pe_state(allowed_extensions="earthdistance"), {"name": "earthdistance", "cascade": True})
    assert "requires extension cube (created by cascade), which rds.allowed_extensions" in result.problems[0]


def test_missing_requirement_without_cascade_fails():
    result = pe_plan(pe_state(), {"name": "earthdistance"})
    assert "requires extension cube, which is not installed" in result.problems[0]


@pytest.mark.parametrize("setting, expected", [(None, None), ("*", None), ("", None), ("a, b c", ["a", "b", "c"])])
def test_allowed_list_parsing(setting, expected):
    assert ext_plan.allowed_list(setting) == expected


def test_superuser_only_extension_fails_for_a_plain_role_but_not_for_rds_superuser():
    plain = pe_plan(pe_state(rds_superuser=False), {"name": "file_fdw"})
    assert "can only be created by a superuser" in plain.problems[0]
    member = pe_plan(pe_state(), {"name": "file_fdw"})
    assert member.problems == []


def test_update_uses_update_paths():
    state = pe_state(
        installed=dict(BASE_STATE["installed"], cube=dict(version="1.4", schema="public", relocatable=True)),
        update_targets={"cube": ["1.5"]},
    )
    result = pe_plan(state, {"name": "cube", "version": "latest"})
    assert result.actions == [dict(action="update", name="cube", version="1.5")]
    assert result.after["cube"]["version"] == "1.5"
    assert pe_plan(state, {"name": "cube"}).actions == []


def test_latest_keeps_an_installed_version_newer_than_the_default():
    state = pe_state(installed=dict(BASE_STATE["installed"], cube=dict(version="1.6", schema="public", relocatable=True)))
    result = pe_plan(state, {"name": "cube", "version": "latest"})
    assert result.problems == [] and result.actions == []
    assert result.after["cube"]["version"] == "1.6"


def test_downgrade_without_path_fails():
    state = pe_state(installed=dict(BASE_STATE["installed"], cube=dict(version="1.5", schema="public", relocatable=True)))
    result = pe_plan(state, {"name": "cube", "version": "1.4"})
    assert result.problems == ["extension cube cannot be updated from 1.5 to 1.4: no update path; reachable versions: none"]


def test_schema_change_moves_relocatable_and_refuses_others():
    state = pe_state(installed=dict(
        BASE_STATE["installed"],
        cube=dict(version="1.5", schema="public", relocatable=True),
        pgaudit=dict(version="1.7", schema="public", relocatable=False),
    ))
    result = pe_plan(state, {"name": "cube", "schema": "ext"}, {"name": "pgaudit", "schema": "ext"})
    assert result.actions == [dict(action="set_schema", name="cube", schema="ext")]
    assert "pgaudit is installed in schema public and is not relocatable" in result.problems[0]


def test_missing_schema_fails():
    result = pe_plan(pe_state(), {"name": "cube", "schema": "nowhere"})
    assert "schema nowhere (for extension cube) does not exist" in result.problems[0]


def test_drop_dependents_first_and_refuse_without_cascade():
    installed = dict(BASE_STATE["installed"], cube=dict(version="1.5", schema="public", relocatable=True),
                     earthdistance=dict(version="1.1", schema="public", relocatable=True))
    state = pe_state(installed=installed, dependents={"cube": ["earthdistance"]})
    both = pe_plan(state, {"name": "cube", "state": "absent"}, {"name": "earthdistance", "state": "absent"})
    assert [a["name"] for a in both.actions] == ["earthdistance", "cube"]
    alone = pe_plan(state, {"name": "cube", "state": "absent"})
    assert "extension(s) earthdistance depend on it" in alone.problems[0]
    cascade = pe_plan(state, {"name": "cube", "state": "absent", "cascade": True})
    assert cascade.actions == [dict(action="drop", name="cube", cascade=True)]
    assert cascade.after["cube"] == dict(state="absent")


def test_duplicates_are_refused():
    result = pe_plan(pe_state(), {"name": "cube"}, {"name": "cube", "state": "absent"})
    assert result.problems == ["extension cube is listed more than once"]


@pytest.mark.parametrize(
    "entry, message",
    [
        (dict(name="x" * 64), "64 bytes"),
        (dict(name="bad\x00name"), "NUL"),
        (dict(name="cube", schema=""), "must not be empty"),
        (dict(name="cube", version=" "), "is not a version"),
        (dict(name="cube", state="absent", version="1.5"), "cannot be used with state=absent"),
    ],
)
def test_invalid_options_are_refused(entry, message):
    full = dict(dict(state="present", version=None, schema=None, cascade=False), **entry)
    desired, errors = validate_desired([full])
    assert desired == []
    assert message in errors[0]
