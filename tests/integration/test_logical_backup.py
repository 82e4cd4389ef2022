"""playbooks/logical_backup.yml against a real PostgreSQL deployment of the local environment.

One RDS instance (managed master password) and one WORM bucket in the backup account: check mode
writes nothing; the run writes a custom-format dump whose sha256 metadata matches the object's
bytes, restorable (pg_restore --list shows the table), SSE-KMS, locked by the bucket's default
retention, whose deletion is refused; a bad pg_dump path fails cleanly.
"""

import hashlib
import json
import subprocess
import uuid

import psycopg2
import pytest
from botocore.exceptions import ClientError

from harness import REPO

DATA, BACKUP = "111111111111", "333333333333"
ROLE = "arn:aws:iam::%s:role/InnovateAutomation"
PG_RESTORE = "/usr/lib/postgresql/15/bin/pg_restore"
TASK = "Dump the databases and upload the dumps"


def lb_unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


@pytest.fixture(scope="module")
def deployment(localenv):
    rds = localenv.client("rds", account_id=DATA)
    identifier = lb_unique("lb")
    rds.create_db_instance(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
                           MasterUsername="dbadmin", ManageMasterUserPassword=True, DBName="app")
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    described = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    secret = json.loads(localenv.client("secretsmanager", account_id=DATA).get_secret_value(
        SecretId=described["MasterUserSecret"]["SecretArn"])["SecretString"])
    conn = psycopg2.connect(host=described["Endpoint"]["Address"], port=described["Endpoint"]["Port"], user=secret["username"],
                            password=secret["password"], dbname="app", sslmode="verify-full", sslrootcert=localenv.ca_bundle)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE lb_items (id int PRIMARY KEY, label text)")
        cursor.execute("INSERT INTO lb_items SELECT g, 'item ' || g FROM generate_series(1, 50) g")
    conn.close()
    yield dict(identifier=identifier, password=secret["password"])
    rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)


@pytest.fixture(scope="module")
def inventory(localenv, deployment, tmp_path_factory):
    bucket = lb_unique("it-lb-dumps")
    host_vars = dict(
        env_name="it", aws_region="us-east-1", aws_endpoint_url=localenv.endpoint_url, aws_access_key="testing",
        aws_secret_key="testing", aws_accounts=dict(data=DATA, backup=BACKUP), aws_assume_role_arn=ROLE % DATA,
        backup_assume_role_arn=ROLE % BACKUP, db_engine="postgres", db_name="app", pg_ca_bundle=localenv.ca_bundle,
        db_logical_backup_bucket=bucket, ansible_connection="local",
    )
    path = tmp_path_factory.mktemp("lb-inventory") / "hosts.json"
    path.write_text(json.dumps({"databases": {"hosts": {deployment["identifier"]: host_vars}}}))
    return dict(path=path, bucket=bucket)


@pytest.fixture(scope="module")
def worm_bucket(localenv, inventory):
    s3 = localenv.client("s3", account_id=BACKUP)
    key_arn = localenv.client("kms", account_id=BACKUP).create_key(Description="logical backup tests")["KeyMetadata"]["Arn"]
    return s3, key_arn


def test_logical_backup_writes_a_locked_restorable_dump(ansible, localenv, deployment, inventory, worm_bucket, tmp_path):
    s3, key_arn = worm_bucket
    created = ansible.module("s3_backup_bucket", dict(
        name=inventory["bucket"], kms_key_id=key_arn, retention_days=1, region="us-east-1", endpoint_url=localenv.endpoint_url,
        access_key="testing", secret_key="testing", assume_role_arn=ROLE % BACKUP))
    assert created.get("failed") is not True, created.get("msg")

    planned = ansible.playbook(REPO / "playbooks" / "logical_backup.yml", inventory=inventory["path"], check=True)
    assert planned.rc == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    assert [o["key"].rsplit("/", 1)[1] for o in planned.result(TASK)["objects"]] == ["app.dump"]
    assert "Versions" not in s3.list_object_versions(Bucket=inventory["bucket"])

    run = ansible.playbook(REPO / "playbooks" / "logical_backup.yml", inventory=inventory["path"])
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert deployment["password"] not in run.stdout + run.stderr
    written = run.result(TASK)["objects"]
    assert len(written) == 1 and written[0]["database"] == "app"
    obj = written[0]
    assert obj["key"].startswith("it/%s/" % deployment["identifier"]) and obj["key"].endswith("/app.dump")
    stats = run.result("Report the objects written")["ansible_stats"]["data"]["logical_backup_objects"]
    assert stats[deployment["identifier"]] == [dict((k, obj[k]) for k in ("key", "size", "sha256", "version_id", "retain_until"))]

    got = s3.get_object(Bucket=inventory["bucket"], Key=obj["key"], VersionId=obj["version_id"])
    body = got["Body"].read()
    assert got["Metadata"]["sha256"] == hashlib.sha256(body).hexdigest() == obj["sha256"]
    assert len(body) == obj["size"] and body.startswith(b"PGDMP")
    assert got["ServerSideEncryption"] == "aws:kms" and got["SSEKMSKeyId"] == key_arn
    assert got["ObjectLockMode"] == "GOVERNANCE" and obj["retain_until"]

    dump = tmp_path / "app.dump"
    dump.write_bytes(body)
    listed = subprocess.run([PG_RESTORE, "--list", str(dump)], capture_output=True, text=True, timeout=60, check=False)
    assert listed.returncode == 0, listed.stderr
    assert "TABLE public lb_items" in listed.stdout and "TABLE DATA public lb_items" in listed.stdout

    with pytest.raises(ClientError) as raised:
        s3.delete_object(Bucket=inventory["bucket"], Key=obj["key"], VersionId=obj["version_id"])
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


def test_a_missing_pg_dump_fails_cleanly_and_writes_nothing(ansible, localenv, deployment, inventory, worm_bucket):
    s3 = worm_bucket[0]
    before = len(s3.list_object_versions(Bucket=inventory["bucket"]).get("Versions", []))
    result = ansible.module("pg_logical_backup", dict(
        databases=["app"], login_host="127.0.0.1", login_user="dbadmin", login_password="not-the-password",
        ssl_root_cert=localenv.ca_bundle, pg_dump_path="/nonexistent/pg_dump", bucket=inventory["bucket"],
        region="us-east-1", endpoint_url=localenv.endpoint_url, access_key="testing", secret_key="testing",
        assume_role_arn=ROLE % BACKUP))
    assert result.get("failed") is True and "pg_dump_path: '/nonexistent/pg_dump' is not an executable file" in result["msg"]
    assert "not-the-password" not in json.dumps(result)
    assert len(s3.list_object_versions(Bucket=inventory["bucket"]).get("Versions", [])) == before
