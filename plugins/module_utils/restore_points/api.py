# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reads for rds_restore_points: the instance, its snapshots and its restorable window."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path


def _code(exc):
    return get_path(getattr(exc, "response", None) or {}, "Error.Code", "")


def describe_instance(module, rds, identifier):
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except AWS_EXCEPTIONS as exc:
        if _code(exc) in ("DBInstanceNotFound", "DBInstanceNotFoundFault"):
            module.fail_json(msg="db_instance_identifier: there is no DB instance %s in %s" % (identifier, rds.meta.region_name))
        module.fail_aws(exc, doing="describing DB instance %s" % identifier)
    return None


def snapshots(module, rds, identifier):
    found = []
    try:
        for page in rds.get_paginator("describe_db_snapshots").paginate(DBInstanceIdentifier=identifier):
            found.extend(page.get("DBSnapshots", []))
    except AWS_EXCEPTIONS as exc:
        module.fail_aws(exc, doing="listing the snapshots of DB instance %s" % identifier)
    return found


def snapshot(module, rds, identifier):
    try:
        return rds.describe_db_snapshots(DBSnapshotIdentifier=identifier)["DBSnapshots"][0]
    except AWS_EXCEPTIONS as exc:
        if _code(exc) in ("DBSnapshotNotFound", "DBSnapshotNotFoundFault"):
            module.fail_json(msg="snapshot_identifier: there is no DB snapshot %s" % identifier)
        module.fail_aws(exc, doing="describing DB snapshot %s" % identifier)
    return None


def earliest_restorable_time(module, rds, identifier, automated_snapshots):
    """RestoreWindow.EarliestTime of the instance's automated backups, else its oldest automated snapshot's time.

    Returns (time or None, where it came from).
    """
    try:
        backups = rds.describe_db_instance_automated_backups(DBInstanceIdentifier=identifier).get("DBInstanceAutomatedBackups", [])
    except AWS_EXCEPTIONS as exc:
        if _code(exc) not in ("DBInstanceAutomatedBackupNotFound", "DBInstanceAutomatedBackupNotFoundFault"):
            module.fail_aws(exc, doing="describing the automated backups of DB instance %s" % identifier)
        backups = []
    times = [get_path(backup, "RestoreWindow.EarliestTime") for backup in backups]
    times = [value for value in times if value]
    if times:
        return min(times), "DescribeDBInstanceAutomatedBackups RestoreWindow.EarliestTime"
    created = [item["SnapshotCreateTime"] for item in automated_snapshots
               if item.get("SnapshotType") == "automated" and item.get("Status") == "available" and item.get("SnapshotCreateTime")]
    if created:
        return min(created), "the oldest available automated snapshot (no RestoreWindow reported)"
    return None, "no automated backup"
