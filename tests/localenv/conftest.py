"""Fixtures for the emulator tests: one real daemon (API only) started through the CLI."""

import json
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]


def emu_free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmuEnv:
    """A running daemon: its CLI, control API and boto3 clients."""

    def __init__(self, state_dir, port):
        self.state_dir, self.port = pathlib.Path(state_dir), port
        self.endpoint_url = "http://127.0.0.1:%d" % port

    def cli(self, *args, timeout=90):
        return subprocess.run(
            [sys.executable, "-m", "localenv", *args, "--port", str(self.port),
             "--state-dir", str(self.state_dir)],
            cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)

    def control(self, method, endpoint, body=None):
        """(HTTP status, JSON payload) of a control API call."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request("%s/_localenv/%s" % (self.endpoint_url, endpoint),
                                         method=method, data=data)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def client(self, service, region="us-east-1", max_attempts=3, credentials=None):
        keys = credentials or {"aws_access_key_id": "testing",
                               "aws_secret_access_key": "testing"}
        config = Config(retries={"mode": "standard", "max_attempts": max_attempts})
        return boto3.client(service, region_name=region, endpoint_url=self.endpoint_url,
                            config=config, **keys)


@pytest.fixture(scope="session")
def emu_env():
    # Not under pytest's basetemp: concurrent pytest sessions reset that tree to mode 0700.
    base = pathlib.Path(tempfile.mkdtemp(prefix="emu-localenv-"))
    env = EmuEnv(base / "state", emu_free_port())
    result = env.cli("up", "--no-dataplane")
    assert result.returncode == 0, result.stdout + result.stderr
    yield env
    env.cli("down")
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def emu_spawn():
    """Make an EmuEnv (not started) for a state dir on a free port."""
    return lambda state_dir: EmuEnv(state_dir, emu_free_port())


@pytest.fixture
def emu_faults(emu_env):
    """Set faults with emu_faults({...}); they are cleared after the test."""
    def configure(spec):
        status, payload = emu_env.control("POST", "faults", spec)
        assert status == 200, payload
        return payload
    yield configure
    emu_env.control("DELETE", "faults")


@pytest.fixture
def emu_rds(emu_env):
    return emu_env.client("rds")


@pytest.fixture
def emu_name(request):
    """A parameter-group name unique to the test."""
    return "emu-" + request.node.name.replace("_", "-").replace("[", "-").strip("]-")[:50]
