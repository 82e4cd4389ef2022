# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one Aurora global database (the work of ``aurora_global_cluster``).

``present`` creates it from an existing primary cluster or empty (engine version), and keeps its
deletion protection and engine version; ``detach`` removes one member cluster, which becomes a
standalone cluster; ``absent`` detaches every member (secondaries first) and deletes it. Member
clusters themselves are never deleted here (that is ``aurora_cluster state=absent``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.waiters import poll_until
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora import versions, waiting
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora.api import ENGINE, AuroraApi
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora.validation import identifier_errors

VIEW_FIELDS = ("engine", "engine_version", "storage_encrypted", "deletion_protection", "members")


def view(global_cluster):
    if global_cluster is None:
        return {}
    result = dict((field, global_cluster.get(field)) for field in VIEW_FIELDS)
    result["members"] = [dict(db_cluster_arn=member["db_cluster_arn"], is_writer=member["is_writer"])
                         for member in global_cluster.get("members") or []]
    return result


def input_errors(params):
    errors = identifier_errors(params["global_cluster_identifier"], "global_cluster_identifier")
    version = params.get("engine_version")
    if version is not None and not versions.is_valid(version):
        errors.append("engine_version: %r is not a version; use a major version such as \"16\" or an exact one such as \"16.4\"" % version)
    state = params["state"]
    if state == "detach" and not params.get("db_cluster_identifier"):
        errors.append("db_cluster_identifier: required with state=detach (the member cluster to detach, by ARN or identifier)")
    if state != "detach" and params.get("db_cluster_identifier"):
        errors.append("db_cluster_identifier: only used with state=detach; remove it (use source_db_cluster_identifier "
                      "to create a global database from a cluster)")
    if state == "present" and params.get("source_db_cluster_identifier") and params.get("storage_encrypted") is not None:
        errors.append("storage_encrypted: not used with source_db_cluster_identifier (the global database inherits the "
                      "source cluster's encryption); remove it")
    return errors


class AuroraGlobalClusterConverger(Converger):
    def __init__(self, module):
        super(AuroraGlobalClusterConverger, self).__init__(module)
        self.identifier = self.params["global_cluster_identifier"].lower()
        self.api = None
        self.deadline = waiting.Deadline(self.params["wait_timeout"])

    def read(self):
        return self.step("reading global database %s" % self.identifier, self.api.global_cluster, self.identifier)

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.api = AuroraApi(self.module.client("rds"))
        current = self.read()
        state = self.params["state"]
        if state == "absent":
            return self.ensure_absent(current)
        if state == "detach":
            return self.detach(current)
        return self.ensure_present(current)

    def result(self, changed, before, after, changes, **extra):
        result = dict(changed=changed, global_cluster=after, changes=changes, diff=dict(before=view(before), after=view(after)))
        result.update(extra)
        return result

    def source_cluster(self):
        """The source cluster (by ARN, or identifier in the module's region), or fail."""
        source = self.params["source_db_cluster_identifier"]
        identifier = source.rsplit(":", 1)[-1] if source.startswith("arn:") else source
        rds = self.api.rds
        if source.startswith("arn:"):
            rds = self.module.client("rds", region=source.split(":")[3])
        found = self.step("reading DB cluster %s" % source, AuroraApi(rds).cluster, identifier)
        if found is None:
            self.fail("source_db_cluster_identifier: DB cluster %s does not exist%s" % (
                source, "" if source.startswith("arn:") else " in %s (give its ARN for another region)" % self.module.session.region))
        if found["engine"] != ENGINE:
            self.fail("source_db_cluster_identifier: %s is a %s cluster; a global database here is %s" % (source, found["engine"], ENGINE))
        return found

    # -- present ---------------------------------------------------------------------------------
    def ensure_present(self, current):
        if current is None:
            return self.create()
        if current["engine"] != ENGINE:
            self.fail("global_cluster_identifier: %s is a %s global database; this module manages %s ones" % (self.identifier, current["engine"], ENGINE))
        if self.params.get("source_db_cluster_identifier"):
            source = self.source_cluster()
            if not any(member["db_cluster_arn"] == source["arn"] for member in current["members"]):
                self.fail("source_db_cluster_identifier: global database %s exists and %s is not a member; an existing cluster "
                          "joins only a new global database (as its primary), other clusters join when they are created "
                          "(innovate.aws_postgres.aurora_cluster global_cluster_identifier)" % (self.identifier, source["identifier"]))
        request, changes = {}, []
        protection = self.params.get("deletion_protection")
        if protection is not None and protection != current["deletion_protection"]:
            request["DeletionProtection"] = protection
            changes.append("deletion_protection: %s -> %s" % (current["deletion_protection"], protection))
        kind, target = versions.version_change(current["engine_version"], self.params.get("engine_version"))
        if kind == "downgrade":
            self.fail("engine_version: global database %s runs %s; it cannot go back to %s" % (self.identifier, current["engine_version"], target))
        if kind == "major" and not self.params["allow_major_version_upgrade"]:
            self.fail("engine_version: upgrading global database %s from %s to major version %s needs allow_major_version_upgrade=true"
                      % (self.identifier, current["engine_version"], target))
        if kind:
            request["EngineVersion"] = self.resolve_version(target)
            request["AllowMajorVersionUpgrade"] = kind == "major"
            changes.append("engine_version: %s -> %s" % (current["engine_version"], request["EngineVersion"]))
        after = dict(current)
        if "DeletionProtection" in request:
            after["deletion_protection"] = request["DeletionProtection"]
        if "EngineVersion" in request:
            after["engine_version"] = request["EngineVersion"]
        if not request or self.check_mode:
            return self.result(bool(request), current, after, changes)
        self.write("modify global database", "modifying global database %s" % self.identifier,
                   self.api.rds.modify_global_cluster, GlobalClusterIdentifier=self.identifier, **request)
        return self.result(True, current, self.read(), changes)

    def resolve_version(self, version):
        if not versions.is_major_only(version):
            return version
        found = self.step("reading the Aurora PostgreSQL engine versions", self.api.rds.describe_db_engine_versions,
                          Engine=ENGINE, EngineVersion=version, DefaultOnly=True).get("DBEngineVersions", [])
        if not found:
            self.fail("engine_version: Aurora PostgreSQL has no version %s" % version)
        return found[0]["EngineVersion"]

    def create(self):
        request = dict(GlobalClusterIdentifier=self.identifier)
        if self.params.get("deletion_protection") is not None:
            request["DeletionProtection"] = self.params["deletion_protection"]
        if self.params.get("source_db_cluster_identifier"):
            source = self.source_cluster()
            if source["global_cluster_identifier"]:
                self.fail("source_db_cluster_identifier: cluster %s already belongs to global database %s; detach it first"
                          % (source["identifier"], source["global_cluster_identifier"]))
            version = self.params.get("engine_version")
            if version and versions.major(version) != versions.major(source["engine_version"]):
                self.fail("engine_version: %s does not match the source cluster %s, which runs %s (a global database takes "
                          "the source's version)" % (version, source["identifier"], source["engine_version"]))
            request["SourceDBClusterIdentifier"] = source["arn"]
            after = dict(identifier=self.identifier, engine=ENGINE, engine_version=source["engine_version"],
                         storage_encrypted=source["storage_encrypted"], deletion_protection=bool(request.get("DeletionProtection")),
                         members=[dict(db_cluster_arn=source["arn"], db_cluster_identifier=source["identifier"],
                                       region=source["arn"].split(":")[3], is_writer=True, readers=[])])
            changes = ["create global database %s from cluster %s" % (self.identifier, source["identifier"])]
        else:
            version = self.resolve_version(self.params["engine_version"]) if self.params.get("engine_version") else None
            encrypted = self.params.get("storage_encrypted")
            request.update(Engine=ENGINE, StorageEncrypted=True if encrypted is None else encrypted)
            if version:
                request["EngineVersion"] = version
            after = dict(identifier=self.identifier, engine=ENGINE, engine_version=version, storage_encrypted=request["StorageEncrypted"],
                         deletion_protection=bool(request.get("DeletionProtection")), members=[])
            changes = ["create empty global database %s" % self.identifier]
        if self.check_mode:
            return self.result(True, None, after, changes)
        self.write("create global database", "creating global database %s" % self.identifier,
                   self.api.rds.create_global_cluster, **request)
        if self.params["wait"]:
            self.wait_available()
        return self.result(True, None, self.read(), changes)

    def wait_available(self):
        self.step("waiting for global database %s" % self.identifier, poll_until, self.read,
                  lambda found: found is not None and found["status"] == "available", self.deadline.remaining(),
                  delay=waiting.DELAY, what="global database %s to be available" % self.identifier)

    # -- detach / absent -------------------------------------------------------------------------
    def find_member(self, current, wanted):
        if wanted.startswith("arn:"):
            return next((member for member in current["members"] if member["db_cluster_arn"] == wanted), None)
        matches = [member for member in current["members"] if member["db_cluster_identifier"] == wanted.lower()]
        if len(matches) > 1:
            self.fail("db_cluster_identifier: %s names clusters in several regions (%s); give the ARN"
                      % (wanted, ", ".join(member["region"] for member in matches)))
        return matches[0] if matches else None

    def remove(self, member):
        self.write("detach %s" % member["db_cluster_identifier"], "removing cluster %s from global database %s"
                   % (member["db_cluster_arn"], self.identifier), self.api.rds.remove_from_global_cluster,
                   GlobalClusterIdentifier=self.identifier, DbClusterIdentifier=member["db_cluster_arn"])

    def wait_detached(self, arns):
        if not self.params["wait"]:
            return
        self.step("waiting for global database %s" % self.identifier, poll_until, self.read,
                  lambda found: found is None or not any(member["db_cluster_arn"] in arns for member in found["members"]),
                  self.deadline.remaining(), delay=waiting.DELAY, what="clusters to leave global database %s" % self.identifier)

    def detach(self, current):
        wanted = self.params["db_cluster_identifier"]
        if current is None:
            return self.result(False, None, None, [], detached=None)
        member = self.find_member(current, wanted)
        if member is None:
            return self.result(False, current, current, [], detached=None)
        others = [item for item in current["members"] if item is not member]
        if member["is_writer"] and others:
            self.fail("db_cluster_identifier: %s is the primary of global database %s, which still has secondary clusters (%s); "
                      "detach those first, or make another cluster the primary with a switchover"
                      % (member["db_cluster_identifier"], self.identifier, ", ".join(item["db_cluster_identifier"] for item in others)))
        after = dict(current, members=others)
        changes = ["detach cluster %s (it becomes a standalone cluster)" % member["db_cluster_arn"]]
        if self.check_mode:
            return self.result(True, current, after, changes, detached=member)
        self.remove(member)
        self.wait_detached([member["db_cluster_arn"]])
        return self.result(True, current, self.read(), changes, detached=member)

    def ensure_absent(self, current):
        if current is None:
            return self.result(False, None, None, [], deleted=None)
        if current["deletion_protection"] and not self.params["force_disable_deletion_protection"]:
            self.fail("global database %s has deletion protection; nothing was changed. Set force_disable_deletion_protection=true "
                      "to turn it off and delete it" % self.identifier)
        ordered = sorted(current["members"], key=lambda member: member["is_writer"])
        changes = []
        if current["deletion_protection"]:
            changes.append("turn off deletion protection")
        changes += ["detach cluster %s" % member["db_cluster_arn"] for member in ordered]
        changes.append("delete global database %s" % self.identifier)
        deleted = dict(identifier=current["identifier"], arn=current["arn"], detached=[member["db_cluster_arn"] for member in ordered])
        if self.check_mode:
            return self.result(True, current, None, changes, deleted=deleted)
        if current["deletion_protection"]:
            self.write("turn off deletion protection", "turning off deletion protection of global database %s" % self.identifier,
                       self.api.rds.modify_global_cluster, GlobalClusterIdentifier=self.identifier, DeletionProtection=False)
        for member in ordered:
            self.remove(member)
        self.wait_detached([member["db_cluster_arn"] for member in ordered])
        self.write("delete global database", "deleting global database %s" % self.identifier,
                   self.api.rds.delete_global_cluster, GlobalClusterIdentifier=self.identifier)
        if self.params["wait"]:
            self.step("waiting for global database %s to be deleted" % self.identifier, poll_until, self.read,
                      lambda found: found is None, self.deadline.remaining(), delay=waiting.DELAY,
                      what="global database %s to be deleted" % self.identifier)
        return self.result(True, current, None, changes, deleted=deleted)
