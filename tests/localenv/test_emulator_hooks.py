"""In-process: parameter-group changes are published on the hook bus; data-plane helpers."""

import pathlib

import pytest
from moto.rds.models import rds_backends

from localenv import hooks
from localenv.context import LocalEnvContext
from localenv.emulator import parameter_groups

ACCOUNT, REGION = "999999999999", "us-west-2"


@pytest.fixture
def emu_events(tmp_path):
    parameter_groups.install(LocalEnvContext(state_dir=pathlib.Path(tmp_path), port=1))
    backend = rds_backends[ACCOUNT][REGION]
    backend.create_db_parameter_group({"db_parameter_group_name": "hooked",
                                       "db_parameter_group_family": "postgres15",
                                       "description": "hook test"})
    events = []
    hooks.subscribe("parameter_group_modified", lambda **payload: events.append(payload))
    yield events
    hooks.clear()
    backend.db_parameter_groups.pop("hooked", None)


def _set(*items):
    return [{"ParameterName": n, "ParameterValue": v, "ApplyMethod": m} for n, v, m in items]


def test_modify_publishes_changed_values_only(emu_events):
    parameter_groups.modify(ACCOUNT, REGION, "hooked", _set(
        ("work_mem", "8192", "immediate"), ("max_connections", "200", "pending-reboot")))
    assert emu_events == [{
        "account_id": ACCOUNT, "region": REGION, "group_name": "hooked",
        "changes": {
            "work_mem": {"value": "8192", "apply_type": "dynamic", "apply_method": "immediate"},
            "max_connections": {"value": "200", "apply_type": "static",
                                "apply_method": "pending-reboot"},
        }}]
    parameter_groups.modify(ACCOUNT, REGION, "hooked", _set(("work_mem", "8192", "immediate")))
    assert len(emu_events) == 1
    parameter_groups.modify(ACCOUNT, REGION, "hooked", _set(("work_mem", "4096", "immediate")))
    assert emu_events[-1]["changes"] == {
        "work_mem": {"value": "4096", "apply_type": "dynamic", "apply_method": "immediate"}}


def test_failed_validation_publishes_nothing(emu_events):
    with pytest.raises(Exception, match="Could not find parameter"):
        parameter_groups.modify(ACCOUNT, REGION, "hooked", _set(
            ("work_mem", "8192", "immediate"), ("nonsense", "1", "immediate")))
    assert emu_events == []
    assert parameter_groups.user_parameters(ACCOUNT, REGION, "hooked") == {}


def test_reset_publishes_none(emu_events):
    parameter_groups.modify(ACCOUNT, REGION, "hooked", _set(
        ("work_mem", "8192", "immediate"), ("max_connections", "200", "pending-reboot")))
    parameter_groups.reset(ACCOUNT, REGION, "hooked", False,
                           [{"ParameterName": "work_mem", "ApplyMethod": "immediate"}])
    assert emu_events[-1]["changes"] == {
        "work_mem": {"value": None, "apply_type": "dynamic", "apply_method": "immediate"}}
    parameter_groups.reset(ACCOUNT, REGION, "hooked", True, [])
    assert emu_events[-1]["changes"] == {
        "max_connections": {"value": None, "apply_type": "static",
                            "apply_method": "pending-reboot"}}
    events = len(emu_events)
    parameter_groups.reset(ACCOUNT, REGION, "hooked", True, [])
    assert len(emu_events) == events


def test_a_failing_subscriber_does_not_fail_the_call(emu_events):
    def broken(**_payload):
        raise RuntimeError("subscriber bug")
    hooks.subscribe("parameter_group_modified", broken)
    parameter_groups.modify(ACCOUNT, REGION, "hooked", _set(("work_mem", "8192", "immediate")))
    assert parameter_groups.user_parameters(ACCOUNT, REGION, "hooked") == {"work_mem": "8192"}
    assert len(emu_events) == 1


def test_user_parameters_and_family_of(emu_events):
    parameter_groups.modify(ACCOUNT, REGION, "hooked", _set(
        ("pgaudit.log", "ddl", "immediate")))
    assert parameter_groups.user_parameters(ACCOUNT, REGION, "hooked") == {"pgaudit.log": "ddl"}
    assert parameter_groups.user_parameters(ACCOUNT, REGION, "default.postgres15") == {}
    assert parameter_groups.family_of(ACCOUNT, REGION, "hooked") == "postgres15"
    assert parameter_groups.family_of(ACCOUNT, REGION, "default.postgres16") == "postgres16"
    assert parameter_groups.family_of(ACCOUNT, REGION, "absent") is None
    with pytest.raises(KeyError):
        parameter_groups.user_parameters(ACCOUNT, REGION, "absent")
