"""playbooks/migrate_to_aurora.yml and the aurora_migration module end to end on one RDS instance with a real server.

Bad input fails before any change; a record outside its zone fails before anything is created; a promotion that AWS
refuses (after the writes were frozen) thaws the instance and leaves the cluster replicating; the re-run converges:
the cluster is promoted with the instance's data, the application's secret points at it, the application role can
write there; the rollback points the secret back at the instance, thaws it and deletes the cluster.
"""

import json
import uuid

import psycopg2
import pytest

from harness import REPO
from day2_helpers import DATA_ACCOUNT, DATA_ROLE, connect, create_instance, master_sql, secret_value, write_inventory

PLAYBOOK = REPO / "playbooks" / "migrate_to_aurora.yml"
APP_PASSWORD = "App-Pw-7f3a-never-shown"
ZONE = "mta.innovate.test"


@pytest.fixture(scope="module")
def migration(localenv, tmp_path_factory):
    instance = create_instance(localenv, "mta-%s" % uuid.uuid4().hex[:6])
    master_sql(localenv, instance,
               "CREATE ROLE app_user LOGIN PASSWORD '%s'" % APP_PASSWORD,
               "CREATE TABLE orders (id serial PRIMARY KEY, note text)",
               "GRANT ALL ON orders, orders_id_seq TO app_user",
               "INSERT INTO orders (note) SELECT 'row ' || n FROM generate_series(1, 50) n")
    secret = "local/%s/app_user" % instance["identifier"]
    localenv.client("secretsmanager", account_id=DATA_ACCOUNT).create_secret(Name=secret, SecretString=json.dumps(dict(
        engine="postgres", host=instance["host"], port=instance["port"], dbname="app", username="app_user", password=APP_PASSWORD)))
    route53 = localenv.client("route53", account_id=DATA_ACCOUNT)
    route53.create_hosted_zone(Name=ZONE, CallerReference=instance["identifier"])
    inventory = write_inventory(tmp_path_factory.mktemp("mta") / "hosts.yml", localenv, instance,
                                db_role_model={"logins": [{"name": "app_user"}]}, db_app_secrets=[{"login": "app_user"}])
    yield dict(instance, inventory=inventory, secret=secret, cluster="%s-aurora" % instance["identifier"])
    rds = localenv.client("rds", account_id=DATA_ACCOUNT)
    rds.delete_db_instance(DBInstanceIdentifier=instance["identifier"], SkipFinalSnapshot=True)


def app_writes(localenv, endpoint, note):
    """Insert a row as the application role at ``endpoint`` (host, port); False when the server refuses the write."""
    conn = connect(localenv, {"host": endpoint[0], "port": endpoint[1]}, "app_user", APP_PASSWORD)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO orders (note) VALUES (%s)", (note,))
        return True
    except psycopg2.errors.ReadOnlySqlTransaction:
        return False
    finally:
        conn.close()


def cluster_of(localenv, identifier):
    clusters = localenv.client("rds", account_id=DATA_ACCOUNT).describe_db_clusters()["DBClusters"]
    return next((c for c in clusters if c["DBClusterIdentifier"] == identifier), None)


