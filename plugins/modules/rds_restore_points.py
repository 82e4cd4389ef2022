#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_restore_points
short_description: What a restore test of an RDS instance restores - its latest snapshot and a random point in time
version_added: 0.1.0
description:
  - Reads an RDS for PostgreSQL DB instance and returns the restore points a restore test uses, changing nothing.
  - RV(snapshot) is O(snapshot_identifier) when given, otherwise the newest C(available) snapshot of the instance of
    the O(snapshot_types) (automated and manual by default).
  - RV(point_in_time) is a time in the last O(window_days) days inside the instance's restorable window (from
    C(RestoreWindow.EarliestTime) of its automated backups, or its oldest automated snapshot when RDS does not report
    a window, to C(LatestRestorableTime)), kept O(margin_seconds) inside both ends. It is O(restore_time) when given
    (checked against that window), otherwise a random whole second chosen with O(seed), so that a run can be repeated
    with the same time.
author:
  - Innovate platform team (@innovate-platform)
options:
  db_instance_identifier:
    description:
      - The DB instance whose restore points are read.
    type: str
    required: true
  snapshot_identifier:
    description:
      - The snapshot to restore instead of the newest one. It must be C(available).
    type: str
  snapshot_types:
    description:
      - The snapshot types the newest snapshot is chosen from.
    type: list
    elements: str
    choices: [automated, manual]
    default: [automated, manual]
  point_in_time:
    description:
      - Whether to choose a point in time. V(false) skips the restorable window (for an instance without automated
        backups, when only the snapshot is tested).
    type: bool
    default: true
  window_days:
    description:
      - How many days back the point in time may be (1 to 35).
    type: int
    default: 7
  margin_seconds:
    description:
      - Seconds the chosen time stays away from both ends of the window (the earliest restorable time moves forward
        as backups expire, and C(LatestRestorableTime) lags behind writes by a few minutes on RDS).
    type: int
    default: 300
  seed:
    description:
      - The seed of the random choice of the point in time; the same seed and window give the same time. Required
        unless O(restore_time) is given or O(point_in_time=false).
    type: str
  restore_time:
    description:
      - The point in time to use instead of a random one, ISO 8601 (for example V(2025-03-01T12:30:00Z); no offset
        means UTC). It must lie in the window.
    type: str
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
attributes:
  check_mode:
    support: full
    description: The module only reads; check mode runs the same reads.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and reads through the AWS RDS API.
notes:
  - Aurora clusters are not handled (their snapshots and restores are cluster-level).
seealso:
  - module: innovate.aws_postgres.rds_instance
  - module: innovate.aws_postgres.rds_snapshot
"""

EXAMPLES = r"""
- name: Choose this month's restore points of app-db
  innovate.aws_postgres.rds_restore_points:
    db_instance_identifier: app-db
    seed: "app-db-{{ now(utc=true, fmt='%Y-%m') }}"
  register: restore_points

- name: Restore the chosen point in time
  innovate.aws_postgres.rds_instance:
    identifier: app-db-restore-test
    restore:
      source: point_in_time
      source_db_instance_identifier: app-db
      restore_time: "{{ restore_points.point_in_time.restore_time }}"
    deletion_protection: false
"""

RETURN = r"""
snapshot:
  description: The snapshot to restore.
  returned: success
  type: dict
  contains:
    identifier:
      description: The snapshot identifier (C(rds:...) for an automated one).
      type: str
    arn:
      description: Its ARN.
      type: str
    type:
      description: V(automated) or V(manual).
      type: str
    create_time:
      description: C(SnapshotCreateTime), ISO 8601 UTC.
      type: str
    chosen:
      description: V(latest) or V(given).
      type: str
    encrypted:
      description: Whether the snapshot is encrypted (a restore keeps its encryption and key).
      type: bool
point_in_time:
  description: The point in time to restore to; V(null) with O(point_in_time=false).
  returned: success
  type: dict
  contains:
    restore_time:
      description: The time, ISO 8601 UTC to the second.
      type: str
    chosen:
      description: V(random) or V(given).
      type: str
    seed:
      description: The seed of a random choice.
      type: str
    window_start:
      description: The first time that could be chosen.
      type: str
    window_end:
      description: The last time that could be chosen.
      type: str
    earliest_restorable_time:
      description: The instance's earliest restorable time.
      type: str
    earliest_source:
      description: Where the earliest restorable time came from.
      type: str
    latest_restorable_time:
      description: The instance's C(LatestRestorableTime).
      type: str
instance:
  description:
    - C(identifier), C(arn), C(account_id), C(engine_version), C(status), C(storage_encrypted), C(backup_retention_period), C(endpoint_address),
      C(endpoint_port), C(master_username), C(master_user_secret_arn) (managed master password), C(db_subnet_group_name),
      C(vpc_security_group_ids) and C(db_parameter_group_name) of the instance, for restoring copies alike.
  returned: success
  type: dict
