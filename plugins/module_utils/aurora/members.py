# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which instances of a cluster to create, modify and delete.

The writer is the instance AWS reports with ``IsClusterWriter``, whatever its name: the ``writer``
settings apply to it and it is never deleted, so ``readers: []`` only ever removes readers, and a
failover (which makes a reader the writer) does not make the next run move anything back.

Reader declarations are matched to existing readers: first by ``identifier``; a declaration
naming the current writer (after a failover) or naming nothing takes the remaining readers in
identifier order; a declaration naming an instance that does not exist creates it. Readers left
over are deleted when ``purge_readers`` is true. Readers that Application Auto Scaling added
(``application-autoscaling-*``) are never matched, modified or deleted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import compare_tags

MAX_IDENTIFIER = 63


def derive_identifier(cluster_identifier, taken):
    """The first free ``<cluster>-<n>`` name (n from 1)."""
    number = 1
    while "%s-%d" % (cluster_identifier, number) in taken:
        number += 1
    return "%s-%d" % (cluster_identifier, number)


def instance_settings(params):
    """The settings every instance of the cluster shares (None: not managed)."""
    return dict(
        db_parameter_group_name=params.get("db_parameter_group_name"),
        performance_insights=params.get("performance_insights"),
        performance_insights_retention_period=params.get("performance_insights_retention_period"),
        performance_insights_kms_key_id=params.get("performance_insights_kms_key_id"),
        monitoring_interval=params.get("monitoring_interval"),
        monitoring_role_arn=params.get("monitoring_role_arn"),
        auto_minor_version_upgrade=params.get("auto_minor_version_upgrade"),
    )


def _changes(instance, spec, shared, default_class):
    """{field: (before, after)} for one existing instance."""
    changes = {}
    wanted_class = spec.get("instance_class") or default_class
    if wanted_class and wanted_class not in (instance["instance_class"], instance.get("pending_instance_class")):
        changes["instance_class"] = (instance["instance_class"], wanted_class)
    tier = spec.get("promotion_tier")
    if tier is not None and tier != instance["promotion_tier"]:
        changes["promotion_tier"] = (instance["promotion_tier"], tier)
    group = shared.get("db_parameter_group_name")
    if group and group.lower() != (instance["db_parameter_group_name"] or "").lower():
        changes["db_parameter_group_name"] = (instance["db_parameter_group_name"], group)
    enabled = shared.get("performance_insights")
    if enabled is not None and enabled != instance["performance_insights"]:
        changes["performance_insights"] = (instance["performance_insights"], enabled)
    retention = shared.get("performance_insights_retention_period")
    if (enabled or (enabled is None and instance["performance_insights"])) and retention is not None \
            and retention != instance["performance_insights_retention_period"]:
        changes["performance_insights_retention_period"] = (instance["performance_insights_retention_period"], retention)
    interval = shared.get("monitoring_interval")
    if interval is not None and interval != instance["monitoring_interval"]:
        changes["monitoring_interval"] = (instance["monitoring_interval"], interval)
    role = shared.get("monitoring_role_arn")
    if role and (interval or instance["monitoring_interval"]) and role != instance["monitoring_role_arn"]:
        changes["monitoring_role_arn"] = (instance["monitoring_role_arn"], role)
    minor = shared.get("auto_minor_version_upgrade")
    if minor is not None and minor != instance["auto_minor_version_upgrade"]:
        changes["auto_minor_version_upgrade"] = (instance["auto_minor_version_upgrade"], minor)
    return changes


def _match_readers(specs, readers, writer_identifier):
    """``(pairs, to_create_specs, leftover_readers)``."""
    unmatched = sorted(readers, key=lambda item: item["identifier"])
    pairs, positional, to_create = [], [], []
    existing_names = set(item["identifier"] for item in readers)
    for spec in specs:
        name = spec.get("identifier")
        found = next((item for item in unmatched if name and item["identifier"] == name), None)
        if found is not None:
            pairs.append((spec, found))
            unmatched.remove(found)
        elif name and name != writer_identifier and name not in existing_names:
            to_create.append(spec)
        else:
            positional.append(spec)
    for spec in positional:
        if unmatched:
            pairs.append((spec, unmatched.pop(0)))
        else:
            to_create.append(dict(spec, identifier=None) if spec.get("identifier") == writer_identifier else spec)
    return pairs, to_create, unmatched


def plan_members(params, cluster_identifier, instances):
    """The instance plan: dict(create=[...], modify=[...], delete=[...], tags=[...], writer=name)."""
    shared = instance_settings(params)
    default_class = params.get("instance_class")
    writer_spec = params.get("writer") or {}
    writer = next((item for item in instances if item["role"] == "writer"), None)
    managed = [item for item in instances if not item["autoscaled"]]
    readers = [item for item in managed if item["role"] == "reader"]
    taken = set(item["identifier"] for item in instances)
    plan = dict(create=[], modify=[], delete=[], tags=[], writer=writer["identifier"] if writer else None)

    def new_member(spec, role):
        name = spec.get("identifier") or derive_identifier(cluster_identifier, taken)
        taken.add(name)
        member = dict(identifier=name, role=role, instance_class=spec.get("instance_class") or default_class,
                      availability_zone=spec.get("availability_zone"), promotion_tier=spec.get("promotion_tier"))
        member.update(shared)
        plan["create"].append(member)
        return member

    if writer is None:
        plan["writer"] = new_member(writer_spec, "writer")["identifier"]
    else:
        changes = _changes(writer, writer_spec, shared, default_class)
        if changes:
            plan["modify"].append(dict(identifier=writer["identifier"], role="writer", changes=changes))
    if params.get("readers") is None:
        pairs = [({}, item) for item in readers]
    else:
        pairs, to_create, leftover = _match_readers(params["readers"], readers, writer["identifier"] if writer else None)
        for spec in to_create:
            new_member(spec, "reader")
        if params.get("purge_readers", True):
            plan["delete"] = [dict(identifier=item["identifier"], role="reader") for item in leftover]
    for spec, item in pairs:
        changes = _changes(item, spec, shared, None if params.get("readers") is None and not spec else default_class)
        if changes:
            plan["modify"].append(dict(identifier=item["identifier"], role="reader", changes=changes))
    deleted = set(item["identifier"] for item in plan["delete"])
    for item in managed:
        if item["identifier"] in deleted:
            continue
        to_set, to_remove = compare_tags(item["tags"], params.get("tags"), params.get("purge_tags", True))
        if to_set or to_remove:
            plan["tags"].append(dict(identifier=item["identifier"], arn=item["arn"], set=to_set, remove=to_remove))
    return plan


def too_long(plan):
    return [member["identifier"] for member in plan["create"] if len(member["identifier"]) > MAX_IDENTIFIER]
