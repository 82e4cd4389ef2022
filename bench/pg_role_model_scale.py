"""Benchmark: pg_role_model on 50 schemas x 100 tables (5,000 tables with serial keys and sequences).

Starts its own RDS-like PostgreSQL 15 server (TLS verify-full, pgaudit preloaded, log_statement=all;
see tests/integration/pg_role_model/pgrm_server.py), creates the objects as the owner role, then
runs innovate.aws_postgres.pg_role_model through ansible-playbook as the master user (CREATEROLE,
member of rds_superuser, not a superuser) with 4 group roles, 20 logins, and grants and default
privileges for every schema:

  cold    the first converge (roles, memberships, hardening, ~600 grants and default privileges)
  no-op   further runs that change nothing (RUNS of them)

For each run it prints the module time (the module's own ``elapsed``: catalog reads, plan, apply,
without the connection), the wall time of ansible-playbook (its start-up, the module task and a
second task that saves the result), and the SQL statements the run sent, counted from the
server's statement log. It also times one no-op run of the module process itself, started the way
ansible starts it (a new Python interpreter, argument validation, TLS connection, converge).
Prints figures; asserts nothing.

    .venv/bin/python bench/pg_role_model_scale.py [--runs 3] [--schemas 50] [--tables 100]
"""

import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration" / "pg_role_model"))

from pgrm_runner import run_model  # noqa: E402
from pgrm_server import MASTER, RdsLikeServer  # noqa: E402

GROUPS = ("app_owner", "app_ro", "app_rw", "app_exec")
STATEMENT = re.compile(r"app=(\S*) user=\S* db=\S* LOG:  statement: (.*)")


def build_objects(server, schemas, tables):
    conn = server.admin("bench")
    cursor = conn.cursor()
    cursor.execute("CREATE ROLE app_owner NOLOGIN")
    started = time.perf_counter()
    for number in range(schemas):
        schema = "s%02d" % number
        conn.autocommit = False
        cursor.execute("CREATE SCHEMA %s AUTHORIZATION app_owner" % schema)
        cursor.execute("SET ROLE app_owner")
        for table in range(tables):
            cursor.execute("CREATE TABLE %s.t%03d (id serial PRIMARY KEY, payload text)" % (schema, table))
        cursor.execute("CREATE FUNCTION %s.f() RETURNS int LANGUAGE sql AS 'SELECT 1'" % schema)
        cursor.execute("RESET ROLE")
        conn.commit()
    conn.autocommit = True
    conn.close()
    return time.perf_counter() - started


def model(server, schemas):
    names = ["s%02d" % number for number in range(schemas)]
    logins = []
    for number in range(20):
        group = ("app_ro", "app_rw", "app_exec")[number % 3]
        login = dict(name="login%02d" % number, member_of=[group], connection_limit=10)
        if number % 2:
            login["iam"] = True
        else:
            login["password"] = "Bench-pw-%02d" % number
        logins.append(login)
    privileges, defaults = [], []
    for schema in names:
        privileges += [
            dict(role="app_ro", schema=schema, on="schema", privileges=["USAGE"]),
            dict(role="app_ro", schema=schema, on="tables", privileges=["SELECT"]),
            dict(role="app_ro", schema=schema, on="sequences", privileges=["SELECT"]),
            dict(role="app_rw", schema=schema, on="schema", privileges=["USAGE"]),
            dict(role="app_rw", schema=schema, on="tables", privileges=["SELECT", "INSERT", "UPDATE", "DELETE"]),
            dict(role="app_rw", schema=schema, on="sequences", privileges=["USAGE", "SELECT"]),
            dict(role="app_exec", schema=schema, on="schema", privileges=["USAGE"]),
            dict(role="app_exec", schema=schema, on="functions", privileges=["EXECUTE"]),
        ]
        defaults += [
            dict(owner="app_owner", role="app_ro", schema=schema, on="tables", privileges=["SELECT"]),
            dict(owner="app_owner", role="app_ro", schema=schema, on="sequences", privileges=["SELECT"]),
            dict(owner="app_owner", role="app_rw", schema=schema, on="tables", privileges=["SELECT", "INSERT", "UPDATE", "DELETE"]),
            dict(owner="app_owner", role="app_rw", schema=schema, on="sequences", privileges=["USAGE", "SELECT"]),
            dict(owner="app_owner", role="app_exec", schema=schema, on="functions", privileges=["EXECUTE"]),
        ]
    args = server.module_params("bench")
    args.update(
        groups=[dict(name=name) for name in GROUPS],
        logins=logins,
        schemas=[dict(name=schema, owner="app_owner") for schema in names],
        privileges=privileges,
        default_privileges=defaults,
        audit=dict(database=["ddl", "role"], roles=[dict(role="login00", log=["write"])]),
        purge=True,
    )
    return args


