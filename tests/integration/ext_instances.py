"""RDS instances of the local environment for the pg_extensions and IAM authentication tests."""

import json
import os
import subprocess
import sys
import uuid

import psycopg2

from harness import REPO, VENV_BIN

MASTER_USER = "master"
MASTER_PASSWORD = "Master-Secret-1"
DB_NAME = "app"


def ext_unique(prefix, length=6):
    """A unique short name: the server's socket path (under the state dir) must stay under 108 bytes."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:length])


class Instance:
    """An emulated RDS for PostgreSQL instance and how to reach its real server."""

    def __init__(self, localenv, rds, identifier, account_id=None, region="us-east-1"):
        self.localenv = localenv
        self.rds = rds
        self.identifier = identifier
        self.account_id = account_id
        self.region = region
        described = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        self.host = described["Endpoint"]["Address"]
        self.port = described["Endpoint"]["Port"]
        self.iam_enabled = described["IAMDatabaseAuthenticationEnabled"]

    def connection_args(self, **overrides):
        args = dict(
            login_host=self.host,
            login_port=self.port,
            login_user=MASTER_USER,
            login_password=MASTER_PASSWORD,
            login_db=DB_NAME,
            ca_bundle=self.localenv.ca_bundle,
        )
        args.update(overrides)
        return args

    def connect(self, user=MASTER_USER, password=MASTER_PASSWORD, dbname=DB_NAME, sslmode="verify-full", port=None):
        conn = psycopg2.connect(
            host=self.host,
            port=port or self.port,
            user=user,
            password=password,
            dbname=dbname,
            sslmode=sslmode,
            sslrootcert=self.localenv.ca_bundle,
            connect_timeout=10,
        )
        conn.autocommit = True
        return conn

    def query(self, statement, params=None):
        conn = self.connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            conn.close()

    def extensions(self):
        return dict(self.query("SELECT extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'"))

    def delete(self):
        self.rds.delete_db_instance(DBInstanceIdentifier=self.identifier, SkipFinalSnapshot=True)


def create_instance(localenv, prefix, parameters=None, iam=True, account_id=None, region="us-east-1"):
    """Create a parameter group with ``parameters`` (when given) and an instance using it."""
    rds = localenv.client("rds", region=region, account_id=account_id)
    identifier = ext_unique(prefix)
    request = dict(
        DBInstanceIdentifier=identifier,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername=MASTER_USER,
        MasterUserPassword=MASTER_PASSWORD,
        DBName=DB_NAME,
        EnableIAMDatabaseAuthentication=iam,
    )
    if parameters:
        group = ext_unique(prefix + "-pg15", 8)
        rds.create_db_parameter_group(
            DBParameterGroupName=group, DBParameterGroupFamily="postgres15", Description="tests of %s" % prefix
        )
        rds.modify_db_parameter_group(
            DBParameterGroupName=group,
            Parameters=[
                dict(ParameterName=name, ParameterValue=value, ApplyMethod="pending-reboot")
                for name, value in sorted(parameters.items())
            ],
        )
        request["DBParameterGroupName"] = group
    rds.create_db_instance(**request)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier)
    return Instance(localenv, rds, identifier, account_id=account_id, region=region)


def ansible_env(localenv):
    env = dict(os.environ, **localenv.env())
    env.update(
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        PATH="%s:%s" % (VENV_BIN, os.environ.get("PATH", "")),
    )
    return env


def run_tasks(localenv, tmp_path, tasks, check=False, diff=False):
    """Run ``tasks`` (the last one registers ``under_test``) and return that task's result.

    ansible-core 2.21 has no ``ansible.builtin.json`` stdout callback (it moved to ansible.posix,
    which is not installed), so the play saves the registered result as JSON with a copy task that
    runs even in check mode.
    """
    result_path = tmp_path / ("result-%s.json" % uuid.uuid4().hex[:8])
    tasks = [dict(task) for task in tasks]
    tasks[-1].update(register="under_test", ignore_errors=True)
    tasks.append({
        "name": "save the result",
        "ansible.builtin.copy": {"content": "{{ under_test | to_json }}", "dest": str(result_path)},
        "check_mode": False,
        "diff": False,
    })
    play = [dict(hosts="localhost", connection="local", gather_facts=False, tasks=tasks)]
    playbook = tmp_path / ("play-%s.yml" % uuid.uuid4().hex[:8])
    playbook.write_text(json.dumps(play))
    argv = [str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", str(playbook)]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    proc = subprocess.run(argv, cwd=str(REPO), env=ansible_env(localenv), capture_output=True, text=True,
                          timeout=600, check=False)
    if not result_path.exists():
        raise AssertionError("the play saved no result (rc=%s):\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr))
    result = json.loads(result_path.read_text())
    result["_output"] = proc.stdout + proc.stderr
    return result


def run_module(localenv, tmp_path, name, args, check=False, diff=False):
    return run_tasks(localenv, tmp_path, [{"name": "module under test", name: args}], check=check, diff=diff)
