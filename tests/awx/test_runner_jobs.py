"""Job templates of awx/vars run as AWX runs them (awx_job.Job: private data directory +
ansible-runner) against a private local environment: site.yml converges one deployment, the day-2
playbooks run after it, a bad answer fails the job, and no secret reaches the job events."""

import json
import pathlib

import psycopg2
import pytest

from awx_job import Job, copy_project, install_collection

DATA_ACCOUNT = "111111111111"
ACCESS_KEY = "AKIAAWXRUNNERJOBS0001"
SECRET_KEY = "awx-runner-secret-key-0c1d2e3f4a5b6c7d"


def template(controller, playbook):
    matches = [item for item in controller["controller_templates"] if item["playbook"] == playbook]
    assert len(matches) == 1, playbook
    return matches[0]


@pytest.fixture(name="awx", scope="module")
def fixture_awx(controller, localenv, collection_tarball, tmp_path_factory):
    """What jobs of one project revision share: the project copy and the installed collection."""
    base = tmp_path_factory.mktemp("awx")
    copy_project(base / "project")
    install_collection(collection_tarball, base / "requirements_collections", cwd=base / "project")
    credential_type = next(item for item in controller["controller_credential_types"] if item["name"] == "AWS assume-role into an account")
    counter = iter(range(1, 1000))

    def launch(playbook, answers=None, limit=None, job_type=None, extra_vars=None):
        """Launch the template of ``playbook``; ``extra_vars`` are the template's own extra vars
        for this deployment (deployment-specific settings a survey does not ask for)."""
        job_template = template(controller, playbook)
        if extra_vars:
            job_template = dict(job_template, extra_vars=dict(job_template.get("extra_vars") or {}, **extra_vars))
        job = Job(base / ("job%d" % next(counter)), job_template, answers=answers, limit=limit, job_type=job_type,
                  credentials=[(credential_type, {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY,
                                                  "role_arn": "arn:aws:iam::%s:role/InnovateAutomation" % DATA_ACCOUNT})],
                  environment={"AWS_ENDPOINT_URL": localenv.endpoint_url, "LOCALENV_CA_BUNDLE": localenv.ca_bundle,
                               "AWS_DEFAULT_REGION": "us-east-1"})
        assert job.survey_errors == [], "the controller would refuse this launch: %s" % job.survey_errors
        job.prepare(collection_tarball, project=base / "project", collections=base / "requirements_collections")
        return job.run()

    return launch


def deployment_secrets(localenv):
    """Every password the local environment holds for app-db (master and application logins)."""
    client = localenv.client("secretsmanager", account_id=DATA_ACCOUNT)
    passwords = []
    for page in client.get_paginator("list_secrets").paginate():
        for entry in page["SecretList"]:
            value = client.get_secret_value(SecretId=entry["ARN"]).get("SecretString", "")
            try:
                password = json.loads(value).get("password")
            except ValueError:
                continue
            if password:
                passwords.append(password)
    return passwords


def secret_value(localenv, secret_id):
    client = localenv.client("secretsmanager", account_id=DATA_ACCOUNT)
    return json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])


def connect(localenv, login):
    """A session on app-db as one of its logins, with the password of its connection secret."""
    secret = secret_value(localenv, "local/app-db/%s" % login)
    instance = localenv.client("rds", account_id=DATA_ACCOUNT).describe_db_instances(DBInstanceIdentifier="app-db")["DBInstances"][0]
    conn = psycopg2.connect(host=instance["Endpoint"]["Address"], port=instance["Endpoint"]["Port"], dbname="app", user=login,
                            password=secret["password"], sslmode="verify-full", sslrootcert=localenv.ca_bundle, connect_timeout=10)
    conn.autocommit = True
    return conn


