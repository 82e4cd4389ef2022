"""Fixtures of the rds_instance unit tests: task parameters as AnsibleModule would give them."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.spec import ARGUMENT_SPEC


def _defaults(spec):
    return dict((name, option.get("default")) for name, option in spec.items())


@pytest.fixture
def make_params():
    def make(**overrides):
        params = _defaults(ARGUMENT_SPEC)
        params.update(region="us-east-1")
        for name in ("performance_insights", "restore"):
            if isinstance(overrides.get(name), dict):
                nested = _defaults(ARGUMENT_SPEC[name]["options"])
                nested.update(overrides[name])
                overrides[name] = nested
        params.update(overrides)
        return params
    return make


class FakeLookup(object):
    """The reads a plan may need, answered from dicts; every call is recorded."""

    def __init__(self, keys=None, subnet_vpcs=None, upgrade_targets=None, defaults=None, offered=None, sources=None, snapshots=None):
        self.keys = keys or {}
        self.subnet_vpcs = subnet_vpcs or {}
        self.upgrade_targets = upgrade_targets or {}
        self.defaults = defaults or {"15": "15.10", "16": "16.6"}
        self.offered = offered
        self.sources = sources or {}
        self.snapshots = snapshots or {}
        self.calls = []

    def same_key(self, given, current):
        self.calls.append(("same_key", given))
        return self.keys.get(given, given) == current

    def subnet_group_vpc(self, name):
        self.calls.append(("subnet_group_vpc", name))
        return self.subnet_vpcs.get(name)

    def upgrade_target(self, target, current_version):
        self.calls.append(("upgrade_target", target))
        return self.upgrade_targets.get(target)

    def default_version(self, major):
        self.calls.append(("default_version", major))
        return self.defaults.get(major)

    def class_offered(self, instance_class, version):
        self.calls.append(("class_offered", instance_class))
        return self.offered is None or instance_class in self.offered

    def source_record(self, source, region):
        self.calls.append(("source_record", source, region))
        return self.sources.get(source)

    def snapshot(self, identifier):
        self.calls.append(("snapshot", identifier))
        return self.snapshots.get(identifier)


@pytest.fixture
def lookup():
    return FakeLookup()


KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555"


@pytest.fixture
def record():
    """A DescribeDBInstances record of an available, encrypted instance."""
    return {
        "DBInstanceIdentifier": "app-db",
        "DBInstanceArn": "arn:aws:rds:us-east-1:111111111111:db:app-db",
        "DBInstanceClass": "db.t4g.medium",
        "Engine": "postgres",
        "EngineVersion": "15.10",
        "DBInstanceStatus": "available",
        "AllocatedStorage": 100,
        "MaxAllocatedStorage": 200,
        "StorageType": "gp3",
        "Iops": 3000,
        "StorageThroughput": 125,
        "MultiAZ": True,
        "StorageEncrypted": True,
        "KmsKeyId": KEY_ARN,
        "DBName": "app",
        "MasterUsername": "dbadmin",
        "DBSubnetGroup": {"DBSubnetGroupName": "app-db-db", "VpcId": "vpc-1"},
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0123456789abcdef0", "Status": "active"}],
        "DBParameterGroups": [{"DBParameterGroupName": "app-db-postgres15", "ParameterApplyStatus": "in-sync"}],
        "IAMDatabaseAuthenticationEnabled": True,
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsRetentionPeriod": 7,
        "PerformanceInsightsKMSKeyId": KEY_ARN,
        "MonitoringInterval": 0,
        "EnabledCloudwatchLogsExports": ["upgrade", "postgresql"],
        "BackupRetentionPeriod": 7,
        "PreferredBackupWindow": "03:00-03:30",
        "PreferredMaintenanceWindow": "sun:05:00-sun:05:30",
        "AutoMinorVersionUpgrade": True,
        "CopyTagsToSnapshot": True,
        "DeletionProtection": True,
        "PubliclyAccessible": False,
        "Endpoint": {"Address": "app-db.x.us-east-1.rds.amazonaws.com", "Port": 5432},
        "DbInstancePort": 0,
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "MasterUserSecret": {"SecretArn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!db-1", "KmsKeyId": KEY_ARN},
        "PendingModifiedValues": {},
        "TagList": [{"Key": "team", "Value": "orders"}],
    }
