# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one RDS for PostgreSQL instance to the task's state (the work of ``rds_instance``).

One DescribeDBInstances gives the current state; the plan is computed from it (other reads only
when a decision needs them); check mode stops there. Otherwise the instance is created (or
started), changed with one ModifyDBInstance and the tag calls, rebooted when asked, stopped or
deleted, and waited for. Every failure says what was already applied; the next run converges
the rest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import apply_tag_changes, boto3_tag_list_to_dict
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance import keys, versions, wait
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.api import InstanceApi
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.create import plan_create
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.plan import (
    IMMEDIATELY,
    effective_settings,
    is_replica,
    plan_modify,
    settings_after,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.result import (
    endpoint_of,
    instance_output,
    parameter_apply_status,
    pending_output,
    secret_arn_of,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.validation import in_maintenance_window, input_errors

STOPPED = ("stopped", "stopping")
DIFF_KEYS = ("engine", "engine_version", "instance_class", "allocated_storage", "max_allocated_storage", "storage_type", "iops",
             "storage_throughput", "multi_az", "db_subnet_group_name", "vpc_security_group_ids", "db_parameter_group_name",
             "storage_encrypted", "kms_key_id", "iam_database_authentication", "performance_insights", "monitoring_interval",
             "monitoring_role_arn", "enable_cloudwatch_logs_exports", "backup_retention_period", "preferred_backup_window",
             "preferred_maintenance_window", "auto_minor_version_upgrade", "copy_tags_to_snapshot", "deletion_protection",
             "publicly_accessible", "port", "ca_certificate_identifier", "manage_master_user_password",
             "master_user_secret_kms_key_id", "tags", "status")


def final_snapshot_name(identifier, now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return "%s-final-%s" % (identifier, now.strftime("%Y%m%d%H%M%S"))


class Lookups(object):
    """The reads a plan may need beyond DescribeDBInstances, each made only when asked, then cached."""

    def __init__(self, converger):
        self.converger = converger
        self.cache = {}

    def _cached(self, key, doing, function, *args):
        if key not in self.cache:
            self.cache[key] = self.converger.step(doing, function, *args)
        return self.cache[key]

    def same_key(self, given, current):
        decided = keys.match_without_lookup(given, current)
        if decided is not None:
            return decided
        kms = self.converger.module.client("kms", region=keys.region_of(given, self.converger.region))
        arn = self._cached(("key", given), "looking up KMS key %s" % given, lambda: kms.describe_key(KeyId=given)["KeyMetadata"]["Arn"])
        return arn == current

    def subnet_group_vpc(self, name):
        return self._cached(("subnet", name), "reading DB subnet group %s" % name, self.converger.api.subnet_group_vpc, name)

    def upgrade_target(self, target, current_version):
        record = self._cached(("version", current_version), "reading engine version %s" % current_version,
                              self.converger.api.engine_version, current_version)
        return versions.pick_upgrade_target(target, current_version, record)

    def default_version(self, major):
        return self._cached(("default", major), "reading the default PostgreSQL %s version" % major, self.converger.api.default_version, major)

    def class_offered(self, instance_class, version):
        return self._cached(("class", instance_class, version), "checking that %s is offered" % instance_class,
                            self.converger.api.class_offered, instance_class, version)

    def source_record(self, source, region):
        identifier = source.rsplit(":db:", 1)[-1]
        api = InstanceApi(self.converger.module.client("rds", region=region), identifier)
        return self._cached(("source", source, region), "reading DB instance %s in %s" % (identifier, region), api.describe)

    def snapshot(self, identifier):
        return self._cached(("snapshot", identifier), "reading DB snapshot %s" % identifier, self.converger.api.snapshot, identifier)


class InstanceConverger(Converger):
    def __init__(self, module):
        super(InstanceConverger, self).__init__(module)
        self.identifier = self.params["identifier"].lower()
        self.params["identifier"] = self.identifier
        self.region = None
        self.api = None
        self.lookups = Lookups(self)
        self.actions = []
        self.changes = []
        self.warnings = []
        self.announcements = []

    # -- helpers -----------------------------------------------------------------------------

    def describe(self):
        return self.step("reading DB instance %s" % self.identifier, self.api.describe)

    def wait_for(self, done, what):
        try:
            return wait.wait_until(self.api.describe, done, self.params["wait_timeout"], what)
        except wait.InstanceStuck as e:
            self.fail(str(e))
        except AWS_EXCEPTIONS as e:
            extra = dict(changed=bool(self.applied))
            if self.applied:
                extra["applied_changes"] = list(self.applied)
            self.module.fail_aws(e, doing="waiting for %s" % what, **extra)
        return None

    def wait_ready(self, record, what):
        if wait.is_ready(record):
            return record
        return self.wait_for(wait.is_ready, "%s to be available (%s)" % (self.identifier, what))

    def action(self, name):
        self.actions.append(name)

    # -- entry point ---------------------------------------------------------------------------

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.region = self.module.client("rds").meta.region_name
        self.params["region"] = self.region
        self.api = InstanceApi(self.module.client("rds"), self.identifier)
        record = self.describe()
        if record is not None and record.get("DBInstanceStatus") == "deleting":
            record = self.deleting(record)
        if self.params["state"] == "absent":
            return self.ensure_absent(record)
        if record is None:
            return self.ensure_created()
        return self.ensure_existing(record)

    def deleting(self, record):
        if self.params["state"] == "absent":
            return record
        if self.check_mode or not self.params["wait"]:
            self.fail("%s is being deleted; run the task again once it is gone to create it anew" % self.identifier)
        self.wait_for(wait.is_gone, "%s to finish deleting" % self.identifier)
        return None

    # -- state=absent --------------------------------------------------------------------------

    def ensure_absent(self, record):
        if record is None:
            return self.result(None, None, changed=False)
        before = self.settings_of(record)
        if record.get("DBInstanceStatus") == "deleting":
            if self.params["wait"] and not self.check_mode:
                self.wait_for(wait.is_gone, "%s to be deleted" % self.identifier)
            return self.result(None, None, changed=False, before=before)
        if record.get("DeletionProtection") and not self.params["force_disable_deletion_protection"]:
            self.fail("%s has deletion protection on; it was not deleted. Set force_disable_deletion_protection=true to turn it "
                      "off and delete the instance in the same task" % self.identifier)
        replica = is_replica(record)
        skip = self.params["skip_final_snapshot"] or replica
        snapshot = None if skip else (self.params.get("final_snapshot_identifier") or final_snapshot_name(self.identifier))
        if replica and not self.params["skip_final_snapshot"]:
            self.warnings.append("%s is a read replica: RDS takes no final snapshot of replicas, so none was taken" % self.identifier)
        if record.get("DeletionProtection"):
            self.changes.append(dict(option="deletion_protection", before=True, after=False, applies=IMMEDIATELY))
            self.action("disable_deletion_protection")
        self.changes.append(dict(option="instance", before=record.get("DBInstanceStatus"), after="deleted", applies=IMMEDIATELY,
                                 final_snapshot_identifier=snapshot))
        if not self.check_mode:
            self.delete(record, skip, snapshot)
        self.action("delete")
        result = self.result(None, None, changed=True, before=before)
        result["final_snapshot_identifier"] = snapshot
        return result

    def delete(self, record, skip, snapshot):
        status = record.get("DBInstanceStatus")
        if status == "stopping":
            record = self.wait_for(wait.is_stopped, "%s to stop before deletion" % self.identifier)
        if record.get("DeletionProtection"):
            if record.get("DBInstanceStatus") == "stopped":
                # RDS cannot modify a stopped instance: start it to turn deletion protection off
                self.write("start", "starting %s to turn its deletion protection off" % self.identifier, self.api.start)
                self.action("start")
            self.wait_ready(record, "before turning deletion protection off")
            self.write("deletion_protection=false", "turning deletion protection off on %s" % self.identifier,
                       self.api.modify, dict(DeletionProtection=False, ApplyImmediately=True))
            self.wait_for(wait.is_ready, "%s to turn deletion protection off" % self.identifier)
        self.write("delete", "deleting %s" % self.identifier, self.api.delete, skip, snapshot, self.params["delete_automated_backups"])
        if self.params["wait"]:
            self.wait_for(wait.is_gone, "%s to be deleted" % self.identifier)

    # -- creation ------------------------------------------------------------------------------

    def ensure_created(self):
        creation = plan_create(self.params, self.lookups)
        if creation.errors:
            self.fail(creation.errors)
        self.changes.append(dict(option="instance", before=None, after=creation.description, applies=IMMEDIATELY))
        self.action({"create": "create", "replica": "create_read_replica"}.get(creation.kind, "restore"))
        after = dict(creation.settings, status="stopped" if self.params["state"] == "stopped" else "available",
                     engine="postgres")
        if self.check_mode:
            if self.params["state"] == "stopped":
                self.action("stop")
            return self.result(None, after, changed=True, before={})
        request, left_over = self.api.filtered(creation.operation, creation.request)
        function = dict(create=self.api.create, replica=self.api.create_replica, snapshot=self.api.restore_from_snapshot,
                        point_in_time=self.api.restore_to_point_in_time)[creation.kind]
        try:
            record = function(request)
            self.applied.append(creation.kind)
        except AWS_EXCEPTIONS as e:
            if not is_error(e, "DBInstanceAlreadyExists", "DBInstanceAlreadyExistsFault"):
                self.module.fail_aws(e, doing="creating %s (%s)" % (self.identifier, creation.operation), changed=False)
            record = self.describe()  # a retried request that had succeeded: converge the instance it made
        follow_up = creation.kind != "create" or left_over or self.params["state"] == "stopped"
        if self.params["wait"] or follow_up:
            record = self.wait_for(wait.is_ready, "%s to be created" % self.identifier)
        if creation.kind != "create" and record is not None:
            record = self.converge_new(record, left_over)
        if self.params["state"] == "stopped":
            record = self.stop(record)
        return self.result(record, None, changed=True, before={})

    def converge_new(self, record, left_over):
        """Apply what the creating operation could not set, at once (the instance is new)."""
        params = dict(self.params, apply_immediately=True,
                      update_password="always" if "MasterUserPassword" in left_over else "on_create")
        if self.params.get("restore"):
            params["db_name"] = None
        plan = plan_modify(params, record, self.lookups)
        plan.warnings = []
        if plan.errors:
            self.fail(plan.errors)
        return self.apply(record, plan)

    # -- existing instance --------------------------------------------------------------------------

    def ensure_existing(self, record):
        state = self.params["state"]
        status = record.get("DBInstanceStatus")
        before = self.settings_of(record)
        starting = status in STOPPED and state in ("present", "rebooted")
        if status in STOPPED and state == "stopped":
            plan = plan_modify(self.params, record, self.lookups)
            if plan.errors:
                self.fail(plan.errors)
            if plan.request:
                self.fail("%s is stopped and RDS cannot modify a stopped instance; run with state=present to start it and apply: %s"
                          % (self.identifier, ", ".join(change["option"] for change in plan.changes)))
            return self.finish(record, plan, before, stop=False)
        if starting:
            self.changes.append(dict(option="status", before=status, after="available", applies=IMMEDIATELY))
            self.action("start")
            if not self.check_mode:
                if status == "stopping":
                    record = self.wait_for(wait.is_stopped, "%s to stop before starting it again" % self.identifier)
                self.write("start", "starting %s" % self.identifier, self.api.start)
                record = self.wait_for(wait.is_ready, "%s to start" % self.identifier)
        plan = plan_modify(self.params, record, self.lookups)
        if plan.errors:
            self.fail(plan.errors)
        self.warnings.extend(plan.warnings)
        self.announcements.extend(plan.announcements)
        if self.check_mode:
            self.preview(record, plan, before)
        elif plan.changed:
            record = self.wait_ready(record, "before changing it")
            record = self.apply(record, plan)
        return self.finish(record, plan, before, stop=state == "stopped", started=starting)

    def preview(self, record, plan, before):
        """Check mode: record the plan's changes as apply() would."""
        self.changes.extend(plan.changes)
        if plan.request:
            self.action("modify")
        if plan.tags_to_set or plan.tags_to_remove:
            self.changes.append(dict(option="tags", before=before.get("tags"), applies=IMMEDIATELY,
                                     after=apply_tag_changes(boto3_tag_list_to_dict(record.get("TagList")), plan.tags_to_set,
                                                             plan.tags_to_remove)))
            self.action("tag")

    def apply(self, record, plan):
        self.changes.extend(plan.changes)
        arn = record.get("DBInstanceArn")
        if plan.request:
            record = self.write("modify", "modifying %s (%s)" % (self.identifier, ", ".join(c["option"] for c in plan.changes)),
                                self.api.modify, plan.request)
            self.action("modify")
        if plan.tags_to_remove:
            self.write("remove_tags", "removing tags %s from %s" % (", ".join(plan.tags_to_remove), self.identifier),
                       self.api.remove_tags, arn, plan.tags_to_remove)
        if plan.tags_to_set:
            self.write("add_tags", "tagging %s" % self.identifier, self.api.add_tags, arn, plan.tags_to_set)
        if plan.tags_to_set or plan.tags_to_remove:
            self.changes.append(dict(option="tags", before=boto3_tag_list_to_dict(record.get("TagList")),
                                     after=apply_tag_changes(boto3_tag_list_to_dict(record.get("TagList")), plan.tags_to_set,
                                                             plan.tags_to_remove), applies=IMMEDIATELY))
            self.action("tag")
        if plan.request and self.params["wait"]:
            record = self.wait_for(wait.is_ready, "%s to apply the changes" % self.identifier)
        elif plan.tags_to_set or plan.tags_to_remove:
            record = dict(record, TagList=[dict(Key=k, Value=v) for k, v in sorted(apply_tag_changes(
                boto3_tag_list_to_dict(record.get("TagList")), plan.tags_to_set, plan.tags_to_remove).items())])
        return record

    # -- reboot / stop ---------------------------------------------------------------------------

    def reboot_reason(self, record, plan):
        if self.params["state"] == "rebooted":
            return "state=rebooted"
        if self.params["state"] == "stopped":
            return None
        pending = parameter_apply_status(record) == "pending-reboot" or plan.parameter_group_changed
        if not pending:
            return None
        mode = self.params["reboot_for_pending"]
        if mode == "now":
            return "parameter group changes pending reboot"
        if mode == "maintenance":
            window = record.get("PreferredMaintenanceWindow")
            if in_maintenance_window(window, datetime.datetime.now(datetime.timezone.utc)):
                return "parameter group changes pending reboot, inside the maintenance window %s" % window
        return None

    def reboot(self, record, reason):
        self.changes.append(dict(option="reboot", before=None, after=reason, applies=IMMEDIATELY))
        self.action("reboot")
        if self.check_mode:
            return record
        record = self.wait_ready(record, "before rebooting it")
        self.write("reboot", "rebooting %s" % self.identifier, self.api.reboot)
        return self.wait_for(wait.is_ready, "%s to reboot" % self.identifier)

    def stop(self, record):
        if record is not None and record.get("DBInstanceStatus") in STOPPED:
            return record
        self.changes.append(dict(option="status", before="available", after="stopped", applies=IMMEDIATELY))
        self.action("stop")
        if self.check_mode:
            return record
        record = self.wait_ready(record, "before stopping it")
        self.write("stop", "stopping %s" % self.identifier, self.api.stop)
        if self.params["wait"]:
            return self.wait_for(wait.is_stopped, "%s to stop" % self.identifier)
        return self.describe()

    def finish(self, record, plan, before, stop, started=False):
        reason = None if started else self.reboot_reason(record, plan)  # a start applies the parameter group too
        if reason:
            record = self.reboot(record, reason)
        if stop:
            record = self.stop(record)
        after = None
        if self.check_mode:
            after = settings_after(record, plan)
            after.update(engine=record.get("Engine"), storage_encrypted=bool(record.get("StorageEncrypted")),
                         kms_key_id=record.get("KmsKeyId"),
                         tags=apply_tag_changes(boto3_tag_list_to_dict(record.get("TagList")), plan.tags_to_set, plan.tags_to_remove),
                         status="stopped" if stop else ("available" if started else record.get("DBInstanceStatus")))
        return self.result(record, after, changed=bool(self.changes), before=before)

    # -- output --------------------------------------------------------------------------------

    def settings_of(self, record):
        if record is None:
            return {}
        _current, effective, _pending = effective_settings(record)
        effective.update(engine=record.get("Engine"), storage_encrypted=bool(record.get("StorageEncrypted")),
                         kms_key_id=record.get("KmsKeyId"), tags=boto3_tag_list_to_dict(record.get("TagList")),
                         status=record.get("DBInstanceStatus"))
        return dict((key, effective.get(key)) for key in DIFF_KEYS)

    def result(self, record, planned_after, changed, before=None):
        for warning in self.warnings:
            self.module.warn(warning)
        if planned_after is not None:
            after = dict((key, planned_after.get(key)) for key in DIFF_KEYS)
        else:
            after = self.settings_of(record)
        if self.announcements:
            after["announcements"] = list(self.announcements)
        pending_reboot = parameter_apply_status(record) == "pending-reboot"
        if self.check_mode and record is not None:
            pending_reboot = (pending_reboot or any(c["option"] == "db_parameter_group_name" for c in self.changes)) and \
                not any(c["option"] == "reboot" for c in self.changes)
        return dict(
            changed=changed,
            instance=instance_output(record),
            changes=list(self.changes),
            actions=list(self.actions),
            pending_modified_values=pending_output(record),
            pending_reboot=bool(pending_reboot),
            endpoint=endpoint_of(record),
            master_user_secret_arn=secret_arn_of(record),
            diff=dict(before=before if before is not None else {}, after=after if record is not None or planned_after else {}),
        )
