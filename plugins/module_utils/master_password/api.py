# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Describe the instance or cluster and the version of its managed master secret."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path


class Target:
    """An instance (``kind='instance'``) or an Aurora cluster (``kind='cluster'``)."""

    def __init__(self, kind, identifier):
        self.kind = kind
        self.identifier = identifier

    @property
    def what(self):
        return "%s %s" % ("DB instance" if self.kind == "instance" else "DB cluster", self.identifier)

    def describe(self, rds):
        """The DescribeDBInstances / DescribeDBClusters record, or None when it does not exist."""
        if self.kind == "instance":
            try:
                return rds.describe_db_instances(DBInstanceIdentifier=self.identifier)["DBInstances"][0]
            except rds.exceptions.DBInstanceNotFoundFault:
                return None
        try:
            return rds.describe_db_clusters(DBClusterIdentifier=self.identifier)["DBClusters"][0]
        except rds.exceptions.DBClusterNotFoundFault:
            return None

    def rotate(self, rds):
        if self.kind == "instance":
            rds.modify_db_instance(DBInstanceIdentifier=self.identifier, RotateMasterUserPassword=True, ApplyImmediately=True)
        else:
            rds.modify_db_cluster(DBClusterIdentifier=self.identifier, RotateMasterUserPassword=True, ApplyImmediately=True)

    def summary(self, record):
        if self.kind == "instance":
            endpoint = dict(address=get_path(record, "Endpoint.Address"), port=get_path(record, "Endpoint.Port"))
            status = record.get("DBInstanceStatus")
        else:
            endpoint = dict(address=record.get("Endpoint"), port=record.get("Port"))
            status = record.get("Status")
        return dict(status=status, endpoint=endpoint, engine=record.get("Engine"), master_username=record.get("MasterUsername"),
                    secret_arn=get_path(record, "MasterUserSecret.SecretArn"))


def current_version(secretsmanager, arn):
    """The version id that holds the AWSCURRENT stage of secret ``arn`` (the value is not read)."""
    stages = secretsmanager.describe_secret(SecretId=arn).get("VersionIdsToStages") or {}
    for version, labels in stages.items():
        if "AWSCURRENT" in labels:
            return version
    return None
