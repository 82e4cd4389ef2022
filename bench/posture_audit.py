"""Benchmark: playbooks/posture_audit.yml on fleets of 10 and 50 deployments.

Starts a private local environment with the APIs only (--no-dataplane: no PostgreSQL servers), creates
the fleet directly with boto3 (RDS for PostgreSQL instances, each with its own parameter group, spread
over the data 111111111111, app 444444444444 and backup 333333333333 accounts and us-east-1 / us-west-2),
writes a throwaway inventory with one host per deployment, runs the playbook with forks 10 and reads the
AWS requests from the emulator's counter (GET /_localenv/requests). Prints the wall time and the requests
per deployment for each size; exits non-zero when the requests per deployment grow with the fleet.

    .venv/bin/python bench/posture_audit.py [--sizes 10 50] [--forks 10]
"""

import argparse
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import yaml

REPO = pathlib.Path(__file__).resolve().parents[1]
ACCOUNTS = {"data": "111111111111", "app": "444444444444", "backup": "333333333333"}
REGIONS = ("us-east-1", "us-west-2")
ROLE = "arn:aws:iam::%s:role/InnovateAutomation"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Emulator:
    def __init__(self):
        self.port = free_port()
        self.state_dir = tempfile.mkdtemp(prefix="posture-bench-", dir="/tmp")
        os.chmod(self.state_dir, 0o755)
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.clients = {}

    def cli(self, *args):
        return subprocess.run([sys.executable, "-m", "localenv", *args, "--port", str(self.port), "--state-dir", self.state_dir],
                              cwd=REPO, capture_output=True, text=True, check=False, timeout=300)

    def control(self, method, path):
        request = urllib.request.Request(self.endpoint + "/_localenv/" + path, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def rds(self, account_id, region):
        key = (account_id, region)
        if key not in self.clients:
            session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
            creds = session.client("sts", endpoint_url=self.endpoint).assume_role(
                RoleArn=ROLE % account_id, RoleSessionName="bench")["Credentials"]
            self.clients[key] = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"], region_name=region).client("rds", endpoint_url=self.endpoint)
        return self.clients[key]


def placement(index):
    """Deployment ``index``: (account name, region), round robin over the 3 accounts x 2 regions."""
    names = sorted(ACCOUNTS)
    return names[index % len(names)], REGIONS[(index // len(names)) % len(REGIONS)]


def create_deployment(emulator, index):
    account, region = placement(index)
    name = "bench-db-%03d" % index
    rds = emulator.rds(ACCOUNTS[account], region)
    group = "%s-postgres15" % name
    rds.create_db_parameter_group(DBParameterGroupName=group, DBParameterGroupFamily="postgres15", Description="bench")
    rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.medium",
                           AllocatedStorage=20, MasterUsername="dbadmin", MasterUserPassword="bench-Password-1",
                           DBParameterGroupName=group, StorageEncrypted=True, BackupRetentionPeriod=7,
                           DeletionProtection=True, EnableIAMDatabaseAuthentication=True, MultiAZ=True,
                           Tags=[{"Key": "environment", "Value": "bench"}])
    return name, account, region


def write_inventory(directory, emulator, deployments):
    """One host per deployment in the group of its account; the account groups carry the role to assume."""
    children = {}
    for name, account, region in deployments:
        group = children.setdefault("%s_account" % account, {"hosts": {}, "vars": {"aws_assume_role_arn": ROLE % ACCOUNTS[account]}})
        group["hosts"][name] = {"aws_region": region, "aws_dr_region": REGIONS[1 - REGIONS.index(region)]}
    inventory = {"all": {
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "innovate_aws_postgres_in_process": True,
                 "aws_endpoint_url": emulator.endpoint, "aws_access_key": "testing", "aws_secret_key": "testing", "env_name": "bench"},
        "children": {"databases": {"children": children}},
    }}
    path = directory / "hosts.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=True))
    return path


def run_audit(emulator, inventory, report_dir, forks):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), AWS_ENDPOINT_URL=emulator.endpoint,
               PATH="%s:%s" % (pathlib.Path(sys.executable).parent, os.environ.get("PATH", "")))
    command = ["ansible-playbook", "playbooks/posture_audit.yml", "-i", str(inventory), "-f", str(forks),
               "-e", json.dumps({"posture_report_dir": str(report_dir), "posture_fail_on_severity": "none",
                                 "posture_inspect_databases": False})]
    emulator.control("DELETE", "requests")
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit("posture_audit.yml failed:\n" + done.stdout[-4000:] + done.stderr[-3000:])
    return elapsed, emulator.control("GET", "requests"), json.loads((report_dir / "posture.json").read_text())


def main():
    parser = argparse.ArgumentParser(description="posture_audit.yml on growing fleets")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--forks", type=int, default=10)
    args = parser.parse_args()
    emulator = Emulator()
    started = emulator.cli("up", "--no-dataplane")
    if started.returncode != 0:
        sys.exit("localenv up failed:\n" + started.stdout + started.stderr)
    work = pathlib.Path(tempfile.mkdtemp(prefix="posture-bench-run-"))
    rows = []
    try:
        deployments = []
        for size in sorted(args.sizes):
            deployments += [create_deployment(emulator, index) for index in range(len(deployments), size)]
            inventory = write_inventory(work, emulator, deployments)
            elapsed, requests, report = run_audit(emulator, inventory, work / ("reports-%d" % size), args.forks)
            instances = sum(1 for f in report["findings"] if f["control_id"] == "RDS.2")
            if instances != size:
                sys.exit("the audit of %d deployments saw %d instances" % (size, instances))
            rows.append((size, elapsed, requests, report))
    finally:
        emulator.cli("down")
        shutil.rmtree(emulator.state_dir, ignore_errors=True)
        shutil.rmtree(str(work), ignore_errors=True)

    print("posture_audit.yml, forks %d, %d accounts x %d regions, API-only local environment" % (args.forks, len(ACCOUNTS), len(REGIONS)))
    for size, elapsed, requests, report in rows:
        print("  %3d deployments: %5.1f s wall (%.2f s per deployment), %4d AWS requests (%.2f per deployment), %d findings, %d pairs audited"
              % (size, elapsed, elapsed / size, requests["total"], requests["total"] / size, report["summary"]["total"],
                 len(report["summary"]["targets"])))
    last = rows[-1][2]["by_operation"]
    print("  requests by operation for %d deployments:" % rows[-1][0])
    for operation, count in sorted(last.items()):
        print("    %-50s %4d" % (operation, count))
    per_deployment = [requests["total"] / size for size, _elapsed, requests, _report in rows]
    if any(later > earlier + 1e-9 for earlier, later in zip(per_deployment, per_deployment[1:])):
        sys.exit("AWS requests per deployment grow with the fleet: %s" % ", ".join("%.2f" % n for n in per_deployment))
    print("  requests per deployment do not grow with the fleet: %s" % " -> ".join("%.2f" % n for n in per_deployment))


if __name__ == "__main__":
    main()
