"""Shared state of one running local environment, handed to every emulator extension."""

import dataclasses
import os
import pathlib
import threading

DEFAULT_PORT = 4599
DEFAULT_STATE_DIR = "/tmp/innovate-aws-postgres-localenv"


def default_port():
    return int(os.environ.get("LOCALENV_PORT", DEFAULT_PORT))


def default_state_dir():
    return pathlib.Path(os.environ.get("LOCALENV_STATE_DIR", DEFAULT_STATE_DIR))


@dataclasses.dataclass
class Transitions:
    """Seconds a resource is held in a transitional state before it reports its final one."""

    creating: float = 0.0
    modifying: float = 0.0
    rebooting: float = 0.0
    deleting: float = 0.0


@dataclasses.dataclass
class LocalEnvContext:
    state_dir: pathlib.Path
    port: int
    transitions: Transitions = dataclasses.field(default_factory=Transitions)
    lock: threading.RLock = dataclasses.field(default_factory=threading.RLock)

    @property
    def endpoint_url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def tls_dir(self):
        return self.state_dir / "tls"

    @property
    def ca_bundle(self):
        return self.tls_dir / "ca.pem"

    @property
    def postgres_dir(self):
        return self.state_dir / "postgres"
