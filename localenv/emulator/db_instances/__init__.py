"""RDS DB instances backed by real PostgreSQL servers (see patches.py for what changes in moto).

``install(context)`` patches moto, subscribes to ``parameter_group_modified``, starts the IAM
token validator (``localenv.emulator.iam_auth``) and registers the ``db_instances`` and
``iam_auth`` status providers; ``shutdown()`` stops every server and the validator.
"""

import importlib
import logging

from localenv import hooks, tls
from localenv.dataplane.fleet import PostgresFleet
from localenv.emulator import iam_auth
from localenv.emulator.db_instances import credentials, patches

log = logging.getLogger("localenv.emulator.db_instances")

_installed = {"fleet": None}


def fleet():
    """The fleet of the installed environment (None before install)."""
    return _installed["fleet"]


def status():
    current = _installed["fleet"]
    if current is None:
        return {"servers": [], "backups": []}
    return {"servers": current.status(), "backups": current.backups_status()}


def _register_status_provider():
    try:
        control = importlib.import_module("localenv.control")
    except ImportError:
        return
    register = getattr(control, "register_status_provider", None)
    if register is not None:
        register("db_instances", status)
        register("iam_auth", iam_auth.status)


def install(context):
    if _installed["fleet"] is not None:
        _installed["fleet"].shutdown()
    current = PostgresFleet(context)
    current.remove_stale()
    iam_auth.install(current)
    tls.ensure_ca(context.tls_dir)
    current.prepare_async()
    _installed["fleet"] = current
    credentials.install()
    patches.install(context, current)
    if patches.on_parameter_group_modified not in hooks._subscribers.get("parameter_group_modified", []):
        hooks.subscribe("parameter_group_modified", patches.on_parameter_group_modified)
    _register_status_provider()
    return current


def shutdown():
    current = _installed["fleet"]
    if current is not None:
        current.shutdown()
    iam_auth.shutdown()
