"""The in-process action (plugins/plugin_utils/in_process.py) gives exactly what a module run gives.

The same play runs twice, once the normal way (AnsiballZ, a new Python per task) and once with
``innovate_aws_postgres_in_process: true``; results, diffs, failures, no_log censoring and warnings
must match, and ``-vvv`` must show that the second run really ran in the worker process.
"""

import subprocess
import uuid

import yaml

from harness import REPO, VENV_BIN

VOLATILE = {"elapsed", "invocation", "_ansible_no_log", "latest_restorable_time"}
PASSWORD = "in-process-" + uuid.uuid4().hex[:10]


def play(suffix, in_process):
    name = "inproc-%s" % suffix
    return [{
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"innovate_aws_postgres_in_process": in_process},
        "tasks": [
            {"name": "key in check mode", "innovate.aws_postgres.kms_key": {"alias": "alias/%s" % name, "allow_rds": True},
             "check_mode": True, "diff": True},
            {"name": "key", "innovate.aws_postgres.kms_key": {"alias": "alias/%s" % name, "allow_rds": True}},
            {"name": "key again", "innovate.aws_postgres.kms_key": {"alias": "alias/%s" % name, "allow_rds": True}},
            {"name": "secret with a password", "innovate.aws_postgres.db_secret": {
                "name": "inproc/%s" % name, "host": "db.example.internal", "port": 5432, "dbname": "app",
                "username": "app_rw", "password": PASSWORD}, "diff": True},
            {"name": "bad input", "innovate.aws_postgres.kms_key": {"alias": "alias/aws/%s" % name}, "ignore_errors": True},
            {"name": "unknown option", "innovate.aws_postgres.kms_key": {"alias": "alias/%s" % name, "colour": "blue"},
             "ignore_errors": True},
        ],
    }]


def first_task_play(suffix, in_process):
    whole = play(suffix, in_process)[0]
    return [dict(whole, tasks=whole["tasks"][:1])]


def comparable(result, suffix):
    text = yaml.safe_dump({k: v for k, v in result.items() if k not in VOLATILE}, sort_keys=True)
    return text.replace("inproc-%s" % suffix, "inproc-X")


def strip_ids(result):
    """Ids, ARNs, versions and dates differ between the two runs; compare everything else."""
    text = result
    for marker in ("key/", "KeyId", "key_id", "arn:aws:", "version_id", "date"):
        text = "\n".join(line for line in text.splitlines() if marker not in line)
    return text


def test_in_process_results_match_module_runs(ansible):
    ansible.extra_env["INNOVATE_AWS_POSTGRES_IN_PROCESS"] = None
    normal_suffix, inproc_suffix = uuid.uuid4().hex[:6], uuid.uuid4().hex[:6]
    normal = ansible.playbook(yaml.safe_dump(play(normal_suffix, False)))
    inproc = ansible.playbook(yaml.safe_dump(play(inproc_suffix, True)))
    assert normal.rc == 0 and inproc.rc == 0, normal.stdout[-3000:] + inproc.stdout[-3000:]
    assert [r["task"] for r in normal.task_results] == [r["task"] for r in inproc.task_results]
    for left, right in zip(normal.task_results, inproc.task_results):
        assert strip_ids(comparable(left, normal_suffix)) == strip_ids(comparable(right, inproc_suffix)), left["task"]
    assert PASSWORD not in inproc.stdout and PASSWORD not in inproc.stderr
    failed = inproc.result("unknown option")
    assert failed["failed"] and "colour" in failed["msg"]
    assert inproc.result("key again")["changed"] is False


def test_in_process_is_used_only_when_switched_on(ansible, tmp_path):
    ansible.extra_env["INNOVATE_AWS_POSTGRES_IN_PROCESS"] = None
    suffix = uuid.uuid4().hex[:6]
    path = tmp_path / "verbose.yml"
    env = ansible.env()
    env.pop("ANSIBLE_STDOUT_CALLBACK")
    for in_process, expected in ((True, "running in the worker process"), (False, "running as a module")):
        path.write_text(yaml.safe_dump(first_task_play(suffix, in_process)))
        done = subprocess.run([str(VENV_BIN / "ansible-playbook"), str(path), "-i", "localhost,", "-vvv"], cwd=REPO,
                              env=env, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stdout[-3000:]
        assert expected in done.stdout
    off = dict(env, INNOVATE_AWS_POSTGRES_IN_PROCESS="0")
    path.write_text(yaml.safe_dump(first_task_play(suffix, True)))
    done = subprocess.run([str(VENV_BIN / "ansible-playbook"), str(path), "-i", "localhost,", "-vvv"], cwd=REPO,
                          env=off, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0 and "running as a module" in done.stdout
