# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The drill writer: a standalone process that inserts sequenced rows until told to stop.

Run as ``python writer.py CONFIG.json`` (``pg_drill_writer`` copies this file into the drill's work directory and
starts it detached). Each attempt inserts ``(run_id, seq)`` in its own transaction (autocommit) and, once the commit
is acknowledged, appends ``{"event": "ack", "seq", "ts", "host", "port"}`` to the log; a failed attempt appends
``{"event": "error", ...}``, drops the connection and reconnects. Every (re)connection reads the connection
secret again (``db_secret`` shape: host, port, username, password, dbname), so the writer follows a failover once
the secret is re-pointed; without a secret it uses the fixed host/port of the configuration. It stops when the stop
file exists. The database password is never written to the log or the configuration (a fixed one comes from the
``DRILL_PGPASSWORD`` environment variable).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys
import time

try:
    import psycopg2
except ImportError:  # pragma: no cover - checked by pg_drill_writer before starting
    psycopg2 = None

try:
    import boto3
except ImportError:  # pragma: no cover
    boto3 = None


def read_secret(config):
    secret = config["secret"]
    client = boto3.client("secretsmanager", region_name=secret.get("region"), endpoint_url=secret.get("endpoint_url") or None)
    return json.loads(client.get_secret_value(SecretId=secret["secret_id"])["SecretString"])


def target(config):
    """Connection settings: from the secret (read now) or the fixed ones of the configuration."""
    if config.get("secret"):
        values = read_secret(config)
        return dict(host=values["host"], port=int(values.get("port") or 5432), user=values["username"], password=values["password"],
                    dbname=config.get("dbname") or values.get("dbname") or "postgres")
    fixed = config["static"]
    return dict(host=fixed["host"], port=int(fixed.get("port") or 5432), user=fixed["user"], password=os.environ.get("DRILL_PGPASSWORD", ""),
                dbname=fixed.get("dbname") or "postgres")


def connect(config):
    settings = target(config)
    conn = psycopg2.connect(host=settings["host"], port=settings["port"], user=settings["user"], password=settings["password"],
                            dbname=settings["dbname"], sslmode=config.get("sslmode") or "verify-full",
                            sslrootcert=config.get("sslrootcert") or None, connect_timeout=int(config.get("connect_timeout") or 3),
                            application_name="pg_drill_writer", options="-c statement_timeout=%d" % int(config.get("statement_timeout_ms") or 3000))
    conn.autocommit = True
    return conn, settings


def insert_statement(table):
    return "INSERT INTO %s (run_id, seq) VALUES (%%s, %%s)" % table


def run(config, log, clock=time.time, sleep=time.sleep, connector=connect):
    """The loop; returns the number of acknowledged commits."""
    statement = insert_statement(config.get("table") or "drill_writes")
    interval = float(config.get("interval") or 0.05)
    stop_file = config["stop_file"]
    seq = int(config.get("first_seq") or 1)
    acknowledged = 0
    conn, settings = None, None
    while not os.path.exists(stop_file):
        try:
            if conn is None:
                conn, settings = connector(config)
            with conn.cursor() as cursor:
                cursor.execute(statement, (config["run_id"], seq))
            log.write(json.dumps(dict(event="ack", seq=seq, ts=clock(), host=settings["host"], port=settings["port"])) + "\n")
            log.flush()
            acknowledged += 1
            seq += 1
            sleep(interval)
        except Exception as error:  # pylint: disable=broad-except
            log.write(json.dumps(dict(event="error", seq=seq, ts=clock(), error=str(error).strip().splitlines()[0][:300] if str(error).strip()
                                      else error.__class__.__name__)) + "\n")
            log.flush()
            seq += 1
            if conn is not None:
                try:
                    conn.close()
                except Exception:  # pylint: disable=broad-except
                    pass
            conn = None
            sleep(min(interval * 2, 0.2))
    if conn is not None:
        conn.close()
    return acknowledged


def main(path):
    with open(path) as handle:
        config = json.load(handle)
    with open(config["log"], "a") as log:
        log.write(json.dumps(dict(event="start", ts=time.time(), pid=os.getpid())) + "\n")
        log.flush()
        count = run(config, log)
        log.write(json.dumps(dict(event="stop", ts=time.time(), acknowledged=count)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
