# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the alarm set, its SNS topic and the event subscriptions of one deployment (the work of ``rds_alarms``).

Reads: the instance (and its replicas in one filtered describe) or the cluster and its instances,
the user parameters of each DB parameter group (for max_connections), the topic's attributes,
one paginated DescribeAlarms by name prefix and one paginated DescribeEventSubscriptions. Writes:
one PutMetricAlarm per new or changed alarm, DeleteAlarms in batches, and only the subscription
calls a difference needs. Check mode stops after the reads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import (
    apply_tag_changes, compare_tags, dict_to_boto3_tag_list, normalize_tags)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.waiters import poll_until
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.alarms import MARKER_TOOL, parse_marker, summary
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.api import AlarmsApi
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.described import (
    cluster_and_instances, instances_by_id, parameter_values)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.desired import (
    MANAGED_BY_TAG, alarm_settings, alarm_tags, desired_alarms, desired_subscriptions, subscription_name)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.plan import plan_alarms, plan_subscriptions, subscription_facts
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.targets import (
    TargetError, arn_parts, discover_cluster, discover_instance, fill_max_connections)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.thresholds import EVENT_SOURCE_KINDS
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.validation import input_errors

_POLL_DELAY = 5
KMS_ATTRIBUTE = "KmsMasterKeyId"


def _subscription_view(item):
    return dict(source_type=item["source_type"], source_ids=item["source_ids"], categories=item["categories"],
                enabled=item["enabled"], topic_arn=item["topic_arn"])


