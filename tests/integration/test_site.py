"""site.yml against inventories/local, run the way a user runs it: every deployment is provisioned,
configured inside PostgreSQL and reachable with verify-full TLS; a second run changes nothing."""

import json
import time
import types

import psycopg2
import pytest

DATA_ACCOUNT = "111111111111"
SECURITY_ACCOUNT = "222222222222"
INVENTORY = "inventories/local"
READ_PREFIXES = ("Describe", "List", "Get", "AssumeRole")
GROUPS = {
    "app-db-postgres15": "instance",
    "orders-aurora-aurora-postgresql16": "instance",
    "orders-aurora-aurora-postgresql16-cluster": "cluster",
}


def write_requests(localenv):
    by_operation = localenv.requests()["by_operation"]
    return {op: n for op, n in by_operation.items()
            if op.split(":", 1)[1] not in ("GET", "HEAD") and not op.split(":", 1)[1].startswith(READ_PREFIXES)}


def existing_groups(localenv):
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    names = {group["DBParameterGroupName"] for group in rds.describe_db_parameter_groups()["DBParameterGroups"]}
    names |= {group["DBClusterParameterGroupName"] for group in rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]}
    return names & set(GROUPS)


def user_parameters(localenv, name):
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    if GROUPS[name] == "cluster":
        pages = rds.get_paginator("describe_db_cluster_parameters").paginate(DBClusterParameterGroupName=name, Source="user")
    else:
        pages = rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=name, Source="user")
    return {p["ParameterName"]: p["ParameterValue"] for page in pages for p in page["Parameters"]}


def instance(localenv, identifier):
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def secret(localenv, secret_id):
    client = localenv.client("secretsmanager", account_id=DATA_ACCOUNT)
    return json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])


def connect(localenv, host, port, user, password, dbname):
    conn = psycopg2.connect(host=host, port=port, user=user, password=password, dbname=dbname,
                            sslmode="verify-full", sslrootcert=localenv.ca_bundle, connect_timeout=10)
    conn.autocommit = True
    return conn


def scalar(conn, statement, params=None):
    with conn.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


@pytest.fixture(scope="module")
def first_run(localenv, tmp_path_factory):
    from harness import Ansible

    runner = Ansible(localenv, tmp_path_factory.mktemp("site"))
    localenv.reset_requests()
    check = runner.playbook("site.yml", inventory=INVENTORY, check=True, diff=True)
    after_check = types.SimpleNamespace(
        groups=existing_groups(localenv),
        instances=localenv.client("rds", account_id=DATA_ACCOUNT).describe_db_instances()["DBInstances"],
        clusters=localenv.client("rds", account_id=DATA_ACCOUNT).describe_db_clusters()["DBClusters"],
        writes=write_requests(localenv),
    )
    converge = runner.playbook("site.yml", inventory=INVENTORY)
    return types.SimpleNamespace(runner=runner, check=check, after_check=after_check, converge=converge)


def test_check_mode_on_a_new_environment_plans_and_writes_nothing(first_run):
    assert first_run.check.rc == 0, first_run.check.stdout + first_run.check.stderr
    assert first_run.check.changed_total() > 0
    assert first_run.after_check.writes == {}
    assert first_run.after_check.groups == set()
    assert first_run.after_check.instances == [] and first_run.after_check.clusters == []


def test_site_provisions_the_rds_deployment_with_the_production_settings(first_run, localenv):
    assert first_run.converge.rc == 0, first_run.converge.stdout[-6000:] + first_run.converge.stderr
    primary = instance(localenv, "app-db")
    assert primary["MultiAZ"] and primary["StorageEncrypted"] and primary["DeletionProtection"]
    assert not primary["PubliclyAccessible"]
    assert primary["KmsKeyId"].startswith("arn:aws:kms:us-east-1:%s:key/" % SECURITY_ACCOUNT), "the security account owns the key"
    assert primary["DBSubnetGroup"]["DBSubnetGroupName"] == "app-db-db"
    assert primary["DBParameterGroups"][0]["DBParameterGroupName"] == "app-db-postgres15"
    assert primary["IAMDatabaseAuthenticationEnabled"] and primary["MonitoringInterval"] == 5
    # rds_monitoring reused the instance descriptions of rds_postgres, where the primary's was taken
    # before its replica existed: the replica is watched all the same.
    alarm_names = [alarm["AlarmName"] for alarm in localenv.client("cloudwatch", account_id=DATA_ACCOUNT).describe_alarms(
        AlarmNamePrefix="rds-app-db-replica1-")["MetricAlarms"]]
    assert "rds-app-db-replica1-ReplicaLag" in alarm_names
    assert set(primary["EnabledCloudwatchLogsExports"]) == {"postgresql", "upgrade"}
    assert primary["MasterUserSecret"]["SecretArn"]
    replica = instance(localenv, "app-db-replica1")
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == "app-db"
    app = user_parameters(localenv, "app-db-postgres15")
    assert app["rds.force_ssl"] == "1"
    assert app["shared_preload_libraries"] == "pg_stat_statements,pgaudit"