@pytest.fixture(name="app_data", scope="module")
def fixture_app_data(site_job, localenv):
    """What the application's own migrations would have done by now: a table with rows (made by
    app_migrator as the schema owner, so app_rw gets its default privileges), then last night's
    snapshot (site.yml's own snapshot of a new deployment predates pg_bootstrap's logins)."""
    assert site_job.status == "successful", site_job.explain()
    conn = connect(localenv, "app_migrator")
    with conn.cursor() as cursor:
        cursor.execute("SET ROLE app_owner")
        cursor.execute("CREATE TABLE IF NOT EXISTS app.orders (id serial PRIMARY KEY, customer text NOT NULL, note text)")
        cursor.execute("INSERT INTO app.orders (customer, note) SELECT 'customer-' || g, 'order ' || g FROM generate_series(1, 20) g")
    conn.close()
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.create_db_snapshot(DBInstanceIdentifier="app-db", DBSnapshotIdentifier="app-db-awx-nightly")
    rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier="app-db-awx-nightly", WaiterConfig={"Delay": 2, "MaxAttempts": 90})
    return "app-db-awx-nightly"


@pytest.fixture(name="site_job", scope="module")
def fixture_site_job(awx):
    return awx("site.yml", answers={"db_reboot_for_pending": "never"}, limit="app-db")


def test_site_converges_one_deployment_like_a_controller_job(site_job, localenv):
    assert site_job.status == "successful", site_job.explain()
    assert site_job.rc == 0
    stats = site_job.stats
    assert set(stats["ok"]) == {"app-db"}, "the limit is the deployment"
    assert stats["changed"]["app-db"] > 0 and not stats["failures"] and not stats["dark"]
    names = site_job.task_names()
    assert {"Check the subnet selection", "Check the endpoint and the role model"} <= names, names
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    instance = rds.describe_db_instances(DBInstanceIdentifier="app-db")["DBInstances"][0]
    assert instance["DBInstanceStatus"] == "available" and instance["StorageEncrypted"]
    assert not rds.describe_db_clusters()["DBClusters"], "orders-aurora is outside the limit"
    events = {event["event"] for event in site_job.events}
    assert {"playbook_on_start", "playbook_on_task_start", "runner_on_ok", "playbook_on_stats"} <= events


def test_no_secret_reaches_the_job_events(site_job, localenv):
    secrets = [SECRET_KEY] + deployment_secrets(localenv)
    assert len(secrets) >= 2, "app-db's master password is managed in Secrets Manager"
    assert site_job.leaked(*secrets) == []
    envvars = json.loads((site_job.pdd / "env" / "envvars").read_text())
    assert SECRET_KEY not in json.dumps(envvars), "the credential's secret is only in its injected file"


def test_the_job_ran_the_collection_installed_from_the_tarball(site_job):
    envvars = json.loads((site_job.pdd / "env" / "envvars").read_text())
    assert envvars["ANSIBLE_COLLECTIONS_PATH"].split(":")[0] == str(site_job.pdd / "requirements_collections")
    assert not (site_job.pdd / "project" / ".git").exists()
    manifest = json.loads((site_job.pdd / "requirements_collections" / "ansible_collections" / "innovate" / "aws_postgres"
                           / "MANIFEST.json").read_text())
    assert manifest["collection_info"]["name"] == "aws_postgres"
    assert (site_job.pdd / "env" / "cmdline").read_text().startswith("--limit app-db")


def test_posture_audit_job_publishes_its_reports(site_job, awx):
    assert site_job.status == "successful"
    job = awx("playbooks/posture_audit.yml", answers={"posture_fail_on_severity": "none", "posture_inspect_databases": "false"})
    assert job.status == "successful", job.explain()
    assert job.rc == 0
    artifacts = job.artifact_data()
    assert artifacts["posture_report_paths"], artifacts
    for path in artifacts["posture_report_paths"].values() if isinstance(artifacts["posture_report_paths"], dict) \
            else artifacts["posture_report_paths"]:
        assert pathlib.Path(path).is_file(), path
    assert artifacts["posture_summary"], artifacts
    assert any("report" in (name or "").lower() for name in job.task_names())
    assert job.leaked(SECRET_KEY) == []


