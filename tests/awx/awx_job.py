"""Run a job template the way AWX / Automation Controller runs it, with ansible-runner.

A job gets a private data directory (what the controller mounts at /runner in the execution
environment):

- ``project/``: the project's files as a sync leaves them (a copy of the tracked and new files,
  without ``.git``);
- ``requirements_collections/``: what the project sync installs; here the repository's own
  collection, installed offline by ``ansible-galaxy collection install`` from the built tarball;
- ``inventory/hosts``: the inventory as the controller serves it, an inventory script printing
  what the SCM inventory source imported (``ansible-inventory --list --export`` of
  ``inventories/<env>``: variables kept as written, Jinja included);
- ``env/extravars``: the survey answers (and unanswered questions' defaults), the template's
  extra vars, the credentials' extra_vars injectors and the ``awx_*`` / ``tower_*`` job variables;
- ``env/cmdline``: the prompts turned into ansible-playbook options (limit, check, diff, forks);
- ``env/envvars``: the controller's job environment plus the credentials' env injectors (their
  file injectors are written into ``env/`` by controller_rules.render_injectors);
- ``env/settings``: the job timeout.

Then ``ansible_runner.run`` runs the template's playbook from ``project/`` and the test looks at
what the controller would store: status, rc, stats, job events and set_stats' artifact data.
"""

import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys

import ansible_runner
import yaml

from controller_rules import render_injectors, survey_answer_errors, survey_extra_vars

REPO = pathlib.Path(__file__).resolve().parents[2]
VENV_BIN = pathlib.Path(sys.executable).parent


