"""python -m localenv up|down|status — start, stop and inspect the local environment daemon.

Exit codes: 0 success (status: running); 1 failure; 3 status: not running.
"""

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from localenv import accounts
from localenv.context import LocalEnvContext, default_port, default_state_dir

ROOT = pathlib.Path(__file__).resolve().parent.parent
START_TIMEOUT = 60
STOP_TIMEOUT = 30
NOT_RUNNING = 3


def _request(context, method, endpoint, timeout=2.0):
    request = urllib.request.Request("%s/_localenv/%s" % (context.endpoint_url, endpoint),
                                     method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _state_file(context):
    return context.state_dir / "state.json"


def _read_state(context):
    try:
        return json.loads(_state_file(context).read_text())
    except (OSError, ValueError):
        return None


def _alive(pid):
    """True when pid runs and is not a zombie left behind by a reparented daemon."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        stat = pathlib.Path("/proc/%d/stat" % pid).read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _healthy(context):
    health = _request(context, "GET", "health")
    if health and health.get("state_dir") == str(context.state_dir):
        return health
    return None


def _make_traversable(path):
    """The postgres user must reach files under the state dir: 0755 on it, o+x on parents."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o755)
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def _log_tail(context, lines=40):
    try:
        return "\n".join((context.state_dir / "server.log").read_text().splitlines()[-lines:])
    except OSError:
        return "(no server.log)"


def up(context, no_dataplane=False):
    health = _request(context, "GET", "health")
    if health and health.get("state_dir") == str(context.state_dir):
        return status(context)
    if health is not None:
        print("port %d already serves another local environment" % context.port,
              file=sys.stderr)
        return 1
    _make_traversable(context.state_dir)
    command = [sys.executable, "-m", "localenv.server", "--port", str(context.port),
               "--state-dir", str(context.state_dir)]
    if no_dataplane:
        command.append("--no-dataplane")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    with open(context.state_dir / "server.log", "ab") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, cwd=str(ROOT), env=env,
                                   start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _healthy(context):
            _write_state(context, process.pid)
            return status(context)
        time.sleep(0.1)
    if process.poll() is None:
        process.kill()
    print("local environment did not start; server.log ends with:\n%s" % _log_tail(context),
          file=sys.stderr)
    return 1


def _write_state(context, pid):
    state = {
        "pid": pid,
        "port": context.port,
        "endpoint_url": context.endpoint_url,
        "ca_bundle": str(context.ca_bundle),
        "accounts": accounts.inventory(),
        "regions": list(accounts.REGIONS),
    }
    _state_file(context).write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")


def _wait_gone(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return not _alive(pid)


def down(context):
    state = _read_state(context) or {}
    health = _healthy(context)
    pid = state.get("pid") or (health or {}).get("pid")
    if health:
        _request(context, "POST", "shutdown")
    if pid and _alive(pid) and not _wait_gone(pid, STOP_TIMEOUT if health else 0):
        os.kill(pid, signal.SIGTERM)
        if not _wait_gone(pid, 10):
            os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, 5)
    if context.state_dir.exists():
        shutil.rmtree(context.state_dir)
    print(json.dumps({"running": False, "state_dir": str(context.state_dir)}))
    return 0


def status(context):
    report = _request(context, "GET", "status", timeout=30.0) if _healthy(context) else None
    if report is None:
        print(json.dumps({"running": False, "endpoint_url": context.endpoint_url,
                          "state_dir": str(context.state_dir)}, indent=2))
        return NOT_RUNNING
    report.update(_read_state(context) or {})
    print(json.dumps(report, indent=2, sort_keys=True, default=str))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m localenv", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down", "status"))
    parser.add_argument("--port", type=int, default=default_port())
    parser.add_argument("--state-dir", type=pathlib.Path, default=default_state_dir())
    parser.add_argument("--no-dataplane", action="store_true",
                        help="up: emulate the APIs only, start no PostgreSQL servers")
    args = parser.parse_args(argv)
    context = LocalEnvContext(state_dir=args.state_dir.resolve(), port=args.port)
    if args.command == "up":
        return up(context, args.no_dataplane)
    if args.command == "down":
        return down(context)
    return status(context)