class RdsAlarmsConverger(Converger):
    def __init__(self, module):
        super(RdsAlarmsConverger, self).__init__(module)
        self.api = None
        self.current_subscriptions = {}
        self.deployment_id = self.params.get("db_instance_identifier") or self.params.get("db_cluster_identifier")
        self.is_cluster = bool(self.params.get("db_cluster_identifier"))
        self.changes = dict(alarms_added=[], alarms_changed=[], alarms_removed=[], topic=[], subscriptions_added=[],
                            subscriptions_changed=[], subscriptions_removed=[])

    def run(self):
        errors, warnings = input_errors(self.params)
        for warning in warnings:
            self.module.warn(warning)
        if errors:
            self.fail(errors)
        self.api = AlarmsApi(self.module.client("rds"), self.module.client("cloudwatch"), self.module.client("sns"))
        if self.params["state"] == "absent":
            return self.ensure_absent()
        return self.ensure_present()

    # reads shared by both states

    def discover(self, must_exist=True):
        try:
            described = self.params.get("described") or {}
            if self.is_cluster:
                return self.step("reading DB cluster %s" % self.deployment_id, discover_cluster, self.api, self.deployment_id,
                                 cluster_and_instances(described.get("cluster"), self.deployment_id))
            return self.step("reading DB instance %s" % self.deployment_id, discover_instance, self.api, self.deployment_id,
                             self.params["include_replicas"], instances_by_id(described.get("instances")))
        except TargetError as e:
            if must_exist:
                self.fail(str(e))
        return None

    def alarm_prefix(self, deployment):
        ids = [target["id"] for target in deployment["targets"]] if deployment else [self.deployment_id]
        return os.path.commonprefix(["%s-%s-" % (self.params["name_prefix"], target_id) for target_id in ids])

    def managed_subscription_names(self):
        return [subscription_name(self.params["name_prefix"], self.deployment_id, kind) for kind in EVENT_SOURCE_KINDS]

    # the topic

    def topic_arn_for(self, deployment):
        partition, region, account = deployment["partition"], deployment["region"], deployment["account"]
        return "arn:%s:sns:%s:%s:%s" % (partition, region, account, self.params["sns_topic_name"])

    def plan_topic(self, deployment):
        """``(topic ARN, plan)``; ``plan`` is ``dict(create, attributes {name: value}, tags_set, tags_remove, before, after)``."""
        if self.params.get("sns_topic_arn"):
            arn = self.params["sns_topic_arn"]
            region = arn_parts(arn)[1]
            if deployment["region"] and region != deployment["region"]:
                self.fail("sns_topic_arn: %s is in %s but the alarms are in %s; CloudWatch alarms notify topics of their own "
                          "region" % (arn, region, deployment["region"]))
            attributes = self.step("reading SNS topic %s" % arn, self.api.topic_attributes, arn)
            if attributes is None:
                self.fail("sns_topic_arn: SNS topic %s does not exist; create it or give sns_topic_name to let the module "
                          "create one" % arn)
            return arn, None
        arn = self.topic_arn_for(deployment)
        attributes = self.step("reading SNS topic %s" % arn, self.api.topic_attributes, arn)
        desired_tags = self.params.get("tags")
        if attributes is None:
            new_attributes = {KMS_ATTRIBUTE: self.params["sns_kms_key"]} if self.params.get("sns_kms_key") else {}
            tags = dict(desired_tags or {})
            tags[MANAGED_BY_TAG] = MARKER_TOOL
            return arn, dict(create=True, attributes=new_attributes, tags=tags, tags_set={}, tags_remove=[], before={},
                             after=dict(arn=arn, kms_key=self.params.get("sns_kms_key"), tags=normalize_tags(tags)))
        changes = {}
        current_key = attributes.get(KMS_ATTRIBUTE) or None
        if self.params.get("sns_kms_key") and self.params["sns_kms_key"] != current_key:
            changes[KMS_ATTRIBUTE] = self.params["sns_kms_key"]
        tags_set, tags_remove, current_tags = {}, [], None
        if desired_tags is not None:
            current_tags = self.step("reading the tags of SNS topic %s" % arn, self.api.topic_tags, arn)
            wanted = dict(desired_tags)
            if MANAGED_BY_TAG in current_tags:
                wanted.setdefault(MANAGED_BY_TAG, current_tags[MANAGED_BY_TAG])
            tags_set, tags_remove = compare_tags(current_tags, wanted, self.params["purge_tags"])
        before = dict(arn=arn, kms_key=current_key)
        after = dict(arn=arn, kms_key=changes.get(KMS_ATTRIBUTE, current_key))
        if current_tags is not None:
            before["tags"] = normalize_tags(current_tags)
            after["tags"] = apply_tag_changes(current_tags, tags_set, tags_remove)
        return arn, dict(create=False, attributes=changes, tags=None, tags_set=tags_set, tags_remove=tags_remove, before=before, after=after)

    def apply_topic(self, arn, plan):
        if plan["create"]:
            created = self.write("create topic", "creating SNS topic %s" % self.params["sns_topic_name"], self.api.create_topic,
                                 self.params["sns_topic_name"], plan["attributes"], plan["tags"])
            if created != arn:
                self.module.warn("SNS returned topic ARN %s, expected %s" % (created, arn))
            return created
        for name, value in sorted(plan["attributes"].items()):
            self.write("set topic %s" % name, "setting %s of SNS topic %s" % (name, arn), self.api.set_topic_attribute, arn, name, value)
        if plan["tags_remove"]:
            self.write("untag topic", "removing tags from SNS topic %s" % arn, self.api.untag_topic, arn, plan["tags_remove"])
        if plan["tags_set"]:
            self.write("tag topic", "tagging SNS topic %s" % arn, self.api.tag_topic, arn, plan["tags_set"])
        return arn

    @staticmethod
    def topic_changes(plan):
        if plan is None:
            return []
        if plan["create"]:
            return ["created"]
        changes = ["%s set" % name for name in sorted(plan["attributes"])]
        if plan["tags_set"] or plan["tags_remove"]:
            changes.append("tags updated")
        return changes

    # subscriptions

    def subscription_tag_changes(self, plan):
        """``{name: (arn, to_set, to_remove)}`` for existing subscriptions whose tags differ from ``tags``."""
        if self.params.get("tags") is None:
            return {}
        result = {}
        for item in plan["keep"] + [entry[0] for entry in plan["change"]]:
            existing = self.current_subscriptions.get(item["name"])
            if not existing or not existing.get("arn"):
                continue
            current = self.step("reading the tags of event subscription %s" % item["name"], self.api.rds_tags, existing["arn"])
            wanted = dict(self.params["tags"])
            to_set, to_remove = compare_tags(current, wanted, self.params["purge_tags"])
            if to_set or to_remove:
                result[item["name"]] = (existing["arn"], to_set, to_remove)
        return result

    def apply_subscriptions(self, plan, tag_changes, topic_arn):
        for item in plan["add"]:
            self.write("create subscription %s" % item["name"], "creating event subscription %s" % item["name"],
                       self.api.create_event_subscription, item["name"], topic_arn, item["source_type"], item["categories"],
                       item["source_ids"], item["enabled"], self.params.get("tags"))
        for wanted, existing, change in plan["change"]:
            name = wanted["name"]
            if change["modify"]:
                self.write("modify subscription %s" % name, "modifying event subscription %s" % name, self.api.modify_event_subscription,
                           name, topic_arn, wanted["source_type"], wanted["categories"], wanted["enabled"])
            for source_id in change["add_ids"]:
                self.write("add %s to subscription %s" % (source_id, name), "adding %s to event subscription %s" % (source_id, name),
                           self.api.add_source_identifier, name, source_id)
            for source_id in change["remove_ids"]:
                self.write("remove %s from subscription %s" % (source_id, name),
                           "removing %s from event subscription %s" % (source_id, name), self.api.remove_source_identifier, name, source_id)
        for name, (arn, to_set, to_remove) in sorted(tag_changes.items()):
            if to_remove:
                self.write("untag subscription %s" % name, "removing tags of event subscription %s" % name, self.api.untag_rds, arn, to_remove)
            if to_set:
                self.write("tag subscription %s" % name, "tagging event subscription %s" % name, self.api.tag_rds, arn, to_set)
        for existing in plan["remove"]:
            self.write("delete subscription %s" % existing["name"], "deleting event subscription %s" % existing["name"],
                       self.api.delete_event_subscription, existing["name"])

    def wait_for_subscriptions(self, names):
        if not names or not self.params["wait"]:
            return None

        def statuses():
            return dict((item["CustSubscriptionId"], item.get("Status")) for item in self.api.event_subscriptions()
                        if item.get("CustSubscriptionId") in names)

        try:
            return self.step("waiting for the event subscriptions", poll_until, statuses,
                             lambda found: all(found.get(name) == "active" for name in names), self.params["wait_timeout"],
                             delay=_POLL_DELAY, what="event subscriptions %s to be active" % ", ".join(sorted(names)),
                             state_of=lambda found: ", ".join("%s=%s" % item for item in sorted(found.items())))
        except AwsWaitTimeout as e:
            self.fail(str(e))
        return None

    # state=present

    def ensure_present(self):
        deployment = self.discover()
        settings = alarm_settings(self.params)[0]
        if settings["DatabaseConnections"]["enabled"]:
            problems = fill_max_connections(self.api, deployment, self.params.get("max_connections"), self.step,
                                            parameter_values((self.params.get("described") or {}).get("parameter_groups")))
            if problems:
                self.fail(["the DatabaseConnections threshold needs max_connections: %s; set max_connections, or disable the alarm "
                           "with alarms: {DatabaseConnections: {enabled: false}}" % problem for problem in problems])
        topic_arn, topic_plan = self.plan_topic(deployment)
        desired, problems = desired_alarms(deployment, settings, self.params, topic_arn)
        if problems:
            self.fail(problems)
        prefix = self.alarm_prefix(deployment)
        current = self.step("listing the alarms named %s*" % prefix, self.api.alarms_with_prefix, prefix)
        alarm_plan = plan_alarms(desired, current, self.deployment_id, adopt=self.params["adopt_existing"])
        if alarm_plan["conflicts"]:
            self.fail(alarm_plan["conflicts"])
        wanted_subscriptions = desired_subscriptions(deployment, self.params, topic_arn)
        current_subscriptions = self.step("listing the RDS event subscriptions", self.api.event_subscriptions)
        self.current_subscriptions = dict((item["CustSubscriptionId"], subscription_facts(item)) for item in current_subscriptions
                                          if item.get("CustSubscriptionId"))
        subscription_plan = plan_subscriptions(wanted_subscriptions, current_subscriptions, self.managed_subscription_names())
        tag_changes = self.subscription_tag_changes(subscription_plan)
        self.record_changes(topic_plan, alarm_plan, subscription_plan, tag_changes)
        changed = any(self.changes.values())
        if changed and not self.check_mode:
            if topic_plan is not None:
                topic_arn = self.apply_topic(topic_arn, topic_plan)
            self.apply_alarms(alarm_plan, deployment)
            self.apply_subscriptions(subscription_plan, tag_changes, topic_arn)
            self.wait_for_subscriptions([item["name"] for item in subscription_plan["add"]] +
                                        [entry[0]["name"] for entry in subscription_plan["change"]])
        return dict(
            changed=changed, topic_arn=topic_arn, alarms=[self.alarm_result(record) for record in desired],
            event_subscriptions=[self.subscription_result(item) for item in sorted(wanted_subscriptions.values(), key=lambda i: i["name"])],
            targets=[dict(id=t["id"], kind=t["kind"], role=t["role"], instance_class=t["instance_class"],
                          max_connections=t["max_connections"]) for t in deployment["targets"]],
            skipped_replicas=deployment["skipped"], changes=self.changes,
            diff=self.diff(topic_plan, alarm_plan, subscription_plan),
        )

    def record_changes(self, topic_plan, alarm_plan, subscription_plan, tag_changes):
        self.changes["topic"] = self.topic_changes(topic_plan)
        self.changes["alarms_added"] = [record["name"] for record in alarm_plan["add"]]
        self.changes["alarms_changed"] = [record["name"] for record, _existing, _fields in alarm_plan["change"]]
        self.changes["alarms_removed"] = [alarm["AlarmName"] for alarm in alarm_plan["remove"]]
        self.changes["subscriptions_added"] = [item["name"] for item in subscription_plan["add"]]
        self.changes["subscriptions_changed"] = sorted(set([entry[0]["name"] for entry in subscription_plan["change"]] + list(tag_changes)))
        self.changes["subscriptions_removed"] = [item["name"] for item in subscription_plan["remove"]]

    def apply_alarms(self, plan, deployment):
        tags = dict_to_boto3_tag_list(alarm_tags(self.params, deployment["id"]))
        for record in plan["add"]:
            request = dict(record["request"], Tags=tags)
            self.write("create alarm %s" % record["name"], "creating alarm %s" % record["name"], self.api.put_alarm, request)
        for record, _existing, _fields in plan["change"]:
            self.write("update alarm %s" % record["name"], "updating alarm %s" % record["name"], self.api.put_alarm, record["request"])
        names = [alarm["AlarmName"] for alarm in plan["remove"]]
        if names:
            self.write("delete alarms %s" % ", ".join(names), "deleting alarms %s" % ", ".join(names), self.api.delete_alarms, names)

    @staticmethod
    def alarm_result(record):
        request = record["request"]
        return dict(name=record["name"], alarm=record["key"], target=record["target"], metric_name=request["MetricName"],
                    threshold=request["Threshold"], threshold_text=record["threshold_text"], comparison_operator=request["ComparisonOperator"],
                    statistic=request["Statistic"], period=request["Period"], evaluation_periods=request["EvaluationPeriods"],
                    datapoints_to_alarm=request["DatapointsToAlarm"], treat_missing_data=request["TreatMissingData"])

    @staticmethod
    def subscription_result(item):
        return dict(name=item["name"], kind=item["kind"], source_type=item["source_type"], source_ids=item["source_ids"],
                    event_categories=item["categories"], enabled=item["enabled"], sns_topic_arn=item["topic_arn"])

    @staticmethod
    def diff(topic_plan, alarm_plan, subscription_plan):
        before = dict(alarms={}, event_subscriptions={})
        after = dict(alarms={}, event_subscriptions={})
        if topic_plan is not None and (topic_plan["create"] or topic_plan["attributes"] or topic_plan["tags_set"] or topic_plan["tags_remove"]):
            before["topic"], after["topic"] = topic_plan["before"], topic_plan["after"]
        for record in alarm_plan["add"]:
            after["alarms"][record["name"]] = summary(record["request"])
        for record, existing, _fields in alarm_plan["change"]:
            before["alarms"][record["name"]] = summary(existing)
            after["alarms"][record["name"]] = summary(record["request"])
        for alarm in alarm_plan["remove"]:
            before["alarms"][alarm["AlarmName"]] = summary(alarm)
        for item in subscription_plan["add"]:
            after["event_subscriptions"][item["name"]] = _subscription_view(item)
        for wanted, existing, _change in subscription_plan["change"]:
            before["event_subscriptions"][wanted["name"]] = _subscription_view(existing)
            after["event_subscriptions"][wanted["name"]] = _subscription_view(wanted)
        for existing in subscription_plan["remove"]:
            before["event_subscriptions"][existing["name"]] = _subscription_view(existing)
        return dict(before=before, after=after)

    # state=absent

    def ensure_absent(self):
        deployment = self.discover(must_exist=False)
        prefix = self.alarm_prefix(deployment)
        current = self.step("listing the alarms named %s*" % prefix, self.api.alarms_with_prefix, prefix)
        remove = [alarm for alarm in sorted(current, key=lambda a: a["AlarmName"])
                  if (parse_marker(alarm.get("AlarmDescription")) or {}).get("deployment") == self.deployment_id]
        subscriptions = self.step("listing the RDS event subscriptions", self.api.event_subscriptions)
        managed = set(self.managed_subscription_names())
        remove_subscriptions = [subscription_facts(item) for item in subscriptions if item.get("CustSubscriptionId") in managed]
        topic_arn = self.absent_topic(deployment)
        self.changes["alarms_removed"] = [alarm["AlarmName"] for alarm in remove]
        self.changes["subscriptions_removed"] = sorted(item["name"] for item in remove_subscriptions)
        self.changes["topic"] = ["deleted"] if topic_arn else []
        changed = any(self.changes.values())
        if changed and not self.check_mode:
            if remove:
                names = self.changes["alarms_removed"]
                self.write("delete alarms", "deleting alarms %s" % ", ".join(names), self.api.delete_alarms, names)
            for item in remove_subscriptions:
                self.write("delete subscription %s" % item["name"], "deleting event subscription %s" % item["name"],
                           self.api.delete_event_subscription, item["name"])
            if topic_arn:
                self.write("delete topic", "deleting SNS topic %s" % topic_arn, self.api.delete_topic, topic_arn)
        before = dict(alarms=dict((alarm["AlarmName"], summary(alarm)) for alarm in remove),
                      event_subscriptions=dict((item["name"], _subscription_view(item)) for item in remove_subscriptions))
        if topic_arn:
            before["topic"] = dict(arn=topic_arn)
        return dict(changed=changed, topic_arn=None, alarms=[], event_subscriptions=[], targets=[], skipped_replicas=[],
                    changes=self.changes, diff=dict(before=before, after=dict(alarms={}, event_subscriptions={})))

    def absent_topic(self, deployment):
        """The ARN of the topic to delete: a topic named ``sns_topic_name`` that this module created (tagged), or None."""
        if not self.params.get("sns_topic_name"):
            return None
        if deployment is None:
            identity = self.step("reading the caller identity", self.module.client("sts").get_caller_identity)
            partition = identity["Arn"].split(":")[1]
            deployment = dict(partition=partition, region=self.module.client("sns").meta.region_name, account=identity["Account"])
        arn = self.topic_arn_for(deployment)
        if self.step("reading SNS topic %s" % arn, self.api.topic_attributes, arn) is None:
            return None
        tags = self.step("reading the tags of SNS topic %s" % arn, self.api.topic_tags, arn)
        return arn if tags.get(MANAGED_BY_TAG) == MARKER_TOOL else None
