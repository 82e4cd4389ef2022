"""CloudWatch ReplicaLag is measured on the real standby when it is read (localenv/emulator/failover_api.py)."""

import datetime

import pytest

from dataplane_env import DataplaneEnv, connect, create, query, wait_available


@pytest.fixture(scope="module")
def fa_env():
    env = DataplaneEnv("fa-env-").start()
    yield env
    env.stop()


def fa_lag(env, identifier, metric="ReplicaLag", dimension="DBInstanceIdentifier", region="us-east-1"):
    now = datetime.datetime.now(datetime.timezone.utc)
    points = env.client("cloudwatch", region=region).get_metric_statistics(
        Namespace="AWS/RDS", MetricName=metric, Dimensions=[{"Name": dimension, "Value": identifier}],
        StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=1), Period=60,
        Statistics=["Maximum"])["Datapoints"]
    return [point["Maximum"] for point in points]


def test_replica_lag_comes_from_the_standby_and_only_from_standbys(fa_env):
    rds = fa_env.client()
    source = create(rds, "fa-source", BackupRetentionPeriod=1)
    source = wait_available(rds, "fa-source")
    conn = connect(fa_env, source)
    query(conn, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)")
    conn.close()
    rds.create_db_instance_read_replica(DBInstanceIdentifier="fa-replica", SourceDBInstanceIdentifier="fa-source")
    wait_available(rds, "fa-replica")

    lags = fa_lag(fa_env, "fa-replica")
    assert len(lags) == 1 and 0 <= lags[0] < 60, lags  # a caught-up standby: 0, or the age of its last replayed commit
    assert fa_lag(fa_env, "fa-source") == []  # a primary has no ReplicaLag
    assert fa_lag(fa_env, "fa-missing") == []
    assert fa_lag(fa_env, "fa-cluster", metric="AuroraGlobalDBReplicationLag", dimension="DBClusterIdentifier") == []

    rds.promote_read_replica(DBInstanceIdentifier="fa-replica")
    wait_available(rds, "fa-replica")
    assert fa_lag(fa_env, "fa-replica") == lags  # no new sample after the promotion: only the stored one