def test_site_provisions_the_aurora_deployment_with_a_writer_and_a_reader(first_run, localenv):
    assert first_run.converge.rc == 0
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    cluster = rds.describe_db_clusters(DBClusterIdentifier="orders-aurora")["DBClusters"][0]
    members = cluster["DBClusterMembers"]
    assert len(members) == 2 and sum(member["IsClusterWriter"] for member in members) == 1
    assert cluster["StorageEncrypted"] and cluster["DeletionProtection"]
    assert cluster["DBClusterParameterGroup"] == "orders-aurora-aurora-postgresql16-cluster"
    sizing = user_parameters(localenv, "orders-aurora-aurora-postgresql16")
    assert int(sizing["shared_buffers"]) > int(user_parameters(localenv, "app-db-postgres15")["shared_buffers"])


def test_the_databases_are_configured_and_reachable_with_verify_full(first_run, localenv):
    assert first_run.converge.rc == 0
    primary = instance(localenv, "app-db")
    master = secret(localenv, primary["MasterUserSecret"]["SecretArn"])
    conn = connect(localenv, primary["Endpoint"]["Address"], primary["Endpoint"]["Port"], master["username"], master["password"], "app")
    assert "pgaudit" in scalar(conn, "SHOW shared_preload_libraries")
    extensions = scalar(conn, "SELECT array_agg(extname::text) FROM pg_extension")
    assert {"pgaudit", "pg_trgm", "uuid-ossp", "pgcrypto"} <= set(extensions)
    scalar(conn, "CREATE TABLE IF NOT EXISTS public.site_probe (id int PRIMARY KEY, note text); SELECT 1")
    scalar(conn, "INSERT INTO public.site_probe VALUES (1, 'written on the primary') ON CONFLICT DO NOTHING; SELECT 1")
    conn.close()

    replica = instance(localenv, "app-db-replica1")
    standby = connect(localenv, replica["Endpoint"]["Address"], replica["Endpoint"]["Port"], master["username"], master["password"], "app")
    deadline = time.monotonic() + 15
    while True:
        try:
            if scalar(standby, "SELECT note FROM public.site_probe WHERE id = 1") == "written on the primary":
                break
        except psycopg2.errors.UndefinedTable:
            pass
        assert time.monotonic() < deadline, "the row never reached the replica"
        time.sleep(0.3)
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        scalar(standby, "INSERT INTO public.site_probe VALUES (2, 'x'); SELECT 1")
    standby.close()

    app_rw = secret(localenv, "local/app-db/app_rw")
    login = connect(localenv, app_rw["host"], app_rw["port"], app_rw["username"], app_rw["password"], app_rw["dbname"])
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        scalar(login, "CREATE TABLE public.not_allowed (id int); SELECT 1")
    login.close()

    cluster = localenv.client("rds", account_id=DATA_ACCOUNT).describe_db_clusters(DBClusterIdentifier="orders-aurora")["DBClusters"][0]
    cluster_master = secret(localenv, cluster["MasterUserSecret"]["SecretArn"])
    writer = connect(localenv, cluster["Endpoint"], cluster["Port"], cluster_master["username"], cluster_master["password"], "orders")
    assert scalar(writer, "SELECT count(*) FROM pg_namespace WHERE nspname = 'orders'") == 1
    writer.close()


def test_second_run_changes_nothing_and_writes_nothing(first_run, localenv):
    assert first_run.converge.rc == 0
    localenv.reset_requests()
    again = first_run.runner.playbook("site.yml", inventory=INVENTORY)
    assert again.rc == 0, again.stdout[-6000:] + again.stderr
    assert again.changed_total() == 0
    assert write_requests(localenv) == {}
    # One describe per DB instance (app-db, its replica; the Aurora instances in one filtered call),
    # per cluster and per parameter group: rds_monitoring reuses what the earlier roles read.
    by_operation = localenv.requests()["by_operation"]
    assert by_operation["rds:DescribeDBInstances"] == 3
    assert by_operation["rds:DescribeDBClusters"] == 1
    assert by_operation["rds:DescribeDBParameters"] == 2


def test_drift_is_reverted_and_undeclared_parameters_are_purged(first_run, localenv):
    assert first_run.converge.rc == 0
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.modify_db_parameter_group(DBParameterGroupName="app-db-postgres15", Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "10", "ApplyMethod": "immediate"},
        {"ParameterName": "log_statement", "ParameterValue": "all", "ApplyMethod": "immediate"},
    ])
    run = first_run.runner.playbook("site.yml", inventory=INVENTORY, diff=True)
    assert run.rc == 0, run.stdout[-6000:] + run.stderr
    assert run.changed_total() == 1
    after = user_parameters(localenv, "app-db-postgres15")
    assert after["log_min_duration_statement"] == "500"
    assert "log_statement" not in after
