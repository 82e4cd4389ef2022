#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pg_drill_writer
short_description: A background writer of sequenced rows for DR drills, and the drill's RPO/RTO accounting
version_added: 0.1.0
description:
  - O(state=start) starts a detached process on the controller that inserts rows C((run_id, seq)) into O(table), one
    transaction each, as fast as O(interval) allows, and logs every acknowledged commit with its sequence number and
    time. On any failure it logs the failed attempt, reconnects and carries on. It creates O(table) when missing and
    returns once the first commit is acknowledged.
  - Every (re)connection reads the connection secret O(secret_id) again (the shape M(innovate.aws_postgres.db_secret)
    writes - host, port, username, password, dbname), so the writer follows a failover as soon as the secret is
    re-pointed (for example by M(innovate.aws_postgres.rds_failover) O(innovate.aws_postgres.rds_failover#module:secrets)).
    Without a secret it uses O(login_host)/O(login_port) - a DNS name that the failover re-points works the same way.
  - O(state=stop) asks the writer to stop and waits for it (O(stop_timeout), then SIGTERM).
  - O(state=report) compares the acknowledged sequence numbers with the rows of O(run_id) on the current primary
    (the secret's host, read now) and returns RPO in rows and seconds, the RTO seen by the client (last acknowledged
    commit before the outage to the first after it) and whether the accounting is consistent
    (acknowledged = present + lost).
  - "O(state=fence) simulates the loss of the old primary in an unplanned-failover drill - on the server
    O(fence_host) (port O(fence_port)) it sets the database's C(CONNECTION LIMIT 0) and ends the other sessions of the
    user in it, so the writer reconnects and follows the (re-pointed) secret. Fenced before the failover, the fence is
    replicated SQL - lift it on the new primary with O(state=unfence), which sets the limit back to -1 (also before a
    failback that reuses the old primary). Fenced after the failover, the commits the old primary acknowledged in
    between are lost (split brain). Both need the database owner (the RDS master user) in the secret or O(login_user)."
author:
  - Innovate platform team (@innovate-platform)
options:
  state:
    description: V(start), V(stop), V(report), V(fence) or V(unfence) (see the description).
    type: str
    choices: [start, stop, report, fence, unfence]
    required: true
  run_id:
    description: The drill run; rows, the log and the process files are per run (letters, digits, C(-), C(_), C(.)).
    type: str
    required: true
  work_dir:
    description: Where the run's directory (configuration, writer script, log, pid) lives on the controller.
    type: path
    default: /tmp/pg_drill_writer
  secret_id:
    description: Name or ARN of the connection secret (read in O(secret_region)). One of O(secret_id) and O(login_host) is required.
    type: str
  secret_region:
    description: The region of O(secret_id) (default - the task's O(region)).
    type: str
  login_host:
    description: Fixed host (for example a DNS name that the failover re-points) when no secret is used.
    type: str
  login_port:
    description: Port with O(login_host).
    type: int
    default: 5432
  login_user:
    description: User with O(login_host).
    type: str
  login_password:
    description: Password with O(login_host) (given to the writer in its environment, never written to a file).
    type: str
  login_db:
    description: The database (default - the secret's C(dbname), else C(postgres)).
    type: str
  table:
    description: The table of the drill rows (created when missing; a plain identifier, optionally schema-qualified).
    type: str
    default: drill_writes
  interval:
    description: Seconds between two writes.
    type: float
    default: 0.05
  sslmode:
    description: libpq C(sslmode).
    type: str
    default: verify-full
    choices: [require, verify-ca, verify-full]
  ca_bundle:
    description: CA bundle for O(sslmode=verify-full) (the RDS global bundle; locally C(LOCALENV_CA_BUNDLE)).
    type: path
  fence_host:
    description: With O(state=fence) or O(state=unfence), the old primary's address (for example RV(primary) of O(state=start)).
    type: str
  fence_port:
    description: The old primary's port.
    type: int
    default: 5432
  start_timeout:
    description: Seconds O(state=start) waits for the first acknowledged commit.
    type: int
    default: 30
  stop_timeout:
    description: Seconds O(state=stop) waits before it terminates the writer.
    type: int
    default: 30
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
attributes:
  check_mode:
    support: full
    description: V(start) and V(stop) only say what they would do; V(report) reads as usual.
  diff_mode:
    support: none
    description: No diff.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller; the writer is a Python process there (with psycopg2 and boto3).
notes:
  - Rows are C((run_id, seq, written_at)) with primary key C((run_id, seq)). A commit whose acknowledgement was lost
    with the connection may still be on the server - reported as RV(unacknowledged_present), never as lost.
  - The writer gets the AWS credentials of this task (after any assumed role) in its environment; assumed-role
    credentials expire after an hour.
seealso:
  - module: innovate.aws_postgres.rds_failover
  - module: innovate.aws_postgres.db_secret
"""

EXAMPLES = r"""
- name: Start writing through the application's connection secret
  innovate.aws_postgres.pg_drill_writer:
    state: start
    run_id: drill-2024-06-01-switchover
    secret_id: prod/app-db/app_writer
    ca_bundle: /etc/ssl/rds-global-bundle.pem

- name: Stop the writer
  innovate.aws_postgres.pg_drill_writer:
    state: stop
    run_id: drill-2024-06-01-switchover

- name: Account for every acknowledged write on the new primary
  innovate.aws_postgres.pg_drill_writer:
    state: report
    run_id: drill-2024-06-01-switchover
    secret_id: prod/app-db/app_writer
    ca_bundle: /etc/ssl/rds-global-bundle.pem
  register: switchover_accounting
"""

RETURN = r"""
pid:
  description: The writer's process id.
  returned: state=start, state=stop
  type: int
log:
  description: Path of the writer's log (one JSON object per line).
  returned: always
  type: str
acknowledged:
  description: Acknowledged commits.
  returned: state=stop, state=report
  type: int
present_acknowledged:
  description: Acknowledged commits found on the current primary.
  returned: state=report
  type: int
lost:
  description: Acknowledged commits missing on the current primary (= RV(rpo_rows)).
  returned: state=report
  type: int
lost_seqs:
  description: The first 100 lost sequence numbers.
  returned: state=report
  type: list
  elements: int
unacknowledged_present:
  description: Rows on the primary whose commit was never acknowledged (the connection broke during the commit).
  returned: state=report
  type: int
failed_attempts:
  description: Failed write attempts.
  returned: state=report
  type: int
rpo_rows:
  description: Rows lost.
  returned: state=report
  type: int
rpo_seconds:
  description: Seconds of acknowledged writes lost (0 when none).
  returned: state=report
  type: float
rto_seconds:
  description: Client-side RTO - from the last acknowledged commit before the outage to the first after it (null without outage).
  returned: state=report
  type: float
outage:
  description: The outage - last_ack_before, first_ack_after (epoch seconds), failed_attempts, seconds, first_error.
  returned: state=report
  type: dict
outage_observed:
  description: Whether the writer saw failed attempts.
  returned: state=report
  type: bool
consistent:
  description: acknowledged = present_acknowledged + lost.
  returned: state=report
  type: bool
primary:
  description: Host and port the writer connected to first (state=start) or the report read (the secret's, now).
  returned: state=start, state=report
  type: dict
fenced:
  description: Host, port and database fenced (or unfenced), and how many sessions were ended.
  returned: state=fence, state=unfence
  type: dict
"""

import os
import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.drill import accounting, process, writer

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_TABLE = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")

ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["start", "stop", "report", "fence", "unfence"], required=True),
    run_id=dict(type="str", required=True),
    work_dir=dict(type="path", default="/tmp/pg_drill_writer"),
    secret_id=dict(type="str"),
    secret_region=dict(type="str", no_log=False),
    login_host=dict(type="str"),
    login_port=dict(type="int", default=5432),
    login_user=dict(type="str"),
    login_password=dict(type="str", no_log=True),
    login_db=dict(type="str"),
    table=dict(type="str", default="drill_writes"),
    interval=dict(type="float", default=0.05),
    sslmode=dict(type="str", choices=["require", "verify-ca", "verify-full"], default="verify-full"),
    ca_bundle=dict(type="path"),
    fence_host=dict(type="str"),
    fence_port=dict(type="int", default=5432),
    start_timeout=dict(type="int", default=30),
    stop_timeout=dict(type="int", default=30),
)


def _input_errors(params):
    errors = []
    if not _RUN_ID.match(params["run_id"]):
        errors.append("run_id: %r must be 1 to 100 letters, digits, '-', '_' or '.', starting with a letter or digit" % params["run_id"])
    if not _TABLE.match(params["table"]):
        errors.append("table: %r must be a lower-case identifier, optionally schema-qualified (schema.table)" % params["table"])
    if params["state"] != "stop" and not params["secret_id"] and not params["login_host"]:
        errors.append("secret_id or login_host is required with state=%s" % params["state"])
    if params["login_host"] and not params["secret_id"] and not params["login_user"]:
        errors.append("login_user is required with login_host")
    if params["state"] in ("fence", "unfence") and not params["fence_host"]:
        errors.append("fence_host is required with state=%s (the old primary's address)" % params["state"])
    if params["interval"] <= 0:
        errors.append("interval: %s must be a positive number of seconds" % params["interval"])
    return errors


def _config(module):
    params = module.params
    config = dict(run_id=params["run_id"], table=params["table"], interval=params["interval"], sslmode=params["sslmode"],
                  sslrootcert=params["ca_bundle"], dbname=params["login_db"])
    if params["secret_id"]:
        config["secret"] = dict(secret_id=params["secret_id"], region=params["secret_region"] or module.session.region,
                                endpoint_url=params.get("endpoint_url"))
    else:
        config["static"] = dict(host=params["login_host"], port=params["login_port"], user=params["login_user"], dbname=params["login_db"])
    return config


def _child_env(module):
    env = dict(os.environ)
    params = module.params
    if params["secret_id"]:
        try:
            credentials = module.session.session.get_credentials().get_frozen_credentials()
        except AWS_EXCEPTIONS as error:
            module.fail_aws(error, doing="reading the AWS credentials for the writer")
        env.update(AWS_ACCESS_KEY_ID=credentials.access_key, AWS_SECRET_ACCESS_KEY=credentials.secret_key)
        if credentials.token:
            env["AWS_SESSION_TOKEN"] = credentials.token
        else:
            env.pop("AWS_SESSION_TOKEN", None)
    if params["login_password"]:
        env["DRILL_PGPASSWORD"] = params["login_password"]
    return env


def _with_password(module, config):
    if module.params["login_password"]:
        os.environ["DRILL_PGPASSWORD"] = module.params["login_password"]
    return config


def _connect(module, config, doing):
    try:
        return writer.connect(_with_password(module, config))
    except AWS_EXCEPTIONS as error:
        module.fail_aws(error, doing="reading secret %s" % module.params["secret_id"])
    except Exception as error:  # pylint: disable=broad-except
        module.fail_json(msg="%s: cannot connect: %s" % (doing, str(error).strip()))
    return None, None


def start(module, paths):
    pid = process.running_pid(paths)
    if pid:
        return dict(changed=False, pid=pid, msg="the writer of run %s is running already" % module.params["run_id"])
    config = _config(module)
    if module.check_mode:
        return dict(changed=True, pid=None, msg="would start the writer")
    conn, settings = _connect(module, config, "creating table %s" % module.params["table"])
    try:
        with conn.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS %s (run_id text NOT NULL, seq bigint NOT NULL, written_at timestamptz NOT NULL "
                           "DEFAULT clock_timestamp(), PRIMARY KEY (run_id, seq))" % module.params["table"])
            cursor.execute("SELECT count(*) FROM %s WHERE run_id = %%s" % module.params["table"], (module.params["run_id"],))
            if cursor.fetchone()[0]:
                module.fail_json(msg="run_id: %s has rows in %s already; use a new run_id per drill phase" % (module.params["run_id"],
                                                                                                              module.params["table"]))
    finally:
        conn.close()
    pid = process.start(paths, config, _child_env(module))
    acks, errors = process.wait_first_write(paths, pid, module.params["start_timeout"])
    if not acks:
        process.stop(paths, 5)
        module.fail_json(msg="the writer acknowledged no commit within %ds: %s" % (
            module.params["start_timeout"], errors[-1]["error"] if errors else "no attempt logged (see %s)" % paths.output), changed=True)
    return dict(changed=True, pid=pid, primary=dict(host=settings["host"], port=settings["port"]))


def stop(module, paths):
    pid = process.running_pid(paths)
    if module.check_mode:
        return dict(changed=pid is not None, pid=pid)
    stopped = process.stop(paths, module.params["stop_timeout"])
    acks, errors = accounting.read_log(process.read_lines(paths))
    return dict(changed=stopped, pid=pid, acknowledged=len(acks), failed_attempts=len(errors))


def report(module, paths):
    lines = process.read_lines(paths)
    if not lines:
        module.fail_json(msg="run_id: no writer log for run %s in %s" % (module.params["run_id"], paths.root))
    acks, errors = accounting.read_log(lines)
    conn, settings = _connect(module, _config(module), "reading the rows of run %s" % module.params["run_id"])
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT seq FROM %s WHERE run_id = %%s" % module.params["table"], (module.params["run_id"],))
            present = [row[0] for row in cursor.fetchall()]
    finally:
        conn.close()
    result = accounting.account(acks, errors, present)
    result.update(changed=False, primary=dict(host=settings["host"], port=settings["port"]),
                  running=process.running_pid(paths) is not None)
    return result


def fence(module, paths):
    config = _config(module)
    target = dict(config)
    target.pop("secret", None)
    settings = None
    if module.params["secret_id"]:
        try:
            values = writer.read_secret(config)
        except AWS_EXCEPTIONS as error:
            module.fail_aws(error, doing="reading secret %s" % module.params["secret_id"])
        settings = dict(user=values["username"], dbname=module.params["login_db"] or values.get("dbname") or "postgres")
        os.environ["DRILL_PGPASSWORD"] = values["password"]
    else:
        settings = dict(user=module.params["login_user"], dbname=module.params["login_db"] or "postgres")
        os.environ["DRILL_PGPASSWORD"] = module.params["login_password"] or ""
    # the maintenance database: a fenced database (CONNECTION LIMIT 0) refuses its owner too
    target["static"] = dict(host=module.params["fence_host"], port=module.params["fence_port"], user=settings["user"], dbname="postgres")
    target["dbname"] = "postgres"
    limit = 0 if module.params["state"] == "fence" else -1
    fenced = dict(host=module.params["fence_host"], port=module.params["fence_port"], database=settings["dbname"], sessions_ended=0)
    if module.check_mode:
        return dict(changed=True, fenced=fenced)
    conn, _settings = _connect(module, target, "%s %s:%s" % (module.params["state"], module.params["fence_host"], module.params["fence_port"]))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT datconnlimit FROM pg_database WHERE datname = %s", (settings["dbname"],))
            row = cursor.fetchone()
            if row is None:
                module.fail_json(msg="login_db: database %s does not exist on %s:%s" % (settings["dbname"], module.params["fence_host"],
                                                                                        module.params["fence_port"]))
            changed = row[0] != limit
            cursor.execute('ALTER DATABASE "%s" CONNECTION LIMIT %d' % (settings["dbname"].replace('"', '""'), limit))
            if limit == 0:
                cursor.execute("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = %s AND pid <> pg_backend_pid() AND usename = current_user", (settings["dbname"],))
                fenced["sessions_ended"] = cursor.fetchone()[0]
                changed = changed or bool(fenced["sessions_ended"])
    except Exception as error:  # pylint: disable=broad-except
        module.fail_json(msg="%s of %s:%s failed: %s" % (module.params["state"], module.params["fence_host"], module.params["fence_port"],
                                                         str(error).strip()))
    finally:
        conn.close()
    return dict(changed=changed, fenced=fenced)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=[["secret_id", "login_host"]], supports_check_mode=True)
    errors = _input_errors(module.params)
    if errors:
        module.fail_json(msg=" | ".join(errors), errors=errors)
    if writer.psycopg2 is None or (module.params["secret_id"] and writer.boto3 is None):
        module.fail_json(msg="pg_drill_writer needs psycopg2 (and boto3 with secret_id) in the controller's Python")
    paths = process.Paths(module.params["work_dir"], module.params["run_id"])
    handler = dict(start=start, stop=stop, report=report, fence=fence, unfence=fence)[module.params["state"]]
    result = handler(module, paths)
    result["log"] = paths.log
    module.exit_json(**result)


if __name__ == "__main__":
    main()
