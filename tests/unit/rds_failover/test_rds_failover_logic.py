"""rds_failover: option checks, preflight decisions, re-pointing, waiting and the timeline (fake AWS clients, no network)."""

import datetime
import json

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover import actions, freeze, preflight, repoint, spec
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover.timeline import Timeline, iso

EAST_ARN = "arn:aws:rds:us-east-1:111111111111:db:app-db"
BASE = dict(action="promote_replica", db_instance_identifier="app-db-dr", db_cluster_identifier=None, target_db_instance_identifier=None,
            global_cluster_identifier=None, target_db_cluster_identifier=None, allow_data_loss=False, max_replica_lag_seconds=60,
            force=False, route53=None, secrets=[], secrets_region=None, wait=True, wait_timeout=60)


def params(**changes):
    return dict(BASE, **changes)


class FakeRds:
    def __init__(self, instances=None, clusters=None, global_clusters=None, events=None, broken=False):
        self.instances, self.clusters = instances or {}, clusters or {}
        self.global_clusters, self.events, self.broken = global_clusters or {}, events or [], broken

    def describe_db_instances(self, DBInstanceIdentifier):
        if self.broken:
            raise RuntimeError("Could not connect to the endpoint URL")
        if DBInstanceIdentifier not in self.instances:
            from botocore.exceptions import ClientError
            raise ClientError({"Error": {"Code": "DBInstanceNotFound", "Message": "not found"}}, "DescribeDBInstances")
        return {"DBInstances": [self.instances[DBInstanceIdentifier]]}

    def describe_db_clusters(self, DBClusterIdentifier):
        return {"DBClusters": [self.clusters[DBClusterIdentifier]]}

    def describe_global_clusters(self, GlobalClusterIdentifier):
        return {"GlobalClusters": [self.global_clusters[GlobalClusterIdentifier]]}

    def describe_events(self, **kwargs):
        return {"Events": self.events}


class FakeCloudWatch:
    def __init__(self, value=None):
        self.value = value

    def get_metric_statistics(self, **kwargs):
        if self.value is None:
            return {"Datapoints": []}
        return {"Datapoints": [{"Timestamp": datetime.datetime.now(datetime.timezone.utc), "Maximum": self.value}]}


class Ctx:
    def __init__(self, parameters, clients):
        self.params, self.clients, self.region = parameters, clients, "us-west-2"

    def client(self, service, region=None):
        return self.clients[(service, region or self.region)]

    def call(self, function, doing, *args, **kwargs):
        return function(*args, **kwargs)


def instance(identifier, region, source=None, version="15.7", status="available", cluster=None):
    record = {"DBInstanceIdentifier": identifier, "DBInstanceStatus": status, "Engine": "postgres", "EngineVersion": version,
              "Endpoint": {"Address": "%s.%s.example" % (identifier, region), "Port": 5432},
              "DBInstanceArn": "arn:aws:rds:%s:111111111111:db:%s" % (region, identifier)}
    if source:
        record["ReadReplicaSourceDBInstanceIdentifier"] = source
    if cluster:
        record["DBClusterIdentifier"] = cluster
    return record


def promote_ctx(lag=0.0, replica=None, east=None, **changes):
    west = FakeRds({"app-db-dr": replica or instance("app-db-dr", "us-west-2", source=EAST_ARN)})
    return Ctx(params(**changes), {("rds", "us-west-2"): west, ("rds", "us-east-1"): east or FakeRds({"app-db": instance("app-db", "us-east-1")}),
                                   ("cloudwatch", "us-west-2"): FakeCloudWatch(lag)})


def test_options_that_do_not_apply_and_bad_values_are_named():
    errors = spec.validate(params(action="multi_az", db_cluster_identifier="c", allow_data_loss=True, max_replica_lag_seconds=-1,
                                  wait_timeout=0, secrets=[" "]))
    text = "; ".join(errors)
    for fragment in ("db_cluster_identifier only applies to action aurora_failover", "allow_data_loss only applies to action=global_failover",
                     "max_replica_lag_seconds must be 0 or more, got -1", "wait_timeout must be at least 1", "empty entry"):
        assert fragment in text
    assert spec.validate(params()) == []


def test_global_failover_is_refused_without_allow_data_loss():
    refusal = spec.check_data_loss(params(action="global_failover", target_db_cluster_identifier="orders-dr"))
    assert "allow_data_loss=true" in refusal and "global_switchover" in refusal
    assert spec.check_data_loss(params(action="global_failover", allow_data_loss=True)) is None
    assert spec.check_data_loss(params(action="global_switchover")) is None


