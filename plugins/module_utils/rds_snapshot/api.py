# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS and KMS requests of ``rds_snapshot`` for DB snapshots and DB cluster snapshots.

One ``SnapshotApi`` serves both kinds (``instance`` and ``cluster``) through a table of operation
and field names. Methods raise botocore's exceptions; the converger turns them into messages.
``normalize`` turns a record of either kind into one flat dict the plan works with.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, describe_one, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.pagination import paginate
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict, dict_to_boto3_tag_list

RESTORE = "restore"

KINDS = dict(
    instance=dict(
        label="DB snapshot", source_label="DB instance", source_option="db_instance_identifier",
        describe="describe_db_snapshots", records="DBSnapshots", id="DBSnapshotIdentifier", arn="DBSnapshotArn",
        not_found=("DBSnapshotNotFound", "DBSnapshotNotFoundFault"),
        source="DBInstanceIdentifier", create="create_db_snapshot", record="DBSnapshot",
        copy="copy_db_snapshot", copy_source="SourceDBSnapshotIdentifier", copy_target="TargetDBSnapshotIdentifier",
        copied_from="SourceDBSnapshotIdentifier", delete="delete_db_snapshot",
        attributes="describe_db_snapshot_attributes", attributes_result="DBSnapshotAttributesResult",
        attributes_list="DBSnapshotAttributes", modify_attribute="modify_db_snapshot_attribute",
        describe_source="describe_db_instances", source_records="DBInstances",
        source_not_found=("DBInstanceNotFound", "DBInstanceNotFoundFault"), source_status="DBInstanceStatus",
        source_arn="DBInstanceArn",
    ),
    cluster=dict(
        label="DB cluster snapshot", source_label="DB cluster", source_option="db_cluster_identifier",
        describe="describe_db_cluster_snapshots", records="DBClusterSnapshots", id="DBClusterSnapshotIdentifier",
        arn="DBClusterSnapshotArn", not_found=("DBClusterSnapshotNotFoundFault", "DBClusterSnapshotNotFound"),
        source="DBClusterIdentifier", create="create_db_cluster_snapshot", record="DBClusterSnapshot",
        copy="copy_db_cluster_snapshot", copy_source="SourceDBClusterSnapshotIdentifier",
        copy_target="TargetDBClusterSnapshotIdentifier", copied_from="SourceDBClusterSnapshotArn",
        delete="delete_db_cluster_snapshot", attributes="describe_db_cluster_snapshot_attributes",
        attributes_result="DBClusterSnapshotAttributesResult", attributes_list="DBClusterSnapshotAttributes",
        modify_attribute="modify_db_cluster_snapshot_attribute",
        describe_source="describe_db_clusters", source_records="DBClusters",
        source_not_found=("DBClusterNotFoundFault", "DBClusterNotFound"), source_status="Status",
        source_arn="DBClusterArn",
    ),
)


