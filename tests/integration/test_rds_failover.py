"""rds_failover through ansible-playbook on the local environment, on real PostgreSQL servers.

One Multi-AZ instance in us-east-1 with a cross-region read replica in us-west-2 (a streaming
standby), a Route 53 zone and a db_secret-shaped connection secret are created with boto3. One
playbook then runs: bad inputs (each fails cleanly), the promotion in check mode (nothing written),
the promotion with DNS and secret re-pointing, its re-run (changed=false) and a Multi-AZ failover
of the old primary. The promoted replica has the primary's row and accepts writes.
"""

import json
import time
import uuid

import psycopg2
import pytest

from rds_instance_helpers import ri_connect, ri_delete, ri_describe, ri_query, ri_writes

MODULE = "innovate.aws_postgres.rds_failover"
PASSWORD = "Failover-Pass-0001"


def rf_play(ansible, steps):
    tasks = []
    for index, step in enumerate(steps):
        args = dict(step)
        check = args.pop("_check", False)
        tasks.append({"name": "step %03d" % index, MODULE: args, "ignore_errors": True, "check_mode": check, "diff": True})
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]
    run = ansible.playbook(json.dumps(play))
    results = [run.result("step %03d" % index) for index in range(len(run.task_results))]
    assert len(results) == len(steps), run.stdout[-3000:] + run.stderr
    return results


def rf_ok(result, changed):
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is changed, json.dumps(result, default=str)[:3000]
    return result


def rf_failed(result, *fragments):
    assert result.get("failed") is True, "expected a failure, got %s" % json.dumps(result, default=str)[:2000]
    for fragment in fragments:
        assert fragment in result["msg"], "%r not in %r" % (fragment, result["msg"])
    assert "Traceback" not in json.dumps(result, default=str)
    return result


