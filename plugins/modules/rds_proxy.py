#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_proxy
short_description: Manage an RDS Proxy for PostgreSQL, its connection pool and its target
version_added: 0.1.0
description:
  - Creates or updates, in one task, an RDS Proxy of engine family C(POSTGRESQL) with its Secrets
    Manager credentials, IAM role, network, TLS and IAM authentication requirements, the
    connection pool of its default target group, and the one DB instance or Aurora cluster it fronts.
  - Safe by default. Clients must use TLS (O(require_tls=true)) and an IAM token
    (O(auth[].iam_auth=REQUIRED)); turning either off needs O(allow_tls_not_required) or
    O(allow_iam_auth_disabled) and gives a warning.
  - Changes AWS cannot make to an existing proxy fail before anything changes, with an explanation.
    These are the engine family and the subnets. A proxy is never replaced behind your back. To
    move it to other subnets, delete it (O(state=absent)) and create it again. Its endpoint changes.
  - O(target) registers exactly that instance or cluster. Another registered target is deregistered first.
  - O(state=absent) deletes the proxy; its targets are deregistered with it.
author:
  - Innovate platform team (@innovate-platform)
options:
  name:
    description:
      - The name of the proxy. It is 1 to 63 letters, digits and hyphens, starts with a letter, and
        has no two consecutive hyphens and no hyphen at the end.
      - The name is part of the proxy's endpoint.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the proxy; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  engine_family:
    description:
      - The engine family. This collection manages PostgreSQL proxies only. An existing proxy of
        another family is reported, never changed.
    type: str
    choices: [POSTGRESQL]
    default: POSTGRESQL
  role_arn:
    description:
      - The IAM role the proxy assumes to read the secrets in O(auth). The role needs
        C(secretsmanager:GetSecretValue) on them, and C(kms:Decrypt) when they use a customer-managed key.
      - Required to create the proxy.
    type: str
  vpc_subnet_ids:
    description:
      - The subnets of the proxy, in one VPC and at least two availability zones. Required to create
        the proxy unless O(db_subnet_group_name) is given.
      - Subnets cannot change on an existing proxy (see the description).
    type: list
    elements: str
  db_subnet_group_name:
    description:
      - Use the subnets of this DB subnet group (for example the one innovate.aws_postgres.rds_network
        made for the database) instead of listing O(vpc_subnet_ids).
    type: str
  vpc_security_group_ids:
    description:
      - The security groups of the proxy, in the subnets' VPC.
      - When not set, a new proxy gets the VPC's default security group, and an existing proxy keeps its groups.
        An empty list is refused.
    type: list
    elements: str
  auth:
    description:
      - The database credentials the proxy logs in with, one entry per Secrets Manager secret.
        Each secret holds a JSON C(username) and C(password).
      - Required to create the proxy. When given, the list is the complete set. When not set, an
        existing proxy keeps its credentials.
    type: list
    elements: dict
    suboptions:
      secret_arn:
        description:
          - The ARN of the secret, such as the C(secret.arn) that innovate.aws_postgres.db_secret
            returns. A secret name is not accepted.
        type: str
        required: true
      iam_auth:
        description:
          - Whether clients must log in to the proxy with an IAM authentication token.
          - V(DISABLED) lets clients log in with the database password. It needs O(allow_iam_auth_disabled=true).
        type: str
        choices: [REQUIRED, DISABLED]
        default: REQUIRED
      client_password_auth_type:
        description:
          - How clients authenticate their password to the proxy.
        type: str
        choices: [POSTGRES_SCRAM_SHA_256, POSTGRES_MD5]
        default: POSTGRES_SCRAM_SHA_256
      description:
        description:
          - A description of this credential. When not set, an existing description is kept.
        type: str
  allow_iam_auth_disabled:
    description:
      - Accept O(auth[].iam_auth=DISABLED). Leave off unless clients really cannot use IAM tokens.
    type: bool
    default: false
  require_tls:
    description:
      - Whether clients must connect to the proxy with TLS. V(false) needs O(allow_tls_not_required=true).
    type: bool
    default: true
  allow_tls_not_required:
    description:
      - Accept O(require_tls=false). Leave off unless clients really cannot use TLS.
    type: bool
    default: false
  idle_client_timeout:
    description:
      - The number of seconds a client connection can be idle before the proxy closes it, from 1 to 28800.
      - When not set, a new proxy gets the AWS default (1800), and an existing proxy keeps its value.
    type: int
  debug_logging:
    description:
      - Whether the proxy logs detailed connection information, which can include SQL statements,
        to CloudWatch. Turn it on only while you investigate.
      - When not set, a new proxy gets V(false), and an existing proxy keeps its value.
    type: bool
  max_connections_percent:
    description:
      - The largest connection pool to the target, from 1 to 100 percent of its C(max_connections).
      - When not set, the current value is kept (AWS default 100).
    type: int
  max_idle_connections_percent:
    description:
      - The share of C(max_connections) the proxy keeps open while idle, from 0 to
        O(max_connections_percent).
      - When not set, the current value is kept (AWS default 50). If O(max_connections_percent)
        is lowered below it, it becomes half of O(max_connections_percent), the AWS default, and the diff shows that.
    type: int
  connection_borrow_timeout:
    description:
      - The number of seconds a client waits for a free pooled connection when the pool is full, from 0 to 300.
      - When not set, the current value is kept (AWS default 120).
    type: int
  session_pinning_filters:
    description:
      - The classes of SQL statements that do not pin a client session to one database connection.
      - An empty list removes all filters. When not set, the current filters are kept.
    type: list
    elements: str
    choices: [EXCLUDE_VARIABLE_SETS]
  init_query:
    description:
      - The SQL the proxy runs on each new database connection, for example
        C(SET statement_timeout = '30s'). Anyone who can read the proxy's configuration can see
        it, so never put a secret in it.
      - An empty string removes the query. When not set, the current query is kept.
    type: str
  target:
    description:
      - The DB instance or Aurora cluster the proxy fronts. Give exactly one of the two identifiers.
      - It must exist and run PostgreSQL, C(postgres) for an instance and C(aurora-postgresql) for
        a cluster. An Aurora member instance cannot be a target; give its cluster instead.
      - When not set, the registered target is left as it is.
    type: dict
    suboptions:
      db_instance_identifier:
        description:
          - An RDS for PostgreSQL DB instance.
        type: str
      db_cluster_identifier:
        description:
          - An Aurora PostgreSQL DB cluster.
        type: str
  wait:
    description:
      - Wait until the proxy is available after creating or modifying it, and until a new target has
        finished registering. With O(state=absent), wait until the proxy is gone.
      - With V(false), the module still waits for a new proxy to become available when it must then
        set the pool or register the target.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait in total, in seconds (see O(wait)).
    type: int
    default: 900
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the result shows the proxy as it would be.
  diff_mode:
    support: full
    description: The diff shows the settings, the connection pool, the target and the tags before and after.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and manages the proxy through the RDS API.
