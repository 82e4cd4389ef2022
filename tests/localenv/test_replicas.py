"""Read replicas are real streaming standbys; promotion and source deletion detach them (boto3 + SQL)."""

import psycopg2
import pytest
from botocore.exceptions import ClientError

from dataplane_env import DataplaneEnv, connect, create, describe, query, wait_available, wait_for


@pytest.fixture(scope="module")
def rp_env():
    env = DataplaneEnv("rp-env-").start()
    yield env
    env.stop()


def rp_count(conn):
    return query(conn, "SELECT count(*) FROM items")[0][0]


def test_replicas_stream_promote_and_survive_their_source(rp_env):
    rds, west = rp_env.client(), rp_env.client(region="us-west-2")
    rds.create_db_parameter_group(DBParameterGroupName="rp-group", DBParameterGroupFamily="postgres15",
                                  Description="only in us-east-1")
    source = create(rds, "rp-source", DBParameterGroupName="rp-group")
    src = connect(rp_env, source)
    query(src, "CREATE TABLE items (id int PRIMARY KEY, note text)")
    query(src, "INSERT INTO items VALUES (1, 'before the replica')")

    replica = rds.create_db_instance_read_replica(DBInstanceIdentifier="rp-replica",
                                                  SourceDBInstanceIdentifier="rp-source")["DBInstance"]
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == "rp-source"
    replica = describe(rds, "rp-replica")
    assert replica["DBInstanceStatus"] == "available"
    assert replica["MasterUsername"] == "master"
    assert replica["DBParameterGroups"][0]["DBParameterGroupName"] == "rp-group"
    assert replica["BackupRetentionPeriod"] == 0 and "LatestRestorableTime" not in replica
    assert replica["Endpoint"]["Port"] != source["Endpoint"]["Port"]
    assert describe(rds, "rp-source")["ReadReplicaDBInstanceIdentifiers"] == ["rp-replica"]

    # the source's master password, its data, a hot standby streaming from it
    rep = connect(rp_env, replica)
    assert query(rep, "SELECT note FROM items") == [("before the replica",)]
    assert query(rep, "SELECT pg_is_in_recovery(), ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") == [(True, True)]
    query(src, "INSERT INTO items VALUES (2, 'streamed')")
    assert wait_for(lambda: rp_count(rep) == 2, timeout=2.0)
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        query(rep, "INSERT INTO items VALUES (3, 'refused')")
    streaming = query(src, "SELECT usename, application_name, state, ssl FROM pg_stat_replication "
                           "JOIN pg_stat_ssl USING (pid)")
    assert streaming == [("rdsrepladmin", "rp-replica", "streaming", True)]
    # the replication login is for replication only
    with pytest.raises(psycopg2.OperationalError, match="pg_hba.conf rejects"):
        connect(rp_env, source, user="rdsrepladmin", password="anything", dbname="postgres")

    # cross-region, source by ARN: no "rp-group" in us-west-2, so that region's default group
    cross = west.create_db_instance_read_replica(DBInstanceIdentifier="rp-west",
                                                 SourceDBInstanceIdentifier=source["DBInstanceArn"])["DBInstance"]
    assert cross["ReadReplicaSourceDBInstanceIdentifier"] == source["DBInstanceArn"]
    cross = describe(west, "rp-west")
    assert cross["DBParameterGroups"][0]["DBParameterGroupName"].startswith("default.postgres")
    assert cross["AvailabilityZone"].startswith("us-west-2")
    assert sorted(describe(rds, "rp-source")["ReadReplicaDBInstanceIdentifiers"]) == [
        "arn:aws:rds:us-west-2:123456789012:db:rp-west", "rp-replica"]
    far = connect(rp_env, cross)
    assert wait_for(lambda: rp_count(far) == 2, timeout=2.0)

    with pytest.raises(ClientError, match="InvalidDBInstanceState.*read replicas"):
        rds.stop_db_instance(DBInstanceIdentifier="rp-source")
    with pytest.raises(ClientError, match="InvalidDBInstanceState.*read replica"):
        rds.stop_db_instance(DBInstanceIdentifier="rp-replica")

    # promotion: modifying, then a writable standalone instance detached on both sides
    rp_env.transitions(modifying=1)
    try:
        promoted = rds.promote_read_replica(DBInstanceIdentifier="rp-replica")["DBInstance"]
        assert promoted["DBInstanceStatus"] == "modifying"
        assert "ReadReplicaSourceDBInstanceIdentifier" not in promoted
        promoted = wait_available(rds, "rp-replica")
    finally:
        rp_env.transitions()
    assert promoted["BackupRetentionPeriod"] == 1
    assert describe(rds, "rp-source")["ReadReplicaDBInstanceIdentifiers"] == [
        "arn:aws:rds:us-west-2:123456789012:db:rp-west"]
    assert query(rep, "SELECT pg_is_in_recovery()") == [(False,)]
    query(rep, "INSERT INTO items VALUES (10, 'written on the promoted replica')")
    query(src, "INSERT INTO items VALUES (4, 'after the promotion')")
    assert wait_for(lambda: rp_count(far) == 3, timeout=2.0)
    assert query(rep, "SELECT id FROM items ORDER BY id") == [(1,), (2,), (10,)]
    assert wait_for(lambda: describe(rds, "rp-replica").get("LatestRestorableTime"), timeout=30)

    # deleting the source promotes its remaining (cross-region) replica
    rds.delete_db_instance(DBInstanceIdentifier="rp-source", SkipFinalSnapshot=True)
    cross = describe(west, "rp-west")
    assert "ReadReplicaSourceDBInstanceIdentifier" not in cross
    assert query(far, "SELECT pg_is_in_recovery()") == [(False,)]
    query(far, "INSERT INTO items VALUES (20, 'written in us-west-2')")
    for conn in (src, rep, far):
        conn.close()
    rds.delete_db_instance(DBInstanceIdentifier="rp-replica", SkipFinalSnapshot=True)
    west.delete_db_instance(DBInstanceIdentifier="rp-west", SkipFinalSnapshot=True)
    assert not {"rp-source", "rp-replica", "rp-west"} & set(rp_env.servers())


@pytest.mark.parametrize(
    "arguments, error",
    [
        ({"DBInstanceIdentifier": "rp-base", "SourceDBInstanceIdentifier": "rp-base"}, "DBInstanceAlreadyExists"),
        ({"DBInstanceIdentifier": "rp-bad", "SourceDBInstanceIdentifier": "rp-missing"}, "DBInstanceNotFound"),
        ({"DBInstanceIdentifier": "rp-bad", "SourceDBInstanceIdentifier": "rp-base",
          "DBParameterGroupName": "rp-no-such-group"}, "DBParameterGroupNotFound"),
    ],
)
def test_bad_replica_requests_fail_cleanly(rp_env, arguments, error):
    rds = rp_env.client()
    if "rp-base" not in rp_env.servers():
        create(rds, "rp-base")
    with pytest.raises(ClientError, match=error):
        rds.create_db_instance_read_replica(**arguments)
    assert "rp-bad" not in rp_env.servers()
    with pytest.raises(ClientError, match="DBInstanceNotFound"):
        describe(rds, "rp-bad")
    assert describe(rds, "rp-base").get("ReadReplicaDBInstanceIdentifiers", []) == []
    with pytest.raises(ClientError, match="InvalidDBInstanceState.*not a read replica"):
        rds.promote_read_replica(DBInstanceIdentifier="rp-base")
