#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_instance
short_description: Manage an RDS for PostgreSQL DB instance, read replica or restore in one task
version_added: 0.1.0
description:
  - Creates, changes, starts, stops, reboots or deletes an Amazon RDS for PostgreSQL DB instance with all of
    its settings in one task (class, storage (gp3 IOPS and throughput, autoscaling limit), Multi-AZ, network,
    parameter group, encryption, IAM authentication, Performance Insights, enhanced monitoring, log exports,
    backups, windows, deletion protection, the master password (managed in Secrets Manager or given) and tags).
  - Also creates read replicas (O(source), in the same region or another one) and restores an instance from a
    snapshot or to a point in time (O(restore)); the other settings of the task apply to them as well.
  - A run reads the instance with one DescribeDBInstances request, computes the changes, and makes them with
    one ModifyDBInstance request (plus the tag requests). A run that changes nothing makes no other request,
    except a KMS DescribeKey when a key is named by alias.
  - Settings RDS applies in the maintenance window (class, storage, Multi-AZ, engine version...) wait for it
    unless O(apply_immediately=true); values waiting in C(PendingModifiedValues) count as done, so a second
    run during a pending change reports no change.
  - Changes RDS cannot make in place (engine, encryption on or off, another KMS key, a subnet group in another
    VPC, less storage, an older engine version) fail with an explanation and the remedy, before anything changes.
  - Aurora instances (engine C(aurora-postgresql)) belong to a DB cluster; use M(innovate.aws_postgres.aurora_cluster).
author:
  - Innovate platform team (@innovate-platform)
