# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Desired alarms and subscriptions against what exists -> the changes, with no AWS call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms.alarms import differences, parse_marker


def plan_alarms(desired, current, deployment_id, adopt=False):
    """``dict(add, change, remove, keep, conflicts)``.

    ``add``/``keep``: desired records; ``change``: ``(record, current alarm, changed fields)``;
    ``remove``: current alarms managed for ``deployment_id`` that are no longer desired;
    ``conflicts``: one text per desired name taken by an alarm this deployment does not manage.
    """
    by_name = dict((alarm["AlarmName"], alarm) for alarm in current)
    plan = dict(add=[], change=[], remove=[], keep=[], conflicts=[])
    wanted = set()
    for record in desired:
        wanted.add(record["name"])
        existing = by_name.get(record["name"])
        if existing is None:
            plan["add"].append(record)
            continue
        owner = parse_marker(existing.get("AlarmDescription"))
        if (owner is None or owner["deployment"] != deployment_id) and not adopt:
            who = "is not managed by rds_alarms" if owner is None else "is managed for deployment %s" % owner["deployment"]
            plan["conflicts"].append("alarm %s already exists and %s; delete or rename it, choose another name_prefix, or set "
                                     "adopt_existing=true to take it over" % (record["name"], who))
            continue
        fields = differences(existing, record["request"])
        if fields:
            plan["change"].append((record, existing, fields))
        else:
            plan["keep"].append(record)
    for alarm in sorted(current, key=lambda a: a["AlarmName"]):
        owner = parse_marker(alarm.get("AlarmDescription"))
        if alarm["AlarmName"] not in wanted and owner is not None and owner["deployment"] == deployment_id:
            plan["remove"].append(alarm)
    return plan


def subscription_facts(subscription):
    """A DescribeEventSubscriptions entry in the module's form."""
    return dict(
        name=subscription.get("CustSubscriptionId"), arn=subscription.get("EventSubscriptionArn"),
        source_type=subscription.get("SourceType"), source_ids=sorted(subscription.get("SourceIdsList") or []),
        categories=sorted(subscription.get("EventCategoriesList") or []), enabled=bool(subscription.get("Enabled")),
        topic_arn=subscription.get("SnsTopicArn"), status=subscription.get("Status"),
    )


def plan_subscriptions(desired, current, managed_names):
    """``dict(add, change, remove, keep)`` for the event subscriptions.

    ``change`` entries are ``(desired, current facts, dict(modify=bool, add_ids=[...], remove_ids=[...], fields=[...]))``;
    ``remove`` lists current facts of managed names (``managed_names``) no longer desired.
    """
    by_name = dict((item["CustSubscriptionId"], subscription_facts(item)) for item in current if item.get("CustSubscriptionId"))
    plan = dict(add=[], change=[], remove=[], keep=[])
    for name in sorted(desired):
        wanted = desired[name]
        existing = by_name.get(name)
        if existing is None:
            plan["add"].append(wanted)
            continue
        fields = [field for field in ("topic_arn", "source_type", "categories", "enabled") if existing[field] != wanted[field]]
        add_ids = sorted(set(wanted["source_ids"]) - set(existing["source_ids"]))
        remove_ids = sorted(set(existing["source_ids"]) - set(wanted["source_ids"]))
        if fields or add_ids or remove_ids:
            plan["change"].append((wanted, existing, dict(modify=bool(fields), fields=fields, add_ids=add_ids, remove_ids=remove_ids)))
        else:
            plan["keep"].append(wanted)
    for name in sorted(managed_names):
        if name not in desired and name in by_name:
            plan["remove"].append(by_name[name])
    return plan
