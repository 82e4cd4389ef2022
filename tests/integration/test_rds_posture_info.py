"""rds_posture_info against the local AWS environment.

A compliant deployment made by playbooks/site.yml alone (--limit app-db), and a deliberately non-compliant
instance made with boto3 (public, unencrypted, no backups, rds.force_ssl=0, PUBLIC CREATE on
public). Every expectation is checked against the module's findings, and the request count
against the emulator's own count.
"""

import json

import psycopg2
import pytest
import yaml

MODULE = "innovate.aws_postgres.rds_posture_info"
DATA_ACCOUNT = "111111111111"
ROLE = "arn:aws:iam::%s:role/InnovateAutomation" % DATA_ACCOUNT
READS = ("Describe", "List", "Get", "AssumeRole")
FINDING_KEYS = {"control_id", "title", "resource_type", "resource_id", "resource_arn", "account_id", "region", "status", "severity",
                "evidence", "remediation"}
BAD = "posture-bad"
BAD_GROUP = "posture-bad-pg15"
# RDS.4: the emulator records an automated snapshot at creation, and this one is unencrypted too.
BAD_FAILURES = {"RDS.4", "RDS.2", "RDS.3", "RDS.11", "RDS.20", "RDS.21", "RDS.26", "RDS.38", "IAP.1", "IAP.4", "IAP.7", "IAP.8", "IAP.14"}


def audit(ansible, check=False, **args):
    params = dict(region="us-east-1", assume_role_arn=ROLE, ca_bundle=ansible.localenv.ca_bundle)
    params.update(args)
    return ansible.module(MODULE, params, check=check)


def failed(result):
    return {(item["control_id"], item["resource_id"]) for item in result["findings"] if item["status"] == "FAIL"}


def writes(localenv):
    return {op: n for op, n in localenv.requests()["by_operation"].items()
            if op.split(":", 1)[1] not in ("GET", "HEAD") and not op.split(":", 1)[1].startswith(READS)}


@pytest.fixture(scope="module")
def compliant(localenv, tmp_path_factory):
    from harness import Ansible

    runner = Ansible(localenv, tmp_path_factory.mktemp("posture-site"))
    # The nightly DR snapshot copy and the logical backup bucket decide no control: left out to save time.
    site = runner.playbook("playbooks/site.yml", inventory="inventories/local", limit="app-db",
                           extra_vars=dict(rds_backup_snapshot_copy_enabled=False, rds_backup_bucket_enabled=False))
    assert site.rc == 0, site.stdout[-4000:] + site.stderr[-2000:]
    before = writes(localenv)
    result = audit(runner, check=True, identifiers=["app-db", "app-db-replica1"])
    return runner, result, before, writes(localenv)


def test_a_site_deployment_passes_every_applicable_control(compliant):
    runner, result, before, after = compliant
    del runner
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is False
    assert after == before, "the audit made no write request"
    assert result["account_id"] == DATA_ACCOUNT and result["region"] == "us-east-1"
    assert result["resources"]["db_instances"] == 2 and result["resources"]["databases"] == 1
    assert result["resources"]["db_parameter_groups"] == 1
    for item in result["findings"]:
        assert set(item) == FINDING_KEYS
        assert item["status"] in ("PASS", "FAIL", "NOT_APPLICABLE")
        assert item["account_id"] == DATA_ACCOUNT and item["region"] == "us-east-1"
        assert set(item["evidence"]) == {"field", "value"}
    assert failed(result) == set()
    passed = {(item["control_id"], item["resource_id"]) for item in result["findings"] if item["status"] == "PASS"}
    for control in ("RDS.2", "RDS.3", "RDS.6", "RDS.8", "RDS.9", "RDS.10", "RDS.11", "RDS.13", "RDS.17", "RDS.20", "RDS.22", "RDS.25",
                    "RDS.26", "RDS.36", "RDS.38", "RDS.46", "IAP.1", "IAP.2", "IAP.3", "IAP.4", "IAP.5", "IAP.6", "IAP.7", "IAP.8",
                    "IAP.10", "IAP.11"):
        assert (control, "app-db") in passed, control
    assert ("IAP.5", "app-db-replica1") in passed, "the replica has Performance Insights too"
    assert ("IAP.16", "app-db/app") in passed, "password logins expire (pg_bootstrap_password_max_age_days)"
    assert ("RDS.21", "app-db-postgres15") in passed
    assert {("IAP.14", "app-db/app"), ("IAP.15", "app-db/app")} <= passed, "checked inside PostgreSQL over verify-full TLS"
    statuses = {(item["control_id"], item["resource_id"]): item["status"] for item in result["findings"]}
    assert statuses[("RDS.5", "app-db")] == "NOT_APPLICABLE", "Multi-AZ is a production check"
    assert statuses[("RDS.11", "app-db-replica1")] == "NOT_APPLICABLE"
    summary = result["summary"]
    assert summary["total"] == len(result["findings"]) == sum(summary["by_status"].values())
    assert summary["by_status"]["FAIL"] == 0
    assert sum(summary["failed_by_severity"].values()) == summary["by_status"]["FAIL"]


def create_bad_instances(localenv, *identifiers):
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    for identifier in identifiers:
        start_bad_instance(rds, identifier)
    for identifier in identifiers:
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    return [rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0] for identifier in identifiers]


