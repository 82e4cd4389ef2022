# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``state: absent`` of ``aurora_cluster``: remove auto scaling, leave the global database, delete
the readers, then the writer, then the cluster (with a final snapshot unless skipped).

Deletion protection is only turned off with ``force_disable_deletion_protection: true``; a primary
cluster of a global database that still has secondaries is refused.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora import outputs, scaling, waiting


def final_snapshot_identifier(converger):
    given = converger.params.get("final_snapshot_identifier")
    if given:
        return given
    return "%s-final-%s" % (converger.identifier, time.strftime("%Y%m%d%H%M%S", time.gmtime()))


def _global_plan(converger, cluster):
    """``(global identifier or None)`` to leave, failing when the cluster cannot leave it."""
    current = cluster.get("global_cluster_identifier")
    if not current:
        return None
    found = converger.step("reading global database %s" % current, converger.api.global_cluster, current)
    if found is None:
        return None
    others = [member for member in found["members"] if member["db_cluster_arn"] != cluster["arn"]]
    me = next((member for member in found["members"] if member["db_cluster_arn"] == cluster["arn"]), None)
    if me is not None and me["is_writer"] and others:
        converger.fail("cluster %s is the primary of global database %s, which still has secondary clusters (%s); "
                       "delete or detach them first (innovate.aws_postgres.aurora_global_cluster state=detach)"
                       % (converger.identifier, found["identifier"], ", ".join(member["db_cluster_arn"] for member in others)))
    return found["identifier"] if me is not None else None


def ensure_absent(converger):
    params = converger.params
    api = converger.api
    cluster, instances = converger.read()
    if cluster is None:
        return dict(changed=False, cluster=None, instances=[], writer=None, readers=[], reader_autoscaling=None,
                    changes=[], deleted=None)
    if cluster["deletion_protection"] and not params["force_disable_deletion_protection"]:
        converger.fail("cluster %s has deletion protection; nothing was deleted. Set force_disable_deletion_protection=true "
                       "to turn it off and delete the cluster, or deletion_protection=false in an earlier task" % converger.identifier)
    leave = _global_plan(converger, cluster)
    target, policies = converger.step("reading the reader auto scaling of %s" % converger.identifier, api.scaling,
                                      scaling.resource_id(converger.identifier), scaling.DIMENSION)
    actions = scaling.plan_scaling(converger.identifier, dict(enabled=False), target, policies)
    readers = [item for item in instances if item["role"] != "writer"]
    writers = [item for item in instances if item["role"] == "writer"]
    snapshot = None if params["skip_final_snapshot"] else final_snapshot_identifier(converger)
    changes = []
    if cluster["deletion_protection"]:
        changes.append("turn off deletion protection")
    changes += outputs.describe_changes({}, dict(create=[], modify=[], delete=[], tags=[]), actions)
    if leave:
        changes.append("remove from global database %s" % leave)
    changes += ["delete %s %s" % (item["role"], item["identifier"]) for item in readers + writers]
    changes.append("delete cluster%s" % (" (final snapshot %s)" % snapshot if snapshot else " without a final snapshot"))
    result = dict(changed=True, changes=changes, cluster=None, instances=[], writer=None, readers=[], reader_autoscaling=None,
                  deleted=dict(identifier=cluster["identifier"], arn=cluster["arn"], final_snapshot_identifier=snapshot,
                               instances=[item["identifier"] for item in instances]),
                  diff=dict(before=dict(cluster=outputs.cluster_view(cluster),
                                        instances=[outputs.instance_view(item) for item in instances]), after={}))
    if converger.check_mode:
        return result
    rds = api.rds
    if cluster["deletion_protection"]:
        converger.write("turn off deletion protection", "turning off deletion protection of DB cluster %s" % converger.identifier,
                        rds.modify_db_cluster, DBClusterIdentifier=converger.identifier, DeletionProtection=False, ApplyImmediately=True)
    converger.apply_scaling(actions)
    if leave:
        converger.write("remove from global database", "removing DB cluster %s from global database %s" % (converger.identifier, leave),
                        rds.remove_from_global_cluster, GlobalClusterIdentifier=leave, DbClusterIdentifier=cluster["arn"])
    for item in readers + writers:
        converger.write("delete %s" % item["identifier"], "deleting instance %s of DB cluster %s" % (item["identifier"], converger.identifier),
                        rds.delete_db_instance, DBInstanceIdentifier=item["identifier"], SkipFinalSnapshot=True)
    converger.step("waiting for the instances of DB cluster %s to be deleted" % converger.identifier, waiting.instances_settled,
                   api, converger.identifier, [], [item["identifier"] for item in instances], converger.deadline)
    request = dict(DBClusterIdentifier=converger.identifier)
    if snapshot:
        request["FinalDBSnapshotIdentifier"] = snapshot
    else:
        request["SkipFinalSnapshot"] = True
    converger.write("delete cluster", "deleting DB cluster %s" % converger.identifier, rds.delete_db_cluster, **request)
    if params["wait"]:
        converger.step("waiting for DB cluster %s to be deleted" % converger.identifier, waiting.cluster_gone, api,
                       converger.identifier, converger.deadline)
    return result
