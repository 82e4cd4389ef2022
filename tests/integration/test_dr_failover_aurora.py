"""playbooks/dr_failover.yml on an Aurora PostgreSQL deployment with a Global Database, end to end on the local environment.

One deployment (created with boto3 for speed, named as the aurora_postgres role names it): the cluster <host> in
us-east-1 (writer <host>-1, reader <host>-2, RDS managed master secret), the Global Database <host>-global and its
secondary cluster <host>-us-west-2 (a streaming standby in the emulator), the application login orders_app with its
connection secret, a Route 53 record; a one-host inventory with db_global_secondary_region=us-west-2.

Bad input first (an unknown dr_mode; dr_mode=failover without dr_allow_data_loss): refused, nothing changed. Then the
planned switchover to us-west-2 (row written before on the primary read on the new primary through the re-pointed
secret, DNS re-pointed, the application's open session ended by the freeze, writes re-enabled, the report), the
failback to us-east-1, and the same deployment seen without its Global Database: an in-region Aurora failover to the
reader (the cluster endpoint and so the secret stay).
"""

import json
import uuid

import psycopg2
import pytest
import yaml

from rds_instance_helpers import ri_delete

APP_PASSWORD = "Orders-App-Pass-0001"
WEST = "us-west-2"


def secret_value(localenv, secret_id):
    return json.loads(localenv.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])


def app_connect(localenv, value):
    conn = psycopg2.connect(host=value["host"], port=value["port"], user=value["username"], password=value["password"],
                            dbname=value["dbname"], sslmode="verify-full", sslrootcert=localenv.ca_bundle, connect_timeout=10)
    conn.autocommit = True
    return conn


def query(conn, sql, params=None):
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def cluster(rds, identifier):
    return rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def global_writer(rds, global_id):
    members = rds.describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"][0]["GlobalClusterMembers"]
    return [m["DBClusterArn"].split(":")[-1] for m in members if m["IsWriter"]]


@pytest.fixture(scope="module")
def deployment(localenv, tmp_path_factory):
    host = "dra-%s" % uuid.uuid4().hex[:5]
    secondary, global_id = "%s-%s" % (host, WEST), host + "-global"
    east, west = localenv.client("rds"), localenv.client("rds", region=WEST)
    primary = east.create_db_cluster(DBClusterIdentifier=host, Engine="aurora-postgresql", EngineVersion="16.4", MasterUsername="dbadmin",
                                     ManageMasterUserPassword=True, DatabaseName="orders")["DBCluster"]
    for index, tier in ((1, 0), (2, 1)):
        east.create_db_instance(DBInstanceIdentifier="%s-%d" % (host, index), DBClusterIdentifier=host, Engine="aurora-postgresql",
                                DBInstanceClass="db.r6g.large", PromotionTier=tier)
    master = secret_value(localenv, cluster(east, host)["MasterUserSecret"]["SecretArn"])
    described = cluster(east, host)
    conn = app_connect(localenv, dict(host=described["Endpoint"], port=described["Port"], username=master["username"],
                                      password=master["password"], dbname="orders"))
    query(conn, "CREATE ROLE orders_app LOGIN PASSWORD '%s'; CREATE TABLE public.orders (id int PRIMARY KEY, note text); "
                "GRANT SELECT, INSERT ON public.orders TO orders_app" % APP_PASSWORD)
    conn.close()
    east.create_global_cluster(GlobalClusterIdentifier=global_id, SourceDBClusterIdentifier=primary["DBClusterArn"])
    west.create_db_cluster(DBClusterIdentifier=secondary, Engine="aurora-postgresql", EngineVersion="16.4", GlobalClusterIdentifier=global_id)
    west.create_db_instance(DBInstanceIdentifier=secondary + "-1", DBClusterIdentifier=secondary, Engine="aurora-postgresql",
                            DBInstanceClass="db.r6g.large")
    secret_id = "local/%s/orders_app" % host
    localenv.client("secretsmanager").create_secret(Name=secret_id, SecretString=json.dumps({
        "engine": "postgres", "host": cluster(east, host)["Endpoint"], "port": cluster(east, host)["Port"], "dbname": "orders",
        "username": "orders_app", "password": APP_PASSWORD}))
    zone_name = "%s.internal" % host
    route53 = localenv.client("route53")
    zone_id = route53.create_hosted_zone(Name=zone_name, CallerReference=host)["HostedZone"]["Id"].split("/")[-1]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
        "Name": "db." + zone_name, "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "primary.us-east-1.example"}]}}]})

    work = tmp_path_factory.mktemp("dra")
    inventory = work / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"databases": {"hosts": {host: {
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "innovate_aws_postgres_in_process": True, "env_name": "local",
        "aws_region": "us-east-1", "aws_dr_region": WEST, "aws_endpoint_url": localenv.endpoint_url,
        "aws_access_key": "testing", "aws_secret_key": "testing", "pg_ca_bundle": localenv.ca_bundle,
        "db_engine": "aurora-postgresql", "db_instance_class": "db.r6g.large", "db_name": "orders", "db_master_username": "dbadmin",
        "db_global_secondary_region": WEST,
        "db_app_secrets": [{"login": "orders_app", "auth": "password"}, {"login": "orders_reporting", "auth": "iam"}],
        "db_role_model": {"logins": [{"name": "orders_app"}]},
    }}}}}}))
    extra = {"dr_incident_id": "INC-77", "dr_declared_by": "tester", "dr_reason": "us-east-1 degraded",
             "dr_secrets": [secret_id], "dr_route53": {"zone_name": zone_name, "record_name": "db." + zone_name},
             "dr_report_dir": str(work / "reports")}
    yield dict(host=host, secondary=secondary, global_id=global_id, east=east, west=west, secret_id=secret_id, zone_id=zone_id,
               route53=route53, inventory=inventory, extra=extra, reports=work / "reports")
    for rds, identifier, instances in ((west, secondary, [secondary + "-1"]), (east, host, [host + "-1", host + "-2"])):
        try:
            rds.remove_from_global_cluster(GlobalClusterIdentifier=global_id, DbClusterIdentifier=cluster(rds, identifier)["DBClusterArn"])
        except Exception:  # pylint: disable=broad-except  # best-effort cleanup
            pass
        for name in instances:
            ri_delete(rds, name)


