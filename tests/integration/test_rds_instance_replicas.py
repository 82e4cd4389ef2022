"""rds_instance read replicas (same region and cross-region) with real streaming standbys.

A row written on the source is read on each replica; writes on a replica fail as on RDS. Needs
the emulator's replicas (localenv/emulator/db_instances/replicas.py).
"""

import time

import psycopg2
import pytest

from rds_instance_helpers import ri_connect, ri_delete, ri_describe, ri_failed, ri_name, ri_ok, ri_play, ri_query, ri_step

PASSWORD = "Replica-Pass-0001"
DR_REGION = "us-west-2"


@pytest.fixture(scope="module")
def rds(localenv):
    return localenv.client("rds")


@pytest.fixture(scope="module")
def names(localenv):
    identifiers = dict(source=ri_name("rs"), replica=ri_name("rr"), dr=ri_name("rd"))
    yield identifiers
    for region, identifier in ((DR_REGION, identifiers["dr"]), ("us-east-1", identifiers["replica"]), ("us-east-1", identifiers["source"])):
        ri_delete(localenv.client("rds", region=region), identifier)


def wait_for_row(localenv, record, value, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        conn = ri_connect(localenv, record, "owner", PASSWORD)
        try:
            rows = ri_query(conn, "SELECT note FROM replicated WHERE note = %s", (value,))
        except psycopg2.errors.UndefinedTable:
            rows = []
        finally:
            conn.close()
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def test_same_and_cross_region_replicas_stream_the_source(localenv, ansible, rds, names):
    source = dict(identifier=names["source"], engine_version="15", instance_class="db.t4g.micro", allocated_storage=20,
                  db_name="app", master_username="owner", master_user_password=PASSWORD, backup_retention_period=1,
                  deletion_protection=False)
    replica = dict(identifier=names["replica"], source=names["source"], instance_class="db.t4g.micro", deletion_protection=False)
    dr_key = localenv.client("kms", region=DR_REGION).create_key(Description="DR replica key")["KeyMetadata"]["Arn"]
    source_arn = "arn:aws:rds:us-east-1:123456789012:db:%s" % names["source"]
    dr = dict(identifier=names["dr"], region=DR_REGION, source=source_arn, kms_key_id=dr_key, instance_class="db.t4g.micro",
              deletion_protection=False)
    results = ri_play(ansible, [
        ri_step(source), ri_step(replica, check=True), ri_step(replica), ri_step(replica),
        ri_step(dict(replica, master_user_password=PASSWORD)),
        ri_step(dict(dr, kms_key_id=None)), ri_step(dr), ri_step(dr),
    ])
    created_source, planned, created, again, refused, no_key, created_dr, dr_again = results
    assert ri_ok(created_source)["changed"] is True
    assert ri_ok(planned)["changed"] is True and planned["actions"] == ["create_read_replica"]
    assert ri_ok(created)["changed"] is True and created["actions"][0] == "create_read_replica"
    assert ri_ok(again)["changed"] is False
    ri_failed(refused, "inherits it from its source")
    ri_failed(no_key, "kms_key_id: required for a cross-region replica")
    assert ri_ok(created_dr)["changed"] is True
    assert ri_ok(dr_again)["changed"] is False

    record = ri_describe(rds, names["replica"])
    assert record["ReadReplicaSourceDBInstanceIdentifier"] == names["source"]
    dr_record = ri_describe(localenv.client("rds", region=DR_REGION), names["dr"])
    assert dr_record["ReadReplicaSourceDBInstanceIdentifier"] == source_arn
    assert dr_record["KmsKeyId"] == dr_key

    source_record = ri_describe(rds, names["source"])
    conn = ri_connect(localenv, source_record, "owner", PASSWORD)
    try:
        ri_query(conn, "CREATE TABLE replicated (note text)")
        ri_query(conn, "INSERT INTO replicated VALUES (%s)", ("written on the source",))
    finally:
        conn.close()
    assert wait_for_row(localenv, record, "written on the source") == [("written on the source",)]
    assert wait_for_row(localenv, dr_record, "written on the source") == [("written on the source",)]
    conn = ri_connect(localenv, record, "owner", PASSWORD)
    try:
        with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
            ri_query(conn, "INSERT INTO replicated VALUES ('on the replica')")
    finally:
        conn.close()
