"""Shared helpers of the rds_instance integration tests (each test file uses its own names)."""

import json
import uuid

import psycopg2
from botocore.exceptions import ClientError

MODULE = "innovate.aws_postgres.rds_instance"
READS = ("Describe", "List", "Get")


def ri_name(prefix):
    """A short unique identifier (the server's socket path under the state dir must stay short)."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def ri_run(ansible, check=False, diff=False, **args):
    return ansible.module(MODULE, args, check=check, diff=diff)


def ri_ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def ri_failed(result, *fragments):
    assert result.get("failed") is True, "expected a failure, got %s" % json.dumps(result, default=str)[:2000]
    for fragment in fragments:
        assert fragment in result["msg"], "%r not in %r" % (fragment, result["msg"])
    assert "Traceback" not in json.dumps(result, default=str)
    return result


def ri_describe(rds, identifier):
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except ClientError as error:
        if error.response["Error"]["Code"] in ("DBInstanceNotFound", "DBInstanceNotFoundFault"):
            return None
        raise


def ri_writes(localenv, services=("rds",)):
    """The write requests (anything but Describe/List/Get) seen since the last reset_requests()."""
    counts = localenv.requests()["by_operation"]
    return dict((key, value) for key, value in counts.items()
                if key.split(":", 1)[0] in services and not key.split(":", 1)[1].startswith(READS))


def ri_requests(localenv, service="rds"):
    return dict((key, value) for key, value in localenv.requests()["by_operation"].items() if key.startswith(service + ":"))


def ri_connect(localenv, record, user, password, dbname="app"):
    conn = psycopg2.connect(host=record["Endpoint"]["Address"], port=record["Endpoint"]["Port"], user=user, password=password,
                            dbname=dbname, sslmode="verify-full", sslrootcert=localenv.ca_bundle, connect_timeout=10)
    conn.autocommit = True
    return conn


def ri_query(conn, statement, params=None):
    with conn.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def ri_delete(rds, identifier):
    """Best-effort cleanup (protection off, no snapshot)."""
    try:
        rds.modify_db_instance(DBInstanceIdentifier=identifier, DeletionProtection=False, ApplyImmediately=True)
        rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
    except ClientError:
        pass


def ri_play(ansible, steps):
    """Run ``steps`` in one ansible-playbook (one process start instead of one per step).

    A step is ``dict(args=..., check=False, diff=False)`` for an rds_instance task, or the
    strings ``"reset"`` (forget the emulator's request counts) and ``"requests"`` (read them;
    the result's ``json`` is the emulator's answer). Returns the results in order.
    """
    control = ansible.localenv.endpoint_url + "/_localenv/requests"
    tasks = []
    for index, step in enumerate(steps):
        name = "step %03d" % index
        if step == "reset":
            tasks.append({"name": name, "ansible.builtin.uri": {"url": control, "method": "DELETE"}, "check_mode": False})
        elif step == "requests":
            tasks.append({"name": name, "ansible.builtin.uri": {"url": control, "method": "GET"}, "check_mode": False})
        else:
            tasks.append({"name": name, MODULE: step["args"], "ignore_errors": True,
                          "check_mode": bool(step.get("check")), "diff": bool(step.get("diff"))})
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]
    run = ansible.playbook(json.dumps(play))
    results = [run.result("step %03d" % index) for index in range(len(run.task_results))]
    if len(results) != len(steps):
        raise AssertionError("the play stopped after %d of %d steps:\n%s\n%s" % (len(results), len(steps), run.stdout[-3000:], run.stderr))
    return results


def ri_step(args, check=False, diff=False):
    return dict(args=args, check=check, diff=diff)


def writes_of(requests_result, services=("rds",)):
    counts = requests_result["json"]["by_operation"]
    return dict((key, value) for key, value in counts.items()
                if key.split(":", 1)[0] in services and not key.split(":", 1)[1].startswith(READS))


def rds_counts_of(requests_result):
    return dict((key, value) for key, value in requests_result["json"]["by_operation"].items() if key.startswith("rds:"))
