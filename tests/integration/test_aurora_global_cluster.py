"""aurora_global_cluster with aurora_cluster: a global database with a primary in us-east-1 and a
secondary in us-west-2, created by the modules, checked with boto3, then a detach and removal."""

import json
import uuid

import psycopg2

CLUSTER = "innovate.aws_postgres.aurora_cluster"
GLOBAL = "innovate.aws_postgres.aurora_global_cluster"
READS = ("Describe", "List", "Get")


def ag_with(base, **changes):
    """A copy of ``base`` with ``changes`` (task arguments for a variant run)."""
    result = dict(base)
    result.update(changes)
    return result


def ag_unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:5])


def ag_ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def ag_failed(result, *fragments):
    assert result.get("failed") is True, result
    for fragment in fragments:
        assert fragment in result["msg"], result["msg"]
    assert result.get("changed") is False
    return result


def ag_writes(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items()
                if k.startswith("rds:") and not k.split(":", 1)[1].startswith(READS))


def ag_exists(rds, identifier):
    return any(item["GlobalClusterIdentifier"] == identifier for item in rds.describe_global_clusters()["GlobalClusters"])


def ag_members(rds, identifier):
    found = rds.describe_global_clusters(GlobalClusterIdentifier=identifier)["GlobalClusters"][0]
    return dict((member["DBClusterArn"].rsplit(":", 1)[-1], member["IsWriter"]) for member in found["GlobalClusterMembers"])


def ag_connect(localenv, cluster, secret):
    conn = psycopg2.connect(host=cluster["Endpoint"], port=cluster["Port"], user=secret["username"], password=secret["password"],
                            dbname="app", sslmode="verify-full", sslrootcert=localenv.ca_bundle, connect_timeout=10)
    conn.autocommit = True
    return conn


