#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_blue_green
short_description: RDS for PostgreSQL blue/green deployments - create, wait for sync, switch over, clean up
version_added: 0.1.0
description:
  - Manages an Amazon RDS blue/green deployment of an RDS for PostgreSQL DB instance (the blue instance, O(source)),
    typically to upgrade the engine (O(target_engine_version)) with a new DB parameter group
    (O(target_db_parameter_group_name)) or instance class (O(target_db_instance_class)) with a short switchover.
  - O(state=present) creates the deployment (RDS makes the green instance, a replica of blue with the target settings)
    and waits until it is C(AVAILABLE), that is, green is in sync. An existing deployment with the same name is left as
    it is when it matches the task; a difference fails with an explanation (a deployment cannot be changed).
  - O(state=switched_over) switches over an C(AVAILABLE) deployment (creating it first when it does not exist and
    O(source) is given) within O(switchover_timeout) seconds and waits for C(SWITCHOVER_COMPLETED). RDS stops writes on
    blue, lets green catch up, renames green to blue's identifier (so it takes blue's endpoint) and blue to
    C(<blue>-old1). When green does not catch up in time, RDS rolls back and the task fails saying so; nothing changed.
    An already switched over deployment is reported unchanged.
  - O(state=absent) deletes the deployment. Before a switchover the green instance is deleted too
    (O(delete_target)); after a switchover both instances stay unless O(delete_old_source) deletes the old blue
    instance (C(<blue>-old1)).
  - Before any write the module refuses, naming every reason, a source RDS blue/green deployments cannot take (RDS
    User Guide, limitations of blue/green deployments) - a master user password managed in AWS Secrets Manager
    (C(ManageMasterUserPassword)), a source that is itself a read replica, cross-Region read replicas, cascading read
    replicas, an engine other than C(postgres) (Aurora clusters are not handled), a source that is not available, a
    target version lower than the source's, a major version upgrade whose source parameter group does not set
    C(rds.logical_replication=1), and a target parameter group that is missing or of another family.
author:
  - Innovate platform team (@innovate-platform)
