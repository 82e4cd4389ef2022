# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converging one RDS -> Aurora PostgreSQL migration to its state: replicating, promoted, repointed or absent.

Every state reads first and acts only on a difference (a re-run changes nothing); check mode computes the
plan (RV(actions)) and changes nothing. Route 53 and secret re-pointing reuse rds_failover's repoint functions.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora_migration import api, spec
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import dict_to_boto3_tag_list
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.waiters import AwsWaitTimeout, poll_until
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover import repoint

POLL_SECONDS = 5


class MigrationConverger(object):
    def __init__(self, module, delay=POLL_SECONDS):
        self.module = module
        self.params = module.params
        self.region = module.params.get("region")
        self.delay = delay
        self.identifier = module.params["db_cluster_identifier"]
        self.result = {"changed": False, "phase": None, "actions": [], "cluster": None, "source": None,
                       "replication_lag_seconds": None, "route53_change": None, "secret_changes": []}
        self._rds = None

    # -- helpers ------------------------------------------------------------------------------
    def fail(self, msg):
        self.module.fail_json(msg=msg, **self.result)

    def call(self, function, doing, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except AWS_EXCEPTIONS as e:
            self.module.fail_aws(e, doing=doing, **self.result)
        except repoint.RepointError as e:
            self.fail(str(e))
        return None

    @property
    def rds(self):
        if self._rds is None:
            self._rds = self.module.client("rds")
        return self._rds

    def wait_for(self, describe, done, what):
        try:
            return poll_until(lambda: self.call(describe, "waiting for %s" % what), done, self.params["wait_timeout"],
                              delay=self.delay, what=what)
        except AwsWaitTimeout as e:
            self.fail(str(e))
        return None

    def cluster(self):
        return self.call(api.describe_cluster, "describing DB cluster %s" % self.identifier, self.rds, self.identifier)

    def source(self, required=True):
        identifier = self.params.get("source_db_instance_identifier")
        if not identifier:
            return None
        instance = self.call(api.describe_instance, "describing DB instance %s" % identifier, self.rds, identifier)
        if required:
            errors = api.source_problems(instance, identifier, self.region)
            if errors:
                self.fail("; ".join(errors))
        self.result["source"] = api.instance_summary(instance)
        return instance

    def act(self, action):
        self.result["actions"].append(action)
        self.result["changed"] = True
        return not self.module.check_mode

    def finish(self, cluster):
        self.result["cluster"] = api.cluster_summary(cluster)
        if cluster is None:
            self.result["phase"] = "absent"
        else:
            self.result["phase"] = "replicating" if cluster.get("ReplicationSourceIdentifier") else "promoted"
        return self.result

    def check_cluster(self, cluster, source):
        """Fail when an existing cluster is not this migration's (other engine, other source)."""
        if cluster is None:
            return
        if cluster.get("Engine") != api.AURORA:
            self.fail("db_cluster_identifier: DB cluster %s exists with engine %s, not %s" % (self.identifier, cluster.get("Engine"), api.AURORA))
        replicating_from = cluster.get("ReplicationSourceIdentifier")
        if source is not None and replicating_from and replicating_from != source["DBInstanceArn"]:
            self.fail("db_cluster_identifier: DB cluster %s replicates from %s, not from source_db_instance_identifier %s"
                      % (self.identifier, replicating_from, source["DBInstanceArn"]))
        migrated_from = api.tags_of(cluster).get(spec.SOURCE_TAG)
        if source is not None and not replicating_from and migrated_from not in (None, source["DBInstanceIdentifier"]):
            self.fail("db_cluster_identifier: DB cluster %s was migrated from %s (tag %s), not from %s"
                      % (self.identifier, migrated_from, spec.SOURCE_TAG, source["DBInstanceIdentifier"]))

    # -- states -------------------------------------------------------------------------------
    def run(self):
        errors = spec.problems(self.params)
        if errors:
            self.fail("; ".join(errors))
        return getattr(self, "state_" + self.params["state"])()

    def state_replicating(self):
        source = self.source()
        version = self.params.get("engine_version")
        if version and api.major_version(version) != api.major_version(source["EngineVersion"]):
            self.fail("engine_version %s: an Aurora read replica must have the major version of its source; DB instance %s runs %s"
                      " (use engine_version %s, and upgrade after the migration)"
                      % (version, source["DBInstanceIdentifier"], source["EngineVersion"], api.major_version(source["EngineVersion"])))
        if source.get("DBInstanceStatus") != "available":
            self.fail("source_db_instance_identifier: DB instance %s is %s; it must be available"
                      % (source["DBInstanceIdentifier"], source.get("DBInstanceStatus")))
        cluster = self.cluster()
        self.check_cluster(cluster, source)
        if cluster is not None and not cluster.get("ReplicationSourceIdentifier"):
            self.module.warn("DB cluster %s no longer replicates (it was promoted); nothing to do for state=replicating" % self.identifier)
            return self.finish(cluster)
        if cluster is None and self.act("create DB cluster %s replicating from %s" % (self.identifier, source["DBInstanceIdentifier"])):
            self.call(self.rds.create_db_cluster, "creating DB cluster %s" % self.identifier, **self.create_arguments(source))
            cluster = self.cluster()
        writer = self.params.get("writer_instance_identifier") or "%s-1" % self.identifier
        members = (cluster or {}).get("DBClusterMembers", [])
        if not members and self.act("create writer instance %s" % writer):
            self.call(self.rds.create_db_instance, "creating DB instance %s" % writer,
                      DBInstanceIdentifier=writer, DBClusterIdentifier=self.identifier, Engine=api.AURORA,
                      DBInstanceClass=self.params.get("writer_instance_class") or source["DBInstanceClass"],
                      Tags=dict_to_boto3_tag_list(self.params["tags"]))
        if self.module.check_mode and self.result["changed"]:
            return self.finish(cluster)
        cluster = self.wait_available() if self.params["wait"] else self.cluster()
        self.measure_lag(cluster)
        return self.finish(cluster)

    def create_arguments(self, source):
        arguments = dict(DBClusterIdentifier=self.identifier, Engine=api.AURORA, ReplicationSourceIdentifier=source["DBInstanceArn"],
                         EngineVersion=self.params.get("engine_version") or api.major_version(source["EngineVersion"]),
                         Tags=dict_to_boto3_tag_list(dict(self.params["tags"], **{spec.SOURCE_TAG: source["DBInstanceIdentifier"]})))
        for option, name in (("db_subnet_group_name", "DBSubnetGroupName"), ("vpc_security_group_ids", "VpcSecurityGroupIds"),
                             ("db_cluster_parameter_group_name", "DBClusterParameterGroupName"), ("kms_key_id", "KmsKeyId")):
            if self.params.get(option):
                arguments[name] = self.params[option]
        # by default the cluster joins the source's network: its subnet group and security groups
        subnet_group = (source.get("DBSubnetGroup") or {}).get("DBSubnetGroupName")
        if "DBSubnetGroupName" not in arguments and subnet_group:
            arguments["DBSubnetGroupName"] = subnet_group
        groups = [group["VpcSecurityGroupId"] for group in source.get("VpcSecurityGroups", []) if group.get("VpcSecurityGroupId")]
        if "VpcSecurityGroupIds" not in arguments and groups:
            arguments["VpcSecurityGroupIds"] = groups
        if self.params.get("kms_key_id") or source.get("StorageEncrypted"):
            arguments["StorageEncrypted"] = True
        return arguments

    def wait_available(self):
        def ready(cluster):
            members = (cluster or {}).get("DBClusterMembers", [])
            return cluster is not None and cluster.get("Status") == "available" and bool(members)

        cluster = self.wait_for(self.cluster, ready, "DB cluster %s to be available with its writer" % self.identifier)
        for member in cluster.get("DBClusterMembers", []):
            identifier = member["DBInstanceIdentifier"]
            self.wait_for(lambda name=identifier: api.describe_instance(self.rds, name),
                          lambda instance: instance is not None and instance.get("DBInstanceStatus") == "available",
                          "DB instance %s to be available" % identifier)
        return cluster

    def measure_lag(self, cluster):
        """ReplicaLag of the writer (CloudWatch); with max_replication_lag_seconds, wait until it is within it."""
        summary = api.cluster_summary(cluster)
        if not summary or not summary["writer"] or not cluster.get("ReplicationSourceIdentifier"):
            return
        cloudwatch = self.module.client("cloudwatch")

        def sample():
            value = api.latest_metric(cloudwatch, "ReplicaLag", "DBInstanceIdentifier", summary["writer"])
            self.result["replication_lag_seconds"] = None if value is None else round(float(value), 3)
            return self.result["replication_lag_seconds"]

        limit = self.params.get("max_replication_lag_seconds")
        if limit is None or not self.params["wait"]:
            self.call(sample, "reading the ReplicaLag metric of %s" % summary["writer"])
            return
        try:
            poll_until(lambda: self.call(sample, "reading the ReplicaLag metric of %s" % summary["writer"]),
                       lambda lag: lag is not None and lag <= limit, self.params["wait_timeout"], delay=self.delay,
                       what="the replication lag of %s to be at most max_replication_lag_seconds=%d" % (summary["writer"], limit),
                       state_of=lambda lag: "ReplicaLag %s" % ("not reported" if lag is None else "%ss" % lag))
        except AwsWaitTimeout as e:
            self.result["cluster"] = summary
            self.fail("%s; the cluster keeps replicating: wait, or raise max_replication_lag_seconds" % e)

    def state_promoted(self):
        self.source(required=False)
        cluster = self.cluster()
        if cluster is None:
            self.fail("db_cluster_identifier: DB cluster %s was not found in %s; create it with state=replicating first"
                      % (self.identifier, self.region))
        self.check_cluster(cluster, None)
        if not cluster.get("ReplicationSourceIdentifier"):
            return self.finish(cluster)
        if cluster.get("Status") != "available" and not self.params["wait"]:
            self.fail("DB cluster %s is %s; it must be available to be promoted" % (self.identifier, cluster.get("Status")))
        if self.act("promote DB cluster %s (stop replicating from %s)" % (self.identifier, cluster["ReplicationSourceIdentifier"])):
            cluster = self.wait_available()
            self.call(self.rds.promote_read_replica_db_cluster, "promoting DB cluster %s" % self.identifier,
                      DBClusterIdentifier=self.identifier)
            if self.params["wait"]:
                cluster = self.wait_for(self.cluster, lambda found: found is not None and found.get("Status") == "available"
                                        and not found.get("ReplicationSourceIdentifier"),
                                        "DB cluster %s to be promoted" % self.identifier)
            else:
                cluster = self.cluster()
        return self.finish(cluster)

    def state_repointed(self):
        source = self.source(required=False)
        cluster = self.cluster()
        if self.params["repoint_target"] == "cluster":
            if cluster is None:
                self.fail("db_cluster_identifier: DB cluster %s was not found in %s; nothing to point at" % (self.identifier, self.region))
            if cluster.get("ReplicationSourceIdentifier"):
                self.fail("DB cluster %s still replicates from %s (read-only); promote it (state=promoted) before pointing clients at it"
                          % (self.identifier, cluster["ReplicationSourceIdentifier"]))
            target = {"endpoint_address": cluster.get("Endpoint"), "endpoint_port": cluster.get("Port")}
        else:
            if source is None:
                self.fail("source_db_instance_identifier: DB instance %s was not found in %s"
                          % (self.params["source_db_instance_identifier"], self.region))
            endpoint = source.get("Endpoint") or {}
            target = {"endpoint_address": endpoint.get("Address"), "endpoint_port": endpoint.get("Port")}
        self.repoint(target)
        return self.finish(cluster)

    def repoint(self, target):
        # every record and secret is checked before the first is written
        if self.params.get("route53"):
            self.call(repoint.check_route53, "reading Route 53 hosted zone %s" % (
                self.params["route53"].get("hosted_zone_id") or self.params["route53"].get("zone_name")),
                self.module.client("route53"), self.params["route53"])
        default_region = self.params.get("secrets_region") or self.region
        for secret_id in self.params["secrets"]:
            self.call(repoint.read_secret, "reading secret %s" % secret_id,
                      self.module.client("secretsmanager", repoint.secret_region(secret_id, default_region)), secret_id)
        if self.params.get("route53"):
            change = self.call(repoint.route53_change, "re-pointing Route 53 record %s" % self.params["route53"]["record_name"],
                               self.module.client("route53"), self.params["route53"], target["endpoint_address"], self.module.check_mode,
                               wait=self.params["wait"], waiter=self.route53_waiter)
            self.result["route53_change"] = change
            if change["changed"]:
                self.act("point Route 53 record %s at %s" % (change["record_name"], target["endpoint_address"]))
        for secret_id in self.params["secrets"]:
            client = self.module.client("secretsmanager", repoint.secret_region(secret_id, default_region))
            change = self.call(repoint.repoint_secret, "re-pointing secret %s" % secret_id, client, secret_id, target, self.module.check_mode)
            self.result["secret_changes"].append(change)
            if change["changed"]:
                self.act("point secret %s at %s:%s" % (secret_id, target["endpoint_address"], target["endpoint_port"]))

    def route53_waiter(self, describe, done, what, state_of):
        try:
            return poll_until(lambda: self.call(describe, "waiting for %s" % what), done, self.params["wait_timeout"],
                              delay=self.delay, what=what, state_of=state_of)
        except AwsWaitTimeout as e:
            self.fail(str(e))
        return None

    def state_absent(self):
        source = self.source(required=False)
        cluster = self.cluster()
        if cluster is None:
            return self.finish(None)
        self.check_cluster(cluster, source)
        migrated_from = api.tags_of(cluster).get(spec.SOURCE_TAG)
        if not migrated_from and not cluster.get("ReplicationSourceIdentifier"):
            self.fail("DB cluster %s was not created by aurora_migration (no %s tag and no replication source); it is not deleted"
                      % (self.identifier, spec.SOURCE_TAG))
        if cluster.get("DeletionProtection"):
            self.fail("DB cluster %s has deletion protection on; turn it off (aurora_cluster deletion_protection: false) to roll back"
                      % self.identifier)
        for member in cluster.get("DBClusterMembers", []):
            if self.act("delete DB instance %s" % member["DBInstanceIdentifier"]):
                self.call(self.rds.delete_db_instance, "deleting DB instance %s" % member["DBInstanceIdentifier"],
                          DBInstanceIdentifier=member["DBInstanceIdentifier"], SkipFinalSnapshot=True)
        final = self.params.get("final_snapshot_identifier")
        if self.act("delete DB cluster %s%s" % (self.identifier, " (final snapshot %s)" % final if final else "")):
            arguments = dict(FinalDBSnapshotIdentifier=final) if final else dict(SkipFinalSnapshot=True)
            self.call(self.rds.delete_db_cluster, "deleting DB cluster %s" % self.identifier, DBClusterIdentifier=self.identifier, **arguments)
            if self.params["wait"]:
                self.wait_for(self.cluster, lambda found: found is None, "DB cluster %s to be deleted" % self.identifier)
        self.result["cluster"] = api.cluster_summary(cluster)
        self.result["phase"] = "absent"
        return self.result