def copy_project(destination):
    """The project as a sync checks it out: tracked and new (not ignored) files, no .git."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True, timeout=60).stdout.decode()
    for name in sorted(set(filter(None, listed.split("\0")))):
        source = REPO / name
        target = destination / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree, not committed yet
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)


def install_collection(tarball, collections, cwd):
    """What the project sync does with collections/requirements.yml, offline, from the built tarball."""
    completed = subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "install", "--offline", "-p", str(collections), str(tarball)],
        cwd=cwd, env=_tool_env(ANSIBLE_COLLECTIONS_PATH=str(collections)), check=False, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (pathlib.Path(collections) / "ansible_collections" / "innovate" / "aws_postgres" / "MANIFEST.json").is_file()


def _tool_env(**extra):
    env = dict(os.environ, PATH="%s:%s" % (VENV_BIN, os.environ.get("PATH", "")))
    env.pop("ANSIBLE_CONFIG", None)
    env.update(extra)
    return env


class Job(object):
    """One job of a job template: the private data directory, the run, what the controller keeps."""

    job_id = 4242

    def __init__(self, private_data_dir, template, answers=None, credentials=(), limit=None, job_type=None,
                 inventory="local", environment=None):
        self.pdd = pathlib.Path(private_data_dir)
        self.template = template
        self.answers = dict(answers or {})
        self.credentials = list(credentials)
        self.limit = limit
        self.job_type = job_type or template.get("job_type", "run")
        self.inventory = inventory
        self.environment = dict(environment or {})
        self.survey_errors = survey_answer_errors(template["survey_spec"], self.answers) if template.get("survey_enabled") else []
        self.runner = None
        self.events = []

    # -- private data directory ---------------------------------------------------------------
    def prepare(self, tarball, project=None, collections=None):
        """Lay out the private data directory. ``project`` is a project copy to reuse and
        ``collections`` a requirements_collections directory to reuse (the controller caches both
        between jobs of one project revision)."""
        project_dir = self.pdd / "project"
        if project is not None:
            shutil.copytree(project, project_dir, symlinks=True)
        else:
            copy_project(project_dir)
        if collections is not None:
            shutil.copytree(collections, self.pdd / "requirements_collections", symlinks=True)
        else:
            install_collection(tarball, self.pdd / "requirements_collections", cwd=project_dir)
        self._write_inventory(project_dir)
        env_dir = self.pdd / "env"
        env_dir.mkdir(parents=True, exist_ok=True)
        extra_vars = {}
        credential_env = {}
        for credential_type, inputs in self.credentials:
            env, injected_vars, _files = render_injectors(credential_type, inputs, self.pdd)
            credential_env.update(env)
            extra_vars.update(injected_vars)
        extra_vars.update(self._job_variables())
        extra_vars.update(yaml.safe_load(self.template.get("extra_vars") or "{}") if isinstance(self.template.get("extra_vars"), str)
                          else self.template.get("extra_vars") or {})
        if self.template.get("survey_enabled"):
            extra_vars.update(survey_extra_vars(self.template["survey_spec"], self.answers))
        (env_dir / "extravars").write_text(json.dumps(extra_vars, indent=2))
        (env_dir / "cmdline").write_text(" ".join(self._cmdline()))
        envvars = self._controller_env()
        envvars.update(self.environment)
        envvars.update(credential_env)
        (env_dir / "envvars").write_text(json.dumps(envvars, indent=2))
        (env_dir / "settings").write_text(json.dumps({"job_timeout": 600, "pexpect_timeout": 5, "suppress_ansible_output": True}))
        return self

    def _write_inventory(self, project_dir):
        """What the SCM inventory source imported, served as the controller serves it (a script)."""
        exported = subprocess.run(
            [str(VENV_BIN / "ansible-inventory"), "-i", str(project_dir / "inventories" / self.inventory), "--list", "--export"],
            cwd=project_dir, env=_tool_env(), check=True, capture_output=True, text=True, timeout=120,
        ).stdout
        inventory_dir = self.pdd / "inventory"
        inventory_dir.mkdir(parents=True, exist_ok=True)
        script = inventory_dir / "hosts"
        script.write_text("#!/bin/sh\n# Generated by the controller\ncat <<'INVENTORY'\n%s\nINVENTORY\n" % exported.strip())
        script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

    def _job_variables(self):
        variables = {}
        for prefix in ("awx", "tower"):
            variables.update({
                "%s_job_id" % prefix: self.job_id,
                "%s_job_launch_type" % prefix: "manual",
                "%s_job_template_name" % prefix: self.template["name"],
                "%s_user_name" % prefix: "admin",
                "%s_inventory_name" % prefix: "aws_postgres %s" % self.inventory,
                "%s_project_revision" % prefix: "0000000000000000000000000000000000000000",
                "%s_execution_node" % prefix: "localhost",
            })
        return variables

    def _cmdline(self):
        args = []
        if self.limit:
            args += ["--limit", self.limit]
        if self.job_type == "check":
            args.append("--check")
        if self.template.get("diff_mode"):
            args.append("--diff")
        if self.template.get("forks"):
            args += ["--forks", str(self.template["forks"])]
        return args

    def _controller_env(self):
        runner = self.pdd
        return {
            "JOB_ID": str(self.job_id),
            "INVENTORY_ID": "1",
            "PROJECT_REVISION": "0000000000000000000000000000000000000000",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True",
            "ANSIBLE_PARAMIKO_RECORD_HOST_KEYS": "False",
            "ANSIBLE_FORCE_COLOR": "False",
            "ANSIBLE_NOCOLOR": "True",
            "ANSIBLE_COLLECTIONS_PATH": "%s/requirements_collections:~/.ansible/collections:/usr/share/ansible/collections" % runner,
            "ANSIBLE_ROLES_PATH": "%s/requirements_roles:~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles" % runner,
            "ANSIBLE_COLLECTIONS_ON_ANSIBLE_VERSION_MISMATCH": "ignore",
            # The execution environment's python and ansible: here the virtualenv's.
            "PATH": "%s:%s" % (VENV_BIN, os.environ.get("PATH", "/usr/bin:/bin")),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        }

    # -- run ------------------------------------------------------------------------------------
    def run(self):
        self.runner = ansible_runner.run(
            private_data_dir=str(self.pdd), project_dir=str(self.pdd / "project"), playbook=self.template["playbook"],
            ident="job-%d" % self.job_id, quiet=True,
        )
        self.events = list(self.runner.events)
        return self

    @property
    def status(self):
        return self.runner.status

    @property
    def rc(self):
        return self.runner.rc

    @property
    def stats(self):
        return self.runner.stats or {}

    @property
    def stdout(self):
        return (self.pdd / "artifacts" / ("job-%d" % self.job_id) / "stdout").read_text()

    def artifact_data(self):
        """What set_stats published (the controller hands it to the next workflow node)."""
        for event in self.events:
            if event.get("event") == "playbook_on_stats":
                return event.get("event_data", {}).get("artifact_data", {})
        return {}

    def task_names(self):
        return {event["event_data"].get("task") for event in self.events
                if event.get("event", "").startswith("runner_on_") and event.get("event_data", {}).get("task")}

    def failed_tasks(self):
        return [(event["event_data"].get("host"), event["event_data"].get("task"), event["event_data"].get("res", {}).get("msg"))
                for event in self.events if event.get("event") == "runner_on_failed" and not event["event_data"].get("ignore_errors")]

    def leaked(self, *secrets):
        """The secrets found in any job event (stdout or event data) or in the job's stdout."""
        dump = json.dumps(self.events) + self.stdout
        return [secret for secret in secrets if secret and secret in dump]

    def explain(self):
        return "status=%s rc=%s failed=%s\n%s" % (self.status, self.rc, self.failed_tasks(), self.stdout[-4000:])
