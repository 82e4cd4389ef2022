#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: aurora_migration
short_description: Migrate an RDS for PostgreSQL instance to Aurora PostgreSQL through an Aurora read replica
version_added: 0.1.0
description:
  - The AWS side of the growth path from RDS for PostgreSQL to Aurora PostgreSQL, one step per O(state); the playbook
    C(playbooks/migrate_to_aurora.yml) runs them in order with the database-side checks in between.
  - O(state=replicating) creates the Aurora PostgreSQL cluster O(db_cluster_identifier) as a read replica of the DB
    instance O(source_db_instance_identifier) (C(CreateDBCluster) with C(ReplicationSourceIdentifier) = the
    instance ARN) and its writer instance, waits until both are available and reports the writer's replication lag
    (CloudWatch C(ReplicaLag)). With O(max_replication_lag_seconds) it waits until the lag is at most that (the
    catch-up check) and fails when it is not within O(wait_timeout). An existing replica of the same source is
    left as it is; a cluster that was already promoted is reported (RV(phase=promoted)) and not touched.
  - O(state=promoted) promotes the cluster (C(PromoteReadReplicaDBCluster)), which stops replicating and takes
    writes; nothing happens when it is already standalone.
  - O(state=repointed) points a Route 53 CNAME (O(route53), UPSERT) and db_secret-shaped connection secrets
    (O(secrets), their C(host) and C(port)) at the cluster endpoint (O(repoint_target=cluster), only once promoted)
    or back at the source instance (O(repoint_target=source), the rollback). Every record and secret is read and
    checked before the first is written.
  - O(state=absent) deletes the cluster and its instances (the rollback's cleanup). It only deletes a cluster this
    module created (tagged C(innovate:aurora-migration-source)) or one that still replicates, and never one with
    deletion protection.
  - The cluster has the source's master user, password and databases (they are in the replicated data); its engine
    major version must be the source's (upgrade after the migration).
author:
  - Innovate platform team (@innovate-platform)
options:
  state:
    description: The step to converge to (see the description).
    type: str
    choices: [replicating, promoted, repointed, absent]
    required: true
  db_cluster_identifier:
    description: The Aurora PostgreSQL DB cluster.
    type: str
    required: true
  source_db_instance_identifier:
    description:
      - The RDS for PostgreSQL DB instance (identifier or ARN) to migrate. Required with O(state=replicating) and
        O(repoint_target=source); with O(state=absent) the cluster must have been created from it.
      - It must be available, not a read replica, and have automated backups.
    type: str
  writer_instance_identifier:
    description: The writer instance created with O(state=replicating) (default C(<db_cluster_identifier>-1)).
    type: str
  writer_instance_class:
    description: The class of the writer instance (default - the source instance's class).
    type: str
  engine_version:
    description:
      - The Aurora PostgreSQL version (V(16) picks the default minor of 16, V(16.4) that version). Default - the
        default minor of the source's major version. Another major version than the source's is refused.
    type: str
  db_subnet_group_name:
    description: The DB subnet group of the cluster (default - the source instance's).
    type: str
  vpc_security_group_ids:
    description: The VPC security groups of the cluster (default - the source instance's).
    type: list
    elements: str
  db_cluster_parameter_group_name:
    description: The DB cluster parameter group (of family C(aurora-postgresql<major>)).
    type: str
  kms_key_id:
    description: The KMS key of the cluster's storage (the cluster is encrypted when this is given or the source is).
    type: str
  tags:
    description: Tags of the cluster and its writer (the module adds C(innovate:aurora-migration-source)).
    type: dict
    default: {}
  max_replication_lag_seconds:
    description:
      - With O(state=replicating), wait until the writer's C(ReplicaLag) is at most this many seconds (the catch-up
        check); fail when it is not within O(wait_timeout). Unset - only report it.
    type: int
  repoint_target:
    description: With O(state=repointed), what the records and secrets point at.
    type: str
    choices: [cluster, source]
    default: cluster
  final_snapshot_identifier:
    description: With O(state=absent), take a final cluster snapshot with this identifier (default - none).
    type: str
  wait:
    description: Wait until the cluster and its writer are available, promoted or deleted.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 1800
extends_documentation_fragment:
  - innovate.aws_postgres.repoint
  - innovate.aws_postgres.aws_connection
attributes:
  check_mode:
    support: full
    description: Only reads; RV(actions) lists what would be done.
  diff_mode:
    support: none
    description: RV(actions), RV(route53_change) and RV(secret_changes) show what changes.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller and calls the RDS, CloudWatch, Route 53 and Secrets Manager APIs.
notes:
  - Writes on the source are not frozen by this module; the playbook freezes them (M(innovate.aws_postgres.pg_write_freeze))
    and compares M(innovate.aws_postgres.pg_schema_checksum) of both sides before O(state=promoted).
  - The local environment emulates the Aurora read replica as a PostgreSQL streaming standby of the source's server.
seealso:
  - module: innovate.aws_postgres.aurora_cluster
  - module: innovate.aws_postgres.rds_failover
  - module: innovate.aws_postgres.pg_write_freeze
"""

EXAMPLES = r"""
- name: Replicate app-db into an Aurora cluster and wait until it has caught up
  innovate.aws_postgres.aurora_migration:
    state: replicating
    db_cluster_identifier: app-db-aurora
    source_db_instance_identifier: app-db
    writer_instance_class: db.r6g.large
    db_subnet_group_name: app-db-db
    vpc_security_group_ids: [sg-0123456789abcdef0]
    max_replication_lag_seconds: 5
  register: replica

- name: Promote the cluster (after freezing writes and comparing checksums)
  innovate.aws_postgres.aurora_migration:
    state: promoted
    db_cluster_identifier: app-db-aurora

- name: Point DNS and the application's secrets at the cluster
  innovate.aws_postgres.aurora_migration:
    state: repointed
    db_cluster_identifier: app-db-aurora
    route53:
      zone_name: db.innovate.internal
      record_name: app-db.db.innovate.internal
    secrets:
      - prod/app-db/app_rw

- name: Roll back - point everything at the instance again, then delete the cluster
  innovate.aws_postgres.aurora_migration:
    state: repointed
    repoint_target: source
    db_cluster_identifier: app-db-aurora
    source_db_instance_identifier: app-db
    secrets:
      - prod/app-db/app_rw

- name: Delete the cluster
  innovate.aws_postgres.aurora_migration:
    state: absent
    db_cluster_identifier: app-db-aurora
    source_db_instance_identifier: app-db
"""

RETURN = r"""
phase:
  description: Where the migration is - V(replicating), V(promoted) or V(absent) (no cluster).
  returned: always
  type: str
  sample: replicating
actions:
  description: What was done (or, in check mode, would be done).
  returned: always
  type: list
  elements: str
  sample: ["create DB cluster app-db-aurora replicating from app-db", "create writer instance app-db-aurora-1"]
cluster:
  description: The cluster (null when there is none, or in check mode before it exists).
  returned: always
  type: dict
  sample:
    identifier: app-db-aurora
    arn: arn:aws:rds:us-east-1:111111111111:cluster:app-db-aurora
    status: available
    engine_version: "15.8"
    endpoint: app-db-aurora.cluster-abc.us-east-1.rds.amazonaws.com
    reader_endpoint: app-db-aurora.cluster-ro-abc.us-east-1.rds.amazonaws.com
    port: 5432
    replication_source_identifier: arn:aws:rds:us-east-1:111111111111:db:app-db
    members: [app-db-aurora-1]
    writer: app-db-aurora-1
source:
  description: The source instance (identifier, arn, status, engine_version, endpoint, port, instance_class), when given.
  returned: always
  type: dict
replication_lag_seconds:
  description: The writer's latest C(ReplicaLag) in seconds while the cluster replicates (null when not measured).
  returned: always
  type: float
  sample: 0.0
route53_change:
  description: The Route 53 record before and after (O(state=repointed) with O(route53)).
  returned: always
  type: dict
secret_changes:
  description: Per secret - name, arn, changed, before and after (C(host) and C(port) only, never the password).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora_migration.converge import MigrationConverger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora_migration.spec import ARGUMENT_SPEC, REQUIRED_IF
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, required_if=REQUIRED_IF, supports_check_mode=True)
    module.exit_json(**MigrationConverger(module).run())


if __name__ == "__main__":
    main()
