# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run innovate.aws_postgres.pg_role_model through ansible-playbook and return the task result.

ansible-core 2.21 has no ``ansible.builtin.json`` stdout callback, so the play registers the
module's result and prints it with ``ansible.builtin.debug`` in the default callback's JSON result
format; the runner decodes that JSON from the output.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import pathlib
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[3]
VENV_BIN = pathlib.Path(sys.executable).parent
RESULT_TASK = "TASK [pgrm result]"


def ansible_env():
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        PATH="%s:%s" % (VENV_BIN, os.environ.get("PATH", "")),
    )
    return env


def _registered(output):
    start = output.find(RESULT_TASK)
    marker = output.find("=> ", start) if start >= 0 else -1
    if marker < 0:
        return None
    value, _end = json.JSONDecoder().raw_decode(output[marker + 3:])
    return value["model_result"]


def run_model(args, check=False, diff=True, workdir=None, extra_env=None):
    """Run one pg_role_model task with ``args``; return ``(task result, ansible-playbook output)``.

    The playbook is written as JSON (a subset of YAML), so names with quotes, NULs or unicode
    reach the module exactly as given. ``extra_env`` is added to ansible-playbook's environment
    (which the module inherits on the local connection).
    """
    play = [dict(
        name="pg_role_model",
        hosts="localhost",
        gather_facts=False,
        tasks=[
            {"name": "role model", "innovate.aws_postgres.pg_role_model": args, "register": "model_result", "ignore_errors": True},
            {"name": "pgrm result", "ansible.builtin.debug": {"var": "model_result"}},
        ],
    )]
    handle, path = tempfile.mkstemp(prefix="pgrm-play-", suffix=".yml", dir=workdir)
    with os.fdopen(handle, "w") as out:
        json.dump(play, out)
    argv = [str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", path]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    try:
        env = ansible_env()
        env.update(extra_env or {})
        proc = subprocess.run(argv, cwd=str(REPO), env=env, capture_output=True, text=True, timeout=600, check=False)
    finally:
        os.unlink(path)
    result = _registered(proc.stdout)
    if result is None:
        raise AssertionError("the play did not print the result (rc=%s):\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr))
    return result, proc.stdout + proc.stderr
