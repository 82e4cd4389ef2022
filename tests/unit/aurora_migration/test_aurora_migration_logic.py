"""aurora_migration: option checks, source checks and summaries (no network)."""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora_migration import api, spec

BASE = dict(state="replicating", db_cluster_identifier="app-db-aurora", source_db_instance_identifier="app-db", writer_instance_identifier=None,
            writer_instance_class=None, engine_version=None, db_subnet_group_name=None, vpc_security_group_ids=None,
            db_cluster_parameter_group_name=None, kms_key_id=None, tags={}, max_replication_lag_seconds=None, repoint_target="cluster",
            route53=None, secrets=[], secrets_region=None, final_snapshot_identifier=None, wait=True, wait_timeout=1800)
ROUTE53 = dict(zone_name="db.example", hosted_zone_id=None, record_name="app.db.example", ttl=30, type="CNAME")
SOURCE = dict(DBInstanceIdentifier="app-db", Engine="postgres", BackupRetentionPeriod=7, EngineVersion="16.6",
              DBInstanceArn="arn:aws:rds:us-east-1:111111111111:db:app-db", Endpoint={"Address": "app-db.x", "Port": 5432})


def params(**changes):
    return dict(BASE, **changes)


def test_valid_options_have_no_problems():
    assert spec.problems(params()) == []
    assert spec.problems(params(state="repointed", route53=ROUTE53, secrets=["prod/app-db/app"])) == []
    assert spec.problems(params(engine_version="16.4", max_replication_lag_seconds=0)) == []


def test_bad_options_are_named_with_their_values():
    errors = " | ".join(spec.problems(params(db_cluster_identifier="app--db", writer_instance_identifier="1writer", max_replication_lag_seconds=-1,
                                             engine_version="sixteen", wait_timeout=0)))
    for expected in ("db_cluster_identifier must be", "'app--db'", "writer_instance_identifier must be", "'1writer'",
                     "max_replication_lag_seconds must be 0 or more, got -1", "engine_version must be a major version", "'sixteen'",
                     "wait_timeout must be a positive number of seconds, got 0"):
        assert expected in errors
    assert spec.problems(params(state="promoted", secrets=["x"])) == [
        "route53 and secrets are only used with state=repointed (got state=promoted)"]
    assert spec.problems(params(state="repointed")) == ["state=repointed needs route53 or secrets to re-point"]
    assert "route53.ttl must be between 0 and 2147483647 seconds, got -5" in spec.problems(
        params(state="repointed", route53=dict(ROUTE53, ttl=-5)))
    assert spec.problems(params(state="repointed", secrets=[" "])) == ["secrets must hold secret names or ARNs, got an empty entry"]


def test_source_checks():
    assert api.source_problems(SOURCE, "app-db", "us-east-1") == []
    assert api.source_problems(None, "app-db", "us-east-1") == ["source_db_instance_identifier: DB instance app-db was not found in us-east-1"]
    member = dict(SOURCE, Engine="aurora-postgresql", DBClusterIdentifier="orders")
    assert "is a aurora-postgresql DB instance of cluster orders" in api.source_problems(member, "app-db", "us-east-1")[0]
    replica = dict(SOURCE, ReadReplicaSourceDBInstanceIdentifier="app-db-main", BackupRetentionPeriod=0)
    errors = api.source_problems(replica, "app-db", "us-east-1")
    assert len(errors) == 2 and "read replica of app-db-main" in errors[0] and "automated backups off" in errors[1]


def test_summaries():
    cluster = dict(DBClusterIdentifier="c", DBClusterArn="arn", Status="available", EngineVersion="16.4", Endpoint="c.x", ReaderEndpoint="c-ro.x",
                   Port=5432, ReplicationSourceIdentifier=SOURCE["DBInstanceArn"],
                   DBClusterMembers=[{"DBInstanceIdentifier": "c-2", "IsClusterWriter": False}, {"DBInstanceIdentifier": "c-1", "IsClusterWriter": True}],
                   TagList=[{"Key": spec.SOURCE_TAG, "Value": "app-db"}])
    summary = api.cluster_summary(cluster)
    assert summary["writer"] == "c-1" and summary["members"] == ["c-2", "c-1"] and summary["replication_source_identifier"].endswith(":db:app-db")
    assert api.tags_of(cluster) == {spec.SOURCE_TAG: "app-db"}
    assert api.cluster_summary(None) is None
    assert api.instance_summary(SOURCE)["endpoint"] == "app-db.x"
