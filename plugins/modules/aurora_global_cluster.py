#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: aurora_global_cluster
short_description: Manage an Aurora PostgreSQL global database and its member clusters
version_added: 0.1.0
description:
  - Creates an Aurora global database from an existing primary cluster
    (O(source_db_cluster_identifier)) or empty with an engine version, keeps its deletion
    protection and engine version, detaches a member cluster (O(state=detach); it becomes a
    standalone, writable cluster), or detaches every member and deletes it (O(state=absent)).
  - Secondary clusters join a global database when they are created, with
    M(innovate.aws_postgres.aurora_cluster) and its O(innovate.aws_postgres.aurora_cluster#module:global_cluster_identifier).
  - Member clusters are never deleted by this module.
  - Switchover and failover are done by M(innovate.aws_postgres.rds_failover).
author:
  - Innovate platform team (@innovate-platform)
options:
  global_cluster_identifier:
    description: The global database identifier (stored in lower case).
    type: str
    required: true
    aliases: [identifier]
  state:
    description:
      - V(present) creates or updates the global database.
      - V(detach) removes the member cluster O(db_cluster_identifier) from it (nothing happens when
        it is not a member). The primary can only be detached when it is the last member.
      - V(absent) detaches every member (secondaries first) and deletes the global database.
    type: str
    choices: [present, absent, detach]
    default: present
  source_db_cluster_identifier:
    description:
      - The cluster that becomes the primary of a new global database, by ARN (any region) or by
        identifier (in O(region)). The global database takes its engine version and encryption.
      - On an existing global database it must be a member; it is only checked.
    type: str
  engine_version:
    description:
      - The Aurora PostgreSQL version of an empty global database, by major (V("16")) or exact.
      - On an existing global database, a newer minor of the same major is left as it is; another
        major needs O(allow_major_version_upgrade=true).
    type: str
  allow_major_version_upgrade:
    description: Whether O(engine_version) may name a newer major version.
    type: bool
    default: false
  storage_encrypted:
    description: Whether an empty global database is encrypted (default V(true)); not used with O(source_db_cluster_identifier).
    type: bool
  deletion_protection:
    description: Whether the global database is protected from deletion; when not set, V(false) on creation and unmanaged afterwards.
    type: bool
  db_cluster_identifier:
    description: With O(state=detach), the member cluster to detach, by ARN or identifier.
    type: str
  force_disable_deletion_protection:
    description: With O(state=absent), turn deletion protection off to delete a protected global database.
    type: bool
    default: false
  wait:
    description: Whether to wait until the global database is available, the members detached or it is deleted.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the whole task.
    type: int
    default: 1800
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the plan is returned as it would be applied.
  diff_mode:
    support: full
    description: The diff shows the engine, version, protection and members before and after.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller and manages the global database through the RDS API.
seealso:
  - module: innovate.aws_postgres.aurora_cluster
"""

EXAMPLES = r"""
- name: Global database with the existing cluster orders-db as primary
  innovate.aws_postgres.aurora_global_cluster:
    global_cluster_identifier: orders-global
    source_db_cluster_identifier: arn:aws:rds:us-east-1:111111111111:cluster:orders-db
    deletion_protection: true
    region: us-east-1

- name: Secondary cluster in us-west-2 joins it
  innovate.aws_postgres.aurora_cluster:
    identifier: orders-db-dr
    global_cluster_identifier: orders-global
    instance_class: db.r6g.large
    region: us-west-2

- name: Detach the secondary (it becomes a standalone cluster)
  innovate.aws_postgres.aurora_global_cluster:
    global_cluster_identifier: orders-global
    state: detach
    db_cluster_identifier: arn:aws:rds:us-west-2:111111111111:cluster:orders-db-dr
    region: us-east-1

- name: Remove the global database (its clusters stay)
  innovate.aws_postgres.aurora_global_cluster:
    global_cluster_identifier: orders-global
    state: absent
    force_disable_deletion_protection: true
    region: us-east-1
"""

RETURN = r"""
global_cluster:
  description: The global database after the run (in check mode, as it would be); V(null) when there is none.
  returned: always
  type: dict
  contains:
    identifier:
      description: The global database identifier.
      type: str
      sample: orders-global
    arn:
      description: Its ARN.
      type: str
      sample: arn:aws:rds::111111111111:global-cluster:orders-global
    resource_id:
      description: Its resource id.
      type: str
    status:
      description: Its status.
      type: str
      sample: available
    engine:
      description: The engine.
      type: str
      sample: aurora-postgresql
    engine_version:
      description: The engine version.
      type: str
      sample: "16.4"
    storage_encrypted:
      description: Whether the storage is encrypted.
      type: bool
    deletion_protection:
      description: Whether deletion protection is on.
      type: bool
    endpoint:
      description: The global writer endpoint.
      type: str
    failover_state:
      description: The switchover or failover in progress (Status, FromDbClusterArn, ToDbClusterArn, IsDataLossAllowed), or V(null).
      type: dict
    members:
      description: The member clusters.
      type: list
      elements: dict
      contains:
        db_cluster_arn:
          description: The member's ARN.
          type: str
        db_cluster_identifier:
          description: The member's identifier.
          type: str
        region:
          description: The member's region.
          type: str
        is_writer:
          description: Whether the member is the primary (writer) cluster.
          type: bool
        readers:
          description: For the primary, the ARNs of the secondary clusters.
          type: list
          elements: str
changes:
  description: One line per change made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
detached:
  description: With O(state=detach), the member detached (as in RV(global_cluster.members)), or V(null).
  returned: when O(state=detach)
  type: dict
deleted:
  description: With O(state=absent), the deleted global database (identifier, arn, detached member ARNs), or V(null).
  returned: when O(state=absent)
  type: dict
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora.global_converge import AuroraGlobalClusterConverger

ARGUMENT_SPEC = dict(
    global_cluster_identifier=dict(type="str", required=True, aliases=["identifier"]),
    state=dict(type="str", choices=["present", "absent", "detach"], default="present"),
    source_db_cluster_identifier=dict(type="str"),
    engine_version=dict(type="str"),
    allow_major_version_upgrade=dict(type="bool", default=False),
    storage_encrypted=dict(type="bool"),
    deletion_protection=dict(type="bool"),
    db_cluster_identifier=dict(type="str"),
    force_disable_deletion_protection=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=1800),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                       mutually_exclusive=[("source_db_cluster_identifier", "db_cluster_identifier")])
    result = AuroraGlobalClusterConverger(module).run()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
