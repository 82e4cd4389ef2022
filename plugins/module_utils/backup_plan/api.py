# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS Backup calls for one vault, one plan (found by name) and its selections.

Reads return plain dicts (``None`` when the resource does not exist); methods raise the SDK's
exceptions and the caller turns them into messages.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.backup_tags import BackupTagging
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.pagination import paginate
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import get_path

NOT_FOUND = ("ResourceNotFoundException",)


def _date(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def lock_is_immutable(lock_date, now=None):
    """True when a vault lock's grace time is over (compliance mode): it can never change again."""
    if lock_date is None:
        return False
    now = now or datetime.datetime.now(lock_date.tzinfo if hasattr(lock_date, "tzinfo") else None)
    return lock_date <= now


class BackupApi(BackupTagging):
    def __init__(self, client):
        self.client = client

    # vault

    def vault(self, name):
        try:
            response = self.client.describe_backup_vault(BackupVaultName=name)
        except AWS_EXCEPTIONS as e:
            if is_error(e, *NOT_FOUND):
                return None
            raise
        lock = None
        if response.get("Locked"):
            lock_date = response.get("LockDate")
            lock = dict(min_retention_days=response.get("MinRetentionDays"), max_retention_days=response.get("MaxRetentionDays"),
                        lock_date=_date(lock_date), immutable=lock_is_immutable(lock_date))
        return dict(name=response["BackupVaultName"], arn=response["BackupVaultArn"], kms_key_arn=response.get("EncryptionKeyArn"),
                    recovery_points=response.get("NumberOfRecoveryPoints", 0), lock=lock)

    def access_policy(self, name):
        try:
            text = self.client.get_backup_vault_access_policy(BackupVaultName=name).get("Policy")
        except AWS_EXCEPTIONS as e:
            if is_error(e, *NOT_FOUND):
                return None
            raise
        return json.loads(text) if text else None

    def create_vault(self, name, kms_key_arn, tags):
        params = dict(BackupVaultName=name)
        if kms_key_arn:
            params["EncryptionKeyArn"] = kms_key_arn
        if tags:
            params["BackupVaultTags"] = tags
        return self.client.create_backup_vault(**params)["BackupVaultArn"]

    def put_access_policy(self, name, policy):
        self.client.put_backup_vault_access_policy(BackupVaultName=name, Policy=json.dumps(policy, sort_keys=True))

    def delete_access_policy(self, name):
        self.client.delete_backup_vault_access_policy(BackupVaultName=name)

    def put_lock(self, name, lock):
        params = dict(BackupVaultName=name)
        for key, option in (("MinRetentionDays", "min_retention_days"), ("MaxRetentionDays", "max_retention_days"),
                            ("ChangeableForDays", "changeable_for_days")):
            if lock.get(option) is not None:
                params[key] = lock[option]
        self.client.put_backup_vault_lock_configuration(**params)

    def delete_lock(self, name):
        self.client.delete_backup_vault_lock_configuration(BackupVaultName=name)

    def delete_vault(self, name):
        self.client.delete_backup_vault(BackupVaultName=name)

    # plan

    def find_plans(self, name):
        """The summaries of the (not deleted) plans named ``name``."""
        plans = paginate(self.client, "list_backup_plans").get("BackupPlansList") or []
        return [plan for plan in plans if plan.get("BackupPlanName") == name and not plan.get("DeletionDate")]

    def plan(self, plan_id):
        response = self.client.get_backup_plan(BackupPlanId=plan_id)
        return dict(id=response["BackupPlanId"], arn=response["BackupPlanArn"], version_id=response.get("VersionId"),
                    document=response["BackupPlan"])

    def create_plan(self, document, tags):
        params = dict(BackupPlan=document)
        if tags:
            params["BackupPlanTags"] = tags
        response = self.client.create_backup_plan(**params)
        return dict(id=response["BackupPlanId"], arn=response["BackupPlanArn"], version_id=response.get("VersionId"))

    def update_plan(self, plan_id, document):
        return self.client.update_backup_plan(BackupPlanId=plan_id, BackupPlan=document).get("VersionId")

    def delete_plan(self, plan_id):
        self.client.delete_backup_plan(BackupPlanId=plan_id)

    # selections

    def selections(self, plan_id):
        """Every selection of the plan: ``{"id", "name", "selection"}`` with the whole selection document."""
        summaries = paginate(self.client, "list_backup_selections", BackupPlanId=plan_id).get("BackupSelectionsList") or []
        result = []
        for summary in summaries:
            response = self.client.get_backup_selection(BackupPlanId=plan_id, SelectionId=summary["SelectionId"])
            result.append(dict(id=summary["SelectionId"], name=get_path(response, "BackupSelection.SelectionName"),
                               selection=response["BackupSelection"]))
        return result

    def create_selection(self, plan_id, selection):
        return self.client.create_backup_selection(BackupPlanId=plan_id, BackupSelection=selection)["SelectionId"]

    def delete_selection(self, plan_id, selection_id):
        self.client.delete_backup_selection(BackupPlanId=plan_id, SelectionId=selection_id)