notes:
  - A run that changes nothing makes four read requests. They read the proxy, its target group,
    its targets and its tags. Giving O(db_subnet_group_name) adds a fifth.
  - In the local environment (C(localenv)) the proxy's API is emulated in full, including target
    health. Its endpoint does not accept connections; connect to the instance or cluster endpoint.
seealso:
  - module: innovate.aws_postgres.db_secret
  - module: innovate.aws_postgres.rds_network
"""

EXAMPLES = r"""
- name: A proxy in front of the orders database, IAM authentication and TLS required
  innovate.aws_postgres.rds_proxy:
    name: orders-db-proxy
    role_arn: arn:aws:iam::111111111111:role/orders-db-proxy
    db_subnet_group_name: orders-db
    vpc_security_group_ids:
      - "{{ orders_network.security_group.id }}"
    auth:
      - secret_arn: "{{ orders_master_secret.secret.arn }}"
        description: master login
    max_connections_percent: 90
    max_idle_connections_percent: 30
    connection_borrow_timeout: 60
    target:
      db_instance_identifier: orders-db
    tags:
      team: orders
    region: us-east-1
  register: orders_proxy

- name: Point the application at the proxy
  ansible.builtin.debug:
    msg: "host={{ orders_proxy.endpoint }} port=5432 sslmode=verify-full"

- name: Front the Aurora cluster instead (the instance is deregistered)
  innovate.aws_postgres.rds_proxy:
    name: orders-db-proxy
    target:
      db_cluster_identifier: orders-aurora
    region: us-east-1

- name: A legacy client that cannot use TLS (announced with a warning)
  innovate.aws_postgres.rds_proxy:
    name: legacy-db-proxy
    require_tls: false
    allow_tls_not_required: true
    region: us-east-1

- name: Remove the proxy
  innovate.aws_postgres.rds_proxy:
    name: orders-db-proxy
    state: absent
    region: us-east-1
"""

RETURN = r"""
proxy:
  description: The proxy after the run (in check mode, as it would be); before deletion with O(state=absent).
  returned: when the proxy exists or is created
  type: dict
  contains:
    name:
      description: The name.
      type: str
      sample: orders-db-proxy
    arn:
      description: The ARN; V(null) for a proxy that check mode would create.
      type: str
      sample: arn:aws:rds:us-east-1:111111111111:db-proxy:prx-0123456789abcdef0
    status:
      description: The status, for example V(available), V(creating), V(modifying) or V(deleting).
      type: str
    engine_family:
      description: The engine family (V(POSTGRESQL)).
      type: str
    endpoint:
      description: The host name clients connect to (port 5432).
      type: str
      sample: orders-db-proxy.proxy-abcdefghijkl.us-east-1.rds.amazonaws.com
    vpc_id:
      description: The VPC.
      type: str
    vpc_subnet_ids:
      description: The subnets, sorted.
      type: list
      elements: str
    vpc_security_group_ids:
      description: The security groups, sorted.
      type: list
      elements: str
    role_arn:
      description: The IAM role that reads the secrets.
      type: str
    auth:
      description: The credentials, each with C(secret_arn), C(iam_auth), C(client_password_auth_type) and C(description).
      type: list
      elements: dict
    require_tls:
      description: Whether clients must use TLS.
      type: bool
    idle_client_timeout:
      description: Seconds before an idle client connection is closed.
      type: int
    debug_logging:
      description: Whether debug logging is on.
      type: bool
    created_date:
      description: When the proxy was created (ISO 8601).
      type: str
    updated_date:
      description: When the proxy was last changed (ISO 8601).
      type: str
    tags:
      description: The tags.
      type: dict
