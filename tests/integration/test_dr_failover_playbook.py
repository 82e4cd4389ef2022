"""playbooks/dr_failover.yml end to end on the local environment: failover to the DR region, then failback.

One deployment (created with boto3 for speed: a Multi-AZ RDS for PostgreSQL instance with an RDS managed master
secret, a cross-region replica in us-west-2 streaming from it, the application login app_rw with its connection
secret, a Route 53 record) and a one-host inventory. The failover promotes the replica, re-points the record and
the secret, verifies a write and re-enables the application's writes there while the old primary stays frozen; the
failback creates a replica of the DR primary in us-east-1, promotes it and points everything back.
"""

import json
import uuid

import psycopg2
import pytest
import yaml

from rds_instance_helpers import ri_connect, ri_delete, ri_describe, ri_query

APP_PASSWORD = "App-Rw-Pass-0001"


def secret_value(localenv, secret_id):
    return json.loads(localenv.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])


def app_connect(localenv, value):
    conn = psycopg2.connect(host=value["host"], port=value["port"], user=value["username"], password=value["password"],
                            dbname=value["dbname"], sslmode="verify-full", sslrootcert=localenv.ca_bundle, connect_timeout=10)
    conn.autocommit = True
    return conn


@pytest.fixture(scope="module")
def deployment(localenv, tmp_path_factory):
    host = "drpb-%s" % uuid.uuid4().hex[:5]
    east, west = localenv.client("rds"), localenv.client("rds", region="us-west-2")
    east.create_db_instance(DBInstanceIdentifier=host, Engine="postgres", EngineVersion="15", DBInstanceClass="db.t4g.micro",
                            AllocatedStorage=20, MasterUsername="dbadmin", ManageMasterUserPassword=True, DBName="app",
                            BackupRetentionPeriod=1, MultiAZ=True, DeletionProtection=False)
    east.get_waiter("db_instance_available").wait(DBInstanceIdentifier=host, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    primary = ri_describe(east, host)
    master = secret_value(localenv, primary["MasterUserSecret"]["SecretArn"])
    conn = ri_connect(localenv, primary, master["username"], master["password"])
    ri_query(conn, "CREATE ROLE app_rw LOGIN PASSWORD '%s'; CREATE TABLE public.orders (id int PRIMARY KEY, note text); "
                   "GRANT SELECT, INSERT ON public.orders TO app_rw" % APP_PASSWORD)
    conn.close()
    west.create_db_instance_read_replica(DBInstanceIdentifier=host + "-dr", SourceDBInstanceIdentifier=primary["DBInstanceArn"],
                                         DBInstanceClass="db.t4g.micro")
    west.get_waiter("db_instance_available").wait(DBInstanceIdentifier=host + "-dr", WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    secret_id = "local/%s/app_rw" % host
    localenv.client("secretsmanager").create_secret(Name=secret_id, SecretString=json.dumps({
        "engine": "postgres", "host": primary["Endpoint"]["Address"], "port": primary["Endpoint"]["Port"], "dbname": "app",
        "username": "app_rw", "password": APP_PASSWORD}))
    zone_name = "%s.internal" % host
    route53 = localenv.client("route53")
    zone_id = route53.create_hosted_zone(Name=zone_name, CallerReference=host)["HostedZone"]["Id"].split("/")[-1]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
        "Name": "db." + zone_name, "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "primary.us-east-1.example"}]}}]})

    work = tmp_path_factory.mktemp("dr")
    inventory = work / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"databases": {"hosts": {host: {
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "innovate_aws_postgres_in_process": True, "env_name": "local",
        "aws_region": "us-east-1", "aws_dr_region": "us-west-2", "aws_endpoint_url": localenv.endpoint_url,
        "aws_access_key": "testing", "aws_secret_key": "testing", "pg_ca_bundle": localenv.ca_bundle,
        "db_engine": "postgres", "db_instance_class": "db.t4g.micro", "db_name": "app", "db_master_username": "dbadmin",
        "db_replicas": [{"identifier_suffix": "dr", "region": "us-west-2"}],
        "db_app_secrets": [{"login": "app_rw", "auth": "password"}],
        "db_role_model": {"logins": [{"name": "app_rw"}]},
    }}}}}}))
    extra = {"dr_incident_id": "INC-42", "dr_declared_by": "tester", "dr_reason": "us-east-1 outage drill",
             "dr_route53": {"zone_name": zone_name, "record_name": "db." + zone_name}, "dr_report_dir": str(work / "reports")}
    yield dict(host=host, east=east, west=west, secret_id=secret_id, zone_id=zone_id, route53=route53, inventory=inventory,
               extra=extra, reports=work / "reports", master=master)
    for rds, identifier in ((east, host + "-fb"), (west, host + "-dr"), (east, host)):
        ri_delete(rds, identifier)


def record(deployment):
    records = deployment["route53"].list_resource_record_sets(HostedZoneId=deployment["zone_id"])["ResourceRecordSets"]
    return [r["ResourceRecords"][0]["Value"] for r in records if r["Type"] == "CNAME"][0]


