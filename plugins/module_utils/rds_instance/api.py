# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS (and KMS) requests of ``rds_instance``: one function per request, raising botocore's
exceptions (the converger turns them into messages).

``describe`` is the only read a run that changes nothing makes. The other reads happen only
when their answer is needed: engine versions for a major upgrade or a major pin on create, the
orderable options when the class changes, a KMS key when the task names it by alias, a subnet
group when the instance moves to another one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import describe_one
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import dict_to_boto3_tag_list

NOT_FOUND = ("DBInstanceNotFound", "DBInstanceNotFoundFault")
ENGINE = "postgres"


def accepted_members(client, operation):
    """The request members operation (e.g. CreateDBInstance) accepts in this botocore."""
    return set(client.meta.service_model.operation_model(operation).input_shape.members)


class InstanceApi(object):
    def __init__(self, rds, identifier, kms=None):
        self.rds = rds
        self.identifier = identifier
        self.kms = kms

    def describe(self):
        """The DescribeDBInstances record of the instance, or None when there is none."""
        return describe_one(self.rds.describe_db_instances, "DBInstances", NOT_FOUND, DBInstanceIdentifier=self.identifier)

    def filtered(self, operation, request):
        members = accepted_members(self.rds, operation)
        accepted = dict((key, value) for key, value in request.items() if key in members and value is not None)
        left_over = dict((key, value) for key, value in request.items() if key not in members and value is not None)
        return accepted, left_over

    def create(self, request):
        return self.rds.create_db_instance(**request)["DBInstance"]

    def create_replica(self, request):
        return self.rds.create_db_instance_read_replica(**request)["DBInstance"]

    def restore_from_snapshot(self, request):
        return self.rds.restore_db_instance_from_db_snapshot(**request)["DBInstance"]

    def restore_to_point_in_time(self, request):
        return self.rds.restore_db_instance_to_point_in_time(**request)["DBInstance"]

    def modify(self, request):
        return self.rds.modify_db_instance(DBInstanceIdentifier=self.identifier, **request)["DBInstance"]

    def add_tags(self, arn, tags):
        self.rds.add_tags_to_resource(ResourceName=arn, Tags=dict_to_boto3_tag_list(tags))

    def remove_tags(self, arn, keys):
        self.rds.remove_tags_from_resource(ResourceName=arn, TagKeys=list(keys))

    def reboot(self):
        return self.rds.reboot_db_instance(DBInstanceIdentifier=self.identifier)["DBInstance"]

    def stop(self):
        return self.rds.stop_db_instance(DBInstanceIdentifier=self.identifier)["DBInstance"]

    def start(self):
        return self.rds.start_db_instance(DBInstanceIdentifier=self.identifier)["DBInstance"]

    def delete(self, skip_final_snapshot, final_snapshot_identifier, delete_automated_backups):
        request = dict(DBInstanceIdentifier=self.identifier, SkipFinalSnapshot=skip_final_snapshot,
                       DeleteAutomatedBackups=delete_automated_backups)
        if not skip_final_snapshot:
            request["FinalDBSnapshotIdentifier"] = final_snapshot_identifier
        return self.rds.delete_db_instance(**request)["DBInstance"]

    def default_version(self, major):
        """The default exact version of major ("15" -> "15.10"), or None when RDS has none."""
        records = self.rds.describe_db_engine_versions(Engine=ENGINE, EngineVersion=str(major), DefaultOnly=True)["DBEngineVersions"]
        return records[0]["EngineVersion"] if records else None

    def engine_version(self, version):
        """The DescribeDBEngineVersions record of an exact version (with its ValidUpgradeTarget), or None."""
        records = self.rds.describe_db_engine_versions(Engine=ENGINE, EngineVersion=version)["DBEngineVersions"]
        matching = [record for record in records if record["EngineVersion"] == version]
        return matching[0] if matching else None

    def class_offered(self, instance_class, version=None):
        """True when RDS offers instance_class for PostgreSQL (version when given) in this region."""
        request = dict(Engine=ENGINE, DBInstanceClass=instance_class, MaxRecords=20)
        if version:
            request["EngineVersion"] = version
        return bool(self.rds.describe_orderable_db_instance_options(**request)["OrderableDBInstanceOptions"])

    def subnet_group_vpc(self, name):
        """The VPC id of DB subnet group name, or None when it does not exist."""
        group = describe_one(self.rds.describe_db_subnet_groups, "DBSubnetGroups", ("DBSubnetGroupNotFoundFault", "DBSubnetGroupNotFound"),
                             DBSubnetGroupName=name)
        return group.get("VpcId") if group else None

    def snapshot(self, identifier):
        """The DescribeDBSnapshots record of identifier, or None."""
        return describe_one(self.rds.describe_db_snapshots, "DBSnapshots", ("DBSnapshotNotFound", "DBSnapshotNotFoundFault"),
                            DBSnapshotIdentifier=identifier)

    def key_arn(self, key_id):
        """The ARN of the KMS key key_id names (key id, ARN, alias or alias ARN)."""
        return self.kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
