"""The emulator's Aurora PostgreSQL API (clusters, global databases, reader auto scaling), driven with
boto3 against a daemon without data plane."""

import uuid

import pytest
from botocore.exceptions import ClientError


def ae_name(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def ae_error(call, code, fragment=None, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert caught.value.response["Error"]["Code"] == code, caught.value.response["Error"]
    if fragment:
        assert fragment in caught.value.response["Error"]["Message"]


def ae_cluster(rds, name, instances=1, **extra):
    request = dict(DBClusterIdentifier=name, Engine="aurora-postgresql", MasterUsername="dbadmin", MasterUserPassword="Emulator-Pass-1")
    request.update(extra)
    arn = rds.create_db_cluster(**request)["DBCluster"]["DBClusterArn"]
    for number in range(1, instances + 1):
        rds.create_db_instance(DBInstanceIdentifier="%s-%d" % (name, number), DBClusterIdentifier=name, Engine="aurora-postgresql",
                               DBInstanceClass="db.r6g.large")
    return arn


def ae_members(rds, name):
    found = rds.describe_global_clusters(GlobalClusterIdentifier=name)["GlobalClusters"][0]
    return dict((m["DBClusterArn"].split(":")[3], m["IsWriter"]) for m in found["GlobalClusterMembers"])


def test_cluster_defaults_and_checks(emu_env):
    rds = emu_env.client("rds")
    name = ae_name("ae-c")
    created = rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-postgresql", EngineVersion="16", MasterUsername="dbadmin",
                                    MasterUserPassword="Emulator-Pass-1", StorageEncrypted=True)["DBCluster"]
    assert created["EngineVersion"] == "16.4" and created["DBClusterParameterGroup"] == "default.aurora-postgresql16"
    assert created["KmsKeyId"].startswith("arn:aws:kms:us-east-1:")
    ae_error(rds.create_db_cluster, "InvalidParameterCombination", "Cannot find version 16.99", DBClusterIdentifier=ae_name("ae-v"),
             Engine="aurora-postgresql", EngineVersion="16.99", MasterUsername="dbadmin", MasterUserPassword="Emulator-Pass-1")
    ae_error(rds.create_db_cluster, "InvalidParameterValue", "MinCapacity", DBClusterIdentifier=ae_name("ae-s"),
             Engine="aurora-postgresql", MasterUsername="dbadmin", MasterUserPassword="Emulator-Pass-1",
             ServerlessV2ScalingConfiguration={"MinCapacity": 8, "MaxCapacity": 2})
    ae_error(rds.create_db_instance, "InvalidParameterCombination", "Serverless v2", DBInstanceIdentifier=name + "-1",
             DBClusterIdentifier=name, Engine="aurora-postgresql", DBInstanceClass="db.serverless")
    rds.modify_db_cluster(DBClusterIdentifier=name, EnableIAMDatabaseAuthentication=True, ApplyImmediately=True,
                          CloudwatchLogsExportConfiguration={"EnableLogTypes": ["postgresql"]},
                          ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 4})
    cluster = rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]
    assert cluster["IAMDatabaseAuthenticationEnabled"] is True and cluster["EnabledCloudwatchLogsExports"] == ["postgresql"]
    rds.modify_db_cluster(DBClusterIdentifier=name, ServerlessV2ScalingConfiguration={"MaxCapacity": 8})
    assert rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["ServerlessV2ScalingConfiguration"] == \
        {"MinCapacity": 0.5, "MaxCapacity": 8.0}
    ae_error(rds.modify_db_cluster, "InvalidParameterCombination", "Cannot upgrade", DBClusterIdentifier=name, EngineVersion="15.8")
    ae_error(rds.modify_db_cluster, "DBClusterNotFoundFault", DBClusterIdentifier="ae-missing", DeletionProtection=True)
    ae_error(rds.delete_db_cluster, "InvalidParameterValue", "FinalDBSnapshotIdentifier", DBClusterIdentifier=name)
    rds.delete_db_cluster(DBClusterIdentifier=name, SkipFinalSnapshot=True)


def test_failover_moves_the_writer_and_instance_deletion_promotes(emu_env):
    rds = emu_env.client("rds")
    name = ae_name("ae-f")
    ae_cluster(rds, name, instances=3)
    ae_error(rds.failover_db_cluster, "InvalidParameterValue", "Cannot find target", DBClusterIdentifier=name,
             TargetDBInstanceIdentifier="somewhere-else")
    rds.failover_db_cluster(DBClusterIdentifier=name, TargetDBInstanceIdentifier=name + "-3")
    members = rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["DBClusterMembers"]
    assert [m["DBInstanceIdentifier"] for m in members if m["IsClusterWriter"]] == [name + "-3"]
    rds.delete_db_instance(DBInstanceIdentifier=name + "-3", SkipFinalSnapshot=True)
    members = rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["DBClusterMembers"]
    assert sum(1 for m in members if m["IsClusterWriter"]) == 1 and len(members) == 2


