# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A login attempt as another role with the task's connection options (host, port, database, TLS).

The answer is ``True`` (the server accepted the password), ``False`` (the server refused it: wrong
password, expired ``VALID UNTIL`` or ``NOLOGIN``), or :class:`AttemptError` for anything else
(network, TLS, a missing database), so that an unreachable server is never taken for a refused password.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import (
    PostgresConnectionError,
    connect,
)

#: Messages of the server when it refuses a login (SQLSTATE 28P01 / 28000); libpq gives no SQLSTATE on connect.
REFUSED = ("password authentication failed", "is not permitted to log in", "authentication failed for user")


class AttemptError(Exception):
    pass


def login_params(params, role, password):
    """The connection options of ``params`` for ``role`` with ``password`` (never an IAM token)."""
    attempt = dict((key, params.get(key)) for key in (
        "login_host", "login_port", "login_db", "sslmode", "ca_bundle", "connect_timeout"))
    attempt.update(login_user=role, login_password=password, iam_auth=False,
                   application_name="innovate.aws_postgres login check")
    return attempt


def accepts(params, role, password):
    """Whether the server lets ``role`` log in with ``password``."""
    try:
        conn = connect(login_params(params, role, password))[0]
    except PostgresConnectionError as exc:
        if any(text in exc.msg for text in REFUSED):
            return False
        raise AttemptError(exc.msg)
    conn.close()
    return True