@pytest.fixture(scope="module")
def setup(localenv):
    suffix = uuid.uuid4().hex[:6]
    names = {"primary": "rfm-%s" % suffix, "replica": "rfm-%s-dr" % suffix, "secret": "rfm-%s/app_rw" % suffix,
             "zone": "rfm-%s.internal" % suffix}
    east, west = localenv.client("rds"), localenv.client("rds", region="us-west-2")
    east.create_db_instance(DBInstanceIdentifier=names["primary"], Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.micro",
                            AllocatedStorage=20, MasterUsername="owner", MasterUserPassword=PASSWORD, DBName="app",
                            BackupRetentionPeriod=1, MultiAZ=True, DeletionProtection=False)
    east.get_waiter("db_instance_available").wait(DBInstanceIdentifier=names["primary"], WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    primary = ri_describe(east, names["primary"])
    west.create_db_instance_read_replica(DBInstanceIdentifier=names["replica"], SourceDBInstanceIdentifier=primary["DBInstanceArn"],
                                         DBInstanceClass="db.t4g.micro")
    west.get_waiter("db_instance_available").wait(DBInstanceIdentifier=names["replica"], WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    conn = ri_connect(localenv, primary, "owner", PASSWORD)
    ri_query(conn, "CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders VALUES (1, 'before the failover')")
    conn.close()
    secrets = localenv.client("secretsmanager")
    value = {"engine": "postgres", "host": primary["Endpoint"]["Address"], "port": primary["Endpoint"]["Port"], "dbname": "app",
             "username": "app_rw", "password": "kept-as-it-is", "extra": "kept"}
    secrets.create_secret(Name=names["secret"], SecretString=json.dumps(value))
    route53 = localenv.client("route53")
    zone = route53.create_hosted_zone(Name=names["zone"], CallerReference=suffix)["HostedZone"]["Id"].split("/")[-1]
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
        "Name": "db.%s" % names["zone"], "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "primary.us-east-1.example"}]}}]})
    yield dict(names, east=east, west=west, zone_id=zone, secrets=secrets, route53=route53, primary_record=primary)
    ri_delete(west, names["replica"])
    ri_delete(east, names["primary"])


def record_value(setup):
    records = setup["route53"].list_resource_record_sets(HostedZoneId=setup["zone_id"])["ResourceRecordSets"]
    return [(r["ResourceRecords"][0]["Value"], r["TTL"]) for r in records if r["Type"] == "CNAME"][0]


def test_promote_replica_repoints_dns_and_secret_and_reruns_unchanged(setup, localenv, ansible):
    names = setup
    promote = {"action": "promote_replica", "region": "us-west-2", "db_instance_identifier": names["replica"],
               "route53": {"zone_name": names["zone"], "record_name": "db.%s" % names["zone"]},
               "secrets": [names["secret"]], "secrets_region": "us-east-1"}
    localenv.reset_requests()
    results = rf_play(ansible, [
        # bad inputs: each fails before any change
        {"action": "global_failover", "global_cluster_identifier": "nope", "target_db_cluster_identifier": "nope"},
        {"action": "promote_replica", "db_instance_identifier": names["primary"]},
        {"action": "promote_replica", "region": "us-west-2", "db_instance_identifier": "rfm-missing"},
        dict(promote, route53={"zone_name": names["zone"], "hosted_zone_id": names["zone_id"], "record_name": "db"}),
        {"action": "multi_az", "db_instance_identifier": names["primary"], "db_cluster_identifier": "x"},
        {"action": "promote_replica", "region": "us-west-2", "db_instance_identifier": names["replica"], "max_replica_lag_seconds": -1},
        dict(promote, route53={"zone_name": names["zone"], "record_name": "db.elsewhere.example"}),
        # the plan, then the promotion, then its re-run
        dict(promote, _check=True),
        promote,
        promote,
        {"action": "multi_az", "db_instance_identifier": names["primary"]},
    ])
    rf_failed(results[0], "allow_data_loss=true")
    assert results[0]["preflight"][0]["passed"] is False
    rf_failed(results[1], "not a read replica", "nothing to promote")
    rf_failed(results[2], "rfm-missing", "was not found")
    rf_failed(results[3], "mutually exclusive")
    rf_failed(results[4], "db_cluster_identifier only applies to action aurora_failover")
    rf_failed(results[5], "max_replica_lag_seconds must be 0 or more")
    rf_failed(results[6], "is not in hosted zone")

    check = rf_ok(results[7], True)
    assert check["plan"] == ["promote_replica", "route53", "secrets"] and check["rto_seconds"] is None
    assert {c["name"]: c["passed"] for c in check["preflight"]} == {
        "target exists": True, "target is a read replica": True, "target healthy": True, "engine versions compatible": True,
        "replica lag": True, "route53 record": True, "secret %s" % names["secret"]: True}
    lag = [c for c in check["preflight"] if c["name"] == "replica lag"][0]
    assert "ReplicaLag" in lag["detail"] and "behind" in lag["detail"], lag  # measured on the real standby
    assert check["old_writer"]["identifier"] == names["primary"] and check["old_writer"]["region"] == "us-east-1"

    done = rf_ok(results[8], True)
    replica = ri_describe(names["west"], names["replica"])
    assert done["new_writer"] == {"identifier": names["replica"], "endpoint_address": replica["Endpoint"]["Address"],
                                  "endpoint_port": replica["Endpoint"]["Port"], "region": "us-west-2", "arn": replica["DBInstanceArn"]}
    assert done["rto_seconds"] > 0
    steps = [s["step"] for s in done["timeline"]]
    assert steps == ["preflight", "promote_replica", "route53", "secrets"]
    assert all(s["started_at"].endswith("Z") and s["seconds"] >= 0 for s in done["timeline"])
    assert done["route53_change"]["changed"] and done["route53_change"]["before"]["value"] == "primary.us-east-1.example"
    assert done["secrets_repointed"] == [names["secret"]]
    assert "kept-as-it-is" not in json.dumps(done)

    again = rf_ok(results[9], False)
    assert "no longer a read replica" in again["msg"] and again["plan"] == []
    assert again["route53_change"]["changed"] is False and again["secrets_repointed"] == []

    multi = rf_ok(results[10], True)
    assert [s["step"] for s in multi["timeline"]] == ["preflight", "multi_az"] and multi["rto_seconds"] > 0
    after = ri_describe(names["east"], names["primary"])
    assert after["AvailabilityZone"] == setup["primary_record"]["SecondaryAvailabilityZone"]

    # what the check-mode run and the failures wrote: nothing before the real promotion
    assert not replica.get("ReadReplicaSourceDBInstanceIdentifier")
    writes = ri_writes(localenv, services=("rds", "route53", "secretsmanager"))
    assert writes.get("rds:PromoteReadReplica") == 1 and writes.get("rds:RebootDBInstance") == 1, writes
    assert writes.get("secretsmanager:PutSecretValue") == 1 and writes.get("route53:POST") == 1, writes  # route53 is REST: POST = ChangeResourceRecordSets

    value = json.loads(names["secrets"].get_secret_value(SecretId=names["secret"])["SecretString"])
    assert (value["host"], value["port"]) == (replica["Endpoint"]["Address"], replica["Endpoint"]["Port"])
    assert value["password"] == "kept-as-it-is" and value["extra"] == "kept" and value["username"] == "app_rw"
    assert record_value(setup) == (replica["Endpoint"]["Address"], 30)

    conn = ri_connect(localenv, replica, "owner", PASSWORD)
    assert ri_query(conn, "SELECT note FROM orders WHERE id = 1") == [("before the failover",)]
    ri_query(conn, "INSERT INTO orders VALUES (2, 'written on the promoted replica')")
    assert ri_query(conn, "SELECT pg_is_in_recovery()") == [(False,)]
    conn.close()


def test_lag_above_the_threshold_stops_the_promotion_unless_forced(setup, ansible, localenv):
    """A lag datapoint above max_replica_lag_seconds (put as CloudWatch would have it) fails the preflight."""
    names = setup
    replica = "rfm-lag-%s" % uuid.uuid4().hex[:4]
    cloudwatch = localenv.client("cloudwatch", region="us-west-2")
    west = names["west"]
    primary = ri_describe(names["east"], names["primary"])
    west.create_db_instance_read_replica(DBInstanceIdentifier=replica, SourceDBInstanceIdentifier=primary["DBInstanceArn"],
                                         DBInstanceClass="db.t4g.micro")
    try:
        west.get_waiter("db_instance_available").wait(DBInstanceIdentifier=replica, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
        now = time.time()  # every 10 s of the next minute: whatever 60 s period the module reads holds 120
        cloudwatch.put_metric_data(Namespace="AWS/RDS", MetricData=[{
            "MetricName": "ReplicaLag", "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": replica}], "Value": 120.0,
            "Unit": "Seconds", "Timestamp": now + offset} for offset in range(-10, 60, 10)])
        results = rf_play(ansible, [
            {"action": "promote_replica", "region": "us-west-2", "db_instance_identifier": replica, "max_replica_lag_seconds": 30},
            {"action": "promote_replica", "region": "us-west-2", "db_instance_identifier": replica, "max_replica_lag_seconds": 30,
             "force": True, "_check": True},
        ])
        rf_failed(results[0], "replica lag", "more than max_replica_lag_seconds=30", "force=true")
        assert ri_describe(west, replica)["ReadReplicaSourceDBInstanceIdentifier"]
        forced = rf_ok(results[1], True)
        standby = ri_describe(west, replica)
        probe = pg_play(ansible, [{"login_host": standby["Endpoint"]["Address"], "login_port": standby["Endpoint"]["Port"],
                                   "login_user": "owner", "login_password": PASSWORD, "login_db": "app", "ca_bundle": localenv.ca_bundle,
                                   "state": "probe"}])[0]
        rf_failed(probe, "is a standby (in recovery)")
        assert "continuing because force=true" in [c for c in forced["preflight"] if c["name"] == "replica lag"][0]["detail"]
    finally:
        ri_delete(west, replica)


def pg_play(ansible, steps):
    tasks = [{"name": "step %03d" % index, "innovate.aws_postgres.pg_write_freeze": {k: v for k, v in step.items() if k != "_check"},
              "ignore_errors": True, "check_mode": step.get("_check", False), "diff": True} for index, step in enumerate(steps)]
    run = ansible.playbook(json.dumps([{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]))
    return [run.result("step %03d" % index) for index in range(len(steps))]


def test_pg_write_freeze_freezes_thaws_probes_and_refuses_bad_input(setup, localenv, ansible):
    primary = ri_describe(setup["east"], setup["primary"])
    conn = ri_connect(localenv, primary, "owner", PASSWORD)
    ri_query(conn, "CREATE ROLE fz_app LOGIN PASSWORD 'Fz-App-Pass-01'; GRANT INSERT, SELECT ON orders TO fz_app")
    conn.close()
    login = {"login_host": primary["Endpoint"]["Address"], "login_port": primary["Endpoint"]["Port"], "login_user": "owner",
             "login_password": PASSWORD, "login_db": "app", "ca_bundle": localenv.ca_bundle}
    app = ri_connect(localenv, primary, "fz_app", "Fz-App-Pass-01")
    results = pg_play(ansible, [
        dict(login, state="frozen"),
        dict(login, state="probe", probe_table="no_schema"),
        dict(login, state="frozen", roles=["fz_missing"]),
        dict(login, state="frozen", roles=["fz_app"], method="revoke_connect"),
        dict(login, state="frozen", roles=["fz_app"], _check=True),
        dict(login, state="frozen", roles=["fz_app"]),
        dict(login, state="frozen", roles=["fz_app"]),
        dict(login, state="thawed", roles=["fz_app"]),
        dict(login, state="thawed", roles=["fz_app"]),
        dict(login, state="probe", probe_label="it-probe"),
    ])
    rf_failed(results[0], "roles: give the application login roles")
    rf_failed(results[1], "probe_table: 'no_schema' is not schema.table")
    rf_failed(results[2], "role fz_missing does not exist")
    rf_failed(results[3], "through PUBLIC", "use method=read_only")
    planned = rf_ok(results[4], True)
    assert planned["roles"] == [{"role": "fz_app", "frozen_before": False, "frozen_after": False}] and planned["terminated_sessions"] == 1
    frozen = rf_ok(results[5], True)
    assert frozen["terminated_sessions"] == 1 and "default_transaction_read_only = on" in frozen["statements"][0]
    rf_ok(results[6], False)
    rf_ok(results[7], True)
    rf_ok(results[8], False)
    probe = rf_ok(results[9], True)["probe"]
    assert probe["label"] == "it-probe" and probe["id"] >= 1
    with pytest.raises(psycopg2.Error):
        ri_query(app, "SELECT 1")  # its session was terminated by the freeze (the check-mode run left it alone)
    app = ri_connect(localenv, primary, "fz_app", "Fz-App-Pass-01")
    ri_query(app, "INSERT INTO orders VALUES (30, 'thawed')")
    app.close()


def test_aurora_failover_and_global_switchover_and_failover(localenv, ansible):
    suffix = uuid.uuid4().hex[:5]
    east, west = localenv.client("rds"), localenv.client("rds", region="us-west-2")
    primary, secondary, global_id = "rfa-%s" % suffix, "rfb-%s" % suffix, "rfg-%s" % suffix
    cluster = east.create_db_cluster(DBClusterIdentifier=primary, Engine="aurora-postgresql", EngineVersion="16.4", MasterUsername="owner",
                                     MasterUserPassword=PASSWORD, DatabaseName="app")["DBCluster"]
    for index in (1, 2):
        east.create_db_instance(DBInstanceIdentifier="%s-%d" % (primary, index), DBClusterIdentifier=primary, Engine="aurora-postgresql",
                                DBInstanceClass="db.r6g.large")
    east.create_global_cluster(GlobalClusterIdentifier=global_id, SourceDBClusterIdentifier=cluster["DBClusterArn"])
    west.create_db_cluster(DBClusterIdentifier=secondary, Engine="aurora-postgresql", EngineVersion="16.4", GlobalClusterIdentifier=global_id)
    west.create_db_instance(DBInstanceIdentifier=secondary + "-1", DBClusterIdentifier=secondary, Engine="aurora-postgresql",
                            DBInstanceClass="db.r6g.large")
    target_arn = "arn:aws:rds:us-west-2:123456789012:cluster:%s" % secondary
    switch = {"action": "global_switchover", "global_cluster_identifier": global_id, "target_db_cluster_identifier": target_arn}
    try:
        results = rf_play(ansible, [
            {"action": "aurora_failover", "db_cluster_identifier": primary, "target_db_instance_identifier": "nope"},
            {"action": "aurora_failover", "db_cluster_identifier": primary, "target_db_instance_identifier": primary + "-2"},
            {"action": "aurora_failover", "db_cluster_identifier": primary, "target_db_instance_identifier": primary + "-2"},
            dict(switch, _check=True),
            switch,
            switch,
            {"action": "global_failover", "global_cluster_identifier": global_id, "target_db_cluster_identifier": primary,
             "allow_data_loss": True},
        ])
        rf_failed(results[0], "DB instance nope is not a reader of DB cluster %s" % primary)
        moved = rf_ok(results[1], True)
        assert moved["old_writer"]["identifier"] == primary + "-1" and moved["new_writer"]["identifier"] == primary + "-2"
        assert moved["rto_seconds"] is not None and [s["step"] for s in moved["timeline"]] == ["preflight", "aurora_failover"]
        assert "already the writer" in rf_ok(results[2], False)["msg"]
        assert rf_ok(results[3], True)["plan"] == ["global_switchover"]
        switched = rf_ok(results[4], True)
        described = west.describe_db_clusters(DBClusterIdentifier=secondary)["DBClusters"][0]
        assert switched["new_writer"] == {"identifier": secondary, "endpoint_address": described["Endpoint"], "endpoint_port": described["Port"],
                                          "region": "us-west-2", "arn": target_arn}
        assert switched["old_writer"]["identifier"] == primary and switched["rto_seconds"] is not None
        assert "already the primary cluster" in rf_ok(results[5], False)["msg"]
        back = rf_ok(results[6], True)
        assert back["new_writer"]["identifier"] == primary and back["new_writer"]["region"] == "us-east-1"
        members = east.describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"][0]["GlobalClusterMembers"]
        assert [m["DBClusterArn"].split(":")[-1] for m in members if m["IsWriter"]] == [primary]
    finally:
        for rds, identifier, instances in ((west, secondary, [secondary + "-1"]), (east, primary, [primary + "-1", primary + "-2"])):
            try:
                rds.remove_from_global_cluster(GlobalClusterIdentifier=global_id, DbClusterIdentifier=rds.describe_db_clusters(
                    DBClusterIdentifier=identifier)["DBClusters"][0]["DBClusterArn"])
            except Exception:  # pylint: disable=broad-except  # best-effort cleanup
                pass
            for name in instances:
                ri_delete(rds, name)