"""

import datetime

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path
from ansible_collections.innovate.aws_postgres.plugins.module_utils.restore_points import api
from ansible_collections.innovate.aws_postgres.plugins.module_utils.restore_points.choose import (
    ChoiceError,
    check_given_time,
    iso,
    latest_snapshot,
    parse_time,
    pick_time,
    pitr_window,
)

ARGUMENT_SPEC = dict(
    db_instance_identifier=dict(type="str", required=True),
    snapshot_identifier=dict(type="str"),
    snapshot_types=dict(type="list", elements="str", choices=["automated", "manual"], default=["automated", "manual"]),
    point_in_time=dict(type="bool", default=True),
    window_days=dict(type="int", default=7),
    margin_seconds=dict(type="int", default=300),
    seed=dict(type="str"),
    restore_time=dict(type="str"),
)


def input_problems(params):
    problems = []
    if not 1 <= params["window_days"] <= 35:
        problems.append("window_days: %d is not accepted; give 1 to 35 days" % params["window_days"])
    if params["margin_seconds"] < 0:
        problems.append("margin_seconds: %d is not accepted; give 0 or more seconds" % params["margin_seconds"])
    if params["point_in_time"] and not params["restore_time"] and not params["seed"]:
        problems.append("seed: required to choose a random point in time (or give restore_time, or point_in_time=false)")
    return problems


def snapshot_result(module, rds, instance, params):
    if params["snapshot_identifier"]:
        found = api.snapshot(module, rds, params["snapshot_identifier"])
        if found.get("Status") != "available":
            module.fail_json(msg="snapshot_identifier: DB snapshot %s is %s, not available" % (found["DBSnapshotIdentifier"], found.get("Status")))
        chosen = "given"
    else:
        found = latest_snapshot(api.snapshots(module, rds, instance["DBInstanceIdentifier"]), params["snapshot_types"])
        if found is None:
            module.fail_json(msg="DB instance %s has no available %s snapshot to restore"
                             % (instance["DBInstanceIdentifier"], " or ".join(params["snapshot_types"])))
        chosen = "latest"
    return dict(identifier=found["DBSnapshotIdentifier"], arn=found.get("DBSnapshotArn"), type=found.get("SnapshotType"),
                create_time=iso(found["SnapshotCreateTime"]), chosen=chosen, encrypted=bool(found.get("Encrypted")))


def point_in_time_result(module, rds, instance, params):
    identifier = instance["DBInstanceIdentifier"]
    earliest, source = api.earliest_restorable_time(module, rds, identifier, api.snapshots(module, rds, identifier))
    latest = instance.get("LatestRestorableTime")
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = pitr_window(earliest, latest, now, params["window_days"], params["margin_seconds"])
    if params["restore_time"]:
        moment, chosen = check_given_time(parse_time(params["restore_time"]), start, end), "given"
    else:
        moment, chosen = pick_time(start, end, params["seed"]), "random"
    return dict(restore_time=iso(moment), chosen=chosen, seed=params["seed"] if chosen == "random" else None,
                window_start=iso(start), window_end=iso(end), earliest_restorable_time=iso(earliest), earliest_source=source,
                latest_restorable_time=iso(latest))


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    problems = input_problems(params)
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)
    rds = module.client("rds")
    instance = api.describe_instance(module, rds, params["db_instance_identifier"])
    if instance.get("Engine") != "postgres":
        module.fail_json(msg="db_instance_identifier: %s is a %s instance; only RDS for PostgreSQL instances (not Aurora members) are handled"
                         % (instance["DBInstanceIdentifier"], instance.get("Engine")))
    result = dict(changed=False, snapshot=snapshot_result(module, rds, instance, params), point_in_time=None)
    if params["point_in_time"]:
        try:
            result["point_in_time"] = point_in_time_result(module, rds, instance, params)
        except ChoiceError as exc:
            module.fail_json(msg="DB instance %s: %s" % (instance["DBInstanceIdentifier"], exc))
    arn = instance.get("DBInstanceArn", "")
    result["instance"] = dict(
        identifier=instance["DBInstanceIdentifier"], arn=arn, engine_version=instance.get("EngineVersion"),
        status=instance.get("DBInstanceStatus"), storage_encrypted=bool(instance.get("StorageEncrypted")),
        backup_retention_period=instance.get("BackupRetentionPeriod"),
        account_id=arn.split(":")[4] if arn.count(":") >= 5 else None,
        endpoint_address=get_path(instance, "Endpoint.Address"), endpoint_port=get_path(instance, "Endpoint.Port"),
        master_username=instance.get("MasterUsername"), master_user_secret_arn=get_path(instance, "MasterUserSecret.SecretArn"),
        db_subnet_group_name=get_path(instance, "DBSubnetGroup.DBSubnetGroupName"),
        vpc_security_group_ids=[group["VpcSecurityGroupId"] for group in instance.get("VpcSecurityGroups", [])],
        db_parameter_group_name=(instance.get("DBParameterGroups") or [{}])[0].get("DBParameterGroupName"),
    )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