def _date(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def normalize(kind, record):
    """The facts of a snapshot record of ``kind`` the module compares (None for no record)."""
    if not record:
        return None
    names = KINDS[kind]
    return dict(
        kind=kind,
        identifier=record.get(names["id"]),
        arn=record.get(names["arn"]),
        status=record.get("Status"),
        snapshot_type=record.get("SnapshotType"),
        source_identifier=record.get(names["source"]),
        copied_from=record.get(names["copied_from"]),
        source_region=record.get("SourceRegion"),
        encrypted=bool(record.get("StorageEncrypted") if "StorageEncrypted" in record else record.get("Encrypted")),
        kms_key_id=record.get("KmsKeyId"),
        created=_date(record.get("SnapshotCreateTime")),
        original_created=_date(record.get("OriginalSnapshotCreateTime") or record.get("SnapshotCreateTime")),
        create_time=record.get("SnapshotCreateTime"),
        tags=boto3_tag_list_to_dict(record.get("TagList")),
    )


class SnapshotApi(object):
    def __init__(self, rds, kind, kms=None):
        self.rds = rds
        self.kind = kind
        self.names = KINDS[kind]
        self.kms = kms

    def describe(self, identifier):
        """The describe record of snapshot ``identifier`` (identifier or ARN), or None."""
        request = {self.names["id"]: identifier}
        return describe_one(getattr(self.rds, self.names["describe"]), self.names["records"], self.names["not_found"], **request)

    def describe_source(self, identifier):
        """The DescribeDBInstances / DescribeDBClusters record of the snapshot's source, or None."""
        request = {self.names["source"]: identifier}
        return describe_one(getattr(self.rds, self.names["describe_source"]), self.names["source_records"], self.names["source_not_found"], **request)

    def shared(self, arn):
        """The record of the snapshot ``arn`` of another account shared with this one (``SnapshotType=shared``), or None.

        RDS lists a snapshot shared by another account under its ARN; it is matched by ``DBSnapshotArn`` (or
        ``DBClusterSnapshotArn``) and by an identifier equal to the ARN.
        """
        records = paginate(self.rds, self.names["describe"], SnapshotType="shared", IncludeShared=True).get(self.names["records"], [])
        for record in records:
            if arn in (record.get(self.names["arn"]), record.get(self.names["id"])):
                return record
        return None

    def manual_snapshots(self, source_identifier):
        """Every manual snapshot of ``source_identifier`` (all pages)."""
        request = {self.names["source"]: source_identifier, "SnapshotType": "manual"}
        return paginate(self.rds, self.names["describe"], **request).get(self.names["records"], [])

    def create(self, identifier, source_identifier, tags):
        request = {self.names["id"]: identifier, self.names["source"]: source_identifier}
        if tags:
            request["Tags"] = dict_to_boto3_tag_list(tags)
        return getattr(self.rds, self.names["create"])(**request)[self.names["record"]]

    def copy(self, source, identifier, kms_key_id=None, copy_tags=False, tags=None, source_region=None):
        request = {self.names["copy_source"]: source, self.names["copy_target"]: identifier, "CopyTags": bool(copy_tags)}
        if kms_key_id:
            request["KmsKeyId"] = kms_key_id
        if tags:
            request["Tags"] = dict_to_boto3_tag_list(tags)
        if source_region:
            request["SourceRegion"] = source_region
        return getattr(self.rds, self.names["copy"])(**request)[self.names["record"]]

    def delete(self, identifier):
        return getattr(self.rds, self.names["delete"])(**{self.names["id"]: identifier})[self.names["record"]]

    def shared_accounts(self, identifier):
        """The accounts the snapshot is shared with (its ``restore`` attribute), sorted."""
        result = getattr(self.rds, self.names["attributes"])(**{self.names["id"]: identifier})[self.names["attributes_result"]]
        for attribute in result.get(self.names["attributes_list"]) or []:
            if attribute.get("AttributeName") == RESTORE:
                return sorted(attribute.get("AttributeValues") or [])
        return []

    def share(self, identifier, add, remove):
        request = {self.names["id"]: identifier, "AttributeName": RESTORE}
        if add:
            request["ValuesToAdd"] = list(add)
        if remove:
            request["ValuesToRemove"] = list(remove)
        return getattr(self.rds, self.names["modify_attribute"])(**request)

    def add_tags(self, arn, tags):
        self.rds.add_tags_to_resource(ResourceName=arn, Tags=dict_to_boto3_tag_list(tags))

    def remove_tags(self, arn, keys):
        self.rds.remove_tags_from_resource(ResourceName=arn, TagKeys=list(keys))

    def key(self, key_id):
        """``dict(arn, manager)`` of KMS key ``key_id`` (id, ARN, alias or alias ARN), or None when it does not exist."""
        try:
            metadata = self.kms.describe_key(KeyId=key_id)["KeyMetadata"]
        except AWS_EXCEPTIONS as e:
            if is_error(e, "NotFoundException"):
                return None
            raise
        return dict(arn=metadata.get("Arn"), manager=metadata.get("KeyManager"), state=metadata.get("KeyState"))

    def default_key_arn(self):
        """The ARN of the account's AWS managed RDS key (``alias/aws/rds``) in this region."""
        found = self.key("alias/aws/rds")
        return found["arn"] if found else None