def insert(conn, row, note):
    ri_query(conn, "INSERT INTO public.orders VALUES (%s, %s)", (row, note))


def test_failover_to_the_dr_region_and_failback(deployment, localenv, ansible):
    host = deployment["host"]
    app = app_connect(localenv, secret_value(localenv, deployment["secret_id"]))
    insert(app, 1, "before the incident")
    old_session = app  # an open session of the application on the old primary: the freeze terminates it

    bad = ansible.playbook("playbooks/dr_failover.yml", inventory=deployment["inventory"], limit=host,
                           extra_vars=dict(deployment["extra"], dr_declared_by=""))
    assert bad.rc != 0 and "dr_declared_by" in bad.stdout
    assert ri_describe(deployment["west"], host + "-dr")["ReadReplicaSourceDBInstanceIdentifier"], "nothing may change"

    run = ansible.playbook("playbooks/dr_failover.yml", inventory=deployment["inventory"], limit=host, extra_vars=deployment["extra"])
    assert run.rc == 0, json.dumps([r for r in run.task_results if r.get("failed")], default=str)[:4000] + run.stderr[-2000:]
    dr = ri_describe(deployment["west"], host + "-dr")
    assert not dr.get("ReadReplicaSourceDBInstanceIdentifier")
    value = secret_value(localenv, deployment["secret_id"])
    assert (value["host"], value["port"]) == (dr["Endpoint"]["Address"], dr["Endpoint"]["Port"])
    assert value["password"] == APP_PASSWORD
    assert record(deployment) == dr["Endpoint"]["Address"]
    with pytest.raises(psycopg2.Error):
        ri_query(old_session, "SELECT 1")  # terminated by the freeze
    app = app_connect(localenv, value)  # through the re-pointed secret
    assert ri_query(app, "SELECT note FROM public.orders WHERE id = 1") == [("before the incident",)]
    insert(app, 2, "written in the DR region")
    assert ri_query(app, "SELECT pg_is_in_recovery()") == [(False,)]
    app.close()
    stale = ri_describe(deployment["east"], host)
    frozen = app_connect(localenv, dict(value, host=stale["Endpoint"]["Address"], port=stale["Endpoint"]["Port"]))
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        insert(frozen, 99, "must not be written on the old primary")
    frozen.close()
    report = json.loads((deployment["reports"] / ("INC-42-%s-failover.json" % host)).read_text())
    assert report["record"]["declared_by"] == "tester" and report["new_writer"]["identifier"] == host + "-dr"
    assert report["freeze"].startswith("froze app_rw") and report["probe"]["id"] >= 1
    assert report["record"]["action"] == "promote_replica" and report["record"]["path"] == "rds" and "frozen" in report["old_writer_now"]
    assert report["application_check"]["passed"] is True and report["application_check"]["secret"] == deployment["secret_id"]
    assert float(report["rto_seconds_service"]) > 0 and float(report["rto_seconds_writes"]) >= float(report["rto_seconds_service"])
    assert report["rpo_seconds"] is not None and float(report["rpo_seconds"]) <= 60
    assert [s["step"] for s in report["timeline"]] == ["preflight", "promote_replica", "route53", "secrets"]
    markdown = (deployment["reports"] / ("INC-42-%s-failover.md" % host)).read_text()
    assert "| RTO (service) |" in markdown and "| replica lag | yes |" in markdown
    print("failover RPO %s s, RTO service %s s, RTO writes %s s" % (report["rpo_seconds"], report["rto_seconds_service"],
                                                                    report["rto_seconds_writes"]))

    back = ansible.playbook("playbooks/dr_failover.yml", inventory=deployment["inventory"], limit=host,
                            extra_vars=dict(deployment["extra"], dr_direction="failback"))
    assert back.rc == 0, json.dumps([r for r in back.task_results if r.get("failed")], default=str)[:4000] + back.stderr[-2000:]
    fb = ri_describe(deployment["east"], host + "-fb")
    assert not fb.get("ReadReplicaSourceDBInstanceIdentifier") and fb["DBInstanceArn"].split(":")[3] == "us-east-1"
    value = secret_value(localenv, deployment["secret_id"])
    assert (value["host"], value["port"]) == (fb["Endpoint"]["Address"], fb["Endpoint"]["Port"])
    assert record(deployment) == fb["Endpoint"]["Address"]
    app = app_connect(localenv, value)
    assert ri_query(app, "SELECT id FROM public.orders ORDER BY id") == [(1,), (2,)]
    insert(app, 3, "back in the original region")
    app.close()
    report = json.loads((deployment["reports"] / ("INC-42-%s-failback.json" % host)).read_text())
    assert report["old_writer"]["identifier"] == host + "-dr" and report["new_writer"]["region"] == "us-east-1"
    print("failback RPO %s s, RTO service %s s, RTO writes %s s" % (report["rpo_seconds"], report["rto_seconds_service"],
                                                                    report["rto_seconds_writes"]))
