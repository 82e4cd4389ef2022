"""aurora_cluster through ansible-playbook against the local AWS environment.

The writer of each cluster is a real PostgreSQL server: the tests connect to the cluster endpoint
with the managed master secret (verify-full TLS), write a row, and check it survives a failover
and reader changes. Results are verified with boto3, never only with the module's own result.
"""

import json
import uuid

import psycopg2
import pytest

MODULE = "innovate.aws_postgres.aurora_cluster"
READS = ("Describe", "List", "Get")


def au_with(base, **changes):
    """A copy of ``base`` with ``changes`` (task arguments for a variant run)."""
    result = dict(base)
    result.update(changes)
    return result


def au_unique(prefix):
    # short: the writer's server socket path contains the instance name
    return "%s-%s" % (prefix, uuid.uuid4().hex[:5])


def au_run(ansible, check=False, diff=False, **args):
    return ansible.module(MODULE, args, check=check, diff=diff)


def au_ok(result):
    assert result.get("failed") is not True, result.get("msg")
    return result


def au_failed(result, *fragments):
    assert result.get("failed") is True, result
    for fragment in fragments:
        assert fragment in result["msg"], result["msg"]
    assert "Traceback" not in result["msg"]
    return result


def au_writes(localenv):
    by_operation = localenv.requests()["by_operation"]
    return dict((k, v) for k, v in by_operation.items()
                if k.startswith(("rds:", "application-autoscaling:", "kms:", "secretsmanager:"))
                and not k.split(":", 1)[1].startswith(READS))


def au_requests(localenv):
    return dict((k, v) for k, v in localenv.requests()["by_operation"].items()
                if k.startswith(("rds:", "application-autoscaling:", "kms:")))


def au_cluster(rds, identifier):
    try:
        return rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    except rds.exceptions.DBClusterNotFoundFault:
        return None


def au_writer(cluster):
    return [member["DBInstanceIdentifier"] for member in cluster["DBClusterMembers"] if member["IsClusterWriter"]]


def au_readers(cluster):
    return sorted(member["DBInstanceIdentifier"] for member in cluster["DBClusterMembers"] if not member["IsClusterWriter"])


def au_connect(localenv, cluster, secret, sslmode="verify-full"):
    conn = psycopg2.connect(host=cluster["Endpoint"], port=cluster["Port"], user=secret["username"], password=secret["password"],
                            dbname="app", sslmode=sslmode, sslrootcert=localenv.ca_bundle, connect_timeout=10)
    conn.autocommit = True
    return conn


@pytest.fixture(scope="module")
def au_env(localenv):
    """A customer managed KMS key and a cluster parameter group that forces TLS and sets a dynamic parameter."""
    kms = localenv.client("kms")
    key = kms.create_key(Description="aurora tests")["KeyMetadata"]
    kms.create_alias(AliasName="alias/au-tests", TargetKeyId=key["KeyId"])
    rds = localenv.client("rds")
    group = au_unique("au-cl16")
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=group, DBParameterGroupFamily="aurora-postgresql16",
                                          Description="aurora tests")
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=[
        dict(ParameterName="rds.force_ssl", ParameterValue="1", ApplyMethod="pending-reboot"),
        dict(ParameterName="log_min_duration_statement", ParameterValue="250", ApplyMethod="immediate")])
    return dict(key_arn=key["Arn"], group=group)


