"""python -m localenv up|down|status and the control endpoints that are not about faults."""

import json
import os
import signal
import socket
import stat
import time


def test_up_twice_is_harmless(emu_env):
    before = json.loads((emu_env.state_dir / "state.json").read_text())
    again = emu_env.cli("up", "--no-dataplane")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["pid"] == before["pid"]
    assert json.loads((emu_env.state_dir / "state.json").read_text()) == before


def test_state_file_and_permissions(emu_env):
    state = json.loads((emu_env.state_dir / "state.json").read_text())
    assert state["endpoint_url"] == emu_env.endpoint_url and state["port"] == emu_env.port
    assert state["ca_bundle"] == str(emu_env.state_dir / "tls" / "ca.pem")
    assert state["regions"] == ["us-east-1", "us-west-2"]
    assert state["accounts"]["data"]["account_id"] == "111111111111"
    assert stat.S_IMODE(emu_env.state_dir.stat().st_mode) == 0o755
    for parent in emu_env.state_dir.parents:
        assert parent.stat().st_mode & 0o001, parent


def test_status_reports_running(emu_env):
    result = emu_env.cli("status")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["running"] is True and report["endpoint_url"] == emu_env.endpoint_url
    assert set(report["transitions"]) == {"creating", "modifying", "rebooting", "deleting"}


def test_transitions_endpoint(emu_env):
    try:
        status, payload = emu_env.control("POST", "transitions", {"creating": 2, "deleting": 0.5})
        assert status == 200 and payload["creating"] == 2.0 and payload["deleting"] == 0.5
        assert emu_env.control("GET", "status")[1]["transitions"]["creating"] == 2.0
        assert emu_env.control("POST", "transitions", {"melting": 1})[0] == 400
        assert emu_env.control("POST", "transitions", {"creating": -1})[0] == 400
    finally:
        emu_env.control("POST", "transitions",
                        {"creating": 0, "modifying": 0, "rebooting": 0, "deleting": 0})


def test_unknown_control_endpoint(emu_env):
    status, payload = emu_env.control("GET", "nothing-here")
    assert status == 404 and "nothing-here" in payload["error"]


def test_down_stops_and_removes_state(tmp_path, emu_spawn):
    env = emu_spawn(tmp_path / "deep" / "state")
    assert env.cli("status").returncode == 3
    started = env.cli("up", "--no-dataplane")
    assert started.returncode == 0, started.stderr
    pid = json.loads(started.stdout)["pid"]
    assert env.control("GET", "health")[1]["pid"] == pid
    stopped = env.cli("down")
    assert stopped.returncode == 0, stopped.stderr
    assert not env.state_dir.exists()
    assert env.cli("status").returncode == 3
    assert env.cli("down").returncode == 0


def test_sigterm_stops_the_daemon_cleanly(tmp_path, emu_spawn):
    env = emu_spawn(tmp_path / "state")
    started = env.cli("up", "--no-dataplane")
    assert started.returncode == 0, started.stderr
    pid = json.loads(started.stdout)["pid"]
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while env.cli("status").returncode == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert env.cli("status").returncode == 3
    assert "stopped" in (env.state_dir / "server.log").read_text()
    assert env.cli("down").returncode == 0
    assert not env.state_dir.exists()


def test_up_fails_with_the_log_tail_when_the_port_is_taken(tmp_path, emu_spawn):
    env = emu_spawn(tmp_path / "state")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", env.port))
        squatter.listen(1)
        result = env.cli("up", "--no-dataplane")
    assert result.returncode == 1
    assert "did not start" in result.stderr and "Address already in use" in result.stderr
    assert env.cli("down").returncode == 0
