#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_alarms
short_description: Converge the standard CloudWatch alarms, SNS topic and RDS event subscriptions of a PostgreSQL deployment
version_added: 0.1.0
description:
  - For an RDS for PostgreSQL instance (O(db_instance_identifier)) and its read replicas in the same
    region, or an Aurora PostgreSQL cluster (O(db_cluster_identifier)) and its writer and readers,
    converges in one task the standard set of CloudWatch alarms, the SNS topic they notify, and RDS
    event subscriptions for critical instance, cluster, parameter group and security group events.
  - "The standard set, with its default thresholds (each can be changed with O(thresholds) or O(alarms)):
    C(CPUUtilization) > 80 (%); C(FreeableMemory) < 256 (MiB); C(DatabaseConnections) > 80 (% of the
    instance's max_connections); C(ReadLatency) and C(WriteLatency) > 20 (ms); C(DiskQueueDepth) > 20;
    C(FreeStorageSpace) < 10 (% of the allocated storage, RDS only); C(MaximumUsedTransactionIDs) > 1000000000
    (primaries and Aurora writers); C(ReplicaLag) > 1000 (ms, RDS read replicas); C(AuroraReplicaLag) > 1000
    (ms, Aurora readers); C(ACUUtilization) > 90 (%) and C(ServerlessDatabaseCapacity) >= the cluster's maximum
    ACUs (Aurora Serverless v2 instances); C(AuroraGlobalDBRPOLag) > 60000 (ms, secondary clusters of a global database)."
  - The C(DatabaseConnections) threshold follows each instance's class and parameter group; its
    max_connections is the group's value or formula (the RDS default is
    C(LEAST({DBInstanceClassMemory/9531392},5000))) evaluated with the memory of the instance class
    (2 GiB per ACU of the cluster's maximum capacity for db.serverless).
  - Alarms are named C(<name_prefix>-<target>-<alarm>) and their description ends with a marker
    C([innovate.aws_postgres.rds_alarms deployment=<id> target=<id>]). Managed alarms of the deployment
    that the task no longer declares (a disabled alarm, a removed replica whose identifier shares the
    deployment's prefix) are deleted; alarms without the marker are never changed or deleted.
  - Event subscriptions cover the categories AWS Security Hub controls RDS.19 (cluster - failure,
    maintenance), RDS.20 (instance - configuration change, failure, maintenance), RDS.21 (parameter group -
    configuration change) and RDS.22 (security group - configuration change, failure) require. Instance,
    cluster and parameter group subscriptions are limited to the deployment's own sources; the security group
    subscription covers every DB security group of the account (a DB instance in a VPC has none of its own).
author:
  - Innovate platform team (@innovate-platform)
options:
  db_instance_identifier:
    description:
      - The RDS for PostgreSQL instance to watch, with its read replicas in the same region (O(include_replicas)).
      - Exactly one of O(db_instance_identifier) and O(db_cluster_identifier) is required.
    type: str
  db_cluster_identifier:
    description:
      - The Aurora PostgreSQL cluster to watch, with every instance of the cluster.
    type: str
  include_replicas:
    description:
      - With O(db_instance_identifier), also watch its read replicas in the same region. Replicas in other
        regions are listed in RV(skipped_replicas); run the module in their region for them.
    type: bool
    default: true
  name_prefix:
    description:
      - The first part of the alarm and event subscription names (C(<name_prefix>-<target>-<alarm>),
        C(<name_prefix>-<deployment>-<kind>-events)).
      - Changing it leaves the alarms made under the old prefix in place.
    type: str
    default: rds
  thresholds:
    description:
      - "Thresholds by alarm name, in the alarm's unit (see the description), for example C({CPUUtilization: 90})"
      - An unknown alarm name, a negative value or a percentage above 100 fails before any change.
    type: dict
  alarms:
    description:
      - Per-alarm settings by alarm name, each a dict with any of C(enabled) (V(false) removes the alarm),
        C(threshold), C(period), C(evaluation_periods), C(datapoints_to_alarm), C(statistic) and C(treat_missing_data).
    type: dict
  period:
    description:
      - The period of every alarm, in seconds (10, 20, 30 or a multiple of 60). When not set, 60 seconds,
        and 300 seconds for C(FreeStorageSpace) and C(MaximumUsedTransactionIDs).
    type: int
  evaluation_periods:
    description:
      - How many periods each alarm evaluates.
    type: int
    default: 5
  datapoints_to_alarm:
    description:
      - How many of the evaluated periods must breach to alarm (at most O(evaluation_periods)).
    type: int
    default: 3
  treat_missing_data:
    description:
      - How alarms treat missing data points.
    type: str
    choices: [missing, notBreaching, breaching, ignore]
    default: missing
  max_connections:
    description:
      - The max_connections to use for every instance instead of computing it from the class and parameter group.
    type: int
  described:
    description:
      - What earlier tasks of the same run returned about the deployment, so that the module does not describe those
        resources again. Whatever is missing from it is described as usual; give only results of the same run, as the
        module trusts them.
      - Check-mode predictions of resources not created yet (without an ARN) are ignored.
    type: dict
    suboptions:
      instances:
        description:
          - The C(instance) return values of M(innovate.aws_postgres.rds_instance) for the instance and its read replicas.
          - A description of the primary taken before its replicas were created does not list them; the replicas given
            here whose source is the primary are watched too.
        type: list
        elements: dict
      cluster:
        description:
          - The registered result of M(innovate.aws_postgres.aurora_cluster) (its C(cluster) and C(instances)) for
            O(db_cluster_identifier).
        type: dict
      parameter_groups:
        description:
          - The user-set parameters of DB parameter groups by group name, as the C(parameters) return value of
            M(innovate.aws_postgres.rds_parameter_group) gives them; used for C(max_connections).
        type: dict
  sns_topic_name:
    description:
      - The SNS topic to create (or keep) for alarm and OK notifications and event subscriptions, in the
        deployment's account and region. Mutually exclusive with O(sns_topic_arn).
    type: str
  sns_topic_arn:
    description:
      - An existing SNS topic to notify, in the deployment's region. The module does not change it.
    type: str
  sns_kms_key:
    description:
      - A customer managed KMS key (ID, ARN or alias) to encrypt the topic named O(sns_topic_name). Its key
        policy must let C(cloudwatch.amazonaws.com) and C(events.rds.amazonaws.com) use it; the AWS managed key
        C(alias/aws/sns) is refused because they cannot.
      - When not set, the encryption of an existing topic is left as it is.
    type: str
  notify_ok:
    description:
      - Also notify the topic when an alarm returns to OK.
    type: bool
    default: true
  extra_alarm_actions:
    description:
      - Further ARNs to notify when an alarm fires (for example a paging topic).
    type: list
    elements: str
    default: []
  event_subscriptions:
    description:
      - The event subscriptions of the deployment. Default V([cluster, instance, parameter_group, security_group])
        for a cluster and V([instance, parameter_group, security_group]) for an instance. Subscriptions the
        module made that are no longer listed are deleted; V([]) deletes them all.
    type: list
    elements: str
    choices: [instance, cluster, parameter_group, security_group]
  event_categories:
    description:
      - "Event categories by subscription kind, replacing the defaults, for example
        C({instance: [failure, maintenance, configuration change, low storage]}). Leaving out a category the
        matching Security Hub control requires gives a warning."
      - "Defaults: instance C(availability), C(configuration change), C(deletion), C(failover), C(failure),
        C(low storage), C(maintenance), C(read replica), C(recovery); cluster C(deletion), C(failover), C(failure),
        C(global-failover), C(maintenance); parameter_group C(configuration change); security_group
        C(configuration change), C(failure)."
    type: dict
  adopt_existing:
    description:
      - Take over an existing alarm that has the name of an alarm of the set but is not managed by this
        deployment. When V(false), such an alarm makes the task fail before any change.
    type: bool
    default: false
  wait:
    description:
      - Wait for new or modified event subscriptions to become active.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds.
    type: int
    default: 300
  state:
    description:
      - V(present) converges the alarms, the topic and the subscriptions.
      - V(absent) deletes the deployment's managed alarms and event subscriptions, and the topic named
        O(sns_topic_name) if this module created it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the result and the diff show the changes a real run would make.
  diff_mode:
    support: full
    description: The diff shows the alarms added, changed and removed, the event subscriptions and the topic.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller and manages the alarms through the CloudWatch, SNS and RDS APIs.
notes:
  - O(tags) are compared and converged on the topic and on the event subscriptions. Alarms get them (with the
    tags C(managed_by) and C(rds_alarms_deployment)) when they are created; a change of O(tags) alone does not
    rewrite existing alarms, so that a run needs no request per alarm.
  - A run that changes nothing on an instance without replicas makes six read requests (instance, parameter
    group, topic, alarms, subscriptions, and the topic's tags when O(tags) is set).
  - The class memory is the nominal memory of the instance class; RDS keeps a little for the operating system,
    so the real max_connections is slightly lower. Give O(max_connections) when it matters.
  - Manage a read replica either with its source (O(include_replicas)) or on its own, not both.
seealso:
  - module: innovate.aws_postgres.rds_instance
  - module: innovate.aws_postgres.aurora_cluster
"""

EXAMPLES = r"""
- name: Alarms, topic and event subscriptions of the orders database (instance and its replicas)
  innovate.aws_postgres.rds_alarms:
    db_instance_identifier: orders-db
    sns_topic_name: prod-orders-db-db-alarms
    thresholds:
      CPUUtilization: 85
      FreeStorageSpace: 15
    alarms:
      DiskQueueDepth:
        enabled: false
      ReplicaLag:
        threshold: 5000
        evaluation_periods: 10
        datapoints_to_alarm: 5
    extra_alarm_actions:
      - arn:aws:sns:us-east-1:111111111111:pagerduty
    tags:
      team: orders
  register: orders_alarms

- name: Aurora cluster, notifying an existing topic
  innovate.aws_postgres.rds_alarms:
    db_cluster_identifier: orders-aurora
    sns_topic_arn: arn:aws:sns:us-east-1:111111111111:db-alarms
    event_subscriptions: [cluster, instance]

- name: Reuse what the instance tasks of this run returned instead of describing the instances again
  innovate.aws_postgres.rds_alarms:
    db_instance_identifier: orders-db
    sns_topic_name: prod-orders-db-db-alarms
    described:
      instances: "{{ [orders_db.instance] + orders_replicas.results | map(attribute='instance') | list }}"
      parameter_groups: "{{ {orders_group.parameter_group.name: orders_group.parameters} }}"

- name: Remove the alarms, subscriptions and topic of a decommissioned database
  innovate.aws_postgres.rds_alarms:
    db_instance_identifier: old-db
    sns_topic_name: prod-old-db-db-alarms
    state: absent
"""

RETURN = r"""
alarms:
  description: The alarms of the deployment after the run (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The alarm name.
      type: str
      sample: rds-orders-db-CPUUtilization
    alarm:
      description: The alarm of the standard set (the metric name).
      type: str
      sample: CPUUtilization
    target:
      description: The instance or cluster the alarm watches.
      type: str
    metric_name:
      description: The CloudWatch metric.
      type: str
    threshold:
      description: The threshold in the metric's unit (bytes, seconds, count...).
      type: float
      sample: 80.0
    threshold_text:
      description: The threshold as given, in words.
      type: str
      sample: 80% of max_connections 450 (360 connections)
    comparison_operator:
      description: The comparison.
      type: str
    statistic:
      description: The statistic.
      type: str
    period:
      description: The period in seconds.
      type: int
    evaluation_periods:
      description: The periods evaluated.
      type: int
    datapoints_to_alarm:
      description: The breaching periods that make the alarm fire.
      type: int
    treat_missing_data:
      description: The treatment of missing data.
      type: str
topic_arn:
  description: The ARN of the SNS topic the alarms notify (created, or the one given).
  returned: when O(state=present)
  type: str
  sample: arn:aws:sns:us-east-1:111111111111:prod-orders-db-db-alarms
event_subscriptions:
  description: The event subscriptions of the deployment after the run.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The subscription name.
      type: str
      sample: rds-orders-db-instance-events
    kind:
      description: V(instance), V(cluster), V(parameter_group) or V(security_group).
      type: str
    source_type:
      description: The RDS source type.
      type: str
    source_ids:
      description: The sources it is limited to (empty for every source of that type).
      type: list
      elements: str
    event_categories:
      description: The event categories.
      type: list
      elements: str
    enabled:
      description: Whether it is enabled.
      type: bool
    sns_topic_arn:
      description: The topic it notifies.
      type: str
targets:
  description: What the alarms watch, with the max_connections used for C(DatabaseConnections).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "orders-db", "kind": "instance", "role": "primary", "instance_class": "db.m7g.large", "max_connections": 901}]
skipped_replicas:
  description: Read replicas in other regions, which this run does not watch.
  returned: always
  type: list
  elements: str
changes:
  description: What this run changed (or, in check mode, would change).
  returned: always
  type: dict
  contains:
    alarms_added:
      description: Alarms created.
      type: list
      elements: str
    alarms_changed:
      description: Alarms updated.
      type: list
      elements: str
    alarms_removed:
      description: Managed alarms deleted.
      type: list
      elements: str
    topic:
      description: What happened to the topic (V(created), V(KmsMasterKeyId set), V(tags updated), V(deleted)).
      type: list
      elements: str
    subscriptions_added:
      description: Event subscriptions created.
      type: list
      elements: str
    subscriptions_changed:
      description: Event subscriptions updated.
      type: list
      elements: str
    subscriptions_removed:
      description: Event subscriptions deleted.
      type: list
      elements: str
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.converge import RdsAlarmsConverger

ARGUMENT_SPEC = dict(
    db_instance_identifier=dict(type="str"),
    db_cluster_identifier=dict(type="str"),
    include_replicas=dict(type="bool", default=True),
    name_prefix=dict(type="str", default="rds"),
    thresholds=dict(type="dict"),
    alarms=dict(type="dict"),
    period=dict(type="int"),
    evaluation_periods=dict(type="int", default=5),
    datapoints_to_alarm=dict(type="int", default=3),
    treat_missing_data=dict(type="str", choices=["missing", "notBreaching", "breaching", "ignore"], default="missing"),
    max_connections=dict(type="int"),
    described=dict(type="dict", options=dict(
        instances=dict(type="list", elements="dict"),
        cluster=dict(type="dict"),
        parameter_groups=dict(type="dict"),
    )),
    sns_topic_name=dict(type="str"),
    sns_topic_arn=dict(type="str"),
    sns_kms_key=dict(type="str", no_log=False),
    notify_ok=dict(type="bool", default=True),
    extra_alarm_actions=dict(type="list", elements="str", default=[]),
    event_subscriptions=dict(type="list", elements="str", choices=["instance", "cluster", "parameter_group", "security_group"]),
    event_categories=dict(type="dict"),
    adopt_existing=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=300),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AwsModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[("db_instance_identifier", "db_cluster_identifier"), ("sns_topic_name", "sns_topic_arn")],
        required_one_of=[("db_instance_identifier", "db_cluster_identifier")],
        supports_check_mode=True,
    )
    module.exit_json(**RdsAlarmsConverger(module).run())


if __name__ == "__main__":
    main()
