# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run one of this collection's modules inside the Ansible worker process (controller only).

A task of a module of this collection normally costs a worker fork, an AnsiballZ payload, a new
Python that imports ``ansible.module_utils.basic`` and boto3 again, new boto3 clients, and the
module itself. When the task runs on the controller (``connection: local``) with the controller's
own Python as interpreter, this action runs the module's ``main()`` in the worker process instead:
the worker is a fork of ``ansible-playbook``, which imported the module (and boto3) once when the
strategy loaded this action plugin, so a task costs only the fork and the module's own work.

The module sees exactly what AnsiballZ would give it: the same JSON-serialised arguments (with the
``_ansible_*`` internal arguments from ``_update_module_args``), the same ``basic`` globals, and
its printed result goes through ``_parse_returned_data`` like a module's stdout. Every change the
run makes to process state (stdout, environment, ``basic`` globals) happens in the forked worker,
which exits after the task, and is undone after the call anyway.

It is switched on per host with ``innovate_aws_postgres_in_process: true`` (the inventories of this
collection set it) or for a whole run with ``INNOVATE_AWS_POSTGRES_IN_PROCESS=1``;
``INNOVATE_AWS_POSTGRES_IN_PROCESS=0`` switches it off everywhere. Anything else (another
connection, another interpreter, become, async, a worker that is not a forked child) runs the
module the normal way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import atexit
import importlib
import io
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import traceback

from ansible import constants as C
from ansible.module_utils import basic
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible.module_utils.common.json import AnsibleJSONEncoder

try:  # ansible-core 2.19 and later: serialization profiles
    from ansible.module_utils.common.json import Direction, get_module_encoder
except ImportError:  # ansible-core 2.17, 2.18
    Direction = get_module_encoder = None

try:
    from ansible.vars.clean import remove_internal_keys
except ImportError:  # pragma: no cover
    remove_internal_keys = None

display = Display()

COLLECTION = "ansible_collections.innovate.aws_postgres.plugins.modules"
SWITCH_VAR = "innovate_aws_postgres_in_process"
SWITCH_ENV = "INNOVATE_AWS_POSTGRES_IN_PROCESS"
LOCAL_CONNECTIONS = frozenset(("local", "ansible.builtin.local", "ansible.legacy.local"))
# The modules of this collection declare no METADATA, so ansible-core serialises their arguments and
# results with the 'legacy' profile (ansible-core 2.19+).
PROFILE = "legacy"


# The AWS services whose models each module loads; the playbook process parses them once.
WARM_SERVICES = {
    "aurora_cluster": ("rds", "kms", "application-autoscaling"),
    "aurora_global_cluster": ("rds",),
    "backup_plan": ("backup",),
    "backup_restore_testing": ("backup", "sts"),
    "db_secret": ("kms", "secretsmanager"),
    "kms_key": ("kms",),
    "rds_alarms": ("rds", "cloudwatch", "sns"),
    "rds_blue_green": ("rds",),
    "rds_failover": ("rds", "cloudwatch", "route53", "secretsmanager"),
    "rds_instance": ("rds", "kms"),
    "rds_master_password": ("rds", "secretsmanager"),
    "rds_network": ("rds", "ec2"),
    "rds_parameter_group": ("rds",),
    "rds_posture_info": ("rds", "kms", "backup", "ec2", "secretsmanager"),
    "rds_proxy": ("rds", "ec2"),
    "rds_restore_points": ("rds",),
    "rds_snapshot": ("rds", "kms"),
    "s3_backup_bucket": ("s3",),
}
_RUN = {}


def _prepare_playbook_process(module_name):
    """In ansible-playbook itself: parse the module's AWS models and share assumed-role credentials.

    Workers are forks of this process, so they inherit both. The credential directory is private
    (0700) and removed when ansible-playbook exits.
    """
    if multiprocessing.parent_process() is not None:
        return
    try:
        from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws import connection
    except Exception:  # pylint: disable=broad-except  # boto3 missing: the module reports it
        return
    if "credential_cache_dir" not in _RUN:
        _RUN["credential_cache_dir"] = tempfile.mkdtemp(prefix="innovate-aws-postgres-credentials-")
        atexit.register(shutil.rmtree, _RUN["credential_cache_dir"], True)
        connection.share_assumed_roles(_RUN["credential_cache_dir"])
    try:
        connection.warm(("sts",) + WARM_SERVICES.get(module_name, ()))
    except Exception:  # pylint: disable=broad-except  # only an optimisation
        pass


def preload(module_name):
    """Import the module (and so boto3 and its module_utils) into this process, if possible.

    Called when the action plugin is imported; the linear and free strategies import it in
    ansible-playbook itself before forking workers, so workers inherit the imports.
    """
    if os.environ.get(SWITCH_ENV) == "0":
        return None
    try:
        module = importlib.import_module("%s.%s" % (COLLECTION, module_name))
    except Exception:  # pylint: disable=broad-except  # the normal path reports any problem
        return None
    _prepare_playbook_process(module_name)
    return module


class _ModuleExit(Exception):
    pass


