# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection secret's JSON value: merge the task into the stored value, redact it for output.

The value follows the shape RDS and its rotation functions use::

    {"engine": "postgres", "host": "...", "port": 5432, "dbname": "...", "username": "...", "password": "..."}

or, for IAM database authentication, ``"iam": true`` instead of ``password``. Keys the task does
not give are kept (so re-pointing ``host`` keeps the password); ``purge_keys`` drops keys outside
this shape. The password is never returned: results and diffs show ``REDACTED`` in its place.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

CONNECTION_KEYS = ("engine", "host", "port", "dbname", "username")
SECRET_KEYS = ("password",)
IAM_KEY = "iam"
SCHEMA_KEYS = CONNECTION_KEYS + SECRET_KEYS + (IAM_KEY,)
REDACTED = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
DEFAULT_ENGINE, DEFAULT_PORT = "postgres", 5432
REDACTED_CHANGED = REDACTED + " (changed)"


def parse_value(text):
    """The stored secret string as a dict; ``None`` when it is not a JSON object."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def auth_of(value):
    """``iam`` or ``password`` for a stored value (``None`` when neither is set)."""
    if not value:
        return None
    if value.get(IAM_KEY) is True:
        return "iam"
    if value.get("password") is not None:
        return "password"
    return None


def merge_value(current, params, created):
    """``(desired, password_changed)``: the value the secret should hold after the run.

    ``current`` is the stored value (``None`` for a new secret or one that is not JSON);
    ``params`` the module options (``engine``, ``host``, ``port``, ``dbname``, ``username``,
    ``password``, ``auth``, ``update_password``, ``purge_keys``).
    """
    current = dict(current or {})
    if params.get("purge_keys"):
        desired = dict((key, value) for key, value in current.items() if key in SCHEMA_KEYS)
    else:
        desired = dict(current)
    auth = params.get("auth") or ("password" if params.get("password") is not None else auth_of(current))
    # With update_password=on_create the stored credentials belong to whoever rotates them (for
    # example alternating users): the user name goes with its password and is kept too.
    keep_credentials = (auth == "password" and not created and params.get("update_password") == "on_create"
                        and current.get("password") is not None and current.get("username") is not None)
    for key in CONNECTION_KEYS:
        if params.get(key) is not None and not (key == "username" and keep_credentials):
            desired[key] = params[key]
    if created:
        desired.setdefault("engine", DEFAULT_ENGINE)
        desired.setdefault("port", DEFAULT_PORT)
    password_changed = False
    if auth == "iam":
        desired.pop("password", None)
        desired[IAM_KEY] = True
    elif auth == "password":
        desired.pop(IAM_KEY, None)
        given = params.get("password")
        has_password = current.get("password") is not None
        use_given = given is not None and (created or not has_password or params.get("update_password") == "always")
        if use_given:
            password_changed = current.get("password") != given
            desired["password"] = given
    return desired, password_changed


def public_keys(value):
    """The value without its secret keys (what results return)."""
    return dict((key, item) for key, item in (value or {}).items() if key not in SECRET_KEYS)


def redacted(value, changed=False):
    """The value with secret keys replaced by a marker (for the diff)."""
    if value is None:
        return None
    shown = public_keys(value)
    for key in SECRET_KEYS:
        if key in value:
            shown[key] = REDACTED_CHANGED if changed else REDACTED
    return shown


def value_text(value):
    return json.dumps(value, sort_keys=True)
