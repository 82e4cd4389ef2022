# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one Aurora PostgreSQL cluster, its instances and its reader auto scaling (``aurora_cluster``).

Reads first (cluster, instances, and only when they are managed: the global database and the
auto scaling target), validates and plans, and in check mode stops there. Otherwise: create or
modify the cluster, its tags, the instances (writer first on creation, readers together), and
the auto scaling target and policy. ``state: absent`` is in absent.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import compare_tags, dict_to_boto3_tag_list
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora import members, outputs, scaling, versions, waiting
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora.absent import ensure_absent
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora.api import ENGINE, AuroraApi
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora.plan import (
    create_errors,
    create_request,
    modify_plan,
    predicted_cluster,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora.validation import input_errors

# CreateDBInstance / ModifyDBInstance members of the instance settings
INSTANCE_MEMBERS = dict(
    instance_class="DBInstanceClass",
    promotion_tier="PromotionTier",
    db_parameter_group_name="DBParameterGroupName",
    performance_insights="EnablePerformanceInsights",
    performance_insights_retention_period="PerformanceInsightsRetentionPeriod",
    performance_insights_kms_key_id="PerformanceInsightsKMSKeyId",
    monitoring_interval="MonitoringInterval",
    monitoring_role_arn="MonitoringRoleArn",
    auto_minor_version_upgrade="AutoMinorVersionUpgrade",
    availability_zone="AvailabilityZone",
)


def _is_key_arn(value):
    return value.startswith("arn:") and ":key/" in value


class AuroraClusterConverger(Converger):
    """Plan and apply one ``aurora_cluster`` task."""

    def __init__(self, module):
        super(AuroraClusterConverger, self).__init__(module)
        self.identifier = self.params["identifier"].lower()
        self.params["identifier"] = self.identifier
        self.api = None
        self.deadline = waiting.Deadline(self.params["wait_timeout"])

    # -- reading -------------------------------------------------------------------------------
    def connect(self):
        autoscaling = None
        if self.params.get("reader_autoscaling") is not None or self.params["state"] == "absent":
            autoscaling = self.module.client("application-autoscaling")
        self.api = AuroraApi(self.module.client("rds"), autoscaling)

    def read(self):
        cluster = self.step("reading DB cluster %s" % self.identifier, self.api.cluster, self.identifier)
        instances = []
        if cluster is not None:
            instances = self.step("reading the instances of DB cluster %s" % self.identifier, self.api.instances, cluster)
        return cluster, instances

    def read_scaling(self, exists):
        if self.params.get("reader_autoscaling") is None or not exists:
            return None, {}
        return self.step("reading the reader auto scaling of %s" % self.identifier, self.api.scaling,
                         scaling.resource_id(self.identifier), scaling.DIMENSION)

    def resolve_key(self, key):
        """An alias becomes its key's ARN (for comparison with what RDS reports)."""
        if not key or _is_key_arn(key) or not key.startswith(("alias/", "arn:")):
            return key
        kms = self.module.client("kms")
        return self.step("reading KMS key %s" % key, kms.describe_key, KeyId=key)["KeyMetadata"]["Arn"]

    def resolve_version(self, version):
        """The exact version for a major (its default minor), or the version itself once AWS knows it."""
        request = dict(Engine=ENGINE)
        if version is None or versions.is_major_only(version):
            request["DefaultOnly"] = True
        if version is not None:
            request["EngineVersion"] = version
        found = self.step("reading the Aurora PostgreSQL engine versions", self.api.rds.describe_db_engine_versions,
                          **request).get("DBEngineVersions", [])
        found = [item for item in found if version is None or versions.is_major_only(version) or item["EngineVersion"] == version]
        if not found:
            self.fail("engine_version: Aurora PostgreSQL has no version %s in %s; use a supported major such as \"16\""
                      % (version, self.module.session.region))
        return found[0]["EngineVersion"]

    def read_global(self, cluster):
        """``(global cluster or None, secondary)``; fails when membership cannot be what the task asks."""
        wanted = self.params.get("global_cluster_identifier")
        if not wanted:
            return None, False
        found = self.step("reading global database %s" % wanted, self.api.global_cluster, wanted)
        if cluster is None:
            if found is None:
                self.fail("global_cluster_identifier: global database %s does not exist; create it first with "
                          "innovate.aws_postgres.aurora_global_cluster (from the primary cluster, or empty with an engine version)" % wanted)
            return found, any(member["is_writer"] for member in found["members"])
        current = cluster["global_cluster_identifier"]
        if not current:
            self.fail("global_cluster_identifier: cluster %s exists and is not part of global database %s; an existing "
                      "cluster joins a global database only as its primary, with innovate.aws_postgres.aurora_global_cluster "
                      "(source_db_cluster_identifier: %s)" % (self.identifier, wanted, cluster["arn"]))
        if current.rsplit(":", 1)[-1].lower() != wanted.lower():
            self.fail("global_cluster_identifier: cluster %s belongs to global database %s, not %s; detach it first "
                      "(innovate.aws_postgres.aurora_global_cluster state=detach)" % (self.identifier, current, wanted))
        member = next((item for item in (found or {}).get("members", []) if item["db_cluster_arn"] == cluster["arn"]), None)
        return found, member is not None and not member["is_writer"]

    # -- run -------------------------------------------------------------------------------------
    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.connect()
        if self.params["state"] == "absent":
            return ensure_absent(self)
        cluster, instances = self.read()
        if cluster is not None and cluster["engine"] != ENGINE:
            self.fail("identifier: %s is a %s cluster; this module manages %s clusters only" % (self.identifier, cluster["engine"], ENGINE))
        if cluster is None:
            return self.create()
        return self.update(cluster, instances)

    # -- create ----------------------------------------------------------------------------------
    def create(self):
        global_cluster, secondary = self.read_global(None)
        errors = create_errors(self.params, secondary)
        version = self.params.get("engine_version")
        if global_cluster is not None:
            if version and versions.major(version) != versions.major(global_cluster["engine_version"]):
                errors.append("engine_version: %s does not match global database %s, which runs %s"
                              % (version, global_cluster["identifier"], global_cluster["engine_version"]))
            version = version if version and not versions.is_major_only(version) else global_cluster["engine_version"]
        plan = members.plan_members(self.params, self.identifier, [])
        if not plan["create"][0]["instance_class"]:
            errors.append("instance_class: required to create cluster %s (the writer's class, also the readers' default; "
                          "db.serverless for Serverless v2)" % self.identifier)
        errors += ["identifier: the instance name %s derived from the cluster name is longer than 63 characters; "
                   "set writer.identifier / readers[].identifier" % name for name in members.too_long(plan)]
        if errors:
            self.fail(errors)
        version = self.resolve_version(version)
        actions = scaling.plan_scaling(self.identifier, self.params.get("reader_autoscaling"), None, {})
        request = create_request(self.params, version, secondary)
        after_cluster = dict(identifier=self.identifier, engine_version=version, status="creating")
        after_cluster.update((key, self.params.get(key)) for key in outputs.CLUSTER_DIFF_FIELDS if key in self.params)
        after_cluster.update(engine_version=version, tags=dict(self.params.get("tags") or {}),
                             vpc_security_group_ids=sorted(self.params.get("vpc_security_group_ids") or []) or None,
                             manage_master_user_password=bool(self.params.get("manage_master_user_password")))
        after_instances = outputs.predicted_instances([], plan, self.params.get("tags"))
        after_scaling = scaling.predicted(self.identifier, self.params.get("reader_autoscaling"), None, {}, actions)
        result = dict(changed=True, changes=outputs.describe_changes({}, plan, actions, creating=True),
                      diff=dict(before={}, after=dict(cluster=outputs.cluster_view(after_cluster),
                                                      instances=[outputs.instance_view(item) for item in after_instances],
                                                      reader_autoscaling=after_scaling)))
        if secondary:
            ignored = [option for option in ("master_username", "database_name", "manage_master_user_password")
                       if self.params.get(option)]
            if ignored:
                self.module.warn("%s: not used for a secondary cluster of a global database (it uses the primary's)" % ", ".join(ignored))
        if self.check_mode:
            result.update(self.outputs(after_cluster, after_instances, after_scaling))
            return result
        self.write("create cluster", "creating DB cluster %s" % self.identifier, self.api.rds.create_db_cluster, **request)
        if self.params["wait"] or plan["create"]:
            self.step("waiting for DB cluster %s" % self.identifier, waiting.cluster_available, self.api, self.identifier, self.deadline)
        self.apply_members(plan)
        self.apply_scaling(actions)
        return self.finish(result)

    # -- update ----------------------------------------------------------------------------------
    def update(self, cluster, instances):
        global_cluster, secondary = self.read_global(cluster)
        del global_cluster
        params = dict(self.params)
        params["kms_key_id"] = self.resolve_key(params.get("kms_key_id")) if cluster["storage_encrypted"] else params.get("kms_key_id")
        if cluster["manage_master_user_password"]:
            params["master_user_secret_kms_key_id"] = self.resolve_key(params.get("master_user_secret_kms_key_id"))
        request, changes, errors = modify_plan(params, cluster, secondary)
        plan = members.plan_members(self.params, self.identifier, instances)
        errors += ["identifier: the instance name %s derived from the cluster name is longer than 63 characters; "
                   "set readers[].identifier" % name for name in members.too_long(plan)]
        if errors:
            self.fail(errors)
        if request and "EngineVersion" in request:
            request["EngineVersion"] = self.resolve_version(request["EngineVersion"])
            changes["engine_version"] = (cluster["engine_version"], request["EngineVersion"])
        tags_to_set, tags_to_remove = compare_tags(cluster["tags"], self.params.get("tags"), self.params["purge_tags"])
        target, policies = self.read_scaling(True)
        actions = scaling.plan_scaling(self.identifier, self.params.get("reader_autoscaling"), target, policies)
        tags_after = dict(cluster["tags"])
        for key in tags_to_remove:
            tags_after.pop(key, None)
        tags_after.update(tags_to_set)
        if tags_to_set or tags_to_remove:
            changes["tags"] = (cluster["tags"], tags_after)
        before_scaling = scaling.predicted(self.identifier, None, target, policies, [])
        after_scaling = scaling.predicted(self.identifier, self.params.get("reader_autoscaling"), target, policies, actions)
        after_cluster = predicted_cluster(cluster, changes, tags_after)
        after_instances = outputs.predicted_instances(instances, plan, self.params.get("tags"))
        changed = bool(request or tags_to_set or tags_to_remove or actions or plan["create"] or plan["modify"]
                       or plan["delete"] or plan["tags"])
        result = dict(changed=changed, changes=outputs.describe_changes(changes, plan, actions))
        result["diff"] = dict(
            before=dict(cluster=outputs.cluster_view(cluster), instances=[outputs.instance_view(item) for item in instances],
                        reader_autoscaling=before_scaling),
            after=dict(cluster=outputs.cluster_view(after_cluster),
                       instances=[outputs.instance_view(item) for item in after_instances],
                       reader_autoscaling=after_scaling))
        if self.check_mode or not changed:
            result.update(self.outputs(after_cluster if self.check_mode else cluster,
                                       after_instances if self.check_mode else instances,
                                       after_scaling if self.check_mode else before_scaling))
            return result
        if request:
            self.write("modify cluster", "modifying DB cluster %s" % self.identifier, self.api.rds.modify_db_cluster, **request)
            if self.params["wait"]:
                self.step("waiting for DB cluster %s" % self.identifier, waiting.cluster_available, self.api, self.identifier, self.deadline)
        if tags_to_remove:
            self.write("remove cluster tags", "removing tags from DB cluster %s" % self.identifier,
                       self.api.rds.remove_tags_from_resource, ResourceName=cluster["arn"], TagKeys=tags_to_remove)
        if tags_to_set:
            self.write("set cluster tags", "tagging DB cluster %s" % self.identifier,
                       self.api.rds.add_tags_to_resource, ResourceName=cluster["arn"], Tags=dict_to_boto3_tag_list(tags_to_set))
        self.apply_members(plan)
        self.apply_scaling(actions)
        return self.finish(result)

    # -- applying --------------------------------------------------------------------------------
    def create_instance(self, member):
        request = dict(DBInstanceIdentifier=member["identifier"], DBClusterIdentifier=self.identifier, Engine=ENGINE,
                       PubliclyAccessible=False, Tags=dict_to_boto3_tag_list(self.params.get("tags")))
        for field, name in INSTANCE_MEMBERS.items():
            value = member.get(field)
            if value is None or (field.startswith("performance_insights_") and not member.get("performance_insights")):
                continue
            if field == "monitoring_role_arn" and not member.get("monitoring_interval"):
                continue
            request[name] = value
        self.write("create %s %s" % (member["role"], member["identifier"]), "creating %s %s of DB cluster %s"
                   % (member["role"], member["identifier"], self.identifier), self.api.rds.create_db_instance, **request)

    def apply_members(self, plan):
        writer = [member for member in plan["create"] if member["role"] == "writer"]
        readers = [member for member in plan["create"] if member["role"] == "reader"]
        for member in writer:
            self.create_instance(member)
        if writer and readers:
            # the first instance becomes the writer: readers only after it exists
            self.step("waiting for the writer of DB cluster %s" % self.identifier, waiting.instances_settled,
                      self.api, self.identifier, [member["identifier"] for member in writer], [], self.deadline)
        for change in plan["modify"]:
            request = dict(DBInstanceIdentifier=change["identifier"], ApplyImmediately=bool(self.params.get("apply_immediately")))
            for field, (_before, value) in change["changes"].items():
                request[INSTANCE_MEMBERS[field]] = value
            if request.get("MonitoringInterval") and "MonitoringRoleArn" not in request and self.params.get("monitoring_role_arn"):
                request["MonitoringRoleArn"] = self.params["monitoring_role_arn"]
            if request.get("EnablePerformanceInsights") and self.params.get("performance_insights_kms_key_id"):
                request["PerformanceInsightsKMSKeyId"] = self.params["performance_insights_kms_key_id"]
            self.write("modify %s %s" % (change["role"], change["identifier"]), "modifying instance %s of DB cluster %s"
                       % (change["identifier"], self.identifier), self.api.rds.modify_db_instance, **request)
        for member in readers:
            self.create_instance(member)
        for member in plan["delete"]:
            self.write("delete reader %s" % member["identifier"], "deleting reader %s of DB cluster %s" % (member["identifier"], self.identifier),
                       self.api.rds.delete_db_instance, DBInstanceIdentifier=member["identifier"], SkipFinalSnapshot=True)
        for change in plan["tags"]:
            if change["remove"]:
                self.write("remove tags of %s" % change["identifier"], "removing tags from instance %s" % change["identifier"],
                           self.api.rds.remove_tags_from_resource, ResourceName=change["arn"], TagKeys=change["remove"])
            if change["set"]:
                self.write("set tags of %s" % change["identifier"], "tagging instance %s" % change["identifier"],
                           self.api.rds.add_tags_to_resource, ResourceName=change["arn"], Tags=dict_to_boto3_tag_list(change["set"]))
        if self.params["wait"]:
            available = [member["identifier"] for member in plan["create"]] + [change["identifier"] for change in plan["modify"]]
            self.step("waiting for the instances of DB cluster %s" % self.identifier, waiting.instances_settled, self.api,
                      self.identifier, available, [member["identifier"] for member in plan["delete"]], self.deadline)

    def apply_scaling(self, actions):
        client = self.api.autoscaling
        calls = dict(register=client.register_scalable_target if client else None,
                     put_policy=client.put_scaling_policy if client else None,
                     delete_policy=client.delete_scaling_policy if client else None,
                     deregister=client.deregister_scalable_target if client else None)
        for kind, kwargs in actions:
            self.write("reader auto scaling: %s" % kind, "%s the reader auto scaling of DB cluster %s"
                       % (kind.replace("_", " "), self.identifier), calls[kind], **kwargs)

    def finish(self, result):
        cluster, instances = self.read()
        target, policies = self.read_scaling(cluster is not None)
        name = scaling.policy_name(self.identifier, self.params["reader_autoscaling"]) if self.params.get("reader_autoscaling") else None
        summary = scaling.summarize(target, policies.get(name) if name else None)
        result.update(self.outputs(cluster, instances, summary))
        return result

    def outputs(self, cluster, instances, autoscaling):
        instance_results = [outputs.instance_result(item) for item in instances]
        writer = next((item["identifier"] for item in instances if item["role"] == "writer"), None)
        result_cluster = dict(cluster or {})
        result_cluster.pop("members", None)
        return dict(
            cluster=result_cluster,
            instances=instance_results,
            writer=writer,
            readers=[item["identifier"] for item in instances if item["role"] == "reader"],
            reader_autoscaling=autoscaling,
        )