def test_global_database_primary_secondary_and_detach(ansible, localenv):
    east, west = localenv.client("rds"), localenv.client("rds", region="us-west-2")
    primary, secondary, name = ag_unique("ag-p"), ag_unique("ag-s"), ag_unique("ag-g")
    ag_ok(ansible.module(CLUSTER, dict(identifier=primary, engine_version="16", database_name="app", master_username="dbadmin",
                                       manage_master_user_password=True, instance_class="db.r6g.large", deletion_protection=False)))
    primary_arn = east.describe_db_clusters(DBClusterIdentifier=primary)["DBClusters"][0]["DBClusterArn"]

    # the global database from the primary: check mode writes nothing, then created, then idempotent
    args = dict(global_cluster_identifier=name, source_db_cluster_identifier=primary_arn, deletion_protection=True)
    localenv.reset_requests()
    planned = ag_ok(ansible.module(GLOBAL, args, check=True, diff=True))
    assert planned["changed"] is True and planned["diff"]["after"]["members"] == [dict(db_cluster_arn=primary_arn, is_writer=True)]
    assert ag_writes(localenv) == {} and not ag_exists(east, name)
    created = ag_ok(ansible.module(GLOBAL, args))
    assert created["global_cluster"]["members"][0]["is_writer"] is True and created["global_cluster"]["storage_encrypted"] is True
    assert ag_members(east, name) == {primary: True}
    assert ag_ok(ansible.module(GLOBAL, ag_with(args, source_db_cluster_identifier=primary)))["changed"] is False

    # the secondary in us-west-2 joins without master credentials; a password for it is refused
    secondary_args = dict(identifier=secondary, region="us-west-2", global_cluster_identifier=name, instance_class="db.r6g.large",
                          deletion_protection=False)
    ag_failed(ansible.module(CLUSTER, ag_with(secondary_args, master_user_password="Not-Allowed-1")), "master_user_password", "secondary")
    localenv.reset_requests()
    assert ag_ok(ansible.module(CLUSTER, secondary_args, check=True))["changed"] is True
    assert ag_writes(localenv) == {}
    joined = ag_ok(ansible.module(CLUSTER, secondary_args))
    assert joined["cluster"]["global_cluster_identifier"] == name and joined["writer"] == secondary + "-1"
    described = west.describe_db_clusters(DBClusterIdentifier=secondary)["DBClusters"][0]
    assert described["MasterUsername"] == "dbadmin" and "MasterUserSecret" not in described
    assert ag_members(west, name) == {primary: True, secondary: False}
    assert ag_ok(ansible.module(CLUSTER, secondary_args))["changed"] is False
    listed = ag_ok(ansible.module(GLOBAL, dict(global_cluster_identifier=name), check=True))["global_cluster"]
    assert sorted((m["db_cluster_identifier"], m["region"], m["is_writer"]) for m in listed["members"]) == \
        sorted([(primary, "us-east-1", True), (secondary, "us-west-2", False)])

    # the secondary's server takes the primary's master user and refuses writes
    secrets = localenv.client("secretsmanager")
    primary_cluster = east.describe_db_clusters(DBClusterIdentifier=primary)["DBClusters"][0]
    secret = json.loads(secrets.get_secret_value(SecretId=primary_cluster["MasterUserSecret"]["SecretArn"])["SecretString"])
    conn = ag_connect(localenv, described, secret)
    with conn.cursor() as cursor:
        try:
            cursor.execute("CREATE TABLE refused (id int)")
            raise AssertionError("a secondary accepted a write")
        except psycopg2.errors.ReadOnlySqlTransaction:
            pass
    conn.close()

    # the primary cannot be detached while the secondary is there; deleting the global database needs force
    ag_failed(ansible.module(GLOBAL, dict(global_cluster_identifier=name, state="detach", db_cluster_identifier=primary)),
              "primary", "secondary")
    ag_failed(ansible.module(GLOBAL, dict(global_cluster_identifier=name, state="absent")), "deletion protection")

    # detach the secondary: check mode, then for real (it becomes standalone and writable), then nothing to do
    detach = dict(global_cluster_identifier=name, state="detach", db_cluster_identifier=described["DBClusterArn"])
    localenv.reset_requests()
    assert ag_ok(ansible.module(GLOBAL, detach, check=True))["changed"] is True and ag_writes(localenv) == {}
    detached = ag_ok(ansible.module(GLOBAL, detach))
    assert detached["detached"]["db_cluster_identifier"] == secondary and ag_members(east, name) == {primary: True}
    standalone = west.describe_db_clusters(DBClusterIdentifier=secondary)["DBClusters"][0]
    assert not standalone.get("GlobalClusterIdentifier")
    conn = ag_connect(localenv, standalone, secret)
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE accepted (id int)")
    conn.close()
    assert ag_ok(ansible.module(GLOBAL, detach))["changed"] is False

    # absent detaches the primary and deletes the global database; the clusters stay
    gone = ag_ok(ansible.module(GLOBAL, dict(global_cluster_identifier=name, state="absent", force_disable_deletion_protection=True)))
    assert gone["deleted"]["detached"] == [primary_arn] and not ag_exists(east, name)
    assert east.describe_db_clusters(DBClusterIdentifier=primary)["DBClusters"][0].get("GlobalClusterIdentifier") is None
    for identifier, region in ((primary, "us-east-1"), (secondary, "us-west-2")):
        ag_ok(ansible.module(CLUSTER, dict(identifier=identifier, region=region, state="absent", skip_final_snapshot=True)))


def test_global_bad_inputs(ansible, localenv):
    rds = localenv.client("rds")
    localenv.reset_requests()
    ag_failed(ansible.module(GLOBAL, dict(global_cluster_identifier="ag-bad", state="detach")), "db_cluster_identifier: required")
    ag_failed(ansible.module(GLOBAL, dict(global_cluster_identifier="ag-bad", source_db_cluster_identifier="ag-missing")),
              "does not exist")
    ag_failed(ansible.module(GLOBAL, dict(global_cluster_identifier="ag--bad", engine_version="16")), "global_cluster_identifier")
    ag_failed(ansible.module(GLOBAL, dict(global_cluster_identifier="ag-bad", engine_version="x16")), "engine_version")
    assert ag_writes(localenv) == {} and not ag_exists(rds, "ag-bad")
    # an empty global database (engine version only) is created, then removed
    empty = ag_ok(ansible.module(GLOBAL, dict(global_cluster_identifier="ag-empty", engine_version="16")))
    assert empty["global_cluster"]["engine_version"].startswith("16.") and empty["global_cluster"]["members"] == []
    assert ag_ok(ansible.module(GLOBAL, dict(global_cluster_identifier="ag-empty", engine_version="16")))["changed"] is False
    assert ag_ok(ansible.module(GLOBAL, dict(global_cluster_identifier="ag-empty", state="absent")))["changed"] is True
