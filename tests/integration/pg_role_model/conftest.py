# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures for the pg_role_model integration tests: one RDS-like PostgreSQL 15 server per session.

``rds_pg`` is the server (see pgrm_server.py); ``model_db`` a fresh database owned by the master
user with helpers to name roles uniquely (roles are cluster-wide), to run the module through
ansible-playbook as the master user, and to read the statements each run sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import sys
import uuid

import pytest
from psycopg2 import sql

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pgrm_runner import run_model  # noqa: E402  pylint: disable=wrong-import-position
from pgrm_server import RdsLikeServer  # noqa: E402  pylint: disable=wrong-import-position

_STATEMENT = re.compile(r"app=(?P<app>\S*) user=(?P<user>\S*) db=(?P<db>\S*) LOG:  statement: (?P<sql>.*)")


@pytest.fixture(scope="session")
def rds_pg():
    server = RdsLikeServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


class ModelDatabase:
    """A database of the test, its unique role suffix and the module runs against it."""

    def __init__(self, server, name, suffix, tmp_path):
        self.server = server
        self.name = name
        self.suffix = suffix
        self.tmp_path = tmp_path
        self.runs = 0

    def role(self, base):
        """A cluster-unique role name made from ``base``."""
        return "%s_%s" % (base, self.suffix)

    def params(self, **model):
        params = self.server.module_params(self.name)
        params.update(model)
        return params

    def run(self, check=False, diff=True, extra_env=None, **model):
        """Run the module with ``model``; return ``(result, statements the run sent to the server)``."""
        self.runs += 1
        app = "pgrm-%s-%d" % (self.suffix, self.runs)
        args = self.params(**model)
        args["application_name"] = app
        position = self.server.log_position()
        result, output = run_model(args, check=check, diff=diff, workdir=str(self.tmp_path), extra_env=extra_env)
        result["_output"] = output
        return result, self.statements_since(position, app)

    def statements_since(self, position, app):
        statements = []
        for line in self.server.log_since(position).splitlines():
            match = _STATEMENT.search(line)
            if match and match.group("app") == app:
                statements.append(match.group("sql"))
        return statements

    def admin(self):
        """An autocommit connection to the database as the bootstrap superuser (for assertions)."""
        return self.server.admin(self.name)

    def query(self, text, params=None):
        conn = self.admin()
        try:
            cursor = conn.cursor()
            cursor.execute(text, params)
            return cursor.fetchall() if cursor.description else None
        finally:
            conn.close()

    def execute(self, *statements):
        conn = self.admin()
        try:
            cursor = conn.cursor()
            for statement in statements:
                cursor.execute(statement)
        finally:
            conn.close()

    def connect_as(self, user, password, dbname=None):
        return self.server.connect(user, password, dbname or self.name)


@pytest.fixture
def model_db(rds_pg, tmp_path):
    suffix = uuid.uuid4().hex[:8]
    name = "rm_%s" % suffix
    conn = rds_pg.master()
    try:
        conn.cursor().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    yield ModelDatabase(rds_pg, name, suffix, tmp_path)
    conn = rds_pg.admin()
    try:
        cursor = conn.cursor()
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute("SELECT rolname FROM pg_roles WHERE strpos(rolname, %s) > 0", (suffix,))
        for (role,) in cursor.fetchall():
            cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    finally:
        conn.close()