def test_provisioned_cluster_lifecycle(ansible, localenv, au_env):
    rds = localenv.client("rds")
    secrets = localenv.client("secretsmanager")
    autoscaling = localenv.client("application-autoscaling")
    name = au_unique("au-p")
    args = dict(
        identifier=name, engine_version="16", database_name="app", master_username="dbadmin",
        manage_master_user_password=True, master_user_secret_kms_key_id="alias/au-tests", kms_key_id="alias/au-tests",
        db_cluster_parameter_group_name=au_env["group"], instance_class="db.r6g.large",
        readers=[dict(promotion_tier=1, availability_zone="us-east-1b"), dict(promotion_tier=2, instance_class="db.r6g.xlarge")],
        reader_autoscaling=dict(min_capacity=2, max_capacity=4, metric="cpu", target_value=60),
        iam_database_authentication=True, backup_retention_period=7, cloudwatch_logs_exports=["postgresql"],
        performance_insights=True, performance_insights_retention_period=7, deletion_protection=True,
        tags=dict(team="orders"),
    )

    # check mode on a new cluster: the plan, no write request, nothing created
    localenv.reset_requests()
    planned = au_ok(au_run(ansible, check=True, diff=True, **args))
    assert planned["changed"] is True and planned["writer"] == name + "-1"
    assert [item["identifier"] for item in planned["diff"]["after"]["instances"]] == [name + "-1", name + "-2", name + "-3"]
    assert au_writes(localenv) == {} and au_cluster(rds, name) is None

    created = au_ok(au_run(ansible, **args))
    cluster = au_cluster(rds, name)
    assert cluster["EngineVersion"].startswith("16.") and cluster["StorageEncrypted"] is True
    assert cluster["KmsKeyId"] == au_env["key_arn"] and cluster["MasterUserSecret"]["KmsKeyId"] == au_env["key_arn"]
    assert au_writer(cluster) == [name + "-1"] and au_readers(cluster) == [name + "-2", name + "-3"]
    assert cluster["IAMDatabaseAuthenticationEnabled"] is True and cluster["BackupRetentionPeriod"] == 7
    assert cluster["DeletionProtection"] is True and cluster["EnabledCloudwatchLogsExports"] == ["postgresql"]
    assert created["cluster"]["master_user_secret_arn"] == cluster["MasterUserSecret"]["SecretArn"]
    instances = {item["DBInstanceIdentifier"]: item for item in rds.describe_db_instances(
        Filters=[dict(Name="db-cluster-id", Values=[name])])["DBInstances"]}
    assert instances[name + "-3"]["DBInstanceClass"] == "db.r6g.xlarge" and instances[name + "-2"]["AvailabilityZone"] == "us-east-1b"
    assert all(item["PerformanceInsightsEnabled"] for item in instances.values())
    policy = autoscaling.describe_scaling_policies(ServiceNamespace="rds", ResourceId="cluster:" + name)["ScalingPolicies"][0]
    assert policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"] == \
        "RDSReaderAverageCPUUtilization"

    # the managed secret logs in at the cluster endpoint over verify-full TLS; a row is written; plain TCP is refused
    secret = json.loads(secrets.get_secret_value(SecretId=cluster["MasterUserSecret"]["SecretArn"])["SecretString"])
    conn = au_connect(localenv, cluster, secret)
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (42)")
        cursor.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        assert cursor.fetchone() == (True,)
        cursor.execute("SHOW log_min_duration_statement")
        assert cursor.fetchone() == ("250ms",)
    conn.close()
    with pytest.raises(psycopg2.OperationalError):
        au_connect(localenv, cluster, secret, sslmode="disable")

    # an identical run changes nothing and only reads (cluster, instances, scaling target and policy)
    localenv.reset_requests()
    again = au_ok(au_run(ansible, **args))
    assert again["changed"] is False and again["changes"] == []
    assert au_requests(localenv) == {"rds:DescribeDBClusters": 1, "rds:DescribeDBInstances": 1, "kms:DescribeKey": 2,
                                     "application-autoscaling:DescribeScalableTargets": 1,
                                     "application-autoscaling:DescribeScalingPolicies": 1}

    # check mode on the existing cluster: a plan, nothing written
    changed_args = au_with(args, backup_retention_period=14, readers=[dict(promotion_tier=1)],
                           reader_autoscaling=dict(min_capacity=1, max_capacity=5, metric="connections", target_value=200),
                           tags=dict(team="orders", tier="gold"))
    localenv.reset_requests()
    preview = au_ok(au_run(ansible, check=True, diff=True, **changed_args))
    assert preview["changed"] is True and au_writes(localenv) == {}
    assert "delete reader %s-3" % name in preview["changes"]
    assert preview["diff"]["after"]["cluster"]["backup_retention_period"] == 14
    assert au_cluster(rds, name)["BackupRetentionPeriod"] == 7 and au_readers(au_cluster(rds, name)) == [name + "-2", name + "-3"]

    # the change: one reader fewer (the writer untouched), backups, auto scaling target and policy updated, tags
    updated = au_ok(au_run(ansible, **changed_args))
    cluster = au_cluster(rds, name)
    assert updated["changed"] is True and cluster["BackupRetentionPeriod"] == 14
    assert au_writer(cluster) == [name + "-1"] and au_readers(cluster) == [name + "-2"]
    target = autoscaling.describe_scalable_targets(ServiceNamespace="rds", ResourceIds=["cluster:" + name])["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 5)
    policies = autoscaling.describe_scaling_policies(ServiceNamespace="rds", ResourceId="cluster:" + name)["ScalingPolicies"]
    assert [p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]
            for p in policies if p["PolicyName"] == name + "-readers-connections"] == ["RDSReaderAverageDatabaseConnections"]
    assert {t["Key"]: t["Value"] for t in cluster["TagList"]} == {"team": "orders", "tier": "gold"}
    assert au_ok(au_run(ansible, **changed_args))["changed"] is False

    # a failover makes the reader the writer: the next run changes nothing, the data is still there
    rds.failover_db_cluster(DBClusterIdentifier=name, TargetDBInstanceIdentifier=name + "-2")
    assert au_writer(au_cluster(rds, name)) == [name + "-2"]
    after_failover = au_ok(au_run(ansible, **changed_args))
    assert after_failover["changed"] is False and after_failover["writer"] == name + "-2"
    conn = au_connect(localenv, au_cluster(rds, name), secret)
    with conn.cursor() as cursor:
        cursor.execute("INSERT INTO orders VALUES (43); SELECT count(*) FROM orders")
        assert cursor.fetchone() == (2,)
    conn.close()

    # readers: [] removes the readers only; the writer (by IsClusterWriter, not by name) stays
    only_writer = au_ok(au_run(ansible, **au_with(changed_args, readers=[], reader_autoscaling=dict(enabled=False))))
    cluster = au_cluster(rds, name)
    assert only_writer["changed"] is True and au_writer(cluster) == [name + "-2"] and au_readers(cluster) == []
    assert autoscaling.describe_scalable_targets(ServiceNamespace="rds", ResourceIds=["cluster:" + name])["ScalableTargets"] == []
    assert au_ok(au_run(ansible, **au_with(changed_args, readers=[], reader_autoscaling=dict(enabled=False))))["changed"] is False

    # refusals: encryption and key changes, a protected delete; nothing is written
    localenv.reset_requests()
    au_failed(au_run(ansible, **au_with(changed_args, readers=[], storage_encrypted=False)), "storage_encrypted", "cannot be changed")
    au_failed(au_run(ansible, **au_with(changed_args, readers=[], kms_key_id="alias/aws/rds")), "kms_key_id", "cannot change")
    au_failed(au_run(ansible, identifier=name, state="absent", skip_final_snapshot=True), "deletion protection", "nothing was deleted")
    assert au_writes(localenv) == {} and au_cluster(rds, name) is not None

    gone = au_ok(au_run(ansible, identifier=name, state="absent", skip_final_snapshot=True, force_disable_deletion_protection=True))
    assert gone["changed"] is True and gone["deleted"]["instances"] == [name + "-2"]
    assert au_cluster(rds, name) is None
    assert au_ok(au_run(ansible, identifier=name, state="absent", skip_final_snapshot=True))["changed"] is False


