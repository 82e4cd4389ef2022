#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_network
short_description: Manage the DB subnet group and the database security group of a PostgreSQL deployment
version_added: 0.1.0
description:
  - Creates or updates, in one task, a DB subnet group over the given private subnets and a
    security group in their VPC that lets the PostgreSQL port in only from the named application
    security groups and CIDR blocks.
  - The subnets must be in one VPC and in at least two availability zones, as RDS requires; this is
    checked before anything changes.
  - V(0.0.0.0/0) and V(::/0) are refused unless O(allow_public_cidr=true).
  - Ingress rules the task does not declare are revoked (O(purge_rules)). Egress rules are left as
    they are unless O(egress_rules) is given.
  - O(state=absent) removes both, after checking that no DB instance, DB cluster, network interface
    or other security group still uses them.
author:
  - Innovate platform team (@innovate-platform)
options:
  name:
    description:
      - The name of the DB subnet group and of the security group, unless
        O(subnet_group_name) or O(security_group_name) is given.
    type: str
    required: true
  subnet_group_name:
    description:
      - The name of the DB subnet group (RDS stores it in lower case). Defaults to O(name).
    type: str
  security_group_name:
    description:
      - The name of the security group, unique in the VPC. Defaults to O(name).
    type: str
  description:
    description:
      - The description of both groups. When not set, existing groups keep theirs and new groups get
        a description saying they are managed by innovate.aws_postgres.
      - AWS cannot change the description of an existing security group; a different value gives a warning.
    type: str
  subnet_ids:
    description:
      - The private subnets of the DB subnet group, in one VPC and at least two availability zones.
      - With O(state=present), give this or O(subnet_filters).
    type: list
    elements: str
  subnet_filters:
    description:
      - Find the subnets of the DB subnet group with EC2 C(DescribeSubnets) filters instead of naming
        them in O(subnet_ids), for example the filter V(tag:tier) with the value V(private), so that one
        inventory works in accounts whose subnet ids differ (an account-vending landing zone tags its
        subnets the same way everywhere).
      - A dict of filter name to a value or a list of values (any of them matches); every filter must
        match. Filter names are EC2's (V(vpc-id), V(availability-zone), V(tag:KEY), V(tag-key), ...).
      - The matching subnets must be in one VPC and in at least two availability zones. When they are
        in several VPCs, add a V(vpc-id) filter or O(vpc_id).
      - The subnet group follows the filters. A subnet tagged later is added on the next run and
        one that no longer matches is removed.
      - Mutually exclusive with O(subnet_ids).
    type: dict
  vpc_id:
    description:
      - The VPC. With O(state=present) it confirms the VPC of O(subnet_ids), or narrows O(subnet_filters)
        to this VPC. With O(state=absent) it chooses the security group when groups with that name exist
        in several VPCs.
    type: str
  port:
    description:
      - The PostgreSQL port let in.
    type: int
    default: 5432
  allowed_security_groups:
    description:
      - The application security groups allowed to reach the port, by ID (V(sg-...)) or by name in the VPC.
    type: list
    elements: str
  allowed_cidrs:
    description:
      - IPv4 or IPv6 CIDR blocks allowed to reach the port.
    type: list
    elements: str
  allow_public_cidr:
    description:
      - Accept V(0.0.0.0/0) or V(::/0) in O(allowed_cidrs). Leave off unless the database really must be open to the internet.
    type: bool
    default: false
  purge_rules:
    description:
      - Whether to revoke ingress rules of the security group that the task does not declare
        (other ports and sources included). Rule descriptions are set when a rule is added and are not compared.
    type: bool
    default: true
  egress_rules:
    description:
      - The complete egress rules of the security group. When not set, egress is left as it is
        (a new group keeps the AWS default, all traffic to V(0.0.0.0/0)); an empty list removes every egress rule.
    type: list
    elements: dict
    suboptions:
      protocol:
        description:
          - The IP protocol.
        type: str
        choices: [tcp, udp, icmp, all]
        default: tcp
      from_port:
        description:
          - The first port of the range. Required unless O(egress_rules[].protocol=all).
        type: int
      to_port:
        description:
          - The last port of the range. Defaults to O(egress_rules[].from_port).
        type: int
      cidr:
        description:
          - The destination CIDR block. Give this or O(egress_rules[].security_group).
        type: str
      security_group:
        description:
          - The destination security group, by ID or by name in the VPC.
        type: str
      description:
        description:
          - The description of the rule.
        type: str
  wait:
    description:
      - With O(state=absent), when the only users left are DB instances or clusters being deleted or
        network interfaces AWS is releasing, wait for them to go away instead of failing.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds (see O(wait)).
    type: int
    default: 900
  state:
    description:
      - V(present) creates or updates both groups; V(absent) removes both.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the result shows both groups as they would be.
  diff_mode:
    support: full
    description: The diff shows the subnet group's description, subnets and tags and the security group's rules and tags.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and manages the groups through the EC2 and RDS APIs.