def test_promote_replica_plan_with_a_lag_within_the_threshold():
    plan = preflight.preflight_promote_replica(promote_ctx(lag=2.5))
    assert plan.failed() == [] and plan.noop is None and plan.lag_seconds == 2.5
    assert plan.old_writer["identifier"] == "app-db" and plan.old_writer["region"] == "us-east-1"
    assert plan.new_writer["endpoint_address"] == "app-db-dr.us-west-2.example"


def test_a_lag_above_the_threshold_fails_unless_forced():
    plan = preflight.preflight_promote_replica(promote_ctx(lag=120.0, max_replica_lag_seconds=30))
    assert [c["name"] for c in plan.failed()] == ["replica lag"] and "more than max_replica_lag_seconds=30" in plan.failed()[0]["detail"]
    forced = preflight.preflight_promote_replica(promote_ctx(lag=120.0, max_replica_lag_seconds=30, force=True))
    assert forced.failed(force=True) == [] and "force=true" in forced.checks[-1]["detail"]


def test_no_lag_datapoint_passes_and_says_it_was_not_measured():
    plan = preflight.preflight_promote_replica(promote_ctx(lag=None))
    lag = [c for c in plan.checks if c["name"] == "replica lag"][0]
    assert lag["passed"] and "not measured" in lag["detail"] and plan.lag_seconds is None


def test_an_unreachable_source_region_does_not_stop_the_promotion():
    plan = preflight.preflight_promote_replica(promote_ctx(east=FakeRds(broken=True)))
    assert plan.failed() == [] and plan.old_writer == {"identifier": "app-db", "endpoint_address": None, "endpoint_port": None,
                                                       "region": "us-east-1", "arn": EAST_ARN}
    assert "could not be described" in [c for c in plan.checks if c["name"] == "engine versions compatible"][0]["detail"]


def test_another_major_version_on_the_source_fails():
    plan = preflight.preflight_promote_replica(promote_ctx(east=FakeRds({"app-db": instance("app-db", "us-east-1", version="16.3")})))
    assert [c["name"] for c in plan.failed()] == ["engine versions compatible"]


def test_not_a_replica_is_refused_unless_it_was_promoted():
    standalone = instance("app-db-dr", "us-west-2")
    plan = preflight.preflight_promote_replica(promote_ctx(replica=standalone))
    assert "nothing to promote" in plan.failed()[0]["detail"]
    ctx = promote_ctx(replica=standalone)
    ctx.clients[("rds", "us-west-2")].events = [{"Message": "Read replica promoted to a standalone DB instance",
                                                 "Date": datetime.datetime(2025, 3, 1, tzinfo=datetime.timezone.utc)}]
    plan = preflight.preflight_promote_replica(ctx)
    assert plan.failed() == [] and "no longer a read replica" in plan.noop and "2025-03-01" in plan.noop
    member = preflight.preflight_promote_replica(promote_ctx(replica=instance("app-db-dr", "us-west-2", cluster="orders")))
    assert "use action=aurora_failover" in member.failed()[0]["detail"]


def global_ctx(action, writer_is_target=False, versions=("16.4", "16.4")):
    primary_arn = "arn:aws:rds:us-east-1:111111111111:cluster:orders"
    target_arn = "arn:aws:rds:us-west-2:111111111111:cluster:orders-dr"
    members = [{"DBClusterArn": primary_arn, "IsWriter": not writer_is_target}, {"DBClusterArn": target_arn, "IsWriter": writer_is_target}]
    cluster = {"Status": "available", "Endpoint": "orders-dr.example", "Port": 5432}
    east = FakeRds(clusters={"orders": dict(cluster, DBClusterIdentifier="orders", DBClusterArn=primary_arn, EngineVersion=versions[0])},
                   global_clusters={"g": {"Status": "available", "GlobalClusterMembers": members}})
    west = FakeRds(clusters={"orders-dr": dict(cluster, DBClusterIdentifier="orders-dr", DBClusterArn=target_arn, EngineVersion=versions[1])},
                   global_clusters={"g": {"Status": "available", "GlobalClusterMembers": members}})
    return Ctx(params(action=action, db_instance_identifier=None, global_cluster_identifier="g", target_db_cluster_identifier="orders-dr",
                      allow_data_loss=action == "global_failover"),
               {("rds", "us-west-2"): west, ("rds", "us-east-1"): east, ("cloudwatch", "us-west-2"): FakeCloudWatch(150.0)})


def test_global_switchover_plan_idempotence_and_versions():
    plan = preflight.preflight_global(global_ctx("global_switchover"))
    assert plan.failed() == [] and plan.target["region"] == "us-west-2" and plan.lag_seconds == 0.15
    assert plan.old_writer["identifier"] == "orders" and plan.new_writer["identifier"] == "orders-dr"
    done = preflight.preflight_global(global_ctx("global_switchover", writer_is_target=True))
    assert "already the primary cluster" in done.noop
    mismatch = preflight.preflight_global(global_ctx("global_switchover", versions=("16.4", "16.2")))
    assert [c["name"] for c in mismatch.failed()] == ["engine versions compatible"]
    assert preflight.preflight_global(global_ctx("global_failover", versions=("16.4", "16.2"))).failed() == []