def test_serverless_v2_capacity_range(ansible, localenv):
    rds = localenv.client("rds")
    name = au_unique("au-s")
    args = dict(identifier=name, engine_version="16.4", master_username="dbadmin", master_user_password="Serverless-Pass-1",
                database_name="app", instance_class="db.serverless", serverless_v2_scaling=dict(min_capacity=0.5, max_capacity=2),
                deletion_protection=False, readers=[])
    created = au_ok(au_run(ansible, **args))
    cluster = au_cluster(rds, name)
    assert created["instances"][0]["instance_class"] == "db.serverless"
    assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 2.0}
    conn = au_connect(localenv, cluster, dict(username="dbadmin", password="Serverless-Pass-1"))
    conn.close()

    wider = au_with(args, serverless_v2_scaling=dict(min_capacity=1, max_capacity=8))
    localenv.reset_requests()
    preview = au_ok(au_run(ansible, check=True, diff=True, **wider))
    assert preview["changed"] is True and au_writes(localenv) == {}
    assert preview["changes"] == ["cluster serverless_v2_scaling: {'min_capacity': 0.5, 'max_capacity': 2.0} -> "
                                  "{'min_capacity': 1.0, 'max_capacity': 8.0}"]
    assert au_ok(au_run(ansible, **wider))["changed"] is True
    assert au_cluster(rds, name)["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 1.0, "MaxCapacity": 8.0}
    assert au_ok(au_run(ansible, **wider))["changed"] is False

    # a minor version the cluster already passed (drift) is no change; a major change needs the flag
    assert au_ok(au_run(ansible, **au_with(wider, engine_version="16.2")))["changed"] is False
    au_failed(au_run(ansible, **au_with(wider, engine_version="15")), "engine_version", "cannot go back")

    # the default delete takes a final snapshot
    gone = au_ok(au_run(ansible, identifier=name, state="absent"))
    snapshot = gone["deleted"]["final_snapshot_identifier"]
    assert snapshot.startswith(name + "-final-")
    assert rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=snapshot)["DBClusterSnapshots"]