endpoint:
  description: The proxy's endpoint (the same as RV(proxy.endpoint)); V(null) in check mode for a new proxy.
  returned: when O(state=present)
  type: str
target_group:
  description: The default target group and its connection pool.
  returned: when O(state=present)
  type: dict
  contains:
    name:
      description: The target group name (V(default)).
      type: str
    arn:
      description: The target group ARN.
      type: str
    status:
      description: The target group status.
      type: str
    is_default:
      description: Always V(true).
      type: bool
    max_connections_percent:
      description: The pool size, in percent of the target's C(max_connections).
      type: int
    max_idle_connections_percent:
      description: The idle pool size, in percent of the target's C(max_connections).
      type: int
    connection_borrow_timeout:
      description: Seconds a client waits for a pooled connection.
      type: int
    session_pinning_filters:
      description: The session pinning filters.
      type: list
      elements: str
    init_query:
      description: The initialization query (empty when none).
      type: str
targets:
  description:
    - The registered targets as RDS describes them. An instance target is one C(RDS_INSTANCE) entry.
      A cluster target is a C(TRACKED_CLUSTER) entry followed by one C(RDS_INSTANCE) entry per cluster member.
    - Each entry has C(type), C(rds_resource_id), C(target_arn), C(endpoint), C(port), C(role)
      (C(READ_WRITE) or C(READ_ONLY)), C(tracked_cluster_id), and C(health).
      C(health) has C(state), C(reason) and C(description); the state is C(REGISTERING),
      C(AVAILABLE) or C(UNAVAILABLE).
  returned: when O(state=present)
  type: list
  elements: dict
target:
  description: The target the proxy fronts after the run, as C(type) (V(instance) or V(cluster)) and C(identifier); V(null) when none.
  returned: when O(state=present)
  type: dict
  sample: {"type": "instance", "identifier": "orders-db"}
actions:
  description: What the run changed, or would change in check mode, one entry per request.
  returned: always
  type: list
  elements: str
  sample: ["modify: require_tls", "modify_pool: max_connections_percent", "deregister: DB instance old-db", "register: DB instance orders-db"]
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy.converge import RdsProxyConverger

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    engine_family=dict(type="str", choices=["POSTGRESQL"], default="POSTGRESQL"),
    role_arn=dict(type="str"),
    vpc_subnet_ids=dict(type="list", elements="str"),
    db_subnet_group_name=dict(type="str"),
    vpc_security_group_ids=dict(type="list", elements="str"),
    auth=dict(type="list", elements="dict", options=dict(
        secret_arn=dict(type="str", required=True, no_log=False),
        iam_auth=dict(type="str", choices=["REQUIRED", "DISABLED"], default="REQUIRED"),
        client_password_auth_type=dict(type="str", choices=["POSTGRES_SCRAM_SHA_256", "POSTGRES_MD5"], default="POSTGRES_SCRAM_SHA_256",
                                       no_log=False),
        description=dict(type="str"),
    )),
    allow_iam_auth_disabled=dict(type="bool", default=False),
    require_tls=dict(type="bool", default=True),
    allow_tls_not_required=dict(type="bool", default=False),
    idle_client_timeout=dict(type="int"),
    debug_logging=dict(type="bool"),
    max_connections_percent=dict(type="int"),
    max_idle_connections_percent=dict(type="int"),
    connection_borrow_timeout=dict(type="int"),
    session_pinning_filters=dict(type="list", elements="str", choices=["EXCLUDE_VARIABLE_SETS"]),
    init_query=dict(type="str"),
    target=dict(type="dict", options=dict(
        db_instance_identifier=dict(type="str"),
        db_cluster_identifier=dict(type="str"),
    ), mutually_exclusive=[("db_instance_identifier", "db_cluster_identifier")],
        required_one_of=[("db_instance_identifier", "db_cluster_identifier")]),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=900),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                       mutually_exclusive=[("vpc_subnet_ids", "db_subnet_group_name")])
    module.exit_json(**RdsProxyConverger(module).run())


if __name__ == "__main__":
    main()