def record(deployment):
    records = deployment["route53"].list_resource_record_sets(HostedZoneId=deployment["zone_id"])["ResourceRecordSets"]
    return [r["ResourceRecords"][0]["Value"] for r in records if r["Type"] == "CNAME"][0]


def run_ok(ansible, deployment, **extra):
    run = ansible.playbook("playbooks/dr_failover.yml", inventory=deployment["inventory"], limit=deployment["host"],
                           extra_vars=dict(deployment["extra"], **extra))
    assert run.rc == 0, json.dumps([r for r in run.task_results if r.get("failed")], default=str)[:4000] + run.stderr[-2000:]
    return run


def report_of(deployment, direction):
    path = deployment["reports"] / ("INC-77-%s-%s" % (deployment["host"], direction))
    return json.loads(path.with_suffix(".json").read_text()), path.with_suffix(".md").read_text()


def test_global_switchover_failback_and_in_region_failover(deployment, localenv, ansible):
    host, secondary, east, west = deployment["host"], deployment["secondary"], deployment["east"], deployment["west"]
    before = secret_value(localenv, deployment["secret_id"])

    # bad input: refused before any change
    for extra, messages in (({"dr_mode": "planned", "dr_freeze_method": "lock"},
                             ["dr_mode is switchover or failover (got planned)", "dr_freeze_method is read_only or revoke_connect (got lock)"]),
                            ({"dr_mode": "failover"}, ["Add -e dr_allow_data_loss=true to accept", "Nothing was changed"])):
        bad = ansible.playbook("playbooks/dr_failover.yml", inventory=deployment["inventory"], limit=host,
                               extra_vars=dict(deployment["extra"], **extra))
        assert bad.rc != 0 and all(message in bad.stdout for message in messages), bad.stdout[-3000:]
        assert "Traceback" not in bad.stdout + bad.stderr
    assert global_writer(east, deployment["global_id"]) == [host]
    assert secret_value(localenv, deployment["secret_id"]) == before and not deployment["reports"].exists()

    app = app_connect(localenv, before)
    query(app, "INSERT INTO public.orders VALUES (1, 'before the switchover')")

    # planned switchover to us-west-2 (dr_mode defaults to switchover)
    run_ok(ansible, deployment)
    assert global_writer(east, deployment["global_id"]) == [secondary]
    new = cluster(west, secondary)
    value = secret_value(localenv, deployment["secret_id"])
    assert (value["host"], value["port"]) == (new["Endpoint"], new["Port"]) and value["password"] == APP_PASSWORD
    assert record(deployment) == new["Endpoint"]
    with pytest.raises(psycopg2.Error):
        query(app, "SELECT 1")  # the application's session on the old writer was ended by the freeze
    app = app_connect(localenv, value)  # through the re-pointed secret
    assert query(app, "SELECT note FROM public.orders WHERE id = 1") == [("before the switchover",)]
    query(app, "INSERT INTO public.orders VALUES (2, 'written in us-west-2')")  # writes re-enabled
    assert query(app, "SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only')") == [(False, "off")]
    app.close()
    old = app_connect(localenv, dict(value, host=cluster(east, host)["Endpoint"], port=cluster(east, host)["Port"]))
    assert query(old, "SELECT pg_is_in_recovery()") == [(True,)]  # the old primary is a secondary now
    old.close()
    report, markdown = report_of(deployment, "failover")
    assert report["record"]["action"] == "global_switchover" and report["record"]["mode"] == "switchover"
    assert report["record"]["path"] == "aurora_global" and report["record"]["to"] == {"identifier": secondary, "region": WEST}
    assert report["old_writer"]["identifier"] == host and report["new_writer"]["identifier"] == secondary
    assert report["freeze"] == "froze orders_app (read_only), 1 sessions terminated" and report["probe"]["id"] >= 1
    assert report["application_check"]["passed"] is True and report["application_check"]["secret"] == deployment["secret_id"]
    assert int(report["rpo_seconds"]) == 0 and "no data loss" in report["rpo_basis"]
    assert float(report["rto_seconds_service"]) > 0 and float(report["rto_seconds_writes"]) >= float(report["rto_seconds_service"])
    assert [s["step"] for s in report["timeline"]] == ["preflight", "global_switchover", "route53", "secrets"]
    assert report["secrets_repointed"] == [deployment["secret_id"]] and "secondary of the Global Database" in report["old_writer_now"]
    assert "| Action | global_switchover (aurora_global, dr_mode=switchover) |" in markdown
    assert "| Application write | through %s: passed |" % deployment["secret_id"] in markdown
    print("switchover RTO service %s s, RTO writes %s s" % (report["rto_seconds_service"], report["rto_seconds_writes"]))

    # failback: a switchover back to the cluster in us-east-1
    run_ok(ansible, deployment, dr_direction="failback")
    assert global_writer(east, deployment["global_id"]) == [host]
    value = secret_value(localenv, deployment["secret_id"])
    assert (value["host"], value["port"]) == (cluster(east, host)["Endpoint"], cluster(east, host)["Port"])
    assert record(deployment) == cluster(east, host)["Endpoint"]
    app = app_connect(localenv, value)
    assert query(app, "SELECT id FROM public.orders ORDER BY id") == [(1,), (2,)]
    query(app, "INSERT INTO public.orders VALUES (3, 'back in us-east-1')")
    app.close()
    report, markdown = report_of(deployment, "failback")
    assert report["old_writer"]["identifier"] == secondary and report["new_writer"]["region"] == "us-east-1"
    assert report["record"]["from"] == {"identifier": secondary, "region": WEST} and report["freeze"].startswith("froze orders_app")

    # the same deployment without its Global Database in the inventory: an in-region failover to the reader
    run_ok(ansible, deployment, dr_global_secondary_region="", dr_incident_id="INC-78")
    members = cluster(east, host)["DBClusterMembers"]
    assert [m["DBInstanceIdentifier"] for m in members if m["IsClusterWriter"]] == [host + "-2"]
    assert secret_value(localenv, deployment["secret_id"]) == value  # the cluster endpoint did not change
    report = json.loads((deployment["reports"] / ("INC-78-%s-failover.json" % host)).read_text())
    assert report["record"]["action"] == "aurora_failover" and report["new_writer"]["identifier"] == host + "-2"
    assert report["old_writer"]["identifier"] == host + "-1" and report["secrets_repointed"] == [] and int(report["rpo_seconds"]) == 0
    assert report["application_check"]["passed"] is True
    app = app_connect(localenv, value)
    query(app, "INSERT INTO public.orders VALUES (4, 'after the in-region failover')")
    assert query(app, "SELECT count(*) FROM public.orders") == [(4,)]
    app.close()