def start_bad_instance(rds, identifier):
    rds.create_db_instance(
        DBInstanceIdentifier=identifier, Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
        DBName="app", MasterUsername="appadmin", ManageMasterUserPassword=True, DBParameterGroupName=BAD_GROUP, PubliclyAccessible=True,
        StorageEncrypted=False, BackupRetentionPeriod=0, DeletionProtection=True, MultiAZ=True, EnableIAMDatabaseAuthentication=True,
        MonitoringInterval=5, MonitoringRoleArn="arn:aws:iam::%s:role/rds-monitoring-role" % DATA_ACCOUNT,
        EnableCloudwatchLogsExports=["postgresql", "upgrade"], EnablePerformanceInsights=True, CopyTagsToSnapshot=True,
        AutoMinorVersionUpgrade=True, CACertificateIdentifier="rds-ca-rsa2048-g1")


@pytest.fixture(scope="module")
def non_compliant(localenv, compliant):
    del compliant  # after site.yml: the account has its event subscriptions
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.create_db_parameter_group(DBParameterGroupName=BAD_GROUP, DBParameterGroupFamily="postgres15", Description="posture test")
    rds.modify_db_parameter_group(DBParameterGroupName=BAD_GROUP, Parameters=[
        dict(ParameterName=name, ParameterValue=value, ApplyMethod="pending-reboot")
        for name, value in (("rds.force_ssl", "0"), ("shared_preload_libraries", "pg_stat_statements,pgaudit"), ("pgaudit.log", "ddl,role"),
                            ("log_connections", "1"), ("log_disconnections", "1"), ("log_min_duration_statement", "500"))])
    record = create_bad_instances(localenv, BAD)[0]
    secret = json.loads(localenv.client("secretsmanager", account_id=DATA_ACCOUNT).get_secret_value(
        SecretId=record["MasterUserSecret"]["SecretArn"])["SecretString"])
    conn = psycopg2.connect(host=record["Endpoint"]["Address"], port=record["Endpoint"]["Port"], dbname="app", user=secret["username"],
                            password=secret["password"], sslmode="verify-full", sslrootcert=localenv.ca_bundle, connect_timeout=10)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    conn.close()
    return record


def test_a_non_compliant_instance_fails_exactly_the_expected_controls(ansible, non_compliant, localenv):
    localenv.reset_requests()
    result = audit(ansible, identifiers=[BAD])
    assert result.get("failed") is not True, result.get("msg")
    assert {control for control, resource in failed(result)} == BAD_FAILURES
    by_id = {(item["control_id"], item["resource_id"]): item for item in result["findings"]}
    assert by_id[("RDS.2", BAD)]["severity"] == "CRITICAL"
    assert by_id[("RDS.2", BAD)]["evidence"] == {"field": "PubliclyAccessible", "value": True}
    assert by_id[("RDS.2", BAD)]["resource_arn"] == non_compliant["DBInstanceArn"]
    assert by_id[("RDS.11", BAD)]["evidence"]["value"] == 0
    assert by_id[("RDS.38", BAD)]["evidence"]["value"] == "0"
    assert by_id[("RDS.21", BAD_GROUP)]["resource_type"] == "db_parameter_group"
    assert by_id[("IAP.14", BAD + "/app")]["resource_type"] == "database"
    assert by_id[("RDS.8", BAD)]["remediation"] == "innovate.aws_postgres.rds_instance: deletion_protection: true"
    assert by_id[("IAP.13", BAD)]["status"] == "PASS"
    assert [item["resource_type"] for item in result["findings"] if item["control_id"] == "RDS.4" and item["status"] == "FAIL"] == ["db_snapshot"]
    seen = localenv.requests()
    # the module counts every AWS request it makes; the emulator may also have seen the AssumeRole of the session
    # (assumed-role credentials can come from the collection's cache instead)
    assert seen["total"] - seen["by_operation"].get("sts:AssumeRole", 0) == result["requests"], (result["requests"], seen)


def test_auditing_more_instances_costs_no_more_list_requests(ansible, non_compliant, localenv):
    del non_compliant
    one = audit(ansible, identifiers=[BAD], inspect_databases=False)
    create_bad_instances(localenv, BAD + "-2", BAD + "-3")
    localenv.reset_requests()
    three = audit(ansible, identifiers=[BAD, BAD + "-2", BAD + "-3"], inspect_databases=False)
    operations = localenv.requests()["by_operation"]
    assert three["resources"]["db_instances"] == 3 and one["resources"]["db_instances"] == 1
    assert three["requests"] == one["requests"], (one["requests"], three["requests"], operations)
    assert operations.get("rds:DescribeDBInstances") == 1


def test_bad_input_fails_cleanly(ansible, localenv):
    localenv.reset_requests()
    connection = dict(region="us-east-1", assume_role_arn=ROLE, ca_bundle=localenv.ca_bundle)
    cases = {
        "unknown tier": dict(connection, environment_tier="staging"),
        "bad region": dict(connection, region="mars", inspect_databases=False),
        "unreachable endpoint": dict(connection, endpoint_url="http://127.0.0.1:9", max_attempts=1, assume_role_arn=None),
    }
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "tasks": [{"name": name, MODULE: args, "ignore_errors": True} for name, args in cases.items()]}]
    run = ansible.playbook(yaml.safe_dump(play, sort_keys=False))
    tier = run.result("unknown tier")
    assert tier["failed"] and "environment_tier" in tier["msg"] and "production, non-production" in tier["msg"]
    region = run.result("bad region")
    assert region["failed"] and "region='mars' is not an AWS region name" in region["msg"]
    unreachable = run.result("unreachable endpoint")
    assert unreachable["failed"] and "cannot reach AWS" in unreachable["msg"], unreachable.get("msg")
    for result in (tier, region, unreachable):
        assert "Traceback" not in result.get("module_stderr", "") + result.get("exception", "")
    assert writes(localenv) == {}