options:
  state:
    description:
      - V(present) - the deployment exists and is in sync (or already switched over).
      - V(switched_over) - the deployment has been switched over.
      - V(absent) - the deployment is gone (see O(delete_target), O(delete_old_source)).
    type: str
    choices: [present, switched_over, absent]
    default: present
  blue_green_deployment_name:
    description:
      - The name of the deployment (unique in the account and Region); 1 to 60 letters, digits and hyphens starting with
        a letter.
    type: str
    required: true
    aliases: [name]
  source:
    description:
      - The blue DB instance, by identifier or ARN (C(arn:aws:rds:REGION:ACCOUNT:db:ID)); an ARN must be in the task's
        O(region).
      - Required to create the deployment; when given for an existing deployment it must name its blue instance.
      - With O(state=absent) and O(delete_old_source), names C(<source>-old1) when the deployment is already gone.
    type: str
  target_engine_version:
    description:
      - The engine version of the green instance, for example V(16.4). Defaults to the source's version.
      - A major version upgrade needs C(rds.logical_replication=1) in the source's DB parameter group.
    type: str
  target_db_parameter_group_name:
    description:
      - The DB parameter group of the green instance; its family must match the target engine version (for example
        C(postgres16)). Defaults to the source's group.
    type: str
  target_db_instance_class:
    description:
      - The DB instance class of the green instance. Defaults to the source's class.
    type: str
  switchover_timeout:
    description:
      - Seconds RDS may take to switch over before it rolls back (at least 30, as RDS requires).
    type: int
    default: 300
  delete_target:
    description:
      - With O(state=absent) before a switchover, delete the green instance with the deployment (C(DeleteTarget)).
        Ignored after a switchover (RDS refuses it then).
    type: bool
    default: true
  delete_old_source:
    description:
      - With O(state=absent) after a switchover, also delete the old blue instance C(<blue>-old1) (deletion protection is
        turned off first). Its final snapshot is O(old_source_final_snapshot_identifier), or none.
    type: bool
    default: false
  old_source_final_snapshot_identifier:
    description:
      - The final snapshot taken when O(delete_old_source) deletes the old blue instance; omitted, no final snapshot.
    type: str
  tags:
    description:
      - Tags of the deployment, set when it is created (a deployment's tags are not converged afterwards).
    type: dict
  wait:
    description:
      - Wait for the deployment to be C(AVAILABLE) after creating it, for C(SWITCHOVER_COMPLETED) after a switchover
        (a switchover always waits for the deployment to be available first) and for the old blue instance to be gone.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait at most, for each wait (a switchover waits at least O(switchover_timeout) + 60).
    type: int
    default: 3600
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
attributes:
  check_mode:
    support: full
    description: Only read requests are made (including every check of the source); RV(changes) lists what would be done.
  diff_mode:
    support: full
    description: The diff shows the deployment (name, source, target, status) before and after.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and calls the AWS RDS API.
notes:
  - In the project's local environment the green instance is a real PostgreSQL streaming standby of blue and the
    switchover really promotes it and moves blue's endpoint to it. Only PostgreSQL 15 binaries exist there, so a major
    version upgrade is emulated in metadata - the green instance reports the target C(EngineVersion) and its server the
    label C(localenv.engine_version), but it still runs PostgreSQL 15.
  - A blue/green deployment of RDS for PostgreSQL does not replicate DDL, sequences advance only at switchover and
    large objects are not replicated when the upgrade is a major one (logical replication); see the RDS User Guide.
seealso:
  - module: innovate.aws_postgres.rds_instance
  - module: innovate.aws_postgres.rds_parameter_group
  - name: Limitations of blue/green deployments
    description: RDS User Guide.
    link: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/blue-green-deployments-considerations.html
"""

EXAMPLES = r"""
- name: Create the green environment on PostgreSQL 16 and wait for it to be in sync
  innovate.aws_postgres.rds_blue_green:
    blue_green_deployment_name: app-db-pg16
    source: app-db
    target_engine_version: "16.4"
    target_db_parameter_group_name: app-db-postgres16
    tags:
      change: CHG-1234

- name: Switch over (at most two minutes of switchover, else RDS rolls back)
  innovate.aws_postgres.rds_blue_green:
    blue_green_deployment_name: app-db-pg16
    state: switched_over
    switchover_timeout: 120

- name: Clean up - delete the deployment and the old PostgreSQL 15 instance, keeping a final snapshot
  innovate.aws_postgres.rds_blue_green:
    blue_green_deployment_name: app-db-pg16
    state: absent
    delete_old_source: true
    old_source_final_snapshot_identifier: app-db-old1-final
"""

RETURN = r"""
changes:
  description: What the task did (or would do in check mode), in order.
  returned: always
  type: list
  elements: dict
  sample: [{"action": "switchover", "name": "app-db-pg16", "switchover_timeout": 300}]
blue_green_deployment:
  description: The deployment after the task (null once deleted or, in check mode, before it is created).
  returned: always
  type: dict
  contains:
    identifier:
      description: The deployment's identifier (C(bgd-...)).
      type: str
    name:
      description: The deployment's name.
      type: str
    source:
      description: ARN of the blue instance (after a switchover, the old blue C(<blue>-old1)).
      type: str
    target:
      description: ARN of the green instance (after a switchover, the instance that now has blue's identifier).
      type: str
    status:
      description: C(PROVISIONING), C(AVAILABLE), C(SWITCHOVER_IN_PROGRESS), C(SWITCHOVER_COMPLETED), C(INVALID_CONFIGURATION),
        C(SWITCHOVER_FAILED) or C(DELETING).
      type: str
    status_details:
      description: RDS's explanation of the status, if any.
      type: str
    tasks:
      description: The creation tasks and their status.
      type: list
      elements: dict
    switchover_details:
      description: Per member, source and target ARNs and status.
      type: list
      elements: dict
    create_time:
      description: When the deployment was created.
      type: str
    tags:
      description: The deployment's tags.
      type: dict
source_instance:
  description: The blue instance (after a switchover, the old one) - identifier, arn, status, engine_version,
    db_instance_class, db_parameter_group_name, endpoint_address, endpoint_port.
  returned: when the deployment exists after the task
  type: dict
target_instance:
  description: The green instance (after a switchover, the new blue) in the shape of RV(source_instance).
  returned: when the deployment exists after the task
  type: dict
  sample: {"identifier": "app-db", "engine_version": "16.4", "endpoint_address": "app-db.abc.us-east-1.rds.amazonaws.com"}
diff:
  description: The deployment before and after (with C(--diff)).
  returned: with --diff
  type: dict
errors:
  description: Every problem found, when the task fails on its input or on the source checks.
  returned: on failure
  type: list
  elements: str
applied_changes:
  description: The requests already made when a later one failed.
  returned: on failure after a change
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_blue_green.converge import BlueGreenConverger

ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["present", "switched_over", "absent"], default="present"),
    blue_green_deployment_name=dict(type="str", required=True, aliases=["name"]),
    source=dict(type="str"),
    target_engine_version=dict(type="str"),
    target_db_parameter_group_name=dict(type="str"),
    target_db_instance_class=dict(type="str"),
    switchover_timeout=dict(type="int", default=300),
    delete_target=dict(type="bool", default=True),
    delete_old_source=dict(type="bool", default=False),
    old_source_final_snapshot_identifier=dict(type="str"),
    tags=dict(type="dict"),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=3600),
)
REQUIRED_IF = [["state", "present", ["source"]]]


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, required_if=REQUIRED_IF, supports_check_mode=True)
    module.exit_json(**BlueGreenConverger(module).run())


if __name__ == "__main__":
    main()
