"""Check the access model pg_bootstrap converged, as the login roles themselves (over verify-full TLS).

Reads one JSON object on stdin: host, port, dbname, ca_bundle and the credentials
(master, app_rw, app_migrator passwords; an IAM token for reporting). Prints one JSON report
(never a credential) and exits 1 when a check fails.
"""

import json
import sys

import psycopg2
from psycopg2 import errors

EXTENSIONS = {"pgaudit", "pg_stat_statements", "pg_trgm", "uuid-ossp", "pgcrypto"}


class Checker:
    def __init__(self, config):
        self.config = config
        self.results = []

    def connect(self, user, password, dbname=None):
        conn = psycopg2.connect(host=self.config["host"], port=self.config["port"], dbname=dbname or self.config["dbname"], user=user,
                                password=password, sslmode="verify-full", sslrootcert=self.config["ca_bundle"], connect_timeout=10)
        conn.autocommit = True
        return conn

    def check(self, name, passed, detail=""):
        self.results.append({"check": name, "passed": bool(passed), "detail": detail})

    def refused(self, conn, statement, name):
        """The statement fails with insufficient_privilege."""
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement)
        except errors.InsufficientPrivilege as e:
            self.check(name, True, str(e).strip().splitlines()[0])
            return
        except psycopg2.Error as e:
            self.check(name, False, "unexpected error: %s" % str(e).strip().splitlines()[0])
            return
        self.check(name, False, "the statement succeeded")

    def run(self):
        creds = self.config["credentials"]
        master = self.connect(creds["master_user"], creds["master_password"])
        with master.cursor() as cursor:
            cursor.execute("SELECT extname FROM pg_extension")
            installed = {row[0] for row in cursor.fetchall()}
            self.check("extensions are installed", EXTENSIONS <= installed, ", ".join(sorted(installed)))
            cursor.execute("SELECT r.rolname, s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
                           "JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database()")
            settings = dict(cursor.fetchall())
            self.check("pgaudit logs DDL, role changes and writes of app_migrator",
                       "pgaudit.log=ddl,role,write" in (settings.get("app_migrator") or []), json.dumps(settings))
            cursor.execute("SELECT pg_has_role('reporting', 'rds_iam', 'MEMBER')")
            self.check("reporting authenticates with IAM (member of rds_iam)", cursor.fetchone()[0])
            cursor.execute("DROP ROLE IF EXISTS molecule_outsider")
            cursor.execute("CREATE ROLE molecule_outsider LOGIN PASSWORD 'Outsider-pw-1'")

        migrator = self.connect("app_migrator", creds["app_migrator_password"])
        with migrator.cursor() as cursor:
            cursor.execute("SET ROLE app_owner")
            cursor.execute("CREATE TABLE IF NOT EXISTS app.items (id serial PRIMARY KEY, name text NOT NULL)")
            cursor.execute("INSERT INTO app.items (name) VALUES ('from the migrator')")
            self.check("the migrator creates tables as the schema owner", True)

        app_rw = self.connect("app_rw", creds["app_rw_password"])
        with app_rw.cursor() as cursor:
            cursor.execute("INSERT INTO app.items (name) VALUES ('from the application') RETURNING id")
            self.check("app_rw writes a table created after the model (default privileges)", cursor.fetchone()[0] > 0)
        self.refused(app_rw, "CREATE TABLE app.not_allowed (id int)", "app_rw cannot run DDL in the app schema")
        self.refused(app_rw, "CREATE TABLE public.not_allowed (id int)", "app_rw cannot create in public")

        reporting = self.connect("reporting", creds["reporting_token"])
        with reporting.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM app.items")
            self.check("reporting reads with an IAM token", cursor.fetchone()[0] >= 2)
        self.refused(reporting, "INSERT INTO app.items (name) VALUES ('nope')", "reporting cannot write")

        try:
            self.connect("molecule_outsider", "Outsider-pw-1").close()
            self.check("a role outside the model cannot connect (PUBLIC has no CONNECT)", False, "it connected")
        except psycopg2.OperationalError as e:
            self.check("a role outside the model cannot connect (PUBLIC has no CONNECT)", "permission denied" in str(e),
                       str(e).strip().splitlines()[0])
        with master.cursor() as cursor:
            cursor.execute("DROP ROLE molecule_outsider")
        for conn in (master, migrator, app_rw, reporting):
            conn.close()


def main():
    checker = Checker(json.load(sys.stdin))
    try:
        checker.run()
    except psycopg2.Error as e:
        checker.check("no unexpected database error", False, str(e).strip().splitlines()[0])
    print(json.dumps({"results": checker.results}, indent=1))
    sys.exit(0 if all(result["passed"] for result in checker.results) else 1)


if __name__ == "__main__":
    main()
