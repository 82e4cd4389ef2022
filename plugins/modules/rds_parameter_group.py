#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_parameter_group
short_description: Manage an RDS DB or DB cluster parameter group for PostgreSQL
version_added: 0.1.0
description:
  - Creates, updates or deletes an Amazon RDS DB parameter group (O(scope=instance)) or DB cluster
    parameter group (O(scope=cluster)) of a PostgreSQL or Aurora PostgreSQL family, with all of its
    parameters and tags in one task.
  - Parameter names and values are checked against the engine defaults AWS publishes for the family
    before anything changes; all problems of a task are reported in one failure, each naming the
    parameter, the value given and what would be accepted.
  - Dynamic parameters are applied immediately. Static parameters are applied with
    C(pending-reboot); they are listed in RV(pending_reboot) and take effect when the instances
    that use the group are rebooted (see
    O(innovate.aws_postgres.rds_instance#module:reboot_for_pending)).
  - A run that changes nothing makes three read requests (the group, its user-set parameters,
    its tags); engine defaults are read only when a value has to be validated.
author:
  - Innovate platform team (@innovate-platform)
options:
  name:
    description:
      - The name of the parameter group. AWS stores it in lower case; it is converted before any request.
      - 1 to 255 letters, digits and hyphens; it starts with a letter and has neither a trailing
        hyphen nor two consecutive hyphens.
      - The AWS-owned C(default.*) groups cannot be managed.
    type: str
    required: true
  scope:
    description:
      - V(instance) manages a DB parameter group (RDS for PostgreSQL instances, Aurora instances).
      - V(cluster) manages a DB cluster parameter group (Aurora clusters, Multi-AZ DB clusters).
    type: str
    choices: [instance, cluster]
    default: instance
  family:
    description:
      - The parameter group family, V(postgresNN) (for example V(postgres16)) or
        V(aurora-postgresqlNN) (for example V(aurora-postgresql16)).
      - Required to create the group. The family of an existing group cannot change; the task
        fails if it differs (create a group with a new name instead).
    type: str
  description:
    description:
      - The description of the group, set when it is created. When not set, V(Managed by
        innovate.aws_postgres) is used.
      - AWS cannot change the description of an existing group; a different value only gives a
        warning and shows in the diff.
    type: str
  parameters:
    description:
      - The parameters to set, as a dict of name and value. Names are matched to the family's
        parameters (case-insensitively, for example C(timezone) is C(TimeZone)).
      - Values may be strings, numbers, booleans (stored as V(1)/V(0)) or lists (joined by commas,
        for example for C(shared_preload_libraries)). Integer parameters also accept RDS
        formulas such as V({DBInstanceClassMemory/32768}) or V(GREATEST({DBInstanceClassMemory/9531392},5000)).
      - A V(null) value resets the parameter to its engine default.
      - Parameters not listed are left as they are unless O(purge_parameters=true).
    type: dict
  purge_parameters:
    description:
      - Whether to reset user-set parameters that are not in O(parameters) to their engine defaults.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the group; V(absent) deletes it.
      - A group in use by DB instances or clusters cannot be deleted; the task fails and names the remedy.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only describe requests are made; the plan is returned as it would be applied.
  diff_mode:
    support: full
    description: The diff shows the parameters, tags and description before and after.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and manages the group through the AWS RDS API.
notes:
  - AWS accepts at most 20 parameters per modify or reset request; larger changes are sent in batches.
seealso:
  - module: innovate.aws_postgres.rds_instance
  - module: innovate.aws_postgres.aurora_cluster
"""

EXAMPLES = r"""
- name: Parameter group for an RDS for PostgreSQL 16 instance
  innovate.aws_postgres.rds_parameter_group:
    name: orders-pg16
    family: postgres16
    description: Orders database (PostgreSQL 16)
    parameters:
      shared_preload_libraries: [pg_stat_statements, pgaudit]
      log_min_duration_statement: 500
      rds.force_ssl: true
      work_mem: 16384
      pgaudit.log: ddl,role
    tags:
      team: orders
      environment: dev
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599
  register: orders_params

- name: Show which static parameters wait for a reboot
  ansible.builtin.debug:
    msg: "Reboot needed for {{ orders_params.pending_reboot | join(', ') }}"
  when: orders_params.pending_reboot | length > 0

- name: Cluster parameter group for Aurora PostgreSQL 16, with only these parameters user-set
  innovate.aws_postgres.rds_parameter_group:
    name: orders-aurora16
    scope: cluster
    family: aurora-postgresql16
    parameters:
      rds.force_ssl: 1
      log_statement: ddl
    purge_parameters: true
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599

- name: Preview a change without making it
  innovate.aws_postgres.rds_parameter_group:
    name: orders-pg16
    parameters:
      work_mem: 32768
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599
  check_mode: true
  diff: true

- name: Delete a group nobody uses any more
  innovate.aws_postgres.rds_parameter_group:
    name: orders-aurora16
    scope: cluster
    state: absent
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599
"""

RETURN = r"""
parameter_group:
  description: The group after the run (on O(state=absent), the group that was deleted).
  returned: when the group exists or is created
  type: dict
  contains:
    name:
      description: The name of the group (lower case).
      type: str
      sample: orders-pg16
    arn:
      description: The ARN of the group; V(null) for a group that check mode would create.
      type: str
      sample: arn:aws:rds:us-east-1:123456789012:pg:orders-pg16
    family:
      description: The parameter group family.
      type: str
      sample: postgres16
    description:
      description: The description of the group.
      type: str
      sample: Orders database (PostgreSQL 16)
    scope:
      description: V(instance) or V(cluster).
      type: str
      sample: instance
    tags:
      description: The tags of the group.
      type: dict
      sample: {team: orders}
parameters:
  description: The user-set parameters of the group after the run, as AWS stores them.
  returned: when O(state=present)
  type: dict
  sample: {log_min_duration_statement: "500", rds.force_ssl: "1", shared_preload_libraries: "pg_stat_statements,pgaudit"}
changes:
  description: The parameter changes made (or, in check mode, that would be made), sorted by name.
  returned: when O(state=present)
  type: list
  elements: dict
  contains:
    name:
      description: The parameter name.
      type: str
      sample: shared_preload_libraries
    action:
      description: V(set) gives the parameter a value; V(reset) returns it to the engine default.
      type: str
      sample: set
    before:
      description: The user-set value before the run; V(null) when the engine default applied.
      type: str
      sample: null
    after:
      description: The user-set value after the run; V(null) when the engine default applies.
      type: str
      sample: pg_stat_statements,pgaudit
    apply_type:
      description: V(dynamic) or V(static), as AWS lists the parameter.
      type: str
      sample: static
    apply_method:
      description: V(immediate) for dynamic parameters, V(pending-reboot) for static ones.
      type: str
      sample: pending-reboot
pending_reboot:
  description:
    - Sorted names of the static parameters changed by this run. They take effect when the
      instances using the group are rebooted.
  returned: when O(state=present)
  type: list
  elements: str
  sample: [shared_preload_libraries]
deleted:
  description: The group deleted by this run (or that check mode would delete); V(null) when there was none.
  returned: when O(state=absent)
  type: dict
  contains:
    name:
      description: The name of the deleted group.
      type: str
    arn:
      description: Its ARN.
      type: str
    scope:
      description: V(instance) or V(cluster).
      type: str
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
  sample: ["parameters.shared_bufers: postgres16 has no parameter named 'shared_bufers'; did you mean shared_buffers?"]
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.converge import ParameterGroupConverger

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    scope=dict(type="str", choices=["instance", "cluster"], default="instance"),
    family=dict(type="str"),
    description=dict(type="str"),
    parameters=dict(type="dict"),
    purge_parameters=dict(type="bool", default=False),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    result = ParameterGroupConverger(module).run()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
