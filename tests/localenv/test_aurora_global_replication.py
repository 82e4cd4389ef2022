"""Aurora global databases replicate for real (localenv/emulator/aurora/global_replication.py)."""

import psycopg2
import pytest

from dataplane_env import PASSWORD, DataplaneEnv, connect, query, wait_for


@pytest.fixture(scope="module")
def gr_env():
    env = DataplaneEnv("gr-env-").start()
    yield env
    env.stop()


def gr_cluster(rds, identifier, **extra):
    arguments = dict(DBClusterIdentifier=identifier, Engine="aurora-postgresql", EngineVersion="16.4")
    arguments.update(extra)
    arn = rds.create_db_cluster(**arguments)["DBCluster"]["DBClusterArn"]
    rds.create_db_instance(DBInstanceIdentifier=identifier + "-1", DBClusterIdentifier=identifier, Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    return arn


def gr_connect(env, rds, identifier):
    cluster = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    return connect(env, {"Endpoint": {"Address": cluster["Endpoint"], "Port": cluster["Port"]}}, password=PASSWORD)


def gr_count(conn):
    return query(conn, "SELECT count(*) FROM t")[0][0]


def gr_refuses_writes(conn):
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        query(conn, "INSERT INTO t SELECT 0")
    return query(conn, "SELECT pg_is_in_recovery()")[0][0]


def gr_writers(rds, name):
    members = rds.describe_global_clusters(GlobalClusterIdentifier=name)["GlobalClusters"][0]["GlobalClusterMembers"]
    return sorted(member["DBClusterArn"].rsplit(":", 1)[-1] for member in members if member["IsWriter"])


def test_secondaries_stream_switchover_failover_and_detach(gr_env):
    east, west = gr_env.client(), gr_env.client(region="us-west-2")
    primary_arn = gr_cluster(east, "gr-p", MasterUsername="master", MasterUserPassword=PASSWORD, DatabaseName="app")
    east.create_global_cluster(GlobalClusterIdentifier="gr-g", SourceDBClusterIdentifier=primary_arn)
    primary = gr_connect(gr_env, east, "gr-p")
    query(primary, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)")
    secondary_arn = gr_cluster(west, "gr-s", GlobalClusterIdentifier="gr-g")
    gr_cluster(west, "gr-t", GlobalClusterIdentifier="gr-g")
    described = west.describe_db_clusters(DBClusterIdentifier="gr-s")["DBClusters"][0]
    assert described["GlobalClusterIdentifier"] == "gr-g" and described["MasterUsername"] == "master"
    assert "ReplicationSourceIdentifier" not in described

    # the secondaries are streaming standbys: rows written on the primary arrive, writes are refused
    old_ports = {name: west.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["Port"] for name in ("gr-s", "gr-t")}
    secondary, third = gr_connect(gr_env, west, "gr-s"), gr_connect(gr_env, west, "gr-t")
    query(primary, "INSERT INTO t VALUES (2)")
    assert wait_for(lambda: gr_count(secondary) == 2 and gr_count(third) == 2)
    assert gr_refuses_writes(secondary) is True and gr_refuses_writes(third) is True
    servers = gr_env.servers()
    assert servers["gr-s-1"]["replica_of"].endswith("/us-east-1/gr-p-1")

    # a new master password of the primary reaches the secondaries through replication
    def gr_password_works(password):
        try:
            connect(gr_env, {"Endpoint": {"Address": "127.0.0.1", "Port": old_ports["gr-t"]}}, password=password).close()
        except psycopg2.OperationalError:
            return False
        return True

    east.modify_db_cluster(DBClusterIdentifier="gr-p", MasterUserPassword="Changed-Secret-2", ApplyImmediately=True)
    assert wait_for(lambda: gr_password_works("Changed-Secret-2"))
    east.modify_db_cluster(DBClusterIdentifier="gr-p", MasterUserPassword=PASSWORD, ApplyImmediately=True)
    assert wait_for(lambda: gr_password_works(PASSWORD))

    # planned switchover right after a burst of writes: nothing is lost, the old primary follows the new writer
    query(primary, "INSERT INTO t SELECT generate_series(3, 5000)")
    east_port = east.describe_db_clusters(DBClusterIdentifier="gr-p")["DBClusters"][0]["Port"]
    west.switchover_global_cluster(GlobalClusterIdentifier="gr-g", TargetDbClusterIdentifier=secondary_arn)
    assert gr_writers(east, "gr-g") == ["gr-s"]
    secondary = gr_connect(gr_env, west, "gr-s")
    assert query(secondary, "SELECT pg_is_in_recovery()")[0][0] is False
    assert gr_count(secondary) == 5000
    query(secondary, "INSERT INTO t VALUES (5001)")
    assert east.describe_db_clusters(DBClusterIdentifier="gr-p")["DBClusters"][0]["Port"] == east_port
    old_primary = gr_connect(gr_env, east, "gr-p")
    assert wait_for(lambda: gr_count(old_primary) == 5001)
    assert gr_refuses_writes(old_primary) is True
    third = gr_connect(gr_env, west, "gr-t")
    assert wait_for(lambda: gr_count(third) == 5001) and gr_refuses_writes(third) is True
    assert {name: west.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["Port"] for name in ("gr-s", "gr-t")} == old_ports
    servers = gr_env.servers()
    assert servers["gr-s-1"]["replica_of"] is None and servers["gr-p-1"]["replica_of"].endswith("/gr-s-1")
    assert servers["gr-t-1"]["replica_of"].endswith("/gr-s-1")

    # unplanned failover back to the old primary: promoted at once and writable; the others follow it
    east.failover_global_cluster(GlobalClusterIdentifier="gr-g", TargetDbClusterIdentifier=primary_arn, AllowDataLoss=True)
    assert gr_writers(east, "gr-g") == ["gr-p"]
    primary = gr_connect(gr_env, east, "gr-p")
    assert query(primary, "SELECT pg_is_in_recovery()")[0][0] is False
    query(primary, "INSERT INTO t VALUES (5002)")
    secondary = gr_connect(gr_env, west, "gr-s")
    assert wait_for(lambda: query(secondary, "SELECT max(id) FROM t")[0][0] == 5002)
    assert gr_refuses_writes(secondary) is True

    # detaching a secondary promotes its server: standalone and writable, no longer replicating
    west.remove_from_global_cluster(GlobalClusterIdentifier="gr-g", DbClusterIdentifier=secondary_arn)
    detached = gr_connect(gr_env, west, "gr-s")
    assert query(detached, "SELECT pg_is_in_recovery()")[0][0] is False
    query(detached, "INSERT INTO t VALUES (-1)")
    query(primary, "INSERT INTO t VALUES (5003)")
    third = gr_connect(gr_env, west, "gr-t")
    assert wait_for(lambda: query(third, "SELECT max(id) FROM t")[0][0] == 5003)
    assert query(detached, "SELECT max(id), min(id) FROM t")[0] == (5002, -1)
    for conn in (primary, secondary, third, detached, old_primary):
        conn.close()
