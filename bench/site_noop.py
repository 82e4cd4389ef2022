"""Benchmark: a no-op converge of ``site.yml -i inventories/local``.

Runs site.yml once to converge every deployment of the local inventory, then times RUNS further
runs (which must change nothing) and reports, from the emulator's request counter, the AWS
requests per deployment, the write requests (there must be none) and the tasks per deployment.
Needs a running local environment (make up). Prints figures; asserts nothing beyond "no change".

    .venv/bin/python bench/site_noop.py [--runs 3] [--skip-first-converge] [--limit app-db] [--comparable]

``--comparable`` leaves out what the issue's reference deployment (KMS key, network, parameter
group, Multi-AZ instance and replica, secret, backup vault and plan, alarms, database roles) does
not do: rds_backup's nightly DR snapshot copy and the logical backup bucket.
"""

import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[1]
ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:%s" % os.environ.get("LOCALENV_PORT", "4599"))
READ_PREFIXES = ("Describe", "List", "Get", "AssumeRole", "GetCallerIdentity")
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M)


def control(method, path):
    request = urllib.request.Request(ENDPOINT + "/_localenv/" + path, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


COMPARABLE = ["-e", "rds_backup_snapshot_copy_enabled=false", "-e", "rds_backup_bucket_enabled=false",
              "-e", "rds_backup_restore_testing_enabled=false"]


def run_site(extra=()):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), AWS_ENDPOINT_URL=ENDPOINT,
               PATH="%s:%s" % (pathlib.Path(sys.executable).parent, os.environ.get("PATH", "")))
    state_dir = os.environ.get("LOCALENV_STATE_DIR")
    if state_dir:
        env.setdefault("LOCALENV_CA_BUNDLE", str(pathlib.Path(state_dir) / "tls" / "ca.pem"))
    started = time.perf_counter()
    done = subprocess.run(["ansible-playbook", "site.yml", "-i", "inventories/local"] + list(extra), cwd=REPO, env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit("site.yml failed:\n" + done.stdout[-4000:] + done.stderr[-3000:])
    return elapsed, done.stdout


def is_write(operation):
    name = operation.split(":", 1)[1]
    if name in ("GET", "HEAD"):
        return False
    return not name.startswith(READ_PREFIXES)


def main():
    parser = argparse.ArgumentParser(description="No-op converge of site.yml on the local inventory")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-first-converge", action="store_true",
                        help="the deployments are converged already")
    parser.add_argument("--limit", help="only these deployments (ansible-playbook --limit)")
    parser.add_argument("--comparable", action="store_true",
                        help="skip what the reference deployment does not do (nightly DR snapshot copy, logical backup bucket, restore testing plan)")
    args = parser.parse_args()
    extra = (["--limit", args.limit] if args.limit else []) + (COMPARABLE if args.comparable else [])
    if not args.skip_first_converge:
        elapsed, _stdout = run_site(extra)
        print("first converge (creates everything): %.1f s" % elapsed)
    timings, snapshots, recaps = [], [], []
    for _run in range(args.runs):
        control("DELETE", "requests")
        elapsed, stdout = run_site(extra)
        recap = {host: [int(n) for n in counts] for host, *counts in RECAP.findall(stdout)}
        if any(counts[1] for counts in recap.values()):
            sys.exit("a no-op run changed something:\n" + stdout[-4000:])
        timings.append(elapsed)
        snapshots.append(control("GET", "requests"))
        recaps.append(recap)
    hosts = sorted(recaps[-1])
    by_operation = snapshots[-1]["by_operation"]
    writes = {op: n for op, n in by_operation.items() if is_write(op)}
    print("no-op converge of site.yml -i inventories/local%s: %d deployments (%s), %d runs"
          % (" (comparable deployment)" if args.comparable else "", len(hosts), ", ".join(hosts), args.runs))
    print("  wall time per run: median %.2f s, min %.2f s, max %.2f s"
          % (statistics.median(timings), min(timings), max(timings)))
    print("  AWS requests per run: %d (%.1f per deployment); write requests: %d"
          % (snapshots[-1]["total"], snapshots[-1]["total"] / max(len(hosts), 1), sum(writes.values())))
    for host in hosts:
        ok, changed, _unreachable, _failed, skipped = recaps[-1][host]
        print("  tasks for %s: %d run (ok=%d changed=%d), %d skipped" % (host, ok, ok, changed, skipped))
    for operation, count in sorted(by_operation.items()):
        print("    %-55s %3d%s" % (operation, count, "  WRITE" if operation in writes else ""))


if __name__ == "__main__":
    main()
