"""Aurora read replica clusters of an RDS for PostgreSQL instance (localenv/emulator/aurora_migration.py)."""

import datetime

import botocore.exceptions
import psycopg2
import pytest

from dataplane_env import PASSWORD, DataplaneEnv, connect, create, query, wait_available, wait_for


@pytest.fixture(scope="module")
def am_env():
    env = DataplaneEnv("am-env-").start()
    yield env
    env.stop()


def am_cluster(rds, identifier):
    return rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def am_error(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


def am_lag(env, identifier):
    now = datetime.datetime.now(datetime.timezone.utc)
    points = env.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/RDS", MetricName="ReplicaLag", Dimensions=[{"Name": "DBInstanceIdentifier", "Value": identifier}],
        StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=1), Period=60,
        Statistics=["Maximum"])["Datapoints"]
    return [point["Maximum"] for point in points]


def test_aurora_read_replica_of_an_instance_streams_and_promotes(am_env):
    rds = am_env.client()
    source = create(rds, "am-source", BackupRetentionPeriod=1)
    source = wait_available(rds, "am-source")
    conn = connect(am_env, source)
    query(conn, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)")

    # Refusals: bad source, master user given, other major version, source without backups.
    assert am_error(rds.create_db_cluster, DBClusterIdentifier="am-bad", Engine="aurora-postgresql",
                    ReplicationSourceIdentifier="arn:aws:rds:us-east-1:123456789012:db:am-missing")["Code"] == "DBInstanceNotFound"
    error = am_error(rds.create_db_cluster, DBClusterIdentifier="am-bad", Engine="aurora-postgresql", EngineVersion="16.4",
                     ReplicationSourceIdentifier=source["DBInstanceArn"])
    assert error["Code"] == "InvalidParameterCombination" and "major version 15" in error["Message"]
    error = am_error(rds.create_db_cluster, DBClusterIdentifier="am-bad", Engine="aurora-postgresql", MasterUsername="x",
                     MasterUserPassword="whatever-1", ReplicationSourceIdentifier=source["DBInstanceArn"])
    assert "MasterUsername, MasterUserPassword cannot be specified" in error["Message"]
    create(rds, "am-nobackup", BackupRetentionPeriod=0)
    wait_available(rds, "am-nobackup")
    error = am_error(rds.create_db_cluster, DBClusterIdentifier="am-bad", Engine="aurora-postgresql", ReplicationSourceIdentifier="am-nobackup")
    assert error["Code"] == "InvalidDBClusterStateFault" and "Automated backups" in error["Message"]
    assert rds.describe_db_clusters()["DBClusters"] == []

    created = rds.create_db_cluster(DBClusterIdentifier="am-aurora", Engine="aurora-postgresql",
                                    ReplicationSourceIdentifier=source["DBInstanceArn"])["DBCluster"]
    assert created["ReplicationSourceIdentifier"] == source["DBInstanceArn"] and created["EngineVersion"] == "15.8"
    assert created["MasterUsername"] == "master"
    assert rds.describe_db_instances(DBInstanceIdentifier="am-source")["DBInstances"][0]["ReadReplicaDBClusterIdentifiers"] == [
        created["DBClusterArn"]]
    assert am_error(rds.promote_read_replica_db_cluster, DBClusterIdentifier="am-aurora")["Code"] == "InvalidDBClusterStateFault"
    rds.create_db_instance(DBInstanceIdentifier="am-aurora-1", DBClusterIdentifier="am-aurora", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    cluster = am_cluster(rds, "am-aurora")
    assert cluster["Status"] == "available" and cluster["ReplicationSourceIdentifier"] == source["DBInstanceArn"]
    assert cluster["Port"] != source["Endpoint"]["Port"]

    # A streaming standby: the source's data and master password, new rows within moments, writes refused, lag measured.
    target = {"Endpoint": {"Address": cluster["Endpoint"], "Port": cluster["Port"]}}
    replica = connect(am_env, target, password=PASSWORD)
    query(conn, "INSERT INTO t VALUES (2)")
    assert wait_for(lambda: query(replica, "SELECT count(*) FROM t")[0][0] == 2)
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        query(replica, "INSERT INTO t VALUES (3)")
    assert query(replica, "SELECT pg_is_in_recovery()") == [(True,)]
    lags = am_lag(am_env, "am-aurora-1")
    assert len(lags) == 1 and 0 <= lags[0] < 60
    assert am_env.servers()["am-aurora-1"]["replica_of"] == "123456789012/us-east-1/am-source"

    # Promotion: pg_promote, detached on both sides, writable; the source goes on alone.
    promoted = rds.promote_read_replica_db_cluster(DBClusterIdentifier="am-aurora")["DBCluster"]
    assert "ReplicationSourceIdentifier" not in promoted
    assert wait_for(lambda: query(replica, "SELECT pg_is_in_recovery()") == [(False,)], timeout=30)
    query(replica, "INSERT INTO t VALUES (3)")
    assert "ReplicationSourceIdentifier" not in am_cluster(rds, "am-aurora")
    assert rds.describe_db_instances(DBInstanceIdentifier="am-source")["DBInstances"][0].get("ReadReplicaDBClusterIdentifiers", []) == []
    query(conn, "INSERT INTO t VALUES (4)")
    assert query(conn, "SELECT count(*) FROM t") == [(3,)]
    assert am_error(rds.promote_read_replica_db_cluster, DBClusterIdentifier="am-aurora")["Code"] == "InvalidDBClusterStateFault"
    replica.close()

    # A second replica cluster is deleted (rollback): the source forgets it; deleting the source promotes a third.
    rds.create_db_cluster(DBClusterIdentifier="am-rollback", Engine="aurora-postgresql", ReplicationSourceIdentifier="am-source")
    rds.create_db_instance(DBInstanceIdentifier="am-rollback-1", DBClusterIdentifier="am-rollback", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    rds.delete_db_instance(DBInstanceIdentifier="am-rollback-1")
    rds.delete_db_cluster(DBClusterIdentifier="am-rollback", SkipFinalSnapshot=True)
    assert rds.describe_db_instances(DBInstanceIdentifier="am-source")["DBInstances"][0].get("ReadReplicaDBClusterIdentifiers", []) == []
    rds.create_db_cluster(DBClusterIdentifier="am-orphan", Engine="aurora-postgresql", ReplicationSourceIdentifier="am-source")
    rds.create_db_instance(DBInstanceIdentifier="am-orphan-1", DBClusterIdentifier="am-orphan", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    conn.close()
    rds.delete_db_instance(DBInstanceIdentifier="am-source", SkipFinalSnapshot=True)
    assert "ReplicationSourceIdentifier" not in am_cluster(rds, "am-orphan")
    assert am_env.servers()["am-orphan-1"]["replica_of"] is None
