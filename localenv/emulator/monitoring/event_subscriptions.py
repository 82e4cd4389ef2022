"""RDS event subscriptions: the calls moto lacks, and RDS's checks on the ones it has (see __init__)."""

from moto.core.responses import ActionResult
from moto.rds.exceptions import InvalidParameterValue, RDSClientError, SubscriptionNotFoundError
from moto.rds.responses import RDSResponse
from moto.sns.models import sns_backends

from localenv.emulator import paginate, param

# Event categories per source type, from "Amazon RDS event categories and event messages".
CATEGORIES = {
    "db-instance": ("availability", "backup", "configuration change", "creation", "deletion", "failover", "failure",
                    "low storage", "maintenance", "notification", "read replica", "recovery", "restoration", "security",
                    "security patching"),
    "db-cluster": ("configuration change", "creation", "deletion", "failover", "failure", "global-failover", "maintenance",
                   "migration", "notification", "serverless"),
    "db-parameter-group": ("configuration change",),
    "db-security-group": ("configuration change", "failure"),
    "db-snapshot": ("creation", "deletion", "notification", "restoration"),
    "db-cluster-snapshot": ("backup", "creation", "deletion", "notification"),
    "db-proxy": ("configuration change", "creation", "deletion"),
}
_originals = {}


class _Error(RDSClientError):
    """An RDS error with its own code."""


def _check_topic(region, topic_arn):
    parts = (topic_arn or "").split(":")
    if len(parts) != 6 or parts[2] != "sns":
        raise _Error("SNSInvalidTopic", "Invalid SNS topic ARN: %s" % topic_arn)
    if parts[3] != region or topic_arn not in sns_backends[parts[4]][parts[3]].topics:
        raise _Error("SNSTopicArnNotFound", "The SNS topic %s does not exist" % topic_arn)
    if topic_arn.endswith(".fifo"):
        raise _Error("SNSInvalidTopic", "RDS event notifications do not support FIFO topics: %s" % topic_arn)


def _check_categories(source_type, categories):
    if source_type is None:
        return
    if source_type not in CATEGORIES:
        raise InvalidParameterValue("Invalid source type: %s" % source_type)
    unknown = [c for c in categories or [] if c.lower() not in CATEGORIES[source_type]]
    if unknown:
        raise _Error("SubscriptionCategoryNotFound", "Event categories %s are not valid for source type %s"
                     % (", ".join(unknown), source_type))


def _check_source(backend, source_type, source_id):
    known = {
        "db-instance": lambda: source_id in backend.databases,
        "db-cluster": lambda: source_id in backend.clusters,
        "db-parameter-group": lambda: source_id in backend.db_parameter_groups or source_id.lower().startswith("default."),
    }.get(source_type)
    if source_type is None:
        raise InvalidParameterValue("SourceIds need a SourceType")
    if known is not None and not known():
        raise _Error("SourceNotFound", "Source %s of type %s not found" % (source_id, source_type))


def _subscription(backend, name):
    subscription = backend.event_subscriptions.get(name)
    if subscription is None:
        raise SubscriptionNotFoundError(name)
    return subscription


def _create(self):
    _check_topic(self.region, self.params.get("SnsTopicArn"))
    source_type = self.params.get("SourceType")
    _check_categories(source_type, param(self.params, "EventCategories", []))
    for source_id in param(self.params, "SourceIds", []) or []:
        _check_source(self.backend, source_type, source_id)
    return _originals["create_event_subscription"](self)


def _modify(self):
    subscription = _subscription(self.backend, self.params.get("SubscriptionName"))
    topic = self.params.get("SnsTopicArn")
    if topic:
        _check_topic(self.region, topic)
    source_type = self.params.get("SourceType") or subscription.source_type
    categories = param(self.params, "EventCategories", None)
    _check_categories(source_type, categories if categories is not None else subscription.event_categories)
    if topic:
        subscription.sns_topic_arn = topic
    if source_type != subscription.source_type:
        subscription.source_ids = []
    subscription.source_type = source_type
    if categories is not None:
        subscription.event_categories = list(categories)
    if self.params.get("Enabled") is not None:
        subscription.enabled = self.params.get("Enabled") in (True, "true", "True")
    return ActionResult({"EventSubscription": subscription})


def _add_source(self):
    subscription = _subscription(self.backend, self.params.get("SubscriptionName"))
    source_id = self.params.get("SourceIdentifier")
    _check_source(self.backend, subscription.source_type, source_id)
    if source_id not in subscription.source_ids:
        subscription.source_ids = list(subscription.source_ids) + [source_id]
    return ActionResult({"EventSubscription": subscription})


def _remove_source(self):
    subscription = _subscription(self.backend, self.params.get("SubscriptionName"))
    source_id = self.params.get("SourceIdentifier")
    if source_id not in subscription.source_ids:
        raise _Error("SourceNotFound", "Source %s is not part of subscription %s" % (source_id, subscription.subscription_name))
    subscription.source_ids = [s for s in subscription.source_ids if s != source_id]
    return ActionResult({"EventSubscription": subscription})


def _describe(self):
    name = self.params.get("SubscriptionName")
    items = list(self.backend.describe_event_subscriptions(name))
    page, marker = paginate(items, self.params)
    result = {"EventSubscriptionsList": page}
    if marker:
        result["Marker"] = marker
    return ActionResult(result)


def install(context):  # pylint: disable=unused-argument
    _originals.setdefault("create_event_subscription", RDSResponse.create_event_subscription)
    for name, function in (("create_event_subscription", _create), ("modify_event_subscription", _modify),
                           ("add_source_identifier_to_subscription", _add_source),
                           ("remove_source_identifier_from_subscription", _remove_source),
                           ("describe_event_subscriptions", _describe)):
        setattr(RDSResponse, name, function)
