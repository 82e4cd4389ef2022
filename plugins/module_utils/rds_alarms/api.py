# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RDS, CloudWatch and SNS calls of ``rds_alarms``. Methods raise the SDK's exceptions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, describe_one, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.pagination import paginate
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import boto3_tag_list_to_dict, dict_to_boto3_tag_list

INSTANCE_NOT_FOUND = ("DBInstanceNotFound", "DBInstanceNotFoundFault")
CLUSTER_NOT_FOUND = ("DBClusterNotFoundFault", "DBClusterNotFound")
GLOBAL_CLUSTER_NOT_FOUND = ("GlobalClusterNotFoundFault", "GlobalClusterNotFound")
TOPIC_NOT_FOUND = ("NotFound", "NotFoundException")
DELETE_ALARMS_BATCH = 100


class AlarmsApi(object):
    def __init__(self, rds, cloudwatch, sns):
        self.rds = rds
        self.cloudwatch = cloudwatch
        self.sns = sns

    # RDS reads

    def db_instance(self, identifier):
        return describe_one(self.rds.describe_db_instances, "DBInstances", INSTANCE_NOT_FOUND, DBInstanceIdentifier=identifier)

    def db_instances(self, filter_name, values):
        """Instances matching ``filter_name`` (``db-instance-id`` or ``db-cluster-id``) in ``values``."""
        if not values:
            return []
        filters = [{"Name": filter_name, "Values": list(values)}]
        return paginate(self.rds, "describe_db_instances", Filters=filters).get("DBInstances", [])

    def db_cluster(self, identifier):
        return describe_one(self.rds.describe_db_clusters, "DBClusters", CLUSTER_NOT_FOUND, DBClusterIdentifier=identifier)

    def global_cluster(self, identifier):
        return describe_one(self.rds.describe_global_clusters, "GlobalClusters", GLOBAL_CLUSTER_NOT_FOUND, GlobalClusterIdentifier=identifier)

    def user_parameters(self, group_name):
        """``{name: value}`` of the parameters the group sets (``Source=user``)."""
        parameters = paginate(self.rds, "describe_db_parameters", DBParameterGroupName=group_name, Source="user").get("Parameters", [])
        return dict((p["ParameterName"], p.get("ParameterValue")) for p in parameters if "ParameterName" in p)

    def event_subscriptions(self):
        return paginate(self.rds, "describe_event_subscriptions").get("EventSubscriptionsList", [])

    def rds_tags(self, arn):
        return boto3_tag_list_to_dict(self.rds.list_tags_for_resource(ResourceName=arn).get("TagList"))

    # RDS writes

    def create_event_subscription(self, name, topic_arn, source_type, categories, source_ids, enabled, tags):
        params = dict(SubscriptionName=name, SnsTopicArn=topic_arn, SourceType=source_type, EventCategories=list(categories),
                      Enabled=enabled)
        if source_ids:
            params["SourceIds"] = list(source_ids)
        if tags:
            params["Tags"] = dict_to_boto3_tag_list(tags)
        return self.rds.create_event_subscription(**params).get("EventSubscription")

    def modify_event_subscription(self, name, topic_arn, source_type, categories, enabled):
        return self.rds.modify_event_subscription(SubscriptionName=name, SnsTopicArn=topic_arn, SourceType=source_type,
                                                  EventCategories=list(categories), Enabled=enabled).get("EventSubscription")

    def add_source_identifier(self, name, source_id):
        self.rds.add_source_identifier_to_subscription(SubscriptionName=name, SourceIdentifier=source_id)

    def remove_source_identifier(self, name, source_id):
        self.rds.remove_source_identifier_from_subscription(SubscriptionName=name, SourceIdentifier=source_id)

    def delete_event_subscription(self, name):
        self.rds.delete_event_subscription(SubscriptionName=name)

    def tag_rds(self, arn, tags):
        self.rds.add_tags_to_resource(ResourceName=arn, Tags=dict_to_boto3_tag_list(tags))

    def untag_rds(self, arn, keys):
        self.rds.remove_tags_from_resource(ResourceName=arn, TagKeys=list(keys))

    # CloudWatch

    def alarms_with_prefix(self, prefix):
        """Every metric alarm whose name starts with ``prefix`` (all pages)."""
        return paginate(self.cloudwatch, "describe_alarms", AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"]).get("MetricAlarms", [])

    def put_alarm(self, request):
        self.cloudwatch.put_metric_alarm(**request)

    def delete_alarms(self, names):
        names = list(names)
        for start in range(0, len(names), DELETE_ALARMS_BATCH):
            self.cloudwatch.delete_alarms(AlarmNames=names[start:start + DELETE_ALARMS_BATCH])

    # SNS

    def topic_attributes(self, arn):
        try:
            return self.sns.get_topic_attributes(TopicArn=arn).get("Attributes") or {}
        except AWS_EXCEPTIONS as e:
            if is_error(e, *TOPIC_NOT_FOUND):
                return None
            raise

    def create_topic(self, name, attributes, tags):
        params = dict(Name=name)
        if attributes:
            params["Attributes"] = attributes
        if tags:
            params["Tags"] = dict_to_boto3_tag_list(tags)
        return self.sns.create_topic(**params)["TopicArn"]

    def set_topic_attribute(self, arn, name, value):
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)

    def topic_tags(self, arn):
        return boto3_tag_list_to_dict(self.sns.list_tags_for_resource(ResourceArn=arn).get("Tags"))

    def tag_topic(self, arn, tags):
        self.sns.tag_resource(ResourceArn=arn, Tags=dict_to_boto3_tag_list(tags))

    def untag_topic(self, arn, keys):
        self.sns.untag_resource(ResourceArn=arn, TagKeys=list(keys))

    def delete_topic(self, arn):
        self.sns.delete_topic(TopicArn=arn)