class InProcessModuleAction(ActionBase):
    """Action of a module of this collection: in-process on the controller, the normal way elsewhere."""

    _supports_check_mode = True
    _supports_async = True

    def _in_process_refusal(self, task_vars):
        """Why this task cannot run in process (None when it can)."""
        switch = os.environ.get(SWITCH_ENV)
        if switch is not None and not boolean(switch, strict=False):
            return "%s is off" % SWITCH_ENV
        if switch is None and not boolean(self._templar.template(task_vars.get(SWITCH_VAR, False)), strict=False):
            return "%s is not true" % SWITCH_VAR
        if multiprocessing.parent_process() is None:
            return "not in a forked worker"
        if multiprocessing.get_start_method(allow_none=True) not in (None, "fork"):
            return "workers are not forked"
        if self._task.async_val:
            return "async task"
        if getattr(self._connection, "_load_name", self._connection.transport) not in LOCAL_CONNECTIONS:
            return "connection %s" % self._connection.transport
        if self._play_context.become:
            return "become"
        interpreter = task_vars.get("ansible_python_interpreter")
        if interpreter is None:
            interpreter = C.config.get_config_value("INTERPRETER_PYTHON", variables=task_vars)
        if interpreter is None or str(interpreter).startswith("auto"):
            return "the interpreter is discovered, not set"
        interpreter = self._templar.template(interpreter)
        if os.path.abspath(os.path.expanduser(str(interpreter))) != os.path.abspath(sys.executable):
            return "interpreter %s is not the controller's %s" % (interpreter, sys.executable)
        return None

    def run(self, tmp=None, task_vars=None):
        result = super(InProcessModuleAction, self).run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        refusal = self._in_process_refusal(task_vars)
        if refusal is None:
            module = preload(self._task.action.rsplit(".", 1)[-1])
            if module is None or not hasattr(module, "main"):
                refusal = "module not importable"
        if refusal is not None:
            display.vvv("%s: running as a module (%s)" % (self._task.action, refusal))
            result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=self._task.async_val))
            if not self._task.async_val:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        display.vvv("%s: running in the worker process" % self._task.action)
        return merge_hash(result, self._execute_in_process(module, task_vars))

    def _execute_in_process(self, module, task_vars):
        module_args = dict(self._task.args)
        self._update_module_args(self._task.action, module_args, task_vars)
        workdir = tempfile.mkdtemp(prefix="ansible-in-process-")
        module_args["_ansible_tmpdir"] = workdir
        if get_module_encoder is not None:
            encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
            json_params = json.dumps(dict(ANSIBLE_MODULE_ARGS=module_args), cls=encoder).encode()
        else:
            json_params = json.dumps(dict(ANSIBLE_MODULE_ARGS=module_args), cls=AnsibleJSONEncoder, vault_to_text=True).encode()
        environment = {}
        self._compute_environment_string(raw_environment_out=environment)
        try:
            stdout, stderr, rc = self._call_main(module, json_params, environment)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        res = dict(rc=rc, stdout=stdout, stderr=stderr)
        if get_module_encoder is None:  # 2.17, 2.18
            data = self._parse_returned_data(res)
        else:
            data = self._parse_returned_data(res, PROFILE)
        if hasattr(data, "as_result_dict"):  # 2.21+: a UnifiedTaskResult
            data.remove_internal_keys()
            return data.as_result_dict(for_round_trip=True)
        remove_internal_keys(data)
        return data

    @staticmethod
    def _call_main(module, json_params, environment):
        saved = dict(
            args=basic._ANSIBLE_ARGS,
            profile=getattr(basic, "_ANSIBLE_PROFILE", None),
            parsed=getattr(basic, "_PARSED_MODULE_ARGS", None),
            stdout=sys.stdout,
            stderr=sys.stderr,
            environ=dict(os.environ),
        )
        internal = None
        try:
            from ansible.module_utils import _internal as internal  # 2.19+: module-side warnings/deprecations
        except ImportError:
            internal = None
        saved_is_controller = getattr(internal, "is_controller", None)
        out, err = io.StringIO(), io.StringIO()
        rc = 0
        try:
            os.environ.update(environment)
            basic._ANSIBLE_ARGS = json_params
            if hasattr(basic, "_ANSIBLE_PROFILE"):
                basic._ANSIBLE_PROFILE = PROFILE
                basic._PARSED_MODULE_ARGS = None
            if saved_is_controller is not None:
                internal.is_controller = False
            sys.stdout, sys.stderr = out, err
            try:
                module.main()
                raise _ModuleExit("the module returned without exit_json or fail_json")
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            except Exception:  # pylint: disable=broad-except  # reported like AnsiballZ reports an unhandled error
                rc = 1
                err.write(traceback.format_exc())
        finally:
            sys.stdout, sys.stderr = saved["stdout"], saved["stderr"]
            if saved_is_controller is not None:
                internal.is_controller = saved_is_controller
            basic._ANSIBLE_ARGS = saved["args"]
            if hasattr(basic, "_ANSIBLE_PROFILE"):
                basic._ANSIBLE_PROFILE = saved["profile"]
                basic._PARSED_MODULE_ARGS = saved["parsed"]
            os.environ.clear()
            os.environ.update(saved["environ"])
            for collected in ("_global_warnings", "_global_deprecations"):
                store = getattr(sys.modules.get("ansible.module_utils.common.warnings"), collected, None)
                if hasattr(store, "clear"):
                    store.clear()
        return out.getvalue(), err.getvalue(), rc
