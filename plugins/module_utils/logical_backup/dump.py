# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run ``pg_dump -Fc`` of one database into a file, with the password in the environment only.

The password is passed as ``PGPASSWORD`` in the child's environment, never on its command line
(which other users of the host can read). TLS settings are passed as ``PGSSLMODE`` and
``PGSSLROOTCERT``. The time limit is coreutils' ``timeout`` (exit status 124).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import shutil

CHUNK = 1024 * 1024
TIMED_OUT = 124


class DumpError(Exception):
    pass


def dump_command(pg_dump, host, port, user, database, path):
    return [pg_dump, "--format=custom", "--no-password", "--host", host, "--port", str(port),
            "--username", user, "--dbname", database, "--file", path]


def dump_environment(password, sslmode, root_cert):
    """The variables added to pg_dump's environment."""
    env = dict(PGPASSWORD=password, PGSSLMODE=sslmode, PGCONNECT_TIMEOUT="10")
    if root_cert:
        env["PGSSLROOTCERT"] = root_cert
    return env


def run_dump(run_command, command, env, timeout, password):
    """Run pg_dump with ``run_command`` (AnsibleModule's); raise ``DumpError`` with its stderr (never the password)."""
    database = command[command.index("--dbname") + 1]
    limiter = shutil.which("timeout")
    full = ([limiter, str(timeout)] if limiter else []) + command
    rc, out, err = run_command(full, environ_update=env)
    if rc == TIMED_OUT and limiter:
        raise DumpError("pg_dump of %s did not finish within %d seconds" % (database, timeout))
    if rc != 0:
        message = (err or out or "").strip()
        if password:
            message = message.replace(password, "********")
        raise DumpError("pg_dump of %s failed (exit %d): %s" % (database, rc, message))


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()