def test_migrate_to_aurora_fail_converge_and_roll_back(ansible, localenv, migration, tmp_path):
    source = (migration["host"], migration["port"])
    aws = dict(region="us-east-1", assume_role_arn=DATA_ROLE)

    # Bad input to the module fails cleanly and creates nothing; check mode only plans.
    missing = ansible.module("aurora_migration", dict(aws, state="replicating", db_cluster_identifier=migration["cluster"],
                                                      source_db_instance_identifier="mta-missing"))
    assert missing["failed"] and "DB instance mta-missing was not found" in missing["msg"]
    major = ansible.module("aurora_migration", dict(aws, state="replicating", db_cluster_identifier=migration["cluster"],
                                                    source_db_instance_identifier=migration["identifier"], engine_version="15"))
    assert major["failed"] and "must have the major version of its source" in major["msg"]
    wrong_state = ansible.module("aurora_migration", dict(aws, state="promoted", db_cluster_identifier=migration["cluster"],
                                                          secrets=[migration["secret"]]))
    assert wrong_state["failed"] and "only used with state=repointed" in wrong_state["msg"]
    planned = ansible.module("aurora_migration", dict(aws, state="replicating", db_cluster_identifier=migration["cluster"],
                                                      source_db_instance_identifier=migration["identifier"]), check=True)
    assert planned["changed"] and len(planned["actions"]) == 2 and planned["phase"] == "absent"
    assert cluster_of(localenv, migration["cluster"]) is None

    # A record outside its zone fails before anything is created or frozen.
    reports = tmp_path / "reports"
    reports.mkdir()
    good = dict(migrate_to_aurora_route53={"zone_name": ZONE, "record_name": "app.%s" % ZONE}, migrate_to_aurora_report_dir=str(reports))
    bad = ansible.playbook(PLAYBOOK, inventory=migration["inventory"],
                           extra_vars=dict(good, migrate_to_aurora_route53={"zone_name": ZONE, "record_name": "app.elsewhere.test"}))
    assert bad.rc != 0 and "is not in hosted zone" in bad.stdout
    assert cluster_of(localenv, migration["cluster"]) is None and app_writes(localenv, source, "after bad record")

    # AWS refuses the promotion after the writes were frozen: the instance is thawed, the cluster keeps replicating.
    localenv.set_faults(services=["rds"], operations=["PromoteReadReplicaDBCluster"], error_rate=1)
    failed = ansible.playbook(PLAYBOOK, inventory=migration["inventory"], extra_vars=good)
    localenv.clear_faults()
    assert failed.rc != 0, failed.stdout[-3000:]
    assert "The cluster was not promoted and keeps replicating" in failed.result("Fail with the error")["msg"]
    assert failed.result("Freeze the application's writes on the instance")["changed"]
    assert failed.result("Thaw the instance again (the cluster was not promoted; the application keeps writing to the instance)")["changed"]
    cluster = cluster_of(localenv, migration["cluster"])
    assert cluster["ReplicationSourceIdentifier"].endswith(":db:%s" % migration["identifier"])
    assert app_writes(localenv, source, "after failed cut-over")
    assert secret_value(localenv, migration["secret"])["port"] == migration["port"]
    assert json.loads((reports / ("%s-aurora-migration.json" % migration["identifier"])).read_text())["status"] == "failed"

    # The re-run converges: promoted with the instance's data, secret and record re-pointed, the app writes there only.
    done = ansible.playbook(PLAYBOOK, inventory=migration["inventory"], extra_vars=good)
    assert done.rc == 0, done.stdout[-3000:]
    assert not done.result("Replicate the instance into the Aurora cluster and wait until it has caught up")["changed"]
    assert done.result("Checksum the cluster once it has replayed everything, and compare")["matches"]
    cluster = cluster_of(localenv, migration["cluster"])
    assert "ReplicationSourceIdentifier" not in cluster and cluster["Status"] == "available"
    aurora = (cluster["Endpoint"], cluster["Port"])
    assert secret_value(localenv, migration["secret"])["port"] == cluster["Port"] != migration["port"]
    assert master_sql(localenv, {"host": aurora[0], "port": aurora[1], "master_arn": migration["master_arn"]},
                      "SELECT count(*) FROM orders WHERE note LIKE 'row %' OR note LIKE 'after %'") == [(52,)]
    assert app_writes(localenv, aurora, "on aurora") and not app_writes(localenv, source, "on the frozen instance")
    records = localenv.client("route53", account_id=DATA_ACCOUNT).list_resource_record_sets(
        HostedZoneId=done.result("Point the Route 53 record and the application secrets at the cluster")["route53_change"]["hosted_zone_id"])
    assert [r["ResourceRecords"][0]["Value"] for r in records["ResourceRecordSets"] if r["Name"] == "app.%s." % ZONE] == [aurora[0]]
    report = json.loads((reports / ("%s-aurora-migration.json" % migration["identifier"])).read_text())
    assert report["status"] == "migrated" and report["data_matches"] and report["write_verified"] and report["promoted"]
    assert [change["secret"] for change in report["secrets"] if change["changed"]] == [migration["secret"]]
    assert "| cluster promoted by this run | True |" in (reports / ("%s-aurora-migration.md" % migration["identifier"])).read_text()
    assert APP_PASSWORD not in done.stdout + done.stderr

    # Rollback: the secret points at the instance again, the instance takes writes, the cluster is gone.
    back = ansible.playbook(PLAYBOOK, inventory=migration["inventory"], extra_vars=dict(good, migrate_direction="rollback"))
    assert back.rc == 0, back.stdout[-3000:]
    assert secret_value(localenv, migration["secret"])["port"] == migration["port"]
    assert app_writes(localenv, source, "after rollback")
    assert cluster_of(localenv, migration["cluster"]) is None
    report = json.loads((reports / ("%s-aurora-migration.json" % migration["identifier"])).read_text())
    assert report["status"] == "rolled_back" and report["cluster_deleted"] and report["write_verified"]
    assert report["secrets"][0]["after"]["port"] == migration["port"]