BAD_INPUTS = [
    (dict(identifier="1-bad"), "identifier"),
    (dict(identifier="au-bad", instance_class="db.serverless"), "serverless_v2_scaling: required"),
    (dict(identifier="au-bad", instance_class="db.serverless", serverless_v2_scaling=dict(min_capacity=4, max_capacity=2)),
     "min_capacity 4.0 is greater than max_capacity 2.0"),
    (dict(identifier="au-bad", serverless_v2_scaling=dict(min_capacity=0.3, max_capacity=2)), "steps of 0.5"),
    (dict(identifier="au-bad", cloudwatch_logs_exports=["upgrade"]), "cloudwatch_logs_exports"),
    (dict(identifier="au-bad", readers=[dict(promotion_tier=16)]), "readers[0].promotion_tier"),
    (dict(identifier="au-bad", master_user_password="short"), "master_user_password"),
    (dict(identifier="au-bad", reader_autoscaling=dict(min_capacity=1, max_capacity=3)), "reader_autoscaling.target_value"),
    (dict(identifier="au-bad", engine_version="sixteen"), "engine_version"),
    (dict(identifier="au-bad", instance_class="large"), "instance_class"),
    (dict(identifier="au-bad", master_username="rdsadmin"), "reserved"),
    (dict(identifier="au-bad", backup_retention_period="many"), "backup_retention_period"),
    (dict(identifier="au-bad", master_username="dbadmin"), "master_user_password: required"),
    (dict(identifier="au-bad", master_username="dbadmin", master_user_password="Good-Pass-1"), "instance_class: required"),
    (dict(identifier="au-bad", global_cluster_identifier="au-nowhere", instance_class="db.r6g.large"), "does not exist"),
    (dict(identifier="au-bad", master_username="dbadmin", master_user_password="Good-Pass-1", instance_class="db.r6g.large",
          engine_version="16.99"), "engine_version"),
    (dict(identifier="au-bad", master_username="dbadmin", master_user_password="Good-Pass-1", instance_class="db.r6g.large",
          kms_key_id="arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"), "KMSKeyNotAccessible"),
]


def test_bad_inputs_fail_cleanly_and_change_nothing(ansible, localenv):
    """One playbook, one task per bad input (each ignore_errors)."""
    rds = localenv.client("rds")
    tasks = [{"name": "bad input %d" % index, MODULE: args, "ignore_errors": True} for index, (args, _fragment) in enumerate(BAD_INPUTS)]
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]
    localenv.reset_requests()
    run = ansible.playbook(json.dumps(play))
    for index, (_args, fragment) in enumerate(BAD_INPUTS):
        result = run.result("bad input %d" % index)
        au_failed(result, fragment)
        assert result.get("changed") is False, result
    assert au_cluster(rds, "au-bad") is None
    assert [k for k in au_writes(localenv) if k != "rds:CreateDBCluster"] == []
