"""Benchmark: a no-op converge of inventories/local's parameter groups.

Runs site.yml once to converge, then times RUNS further runs (which change nothing) and counts
the AWS requests they make, from the emulator's request counter. Needs a running local
environment (make up). Prints figures; asserts nothing.

    .venv/bin/python bench/parameter_group_noop.py [--runs 5]
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[1]
ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:%s" % os.environ.get("LOCALENV_PORT", "4599"))


def control(method, path):
    request = urllib.request.Request(ENDPOINT + "/_localenv/" + path, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def run_site():
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), AWS_ENDPOINT_URL=ENDPOINT,
               PATH="%s:%s" % (pathlib.Path(sys.executable).parent, os.environ.get("PATH", "")))
    started = time.perf_counter()
    done = subprocess.run(["ansible-playbook", "site.yml", "-i", "inventories/local"], cwd=REPO, env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit("site.yml failed:\n" + done.stdout[-3000:] + done.stderr[-3000:])
    return elapsed, done.stdout


def main():
    parser = argparse.ArgumentParser(description="No-op converge of the local inventory's parameter groups")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    run_site()
    timings, requests = [], []
    for _run in range(args.runs):
        control("DELETE", "requests")
        elapsed, stdout = run_site()
        if "changed=0" not in stdout:
            sys.exit("a no-op run changed something:\n" + stdout[-3000:])
        timings.append(elapsed)
        requests.append(control("GET", "requests"))
    groups = 3
    by_operation = requests[-1]["by_operation"]
    print("no-op converge of inventories/local (%d hosts, %d parameter groups), %d runs" % (2, groups, args.runs))
    print("  wall time per run: median %.2f s, min %.2f s, max %.2f s" % (
        statistics.median(timings), min(timings), max(timings)))
    print("  AWS requests per run: %d (%.1f per group)" % (requests[-1]["total"], requests[-1]["total"] / groups))
    for operation, count in sorted(by_operation.items()):
        print("    %-50s %d" % (operation, count))


if __name__ == "__main__":
    main()