def test_restore_test_job(app_data, awx, localenv):
    job = awx("playbooks/restore_test.yml", answers={"restore_test_pitr": "false", "restore_test_smoke_table": "app.orders"}, limit="app-db",
              extra_vars={"restore_test_smoke_values": {"customer": "awx-smoke", "note": "rolled back"}})
    assert job.status == "successful", job.explain()
    assert job.rc == 0 and set(job.stats["ok"]) == {"app-db"}
    # The report the job leaves in the project directory.
    reports = sorted((job.pdd / "project" / "reports" / "restore_test").glob("app-db-*.json"))
    assert len(reports) == 1, reports
    report = json.loads(reports[0].read_text())
    assert report["verdict"] == "PASS" and report["comparisons"]["snapshot"]["matches"]
    assert app_data in json.dumps(report["snapshot"]), "the newest snapshot was restored"
    assert job.leaked(SECRET_KEY, *deployment_secrets(localenv)) == []
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    assert [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]
            if i["DBInstanceIdentifier"] not in ("app-db", "app-db-replica1")] == [], "the temporary instances are deleted"


def test_dr_drill_job(app_data, awx, localenv):
    """A planned Multi-AZ failover drill (the template's default phase) with a drill login that owns
    its schema, so the writer can create its table."""
    assert app_data
    app_rw = secret_value(localenv, "local/app-db/app_rw")
    master_arn = localenv.client("rds", account_id=DATA_ACCOUNT).describe_db_instances(
        DBInstanceIdentifier="app-db")["DBInstances"][0]["MasterUserSecret"]["SecretArn"]
    master = secret_value(localenv, master_arn)
    admin = psycopg2.connect(host=app_rw["host"], port=app_rw["port"], dbname="app", user=master["username"], password=master["password"],
                             sslmode="verify-full", sslrootcert=localenv.ca_bundle, connect_timeout=10)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("CREATE ROLE awx_drill LOGIN PASSWORD %s", ("awx-drill-password-5e6f7a",))
        cursor.execute("GRANT awx_drill TO CURRENT_USER")
        cursor.execute("CREATE SCHEMA AUTHORIZATION awx_drill")
        cursor.execute("GRANT CONNECT ON DATABASE app TO awx_drill")
    admin.close()
    localenv.client("secretsmanager", account_id=DATA_ACCOUNT).create_secret(
        Name="local/app-db/awx_drill", SecretString=json.dumps(dict(app_rw, username="awx_drill", password="awx-drill-password-5e6f7a")))
    job = awx("playbooks/dr_drill.yml", answers={"drill_app_login": "awx_drill"}, limit="app-db")
    assert job.status == "successful", job.explain()
    assert job.rc == 0
    assert job.artifact_data().get("dr_drill"), "dr_drill.yml publishes RPO / RTO with set_stats"
    assert job.leaked(SECRET_KEY, "awx-drill-password-5e6f7a", *deployment_secrets(localenv)) == []


def test_a_bad_answer_the_survey_accepts_fails_the_job_cleanly(app_data, awx):
    assert app_data
    job = awx("playbooks/restore_test.yml", answers={"restore_test_pitr": "false", "restore_test_snapshot_identifier": "no-such-snapshot"},
              limit="app-db")
    assert job.status == "failed" and job.rc != 0
    assert job.stats["failures"].get("app-db"), job.explain()
    failed = job.failed_tasks()
    assert failed and all(host == "app-db" for host, _task, _msg in failed)
    assert "no-such-snapshot" in json.dumps(failed), failed
    assert job.leaked(SECRET_KEY) == []


def test_an_answer_outside_the_survey_is_refused_at_launch(controller):
    job = Job(pathlib.Path("/nonexistent"), template(controller, "site.yml"), answers={"db_reboot_for_pending": "sometimes"})
    assert job.survey_errors and "is not one of the choices" in job.survey_errors[0]
