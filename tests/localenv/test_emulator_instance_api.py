"""localenv/emulator/instance_api: what RDS checks on CreateDBInstance / ModifyDBInstance for
postgres, DescribeOrderableDBInstanceOptions, and the master secret's key in another account
(no data plane: the API only)."""

import pytest
from botocore.exceptions import ClientError


def _create(rds, name, **extra):
    request = dict(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t4g.micro", AllocatedStorage=20,
                   MasterUsername="master", MasterUserPassword="Emulator-Pass-1")
    request.update(extra)
    return rds.create_db_instance(**request)["DBInstance"]


def _code(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_orderable_options_for_postgres(emu_rds):
    options = emu_rds.describe_orderable_db_instance_options(Engine="postgres", DBInstanceClass="db.m7g.large",
                                                             EngineVersion="15.10")["OrderableDBInstanceOptions"]
    assert sorted(option["StorageType"] for option in options) == ["gp2", "gp3", "io1", "io2"]
    gp3 = [option for option in options if option["StorageType"] == "gp3"][0]
    assert gp3["MinIopsPerDbInstance"] == 3000 and gp3["SupportsStorageThroughput"] is True
    assert emu_rds.describe_orderable_db_instance_options(Engine="postgres", DBInstanceClass="db.m7g.huge")[
        "OrderableDBInstanceOptions"] == []
    page = emu_rds.describe_orderable_db_instance_options(Engine="postgres", EngineVersion="16.6", MaxRecords=20)
    assert len(page["OrderableDBInstanceOptions"]) == 20 and page["Marker"]


def test_engine_versions_classes_and_keys_on_create(emu_env, emu_rds, emu_name):
    kms = emu_env.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/" + emu_name, TargetKeyId=key["KeyId"])
    default = _create(emu_rds, emu_name + "-d")
    assert default["EngineVersion"] == "16.6"
    pinned = _create(emu_rds, emu_name + "-p", EngineVersion="15", StorageEncrypted=True, KmsKeyId="alias/" + emu_name)
    assert pinned["EngineVersion"] == "15.10" and pinned["KmsKeyId"] == key["Arn"]
    managed = _create(emu_rds, emu_name + "-m", StorageEncrypted=True)
    assert managed["KmsKeyId"] == kms.describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["Arn"]
    assert _code(_create, rds=emu_rds, name=emu_name + "-x", EngineVersion="15.99") == (
        "InvalidParameterCombination", "Cannot find version 15.99 for postgres")
    code, message = _code(_create, rds=emu_rds, name=emu_name + "-y", DBInstanceClass="db.q9.large")
    assert code == "InvalidParameterCombination" and "DBInstanceClass=db.q9.large" in message
    assert _code(_create, rds=emu_rds, name=emu_name + "-z", StorageEncrypted=True, KmsKeyId="alias/nope")[0] == \
        "KMSKeyNotAccessibleFault"


def test_engine_version_changes_on_modify(emu_rds, emu_name):
    _create(emu_rds, emu_name, EngineVersion="15.8")
    modify = emu_rds.modify_db_instance
    assert _code(modify, DBInstanceIdentifier=emu_name, EngineVersion="15.7", ApplyImmediately=True)[1] == \
        "Cannot upgrade postgres from 15.8 to 15.7"
    assert "AllowMajorVersionUpgrade" in _code(modify, DBInstanceIdentifier=emu_name, EngineVersion="16.6", ApplyImmediately=True)[1]
    assert modify(DBInstanceIdentifier=emu_name, EngineVersion="16", AllowMajorVersionUpgrade=True,
                  ApplyImmediately=True)["DBInstance"]["EngineVersion"] == "16.6"
    assert _code(modify, DBInstanceIdentifier=emu_name, DBInstanceClass="db.t4g.gigantic", ApplyImmediately=True)[0] == \
        "InvalidParameterCombination"


def test_a_managed_secret_encrypted_with_a_key_of_another_account(emu_env, emu_name):
    security = emu_env.client("sts").assume_role(RoleArn="arn:aws:iam::222222222222:role/InnovateAutomation",
                                                 RoleSessionName="instance-api")["Credentials"]
    kms = emu_env.client("kms", credentials=dict(aws_access_key_id=security["AccessKeyId"],
                                                 aws_secret_access_key=security["SecretAccessKey"],
                                                 aws_session_token=security["SessionToken"]))
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    rds = emu_env.client("rds")
    rds.create_db_instance(DBInstanceIdentifier=emu_name, Engine="postgres", DBInstanceClass="db.t4g.micro", AllocatedStorage=20,
                           MasterUsername="master", ManageMasterUserPassword=True, MasterUserSecretKmsKeyId=key_arn)
    described = rds.describe_db_instances(DBInstanceIdentifier=emu_name)["DBInstances"][0]
    assert described["MasterUserSecret"]["KmsKeyId"] == key_arn
