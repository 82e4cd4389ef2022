"""A parameter group that an instance still uses is not deleted, and the failure says why."""

import uuid

MODULE = "innovate.aws_postgres.rds_parameter_group"


def test_deleting_a_group_an_instance_uses_fails_cleanly_and_keeps_the_group(ansible, localenv):
    rds = localenv.client("rds")
    name = "in-use-%s" % uuid.uuid4().hex[:8]
    created = ansible.module(MODULE, {"name": name, "family": "postgres15", "parameters": {"log_connections": 1}})
    assert created["changed"] and not created.get("failed"), created
    rds.create_db_instance(
        DBInstanceIdentifier=name, Engine="postgres", EngineVersion="15.8", DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20, MasterUsername="app_admin", MasterUserPassword="s3cret-Passw0rd", DBParameterGroupName=name,
    )
    try:
        result = ansible.module(MODULE, {"name": name, "state": "absent"})
        assert result.get("failed"), result
        assert "is in use and cannot be deleted" in result["msg"] and name in result["msg"]
        assert "Traceback" not in result.get("module_stderr", "")
        assert rds.describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"]
    finally:
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
    deleted = ansible.module(MODULE, {"name": name, "state": "absent"})
    assert deleted["changed"] and not deleted.get("failed"), deleted


def test_deleting_an_unused_cluster_group_succeeds(ansible, localenv):
    name = "unused-cluster-%s" % uuid.uuid4().hex[:8]
    args = {"name": name, "scope": "cluster", "family": "aurora-postgresql16"}
    assert ansible.module(MODULE, dict(args, parameters={"rds.force_ssl": 1}))["changed"]
    deleted = ansible.module(MODULE, dict(args, state="absent"))
    assert deleted["changed"] and not deleted.get("failed"), deleted
    remaining = localenv.client("rds").describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]
    assert name not in [group["DBClusterParameterGroupName"] for group in remaining]