class FakeRoute53:
    def __init__(self, value):
        self.value, self.changes = value, []

    def list_hosted_zones_by_name(self, DNSName):
        return {"HostedZones": [{"Id": "/hostedzone/Z1", "Name": "db.example."}, {"Id": "/hostedzone/Z9", "Name": "other.example."}]}

    def list_resource_record_sets(self, **kwargs):
        if self.value is None:
            return {"ResourceRecordSets": []}
        return {"ResourceRecordSets": [{"Name": "app.db.example.", "Type": "CNAME", "TTL": 30, "ResourceRecords": [{"Value": self.value}]}]}

    def change_resource_record_sets(self, HostedZoneId, ChangeBatch):
        self.changes.append(ChangeBatch)
        return {"ChangeInfo": {"Id": "/change/C1", "Status": "INSYNC"}}


def test_route53_upsert_only_when_the_record_differs():
    spec_ = {"zone_name": "db.example", "record_name": "App.db.example", "ttl": 30, "type": "CNAME", "hosted_zone_id": None}
    same = FakeRoute53("new-writer.example.")
    assert repoint.route53_change(same, spec_, "new-writer.example", check_mode=False)["changed"] is False and same.changes == []
    old = FakeRoute53("old-writer.example")
    result = repoint.route53_change(old, spec_, "new-writer.example", check_mode=False)
    assert result["changed"] and result["before"]["value"] == "old-writer.example" and result["change_id"] == "C1"
    assert old.changes[0]["Changes"][0]["Action"] == "UPSERT"
    planned = FakeRoute53(None)
    assert repoint.route53_change(planned, spec_, "new-writer.example", check_mode=True)["changed"] and planned.changes == []
    with pytest.raises(repoint.RepointError, match="not in hosted zone"):
        repoint.route53_change(old, dict(spec_, record_name="app.elsewhere.example"), "x", check_mode=True)


class FakeSecrets:
    def __init__(self, text):
        self.text, self.put = text, []

    def get_secret_value(self, SecretId):
        return {"ARN": "arn:aws:secretsmanager:us-east-1:1:secret:%s" % SecretId, "SecretString": self.text}

    def put_secret_value(self, SecretId, SecretString):
        self.put.append(json.loads(SecretString))


def test_secrets_keep_every_other_key_and_refuse_other_shapes():
    writer = {"endpoint_address": "new.example", "endpoint_port": 5433}
    client = FakeSecrets(json.dumps({"host": "old.example", "port": 5432, "password": "s3cret-value", "username": "app_rw"}))
    change = repoint.repoint_secret(client, "local/app-db/app_rw", writer, check_mode=False)
    assert change["changed"] and client.put == [{"host": "new.example", "port": 5433, "password": "s3cret-value", "username": "app_rw"}]
    assert "s3cret" not in json.dumps(change["before"]) + json.dumps(change["after"])
    with pytest.raises(repoint.RepointError, match="db_secret shape"):
        repoint.repoint_secret(FakeSecrets("not json"), "s", writer, check_mode=True)


def test_wait_until_times_out_with_the_last_state():
    clock = iter(range(0, 100, 5))
    with pytest.raises(AwsWaitTimeout, match="Status=modifying"):
        actions.wait_until(lambda: {"Status": "modifying"}, lambda r: False, 12, "the cluster", lambda r: "Status=%s" % r["Status"],
                           sleep=lambda s: None, clock=lambda: next(clock))


def test_timeline_steps_are_iso_utc_and_timed():
    ticks = iter([100.0, 103.25])
    timeline = Timeline(clock=lambda: next(ticks))
    with timeline.step("promote_replica"):
        pass
    assert timeline.as_list() == [{"step": "promote_replica", "started_at": "1970-01-01T00:01:40.000Z",
                                   "finished_at": "1970-01-01T00:01:43.250Z", "seconds": 3.25}]
    assert iso(0.5) == "1970-01-01T00:00:00.500Z"


def test_revoking_connect_inherited_from_public_is_refused():
    state = {"exists": True, "read_only": False, "can_connect": True, "direct_connect": False}
    with pytest.raises(freeze.FreezeError, match="use method=read_only"):
        freeze.statements_for("app_rw", "app", "revoke_connect", True, state)
    assert len(freeze.statements_for("app_rw", "app", "read_only", True, state)) == 1
    assert freeze.statements_for("app_rw", "app", "read_only", False, state) == []
