#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: aurora_cluster
short_description: Manage an Aurora PostgreSQL cluster with its writer, readers and reader auto scaling
version_added: 0.1.0
description:
  - Creates, updates or deletes an Amazon Aurora PostgreSQL DB cluster in one task, with its writer
    instance, its reader instances, provisioned or Serverless v2 capacity, cluster and instance
    parameter groups, encryption, master credentials, backups, log exports, Performance Insights,
    enhanced monitoring, tags, reader auto scaling and membership of a global database.
  - The writer is the instance AWS reports as the cluster writer (C(IsClusterWriter)), whatever its
    name. The O(writer) settings apply to it and it is never deleted (O(readers=[]) removes readers
    only), and after a failover the next run does not move anything back.
  - A run that changes nothing reads the cluster and its instances (two requests), plus the auto
    scaling target and policy when O(reader_autoscaling) is set and the global database when
    O(global_cluster_identifier) is set.
  - Changes AWS cannot make to an existing cluster (encryption, KMS key, master user name,
    database name, subnet group, an engine downgrade) fail with an explanation before any change.
author:
  - Innovate platform team (@innovate-platform)
options:
  identifier:
    description:
      - The DB cluster identifier (stored in lower case). 1 to 63 letters, digits or hyphens,
        starting with a letter, without two consecutive hyphens or a trailing hyphen.
    type: str
    required: true
    aliases: [db_cluster_identifier]
  state:
    description:
      - V(present) creates or updates the cluster and its instances.
      - V(absent) removes reader auto scaling, leaves the global database (a secondary, or a primary
        without secondaries), deletes the readers, the writer and then the cluster, taking a final
        snapshot unless O(skip_final_snapshot=true).
    type: str
    choices: [present, absent]
    default: present
  engine_version:
    description:
      - The Aurora PostgreSQL version, pinned by major (V("16")) or exact (V("16.4")).
      - A major creates the cluster with that major's default minor version. A cluster that runs a
        newer minor than requested (AWS applies minor upgrades) is left as it is; an older minor of
        the same major is upgraded; another major needs O(allow_major_version_upgrade=true).
      - When not set, a new cluster gets the engine's default version (the version of the global
        database for a secondary) and an existing cluster's version is not managed.
    type: str
  allow_major_version_upgrade:
    description: Whether O(engine_version) may name a newer major version than the cluster runs.
    type: bool
    default: false
  database_name:
    description: The name of the database created with the cluster. Cannot change afterwards.
    type: str
  master_username:
    description:
      - The master user name. Required to create a cluster other than a global database secondary.
        Cannot change afterwards.
    type: str
  master_user_password:
    description:
      - The master user password (8 to 128 printable ASCII characters other than C(/), C(@), C(")
        and space). Not returned or logged.
      - Set on creation; on an existing cluster only with O(update_password=always) (every run then
        reports a change) or when switching from a managed password with
        O(manage_master_user_password=false).
    type: str
  manage_master_user_password:
    description:
      - Whether Secrets Manager generates and keeps the master password (the secret is returned in
        RV(cluster.master_user_secret_arn)). Mutually exclusive with O(master_user_password) on creation.
    type: bool
  master_user_secret_kms_key_id:
    description: The KMS key (ARN, key id or alias) that encrypts the managed master user secret.
    type: str
  update_password:
    description:
      - V(on_create) sets O(master_user_password) only when the cluster is created.
      - V(always) sets it on every run (AWS cannot tell whether it differs).
    type: str
    choices: [on_create, always]
    default: on_create
  storage_encrypted:
    description: Whether the cluster storage is encrypted. Cannot change on an existing cluster.
    type: bool
    default: true
  kms_key_id:
    description:
      - The KMS key (ARN, key id or alias) that encrypts the storage; the account's C(aws/rds) key when
        not set. A key of another account must be given by ARN. Cannot change on an existing cluster.
      - For a secondary cluster of a global database, a key of the secondary's region.
    type: str
  db_subnet_group_name:
    description: The DB subnet group of the cluster (set on creation; a different one later is refused).
    type: str
  vpc_security_group_ids:
    description: The VPC security groups of the cluster.
    type: list
    elements: str
  db_cluster_parameter_group_name:
    description: The DB cluster parameter group (for example one with C(rds.force_ssl) and C(shared_preload_libraries)).
    type: str
  db_parameter_group_name:
    description: The DB parameter group of every instance of the cluster.
    type: str
  iam_database_authentication:
    description: Whether IAM database authentication is enabled.
    type: bool
  backup_retention_period:
    description: Days of automated backups (1 to 35).
    type: int
  preferred_backup_window:
    description: The daily backup window in UTC, for example V(03:00-03:30).
    type: str
  preferred_maintenance_window:
    description: The weekly maintenance window in UTC, for example V(sun:05:00-sun:05:30).
    type: str
  cloudwatch_logs_exports:
    description: The logs exported to CloudWatch Logs (V(postgresql), V(instance)); an empty list exports none.
    type: list
    elements: str
  deletion_protection:
    description: Whether the cluster is protected from deletion.
    type: bool
    default: true
  copy_tags_to_snapshot:
    description: Whether snapshots get the cluster's tags.
    type: bool
    default: true
  instance_class:
    description:
      - The instance class of the writer and the default of the readers, for example V(db.r6g.large),
        or V(db.serverless) for Serverless v2 (then O(serverless_v2_scaling) is required).
      - Required to create a cluster unless O(writer.instance_class) is set. When not set on an
        existing cluster, the instance classes are not managed.
    type: str
  serverless_v2_scaling:
    description: The Serverless v2 capacity range of the cluster, in Aurora capacity units (ACUs).
    type: dict
    suboptions:
      min_capacity:
        description: The minimum capacity (0 to 256 in steps of 0.5).
        type: float
        required: true
      max_capacity:
        description: The maximum capacity (1 to 256 in steps of 0.5, at least O(serverless_v2_scaling.min_capacity)).
        type: float
        required: true
  writer:
    description: Settings of the writer instance.
    type: dict
    suboptions:
      identifier:
        description:
          - The name of the writer when the cluster has no instance and one is created
            (default V(<identifier>-1)). The name of an existing writer is never changed.
        type: str
      instance_class:
        description: The writer's instance class (default O(instance_class)).
        type: str
      availability_zone:
        description: The Availability Zone of a new writer (an existing instance does not move).
        type: str
      promotion_tier:
        description: The failover priority, 0 (promoted first) to 15.
        type: int
  readers:
    description:
      - The reader instances. Existing readers are matched by O(readers[].identifier), then in
        identifier order; missing ones are created (named V(<identifier>-<n>) unless named).
      - Readers that are not declared are deleted when O(purge_readers=true); the writer never is.
        Readers added by auto scaling (C(application-autoscaling-*)) are left alone.
      - When not set, readers are neither created nor deleted.
    type: list
    elements: dict
    suboptions:
      identifier:
        description: The name of the reader.
        type: str
      instance_class:
        description: The reader's instance class (default O(instance_class)).
        type: str
      availability_zone:
        description: The Availability Zone of a new reader (an existing instance does not move).
        type: str
      promotion_tier:
        description: The failover priority, 0 (promoted first) to 15.
        type: int
  purge_readers:
    description: Whether readers that O(readers) does not declare are deleted.
    type: bool
    default: true
  performance_insights:
    description: Whether Performance Insights is enabled on the instances.
    type: bool
  performance_insights_retention_period:
    description: Days of Performance Insights data (7, a multiple of 31 up to 713, or 731).
    type: int
  performance_insights_kms_key_id:
    description: The KMS key of Performance Insights data (set when it is enabled).
    type: str
  monitoring_interval:
    description: Seconds between enhanced monitoring samples (0 turns it off).
    type: int
    choices: [0, 1, 5, 10, 15, 30, 60]
  monitoring_role_arn:
    description: The IAM role enhanced monitoring uses; required when O(monitoring_interval) is above 0.
    type: str
  auto_minor_version_upgrade:
    description: Whether AWS applies minor engine upgrades to the instances in the maintenance window.
    type: bool
  reader_autoscaling:
    description:
      - Reader auto scaling with Application Auto Scaling (scalable target
        C(rds:cluster:ReadReplicaCount) and one target-tracking policy).
      - When not set, auto scaling is not managed. O(reader_autoscaling.enabled=false) removes it.
    type: dict
    suboptions:
      enabled:
        description: Whether reader auto scaling should exist.
        type: bool
        default: true
      min_capacity:
        description: The minimum number of readers (0 to 15).
        type: int
      max_capacity:
        description: The maximum number of readers (0 to 15).
        type: int
      metric:
        description: V(cpu) tracks the readers' average CPU (percent); V(connections) their average connections.
        type: str
        choices: [cpu, connections]
        default: cpu
      target_value:
        description: The target value of the metric.
        type: float
      scale_in_cooldown:
        description: Seconds after a scale-in before another.
        type: int
        default: 300
      scale_out_cooldown:
        description: Seconds after a scale-out before another.
        type: int
        default: 300
      disable_scale_in:
        description: Whether the policy never removes readers.
        type: bool
        default: false
      policy_name:
        description: The policy name (default V(<identifier>-readers-<metric>)).
        type: str
  global_cluster_identifier:
    description:
      - The global database the cluster belongs to. A new cluster joins it as its primary when the
        global database has no cluster, otherwise as a secondary, created without master
        credentials (it uses the primary's; O(master_username), O(database_name) and
        O(manage_master_user_password) are then ignored with a warning).
      - An existing cluster that is not a member is refused; it becomes a primary with
        M(innovate.aws_postgres.aurora_global_cluster) O(innovate.aws_postgres.aurora_global_cluster#module:source_db_cluster_identifier).
    type: str
  apply_immediately:
    description: Whether changes are applied now rather than in the next maintenance window.
    type: bool
    default: false
  skip_final_snapshot:
    description: With O(state=absent), delete without a final snapshot.
    type: bool
    default: false
  final_snapshot_identifier:
    description: With O(state=absent), the final snapshot's name (default V(<identifier>-final-<UTC timestamp>)).
    type: str
  force_disable_deletion_protection:
    description: With O(state=absent), turn deletion protection off to delete a protected cluster.
    type: bool
    default: false
  wait:
    description: Whether to wait until the cluster and the instances changed are available (or deleted).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the whole task.
    type: int
    default: 3600
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the plan is returned as it would be applied.
  diff_mode:
    support: full
    description: The diff shows the cluster settings, the instances and the reader auto scaling before and after.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller and manages the cluster through the RDS and Application Auto Scaling APIs.
notes:
  - O(tags) are applied to the cluster and to every instance it manages.
  - The master password is never returned; with O(manage_master_user_password=true) read it from
    the secret in RV(cluster.master_user_secret_arn).
seealso:
  - module: innovate.aws_postgres.aurora_global_cluster
  - module: innovate.aws_postgres.rds_parameter_group
"""

EXAMPLES = r"""
- name: Provisioned Aurora PostgreSQL 16 with two readers and CPU-based reader auto scaling
  innovate.aws_postgres.aurora_cluster:
    identifier: orders-db
    engine_version: "16"
    database_name: app
    master_username: dbadmin
    manage_master_user_password: true
    master_user_secret_kms_key_id: alias/orders-db-rds
    kms_key_id: alias/orders-db-rds
    db_subnet_group_name: orders-db-db
    vpc_security_group_ids: [sg-0123456789abcdef0]
    db_cluster_parameter_group_name: orders-db-aurora-postgresql16-cluster
    db_parameter_group_name: orders-db-aurora-postgresql16
    instance_class: db.r6g.large
    readers:
      - promotion_tier: 1
        availability_zone: us-east-1b
      - promotion_tier: 2
        availability_zone: us-east-1c
    reader_autoscaling:
      min_capacity: 2
      max_capacity: 6
      metric: cpu
      target_value: 60
    iam_database_authentication: true
    backup_retention_period: 14
    cloudwatch_logs_exports: [postgresql]
    performance_insights: true
    performance_insights_retention_period: 7
    tags:
      team: orders
  register: orders_db

- name: Serverless v2 between 0.5 and 8 ACUs, one reader
  innovate.aws_postgres.aurora_cluster:
    identifier: staging-db
    engine_version: "16"
    master_username: dbadmin
    manage_master_user_password: true
    instance_class: db.serverless
    serverless_v2_scaling:
      min_capacity: 0.5
      max_capacity: 8
    readers:
      - {}

- name: Secondary cluster of a global database in the DR region (no master credentials)
  innovate.aws_postgres.aurora_cluster:
    identifier: orders-db-dr
    region: us-west-2
    global_cluster_identifier: orders-global
    kms_key_id: arn:aws:kms:us-west-2:111111111111:key/0c2f1a55-3f5e-4a4e-9f39-1b2f4a8c9d10
    instance_class: db.r6g.large

- name: Keep only the writer (never removes it)
  innovate.aws_postgres.aurora_cluster:
    identifier: orders-db
    readers: []

- name: Delete a cluster without a final snapshot
  innovate.aws_postgres.aurora_cluster:
    identifier: scratch-db
    state: absent
    skip_final_snapshot: true
    force_disable_deletion_protection: true
"""

RETURN = r"""
cluster:
  description: The cluster after the run (in check mode, as it would be); V(null) with O(state=absent).
  returned: always
  type: dict
  contains:
    identifier:
      description: The cluster identifier.
      type: str
      sample: orders-db
    arn:
      description: The cluster ARN.
      type: str
      sample: arn:aws:rds:us-east-1:111111111111:cluster:orders-db
    resource_id:
      description: The cluster resource id (for IAM database authentication policies).
      type: str
    status:
      description: The cluster status.
      type: str
      sample: available
    engine_version:
      description: The engine version the cluster runs.
      type: str
      sample: "16.4"
    endpoint:
      description: The cluster (writer) endpoint address.
      type: str
    reader_endpoint:
      description: The reader endpoint address.
      type: str
    port:
      description: The port of the endpoints.
      type: int
      sample: 5432
    database_name:
      description: The database created with the cluster.
      type: str
    master_username:
      description: The master user name.
      type: str
    manage_master_user_password:
      description: Whether Secrets Manager manages the master password.
      type: bool
    master_user_secret_arn:
      description: The ARN of the managed master user secret (JSON with username and password).
      type: str
    master_user_secret_kms_key_id:
      description: The KMS key of the managed secret.
      type: str
    storage_encrypted:
      description: Whether the storage is encrypted.
      type: bool
    kms_key_id:
      description: The ARN of the storage KMS key.
      type: str
    db_subnet_group_name:
      description: The DB subnet group.
      type: str
    vpc_security_group_ids:
      description: The VPC security groups (sorted).
      type: list
      elements: str
    db_cluster_parameter_group_name:
      description: The cluster parameter group.
      type: str
    iam_database_authentication:
      description: Whether IAM database authentication is enabled.
      type: bool
    backup_retention_period:
      description: Days of automated backups.
      type: int
    preferred_backup_window:
      description: The backup window.
      type: str
    preferred_maintenance_window:
      description: The maintenance window.
      type: str
    cloudwatch_logs_exports:
      description: The exported logs.
      type: list
      elements: str
    deletion_protection:
      description: Whether deletion protection is on.
      type: bool
    copy_tags_to_snapshot:
      description: Whether snapshots get the cluster's tags.
      type: bool
    serverless_v2_scaling:
      description: The Serverless v2 range (min_capacity, max_capacity), or V(null).
      type: dict
    global_cluster_identifier:
      description: The global database the cluster belongs to, or V(null).
      type: str
    tags:
      description: The cluster tags.
      type: dict
instances:
  description: The instances of the cluster, writer first.
  returned: always
  type: list
  elements: dict
  contains:
    identifier:
      description: The instance identifier.
      type: str
    role:
      description: V(writer) or V(reader).
      type: str
    instance_class:
      description: The instance class.
      type: str
    availability_zone:
      description: The Availability Zone.
      type: str
    promotion_tier:
      description: The failover priority.
      type: int
    status:
      description: The instance status.
      type: str
    endpoint:
      description: The instance endpoint address.
      type: str
    port:
      description: The instance endpoint port.
      type: int
    autoscaled:
      description: Whether auto scaling added the reader.
      type: bool
writer:
  description: The identifier of the writer instance.
  returned: always
  type: str
  sample: orders-db-1
readers:
  description: The identifiers of the reader instances.
  returned: always
  type: list
  elements: str
reader_autoscaling:
  description: The reader auto scaling (min_capacity, max_capacity, policy_name, metric, target_value,
    scale_in_cooldown, scale_out_cooldown, disable_scale_in), or V(null) when there is none or it is not managed.
  returned: always
  type: dict
changes:
  description: One line per change made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["cluster backup_retention_period: 1 -> 7", "create reader orders-db-3 (db.r6g.large)"]
deleted:
  description: With O(state=absent), what was deleted (identifier, arn, final_snapshot_identifier, instances), or V(null).
  returned: when O(state=absent)
  type: dict
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora.converge import AuroraClusterConverger

MEMBER_OPTIONS = dict(
    identifier=dict(type="str"),
    instance_class=dict(type="str"),
    availability_zone=dict(type="str"),
    promotion_tier=dict(type="int"),
)

ARGUMENT_SPEC = dict(
    identifier=dict(type="str", required=True, aliases=["db_cluster_identifier"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    engine_version=dict(type="str"),
    allow_major_version_upgrade=dict(type="bool", default=False),
    database_name=dict(type="str"),
    master_username=dict(type="str"),
    master_user_password=dict(type="str", no_log=True),
    manage_master_user_password=dict(type="bool", no_log=False),
    master_user_secret_kms_key_id=dict(type="str", no_log=False),
    update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
    storage_encrypted=dict(type="bool", default=True),
    kms_key_id=dict(type="str"),
    db_subnet_group_name=dict(type="str"),
    vpc_security_group_ids=dict(type="list", elements="str"),
    db_cluster_parameter_group_name=dict(type="str"),
    db_parameter_group_name=dict(type="str"),
    iam_database_authentication=dict(type="bool"),
    backup_retention_period=dict(type="int"),
    preferred_backup_window=dict(type="str"),
    preferred_maintenance_window=dict(type="str"),
    cloudwatch_logs_exports=dict(type="list", elements="str"),
    deletion_protection=dict(type="bool", default=True),
    copy_tags_to_snapshot=dict(type="bool", default=True),
    instance_class=dict(type="str"),
    serverless_v2_scaling=dict(type="dict", options=dict(
        min_capacity=dict(type="float", required=True),
        max_capacity=dict(type="float", required=True),
    )),
    writer=dict(type="dict", options=MEMBER_OPTIONS),
    readers=dict(type="list", elements="dict", options=MEMBER_OPTIONS),
    purge_readers=dict(type="bool", default=True),
    performance_insights=dict(type="bool"),
    performance_insights_retention_period=dict(type="int"),
    performance_insights_kms_key_id=dict(type="str"),
    monitoring_interval=dict(type="int", choices=[0, 1, 5, 10, 15, 30, 60]),
    monitoring_role_arn=dict(type="str"),
    auto_minor_version_upgrade=dict(type="bool"),
    reader_autoscaling=dict(type="dict", options=dict(
        enabled=dict(type="bool", default=True),
        min_capacity=dict(type="int"),
        max_capacity=dict(type="int"),
        metric=dict(type="str", choices=["cpu", "connections"], default="cpu"),
        target_value=dict(type="float"),
        scale_in_cooldown=dict(type="int", default=300),
        scale_out_cooldown=dict(type="int", default=300),
        disable_scale_in=dict(type="bool", default=False),
        policy_name=dict(type="str"),
    )),
    global_cluster_identifier=dict(type="str"),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    apply_immediately=dict(type="bool", default=False),
    skip_final_snapshot=dict(type="bool", default=False),
    final_snapshot_identifier=dict(type="str"),
    force_disable_deletion_protection=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=3600),
)


def main():
    module = AwsModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
        mutually_exclusive=[("skip_final_snapshot", "final_snapshot_identifier")],
    )
    result = AuroraClusterConverger(module).run()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
