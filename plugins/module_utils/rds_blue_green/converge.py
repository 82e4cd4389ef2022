# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``BlueGreenConverger``: validate, read, plan, and (outside check mode) create / switch over / delete."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import dict_to_boto3_tag_list, reserved_tag_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_blue_green import api, plan, validation, wait


class BlueGreenConverger(Converger):
    def __init__(self, module):
        super(BlueGreenConverger, self).__init__(module)
        self.name = self.params["blue_green_deployment_name"]
        self._rds = None

    @property
    def rds(self):
        if self._rds is None:
            self._rds = self.module.client("rds")
        return self._rds

    # -- reading ---------------------------------------------------------------------------------
    def _deployment(self):
        return self.step("reading blue/green deployment %s" % self.name, api.find_deployment, self.rds, self.name)

    def _instance(self, identifier):
        return self.step("reading DB instance %s" % identifier, api.find_instance, self.rds, identifier)

    def _source_checks(self):
        """The blue instance, or a failure naming every reason RDS would refuse it (before any write)."""
        parsed = validation.parse_source(self.params["source"])
        region = self.module.params.get("region") or self.rds.meta.region_name
        if parsed[0] and parsed[0] != region:
            self.fail("source: %s is in %s but this task works in %s; a blue/green deployment is created in the source's Region "
                      "(set region: %s)" % (self.params["source"], parsed[0], region, parsed[0]))
        source = self._instance(parsed[1])
        if source is None:
            self.fail("source: DB instance %s does not exist in %s" % (parsed[1], region))
        replicas = {}
        for reference in source.get("ReadReplicaDBInstanceIdentifiers") or []:
            if not reference.startswith("arn:"):
                replicas[reference] = self._instance(reference)
        target = self.params.get("target_engine_version")
        group = ((source.get("DBParameterGroups") or [{}])[0]).get("DBParameterGroupName")
        logical = None
        if target and validation.major(target) != validation.major(source.get("EngineVersion")):
            logical = self.step("reading DB parameter group %s" % group, api.user_parameter, self.rds, group, "rds.logical_replication")
        errors = validation.source_problems(source, replicas, region, target, logical)
        target_group = self.params.get("target_db_parameter_group_name")
        if target_group:
            found = self.step("reading DB parameter group %s" % target_group, api.find_parameter_group, self.rds, target_group)
            errors.extend(validation.parameter_group_problems(target_group, found, target or source.get("EngineVersion")))
        if errors:
            self.fail(errors)
        return source

    def _old_source(self, deployment):
        """The identifier of the old blue instance (``<source>-old1``) when it still exists, else None."""
        if deployment is not None and deployment.get("Status") == api.SWITCHED:
            identifier = api.identifier_of(deployment["Source"])
        elif deployment is None and self.params.get("source"):
            identifier = validation.parse_source(self.params["source"])[1] + "-old1"
        else:
            return None
        return identifier if self._instance(identifier) is not None else None

    # -- writing ---------------------------------------------------------------------------------
    def _create(self, source):
        request = dict(BlueGreenDeploymentName=self.name, Source=source["DBInstanceArn"])
        for option, key in (("target_engine_version", "TargetEngineVersion"), ("target_db_parameter_group_name", "TargetDBParameterGroupName"),
                            ("target_db_instance_class", "TargetDBInstanceClass")):
            if self.params.get(option):
                request[key] = self.params[option]
        if self.params.get("tags"):
            request["Tags"] = dict_to_boto3_tag_list(self.params["tags"])
        created = self.write("create", "creating blue/green deployment %s" % self.name, self.rds.create_blue_green_deployment, **request)
        return created["BlueGreenDeployment"]

    def _wait(self, deployment, wanted, what, rolled_back_from=None, timeout=None):
        identifier = deployment["BlueGreenDeploymentIdentifier"]

        def describe():
            return self.step("reading blue/green deployment %s" % self.name, api.get_deployment, self.rds, identifier)

        try:
            return wait.wait_for(describe, wanted, timeout or self.params["wait_timeout"], what, rolled_back_from=rolled_back_from)
        except (AwsWaitTimeout, wait.DeploymentStuck) as error:
            self.fail(str(error))
        return None

    def _switchover(self, deployment):
        green = self._instance(api.identifier_of(deployment["Target"]))
        if green is None or green.get("DBInstanceStatus") != "available":
            self.fail("the green instance %s is %s; a switchover needs it available"
                      % (api.identifier_of(deployment["Target"]), (green or {}).get("DBInstanceStatus", "gone")))
        self.write("switchover", "switching over blue/green deployment %s" % self.name, self.rds.switchover_blue_green_deployment,
                   BlueGreenDeploymentIdentifier=deployment["BlueGreenDeploymentIdentifier"], SwitchoverTimeout=self.params["switchover_timeout"])
        if not self.params["wait"]:
            return self._deployment()
        timeout = max(self.params["wait_timeout"], self.params["switchover_timeout"] + 60)
        return self._wait(deployment, api.SWITCHED, "switchover of blue/green deployment %s" % self.name, rolled_back_from="AVAILABLE",
                          timeout=timeout)

    def _delete(self, deployment, delete_target):
        self.write("delete", "deleting blue/green deployment %s" % self.name, self.rds.delete_blue_green_deployment,
                   BlueGreenDeploymentIdentifier=deployment["BlueGreenDeploymentIdentifier"], DeleteTarget=delete_target)

    def _delete_old_source(self, identifier):
        old = self._instance(identifier)
        if old and old.get("DeletionProtection"):
            self.write("deletion_protection_off", "turning deletion protection off on %s" % identifier, self.rds.modify_db_instance,
                       DBInstanceIdentifier=identifier, DeletionProtection=False, ApplyImmediately=True)
        request = dict(DBInstanceIdentifier=identifier)
        if self.params.get("old_source_final_snapshot_identifier"):
            request["FinalDBSnapshotIdentifier"] = self.params["old_source_final_snapshot_identifier"]
        else:
            request["SkipFinalSnapshot"] = True
        self.write("delete_old_source", "deleting the old blue instance %s" % identifier, self.rds.delete_db_instance, **request)
        if self.params["wait"]:
            try:
                wait.wait_instance_gone(lambda: self._instance(identifier), self.params["wait_timeout"], "deletion of DB instance %s" % identifier)
            except AwsWaitTimeout as error:
                self.fail(str(error))

    # -- the run ---------------------------------------------------------------------------------
    def _result(self, changes, before, deployment):
        deployment_info = api.deployment_summary(deployment)
        result = dict(changed=bool(changes), changes=changes, blue_green_deployment=deployment_info)
        if deployment:
            result["source_instance"] = api.instance_summary(self._instance(api.identifier_of(deployment.get("Source"))))
            result["target_instance"] = api.instance_summary(self._instance(api.identifier_of(deployment.get("Target"))))
        if self.module._diff:  # pylint: disable=protected-access
            after = deployment_info
            if self.check_mode:
                after = dict(before or {}, name=self.name, status=_planned_status(self.params["state"], changes, before))
                if self.params["state"] == "absent":
                    after = None
            result["diff"] = dict(before=before or {}, after=after or {})
        return result

    def run(self):
        errors = validation.input_errors(self.params) + reserved_tag_errors(self.params.get("tags"))
        if errors:
            self.fail(errors)
        deployment = self._deployment()
        before = api.deployment_summary(deployment)
        source = None
        if deployment is not None and self.params["state"] != "absent":
            green = self._instance(api.identifier_of(deployment.get("Target")))
            problems = plan.mismatches(self.params, deployment, green)
            if problems:
                self.fail(problems, blue_green_deployment=before)
        elif deployment is None and self.params["state"] != "absent":
            if not self.params.get("source"):
                self.fail("no blue/green deployment named %s exists; give source (and the target options) to create it" % self.name)
            source = self._source_checks()
        old = self._old_source(deployment) if self.params["state"] == "absent" and self.params["delete_old_source"] else None
        changes = plan.plan(self.params, deployment, old)
        if self.check_mode or not changes:
            return self._result(changes, before, deployment)
        for change in changes:
            if change["action"] == "create":
                deployment = self._create(source)
                if self.params["wait"] or self.params["state"] == "switched_over":
                    deployment = self._wait(deployment, "AVAILABLE", "blue/green deployment %s to be AVAILABLE" % self.name)
            elif change["action"] == "switchover":
                deployment = self._switchover(deployment)
            elif change["action"] == "delete":
                self._delete(deployment, change["delete_target"])
            elif change["action"] == "delete_old_source":
                self._delete_old_source(change["identifier"])
        if self.params["state"] == "absent":
            deployment = None
        return self._result(changes, before, deployment)


def _planned_status(state, changes, before):
    actions = [change["action"] for change in changes]
    if "switchover" in actions or state == "switched_over":
        return api.SWITCHED
    if "create" in actions:
        return "AVAILABLE"
    return (before or {}).get("status")
