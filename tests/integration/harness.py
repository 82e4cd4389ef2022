"""The integration harness: a running local environment and ansible runs against it."""

import contextlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import urllib.request

import boto3
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
VENV_BIN = pathlib.Path(sys.executable).parent
ROLE_NAME = "InnovateAutomation"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalEnv:
    """A running local environment (emulator + PostgreSQL data plane)."""

    def __init__(self, port, state_dir):
        self.port = port
        self.state_dir = pathlib.Path(state_dir)
        self.endpoint_url = "http://127.0.0.1:%d" % port

    @property
    def ca_bundle(self):
        return str(self.state_dir / "tls" / "ca.pem")

    def env(self):
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "LOCALENV_PORT": str(self.port),
            "LOCALENV_STATE_DIR": str(self.state_dir),
        }

    def cli(self, *args, check=True):
        env = dict(os.environ, **self.env())
        return subprocess.run(
            [sys.executable, "-m", "localenv", *args, "--port", str(self.port), "--state-dir", str(self.state_dir)],
            cwd=REPO, env=env, capture_output=True, text=True, check=check, timeout=180,
        )

    def _control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.endpoint_url + "/_localenv/" + path, data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = response.read()
        return json.loads(payload) if payload else None

    def client(self, service, region="us-east-1", account_id=None):
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
        if account_id:
            creds = session.client("sts", endpoint_url=self.endpoint_url).assume_role(
                RoleArn="arn:aws:iam::%s:role/%s" % (account_id, ROLE_NAME), RoleSessionName="tests",
            )["Credentials"]
            session = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"], region_name=region,
            )
        return session.client(service, endpoint_url=self.endpoint_url)

    def set_faults(self, **faults):
        return self._control("POST", "faults", faults)

    def clear_faults(self):
        return self._control("DELETE", "faults")

    def set_transitions(self, **seconds):
        return self._control("POST", "transitions", seconds)

    def requests(self):
        return self._control("GET", "requests")

    def reset_requests(self):
        return self._control("DELETE", "requests")

    def status(self):
        return self._control("GET", "status")


class PlaybookRun:
    def __init__(self, completed):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        try:
            self.report = json.loads(completed.stdout[completed.stdout.index("{\n  \"plays\""):])
        except ValueError:
            self.report = {"plays": [], "stats": {}}
        self.stats = self.report.get("stats", {})
        self.task_results = [
            dict(host_result, task=task["task"]["name"], host=host)
            for play in self.report.get("plays", [])
            for task in play.get("tasks", [])
            for host, host_result in task.get("hosts", {}).items()
        ]

    def changed_total(self):
        return sum(host_stats.get("changed", 0) for host_stats in self.stats.values())

    def failed_total(self):
        return sum(host_stats.get("failures", 0) + host_stats.get("unreachable", 0) for host_stats in self.stats.values())

    def result(self, task_name, host=None):
        for task_result in self.task_results:
            if task_result["task"] == task_name and (host is None or task_result["host"] == host):
                return task_result
        raise KeyError("no result for task %r; tasks: %s" % (task_name, [r["task"] for r in self.task_results]))


class Ansible:
    """Runs playbooks and single modules through ansible-playbook with the json callback."""

    def __init__(self, localenv, tmp_path):
        self.localenv = localenv
        self.tmp_path = tmp_path
        #: Environment variables for ansible-playbook (None removes one).
        self.extra_env = {}

    def env(self):
        env = dict(os.environ, **self.localenv.env())
        env.update(
            ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
            ANSIBLE_STDOUT_CALLBACK="json_report",
            ANSIBLE_CALLBACK_PLUGINS=str(pathlib.Path(__file__).parent / "callback_plugins"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
            PATH="%s:%s" % (VENV_BIN, os.environ.get("PATH", "")),
            LOCALENV_CA_BUNDLE=self.localenv.ca_bundle,
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        )
        # The modules run inside the worker process (plugins/plugin_utils/in_process.py), as the inventories
        # ask, unless the caller says otherwise; test_in_process.py compares that with the normal path.
        env.setdefault("INNOVATE_AWS_POSTGRES_IN_PROCESS", "1")
        for name, value in self.extra_env.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def playbook(self, playbook, inventory=None, extra_vars=None, check=False, diff=False, limit=None):
        path = pathlib.Path(playbook) if not str(playbook).lstrip().startswith(("-", "[")) else None
        if path is None or not path.exists():
            path = self.tmp_path / ("playbook-%d.yml" % len(list(self.tmp_path.glob("playbook-*.yml"))))
            path.write_text(textwrap.dedent(playbook))
        command = [str(VENV_BIN / "ansible-playbook"), str(path)]
        command += ["-i", str(inventory) if inventory else "localhost,"]
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if limit:
            command += ["--limit", limit]
        completed = subprocess.run(command, cwd=REPO, env=self.env(), capture_output=True, text=True, timeout=900, check=False)
        return PlaybookRun(completed)

    def module(self, name, args, check=False, diff=False):
        if "." not in name:
            name = "innovate.aws_postgres." + name
        play = [{
            "hosts": "localhost", "connection": "local", "gather_facts": False,
            "tasks": [{"name": "module under test", name: args, "ignore_errors": True}],
        }]
        run = self.playbook(yaml.safe_dump(play, sort_keys=False), check=check, diff=diff)
        if not run.task_results:
            raise AssertionError("ansible-playbook produced no result (rc=%s):\n%s\n%s" % (run.rc, run.stdout, run.stderr))
        return run.task_results[0]


@contextlib.contextmanager
def running_localenv(prefix):
    """A private local environment (free port, own state directory under /tmp) for the block."""
    state_dir = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
    os.chmod(state_dir, 0o755)
    env = LocalEnv(free_port(), state_dir)
    result = env.cli("up", check=False)
    if result.returncode != 0:
        shutil.rmtree(state_dir, ignore_errors=True)
        raise RuntimeError("localenv up failed:\n%s\n%s" % (result.stdout, result.stderr))
    try:
        yield env
    finally:
        env.cli("down", check=False)
        shutil.rmtree(state_dir, ignore_errors=True)