def run(server, args, label):
    app = "bench-%s" % label
    args = dict(args, application_name=app)
    position = server.log_position()
    started = time.perf_counter()
    result, output = run_model(args)
    wall = time.perf_counter() - started
    if result.get("failed"):
        sys.exit("%s run failed: %s\n%s" % (label, result.get("msg"), output[-3000:]))
    sent = [match.group(2) for match in map(STATEMENT.search, server.log_since(position).splitlines())
            if match and match.group(1) == app]
    reads = [s for s in sent if s.upper().startswith(("SELECT", "WITH"))]
    return dict(label=label, changed=result["changed"], module=result["elapsed"], wall=wall, sent=len(sent),
                reads=len(reads), other=[s for s in sent if s not in reads], planned=len(result["statements"]),
                queries=result["queries"])


def module_process(args):
    """Wall seconds of one run of the module file as a process (ANSIBLE_MODULE_ARGS), and its result."""
    handle, path = tempfile.mkstemp(suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump({"ANSIBLE_MODULE_ARGS": dict(args, application_name="bench-process")}, out)
    env = dict(os.environ, PYTHONPATH=str(REPO / ".collections"))
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, str(REPO / "plugins" / "modules" / "pg_role_model.py"), path],
                              capture_output=True, text=True, env=env, check=False)
    finally:
        os.unlink(path)
    wall = time.perf_counter() - started
    return wall, json.loads(done.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="no-op runs after the cold converge")
    parser.add_argument("--schemas", type=int, default=50)
    parser.add_argument("--tables", type=int, default=100)
    options = parser.parse_args()
    server = RdsLikeServer()
    try:
        server.start()
        conn = server.master()
        conn.cursor().execute("CREATE DATABASE bench")
        conn.close()
        build = build_objects(server, options.schemas, options.tables)
        counts = server.admin("bench").cursor()
        counts.execute("SELECT count(*) FILTER (WHERE relkind = 'r'), count(*) FILTER (WHERE relkind = 'S')"
                       " FROM pg_class WHERE relnamespace::regnamespace::text ~ '^s[0-9]+$'")
        tables, sequences = counts.fetchone()
        args = model(server, options.schemas)
        print("objects: %d schemas, %d tables, %d sequences (built in %.1f s); model: %d groups, %d logins, "
              "%d privilege entries, %d default privilege entries; connecting as %s (not a superuser)"
              % (options.schemas, tables, sequences, build, len(args["groups"]), len(args["logins"]),
                 len(args["privileges"]), len(args["default_privileges"]), MASTER))
        results = [run(server, args, "cold")]
        results += [run(server, args, "noop%d" % number) for number in range(1, options.runs + 1)]
        header = ("run", "changed", "module (s)", "wall (s)", "planned", "sent", "reads", "other statements sent")
        print("%-6s %-8s %12s %12s %10s %10s %8s  %s" % header)
        for row in results:
            other = row["other"] if row["label"] != "cold" else "%d (BEGIN, the plan, COMMIT, ...)" % len(row["other"])
            print("%-6s %-8s %12.3f %12.2f %10d %10d %8d  %s" % (row["label"], row["changed"], row["module"], row["wall"],
                                                                 row["planned"], row["sent"], row["reads"], other))
        noop = results[1:]
        if noop:
            print("no-op: module time median %.3f s (max %.3f s), ansible-playbook wall median %.2f s, %d catalog queries, "
                  "statements sent per run: %s"
                  % (statistics.median(r["module"] for r in noop), max(r["module"] for r in noop),
                     statistics.median(r["wall"] for r in noop), noop[0]["queries"], sorted(set(r["sent"] for r in noop))))
        wall, result = module_process(args)
        print("no-op module process (python start-up, argument validation, TLS connection, converge): %.2f s, changed=%s"
              % (wall, result.get("changed")))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