def test_global_database_switchover_failover_and_detach(emu_env):
    east, west = emu_env.client("rds"), emu_env.client("rds", region="us-west-2")
    primary, secondary, name = ae_name("ae-p"), ae_name("ae-s"), ae_name("ae-g")
    primary_arn = ae_cluster(east, primary)
    ae_error(east.create_global_cluster, "InvalidParameterValue", "ARN", GlobalClusterIdentifier=name, SourceDBClusterIdentifier=primary)
    created = east.create_global_cluster(GlobalClusterIdentifier=name, SourceDBClusterIdentifier=primary_arn)["GlobalCluster"]
    assert created["GlobalClusterMembers"][0]["IsWriter"] is True
    assert east.describe_db_clusters(DBClusterIdentifier=primary)["DBClusters"][0]["GlobalClusterIdentifier"] == name
    ae_error(east.create_global_cluster, "GlobalClusterAlreadyExistsFault", GlobalClusterIdentifier=name, Engine="aurora-postgresql")
    ae_error(west.create_db_cluster, "InvalidParameterCombination", "MasterUsername", DBClusterIdentifier=secondary,
             Engine="aurora-postgresql", GlobalClusterIdentifier=name, MasterUsername="dbadmin")
    ae_error(west.create_db_cluster, "GlobalClusterNotFoundFault", DBClusterIdentifier=secondary, Engine="aurora-postgresql",
             GlobalClusterIdentifier="ae-nowhere")
    secondary_arn = west.create_db_cluster(DBClusterIdentifier=secondary, Engine="aurora-postgresql",
                                           GlobalClusterIdentifier=name)["DBCluster"]["DBClusterArn"]
    west.create_db_instance(DBInstanceIdentifier=secondary + "-1", DBClusterIdentifier=secondary, Engine="aurora-postgresql",
                            DBInstanceClass="db.r6g.large")
    assert ae_members(west, name) == {"us-east-1": True, "us-west-2": False}
    ae_error(west.describe_global_clusters, "GlobalClusterNotFoundFault", GlobalClusterIdentifier="ae-nowhere")
    ae_error(west.delete_db_cluster, "InvalidDBClusterStateFault", "global", DBClusterIdentifier=secondary, SkipFinalSnapshot=True)

    # planned switchover, then an unplanned failover back (exactly one of AllowDataLoss / Switchover)
    west.switchover_global_cluster(GlobalClusterIdentifier=name, TargetDbClusterIdentifier=secondary_arn)
    assert ae_members(east, name) == {"us-east-1": False, "us-west-2": True}
    ae_error(east.switchover_global_cluster, "InvalidDBClusterStateFault", "already the primary", GlobalClusterIdentifier=name,
             TargetDbClusterIdentifier=secondary_arn)
    ae_error(east.failover_global_cluster, "InvalidParameterCombination", GlobalClusterIdentifier=name, TargetDbClusterIdentifier=primary_arn)
    east.failover_global_cluster(GlobalClusterIdentifier=name, TargetDbClusterIdentifier=primary_arn, AllowDataLoss=True)
    assert ae_members(east, name) == {"us-east-1": True, "us-west-2": False}

    # modify: deletion protection, same engine version (no-op), a downgrade refused
    modified = east.modify_global_cluster(GlobalClusterIdentifier=name, DeletionProtection=True,
                                          EngineVersion=created["EngineVersion"])["GlobalCluster"]
    assert modified["DeletionProtection"] is True and modified["EngineVersion"] == created["EngineVersion"]
    ae_error(east.modify_global_cluster, "InvalidParameterCombination", "Cannot upgrade", GlobalClusterIdentifier=name, EngineVersion="16.2")

    # the primary cannot leave before the secondary; then the global database can go once unprotected
    ae_error(east.remove_from_global_cluster, "InvalidGlobalClusterStateFault", "secondary", GlobalClusterIdentifier=name,
             DbClusterIdentifier=primary_arn)
    east.remove_from_global_cluster(GlobalClusterIdentifier=name, DbClusterIdentifier=secondary_arn)
    assert not west.describe_db_clusters(DBClusterIdentifier=secondary)["DBClusters"][0].get("GlobalClusterIdentifier")
    east.remove_from_global_cluster(GlobalClusterIdentifier=name, DbClusterIdentifier=primary_arn)
    ae_error(east.delete_global_cluster, "InvalidParameterCombination", "protected", GlobalClusterIdentifier=name)
    east.modify_global_cluster(GlobalClusterIdentifier=name, DeletionProtection=False)
    east.delete_global_cluster(GlobalClusterIdentifier=name)
    ae_error(east.delete_global_cluster, "GlobalClusterNotFoundFault", GlobalClusterIdentifier=name)


def test_reader_autoscaling_target_needs_an_aurora_cluster(emu_env):
    rds, autoscaling = emu_env.client("rds"), emu_env.client("application-autoscaling")
    name = ae_name("ae-a")
    ae_cluster(rds, name)
    base = dict(ServiceNamespace="rds", ScalableDimension="rds:cluster:ReadReplicaCount")
    ae_error(autoscaling.register_scalable_target, "ValidationException", "Unable to find", ResourceId="cluster:ae-missing",
             MinCapacity=1, MaxCapacity=2, **base)
    ae_error(autoscaling.register_scalable_target, "ValidationException", "between 0 and 15", ResourceId="cluster:" + name,
             MinCapacity=1, MaxCapacity=16, **base)
    ae_error(autoscaling.register_scalable_target, "ValidationException", "greater than", ResourceId="cluster:" + name,
             MinCapacity=3, MaxCapacity=2, **base)
    autoscaling.register_scalable_target(ResourceId="cluster:" + name, MinCapacity=1, MaxCapacity=3, **base)
    assert autoscaling.describe_scalable_targets(ServiceNamespace="rds", ResourceIds=["cluster:" + name])["ScalableTargets"]