options:
  identifier:
    description:
      - The DB instance identifier. RDS stores it in lower case; it is converted before any request.
      - 1 to 63 letters, digits and hyphens, starting with a letter, without a trailing hyphen or two
        consecutive hyphens.
    type: str
    required: true
    aliases: [db_instance_identifier]
  state:
    description:
      - V(present) creates the instance or converges its settings; a stopped instance is started.
      - V(stopped) converges (or creates) the instance and stops it. RDS cannot modify a stopped instance,
        so a stopped instance whose settings differ from the task fails with the list of differences.
      - V(rebooted) converges the instance and reboots it (every run reports a change).
      - V(absent) deletes the instance, with a final snapshot unless O(skip_final_snapshot=true). It refuses
        while deletion protection is on unless O(force_disable_deletion_protection=true).
    type: str
    choices: [present, absent, stopped, rebooted]
    default: present
  engine:
    description:
      - The engine. Only V(postgres) is managed; V(aurora-postgresql) fails with a pointer to
        M(innovate.aws_postgres.aurora_cluster).
    type: str
    default: postgres
  engine_version:
    description:
      - V(16) (a major version) lets RDS choose and upgrade the minor version; an exact version such as
        V(16.4) asks for at least that minor.
      - A newer minor version than requested (an automatic minor upgrade) is never changed back; with an
        exact version the task warns about it.
      - A newer major version needs O(allow_major_version_upgrade=true) and is announced in the diff; an
        older major version is refused.
      - When not set, RDS's default version on creation; left as it is afterwards.
    type: str
  allow_major_version_upgrade:
    description:
      - Whether a major version change of O(engine_version) may be made.
    type: bool
    default: false
  instance_class:
    description:
      - The DB instance class, C(db.<family>.<size>), for example V(db.t4g.medium) or V(db.m7g.large).
        Checked with DescribeOrderableDBInstanceOptions on creation and on change.
      - Required to create an instance; a replica or a restore defaults to the source's class.
    type: str
    aliases: [db_instance_class]
  allocated_storage:
    description:
      - Storage in GiB (gp2/gp3 20 to 65536, io1/io2 100 to 65536). It can only grow.
      - Storage grown by autoscaling (up to O(max_allocated_storage)) is not a change.
    type: int
  max_allocated_storage:
    description:
      - The storage autoscaling limit in GiB, at least 10% above O(allocated_storage). The same value as
        O(allocated_storage) turns autoscaling off.
    type: int
  storage_type:
    description:
      - The storage type. V(gp3) when creating an instance and not set; left as it is afterwards.
    type: str
    choices: [gp3, gp2, io1, io2]
  iops:
    description:
      - Provisioned IOPS. For gp3 only from 400 GiB (12000 to 64000; below 400 GiB gp3 has a fixed
        3000); required for io1 (1000 to 256000, 0.5 to 50 per GiB) and io2 (up to 1000 per GiB).
    type: int
  storage_throughput:
    description:
      - gp3 throughput in MiB/s, from 400 GiB only (500 to 4000, at most 0.25 MiB/s per IOPS).
    type: int
  multi_az:
    description:
      - Whether the instance has a standby in another availability zone. V(false) on creation when not set.
    type: bool
  db_subnet_group_name:
    description:
      - The DB subnet group. A group in another VPC than the instance's is refused (it means a new instance).
      - When not set on creation, the default VPC is used.
    type: str
  vpc_security_group_ids:
    description:
      - The VPC security group ids of the instance (compared as a set).
    type: list
    elements: str
  db_parameter_group_name:
    description:
      - The DB parameter group. A new group takes effect after a reboot (see O(reboot_for_pending)).
    type: str
  storage_encrypted:
    description:
      - Whether the storage is encrypted. RDS cannot encrypt or decrypt an existing instance, so a difference
        fails with the remedy (snapshot, copy, restore).
    type: bool
    default: true
  kms_key_id:
    description:
      - The KMS key that encrypts the storage (key ARN, key id, alias or alias ARN); the account's
        C(aws/rds) key when not set. A key in another account must be given by ARN.
      - Required for a cross-region replica of an encrypted source (a key of the replica's region).
      - The key of an existing instance cannot change; a different key fails with the remedy.
    type: str
  iam_database_authentication:
    description:
      - Whether logins that are members of C(rds_iam) authenticate with IAM tokens.
    type: bool
    aliases: [enable_iam_database_authentication]
  performance_insights:
    description:
      - Performance Insights settings.
    type: dict
    suboptions:
      enabled:
        description: Whether Performance Insights is on.
        type: bool
        required: true
      retention_days:
        description: Days to keep the data; 7 (free), a number of months times 31 (31 ... 713) or 731.
        type: int
      kms_key_id:
        description: The KMS key of the Performance Insights data; it cannot change once set.
        type: str
  monitoring_interval:
    description:
      - Enhanced monitoring interval in seconds; V(0) turns it off.
    type: int
    choices: [0, 1, 5, 10, 15, 30, 60]
  monitoring_role_arn:
    description:
      - The IAM role enhanced monitoring publishes through; required when O(monitoring_interval) is not 0.
    type: str
  enable_cloudwatch_logs_exports:
    description:
      - The logs exported to CloudWatch Logs (V(postgresql), V(upgrade)); compared as a set. V([]) exports none.
    type: list
    elements: str
    aliases: [cloudwatch_logs_exports]
  backup_retention_period:
    description:
      - Days of automated backups, 0 (off; not possible while the instance has read replicas) to 35.
      - Turning backups on or off waits for the maintenance window unless O(apply_immediately=true).
    type: int
  preferred_backup_window:
    description:
      - The daily backup window, C(hh24:mi-hh24:mi) in UTC, at least 30 minutes, apart from the maintenance window.
    type: str
  preferred_maintenance_window:
    description:
      - The weekly maintenance window, C(ddd:hh24:mi-ddd:hh24:mi) in UTC, at least 30 minutes.
    type: str
  auto_minor_version_upgrade:
    description:
      - Whether RDS upgrades minor versions in the maintenance window.
    type: bool
  copy_tags_to_snapshot:
    description:
      - Whether snapshots get the instance's tags.
    type: bool
  deletion_protection:
    description:
      - Whether the instance is protected from deletion.
    type: bool
    default: true
  publicly_accessible:
    description:
      - Whether the instance gets a public address. Keep it V(false) unless there is no other way.
    type: bool
    default: false
  port:
    description:
      - The PostgreSQL port (1150 to 65535); 5432 when not set on creation. A change restarts the instance.
    type: int
  ca_certificate_identifier:
    description:
      - The CA of the server certificate, for example V(rds-ca-rsa2048-g1).
    type: str
  db_name:
    description:
      - The database created with the instance. It cannot change afterwards (a difference fails).
    type: str
  master_username:
    description:
      - The master user, required to create an instance (not for replicas and restores, which inherit it).
        It cannot change afterwards.
    type: str
  manage_master_user_password:
    description:
      - Whether RDS generates the master password, keeps it in Secrets Manager (RV(master_user_secret_arn))
        and rotates it. Recommended.
      - V(true) on an instance with a given password switches it to a managed one. V(false) on a managed
        instance needs O(master_user_password) (the new password).
    type: bool
  master_user_secret_kms_key_id:
    description:
      - The KMS key of the managed master password secret (with O(manage_master_user_password=true)).
    type: str
  master_user_password:
    description:
      - The master password, 8 to 128 printable ASCII characters except C(/), C(@), C(") and space.
      - Set when the instance is created, or on every run with O(update_password=always). Never returned.
    type: str
  update_password:
    description:
      - V(on_create) sets O(master_user_password) only when the instance is created; V(always) sets it on
        every run (and so reports a change every run).
    type: str
    choices: [on_create, always]
    default: on_create
  apply_immediately:
    description:
      - Whether changes RDS would defer to the next maintenance window are applied at once (a restart for
        some). Pending changes the task declares are then applied too.
    type: bool
    default: false
  reboot_for_pending:
    description:
      - What to do when the instance's parameter group is C(pending-reboot) (static parameters changed, or a
        new group attached).
      - V(never) leaves it for a later reboot; RV(pending_reboot) says so.
      - V(now) reboots once in this run; the next run finds nothing pending and reports no change.
      - V(maintenance) reboots only when the run happens inside the instance's preferred maintenance window
        (for scheduled runs).
    type: str
    choices: [never, now, maintenance]
    default: never
  source:
    description:
      - Makes the instance a read replica of this source DB instance when it is created. In the same region its
        identifier, in another region its ARN (with O(source_region) optional).
      - A replica inherits its database, master user and password; setting those fails.
      - On an existing replica the source must match; a replica that was promoted only gets a warning.
    type: str
    aliases: [source_db_instance_identifier]
  source_region:
    description:
      - The region of O(source), for a cross-region replica. Taken from the ARN when not set.
    type: str
  restore:
    description:
      - Creates the instance from a snapshot or to a point in time when it does not exist. Ignored once it exists.
      - A restore keeps the encryption and the key of its source; a different O(kms_key_id) fails.
    type: dict
    suboptions:
      source:
        description: V(snapshot) or V(point_in_time).
        type: str
        required: true
        choices: [snapshot, point_in_time]
      snapshot_identifier:
        description: The DB snapshot (identifier or ARN) to restore; for O(restore.source=snapshot).
        type: str
      source_db_instance_identifier:
        description: The instance whose backups are restored; for O(restore.source=point_in_time).
        type: str
      restore_time:
        description: The time to restore to, ISO 8601 in UTC (for example V(2025-03-01T12:30:00Z)).
        type: str
      use_latest_restorable_time:
        description: Restore to the latest restorable time instead of O(restore.restore_time).
        type: bool
        default: false
  skip_final_snapshot:
    description:
      - With O(state=absent), delete without a final snapshot. Read replicas never get one.
    type: bool
    default: false
  final_snapshot_identifier:
    description:
      - The name of the final snapshot; C(<identifier>-final-<YYYYmmddHHMMSS>) (UTC) when not set.
    type: str
  force_disable_deletion_protection:
    description:
      - With O(state=absent), turn deletion protection off and delete. Without it a protected instance is not deleted.
    type: bool
    default: false
  delete_automated_backups:
    description:
      - With O(state=absent), also delete the automated backups (they are kept for their retention period otherwise).
    type: bool
    default: false
  wait:
    description:
      - Whether to wait until the instance is available (or stopped, or gone) before returning.
      - The module always waits before a change that needs the instance available (a modification after a
        restore or a start, a reboot, a stop, a deletion of a protected instance).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait at most, for each wait.
    type: int
    default: 1800
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the result shows the changes that would be made.
  diff_mode:
    support: full
    description: The diff shows the settings before and after; a major upgrade is announced in it.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and manages the instance through the AWS RDS API.
notes:
  - Secrets never appear in the results; a password change shows as C((changed, not shown)).
  - The master password of a managed instance is read from Secrets Manager with the ARN in RV(master_user_secret_arn).
seealso:
  - module: innovate.aws_postgres.rds_parameter_group
  - module: innovate.aws_postgres.rds_network
  - module: innovate.aws_postgres.kms_key
  - module: innovate.aws_postgres.aurora_cluster
"""

EXAMPLES = r"""
- name: A Multi-AZ PostgreSQL 16 instance with everything declared
  innovate.aws_postgres.rds_instance:
    identifier: orders-db
    engine_version: "16"
    instance_class: db.m7g.large
    allocated_storage: 100
    max_allocated_storage: 200
    storage_type: gp3
    multi_az: true
    db_subnet_group_name: orders-db-db
    vpc_security_group_ids: [sg-0123456789abcdef0]
    db_parameter_group_name: orders-db-postgres16
    kms_key_id: arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab
    iam_database_authentication: true
    performance_insights:
      enabled: true
      retention_days: 7
    monitoring_interval: 5
    monitoring_role_arn: arn:aws:iam::111111111111:role/rds-monitoring-role
    enable_cloudwatch_logs_exports: [postgresql, upgrade]
    backup_retention_period: 14
    preferred_backup_window: "03:00-03:30"
    preferred_maintenance_window: "sun:04:00-sun:04:30"
    db_name: app
    master_username: dbadmin
    manage_master_user_password: true
    reboot_for_pending: now
    tags:
      team: orders
  register: orders_db

- name: A read replica in the same region
  innovate.aws_postgres.rds_instance:
    identifier: orders-db-replica1
    source: orders-db
    instance_class: db.m7g.large
    db_parameter_group_name: orders-db-postgres16

- name: A cross-region replica, encrypted with the DR region's key
  innovate.aws_postgres.rds_instance:
    identifier: orders-db-dr
    region: us-west-2
    source: arn:aws:rds:us-east-1:111111111111:db:orders-db
    kms_key_id: alias/orders-db-rds

- name: Restore yesterday's state into a new instance
  innovate.aws_postgres.rds_instance:
    identifier: orders-db-restore-test
    restore:
      source: point_in_time
      source_db_instance_identifier: orders-db
      restore_time: "2025-03-01T12:00:00Z"
    instance_class: db.t4g.medium
    deletion_protection: false

- name: Preview a class change (no request but reads)
  innovate.aws_postgres.rds_instance:
    identifier: orders-db
    instance_class: db.m7g.xlarge
  check_mode: true
  diff: true

- name: Delete a test instance, keeping a final snapshot
  innovate.aws_postgres.rds_instance:
    identifier: orders-db-restore-test
    state: absent
    force_disable_deletion_protection: true
"""

RETURN = r"""
instance:
  description:
    - The instance after the run, as DescribeDBInstances reports it, in snake_case, with C(tags) as a dict.
    - V(null) when it does not exist (after O(state=absent), or in check mode before a creation).
  returned: always
  type: dict
  sample:
    db_instance_identifier: orders-db
    db_instance_status: available
    engine: postgres
    engine_version: "16.4"
    db_instance_class: db.m7g.large
    db_instance_arn: arn:aws:rds:us-east-1:111111111111:db:orders-db
    tags: {team: orders}
changes:
  description:
    - What changed (or, in check mode, would change), in order. Each item names the setting (C(option)), its
      value before and after (secrets never shown) and when it applies (C(applies)), one of V(immediately), V(next
      maintenance window), or V(immediately; static parameters after a reboot).
    - Whole-instance changes use the options C(instance) (created, restored, deleted), C(status) (started,
      stopped), C(reboot) and C(tags).
  returned: always
  type: list
  elements: dict
  sample:
    - {option: instance_class, before: db.t4g.medium, after: db.m7g.large, applies: next maintenance window}
actions:
  description:
    - The requests made (or that would be made), in order; among V(create), V(create_read_replica), V(restore),
      V(start), V(modify), V(tag), V(reboot), V(stop), V(disable_deletion_protection), V(delete).
  returned: always
  type: list
  elements: str
  sample: [modify, reboot]
pending_modified_values:
  description: The changes waiting for the maintenance window (C(PendingModifiedValues) in snake_case).
  returned: always
  type: dict
  sample: {db_instance_class: db.m7g.large}
pending_reboot:
  description: Whether the parameter group waits for a reboot (C(pending-reboot)) after the run.
  returned: always
  type: bool
endpoint:
  description: The address and port to connect to; V(null) until the instance has one.
  returned: always
  type: dict
  contains:
    address:
      description: The DNS name (or address) of the instance.
      type: str
    port:
      description: The port.
      type: int
    hosted_zone_id:
      description: The Route 53 hosted zone of the address.
      type: str
master_user_secret_arn:
  description: The ARN of the Secrets Manager secret holding the managed master password; V(null) when not managed.
  returned: always
  type: str
  sample: arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!db-0123abcd-AbCdEf
final_snapshot_identifier:
  description: The final snapshot taken on deletion; V(null) when none was taken.
  returned: when O(state=absent) deleted an instance
  type: str
  sample: orders-db-final-20250301120000
errors:
  description: Every problem found with the task, when it fails before any change.
  returned: on failure
  type: list
  elements: str
applied_changes:
  description: The requests already made when a later one failed; the next run converges the rest.
  returned: on failure after a change
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.converge import InstanceConverger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.spec import ARGUMENT_SPEC, MUTUALLY_EXCLUSIVE, REQUIRED_BY


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, required_by=REQUIRED_BY,
                       supports_check_mode=True)
    result = InstanceConverger(module).run()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