notes:
  - O(tags) apply to both groups.
  - A run that changes nothing makes four read requests.
seealso:
  - module: innovate.aws_postgres.rds_instance
"""

EXAMPLES = r"""
- name: Network of the orders database
  innovate.aws_postgres.rds_network:
    name: orders-db
    subnet_ids: "{{ private_subnet_ids }}"
    allowed_security_groups:
      - orders-app
    allowed_cidrs:
      - 10.20.0.0/16
    tags:
      team: orders
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599
  register: orders_network

- name: Network of the app database on the landing zone's private subnets, found by tag
  innovate.aws_postgres.rds_network:
    name: app-db-db
    subnet_filters:
      tag:tier: private
      tag:Name: innovate-data-*
    allowed_security_groups:
      - app-servers
    assume_role_arn: arn:aws:iam::111111111111:role/InnovateAutomation
    region: us-east-1

- name: Use the groups for the instance
  ansible.builtin.debug:
    msg: "{{ orders_network.subnet_group.name }} / {{ orders_network.security_group.id }}"

- name: Remove the network once the database is gone
  innovate.aws_postgres.rds_network:
    name: orders-db
    state: absent
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599
"""

RETURN = r"""
subnet_group:
  description: The DB subnet group after the run (in check mode, as it would be).
  returned: when it exists or is created
  type: dict
  contains:
    name:
      description: The name (lower case).
      type: str
      sample: orders-db
    arn:
      description: The ARN; V(null) for a group that check mode would create.
      type: str
    description:
      description: The description.
      type: str
    vpc_id:
      description: The VPC.
      type: str
    subnet_ids:
      description: The subnets, sorted.
      type: list
      elements: str
    availability_zones:
      description: The availability zones of the subnets.
      type: list
      elements: str
    tags:
      description: The tags.
      type: dict
security_group:
  description: The database security group after the run (in check mode, as it would be).
  returned: when it exists or is created
  type: dict
  contains:
    id:
      description: The group ID; V(null) for a group that check mode would create.
      type: str
      sample: sg-0123456789abcdef0
    name:
      description: The group name.
      type: str
    arn:
      description: The group ARN.
      type: str
    vpc_id:
      description: The VPC.
      type: str
    description:
      description: The description.
      type: str
    ingress:
      description:
        - The ingress rules, each with C(protocol), C(from_port), C(to_port), C(kind), C(source) and C(description).
        - C(kind) is V(group), V(cidr), V(cidr6) or V(prefix_list).
      type: list
      elements: dict
    egress:
      description: The egress rules, in the same form.
      type: list
      elements: dict
    tags:
      description: The tags.
      type: dict
rules_added:
  description: The rules authorized by this run (or that check mode would authorize), one line each.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["tcp 5432 from sg-0123456789abcdef0"]
rules_removed:
  description: The rules revoked by this run (or that check mode would revoke).
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["tcp 22 from 0.0.0.0/0"]
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_network.converge import RdsNetworkConverger

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    subnet_group_name=dict(type="str"),
    security_group_name=dict(type="str"),
    description=dict(type="str"),
    subnet_ids=dict(type="list", elements="str"),
    subnet_filters=dict(type="dict"),
    vpc_id=dict(type="str"),
    port=dict(type="int", default=5432),
    allowed_security_groups=dict(type="list", elements="str"),
    allowed_cidrs=dict(type="list", elements="str"),
    allow_public_cidr=dict(type="bool", default=False),
    purge_rules=dict(type="bool", default=True),
    egress_rules=dict(type="list", elements="dict", options=dict(
        protocol=dict(type="str", choices=["tcp", "udp", "icmp", "all"], default="tcp"),
        from_port=dict(type="int"),
        to_port=dict(type="int"),
        cidr=dict(type="str"),
        security_group=dict(type="str"),
        description=dict(type="str"),
    )),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=900),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=[["subnet_ids", "subnet_filters"]], supports_check_mode=True)
    module.exit_json(**RdsNetworkConverger(module).run())


if __name__ == "__main__":
    main()
