# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS Backup calls for one restore testing plan (found by its name) and its selections.

Reads return plain dicts in the API's shape (``None`` when the plan does not exist); methods raise
the SDK's exceptions and the caller turns them into messages.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.backup_tags import BackupTagging
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.pagination import paginate

NOT_FOUND = ("ResourceNotFoundException",)
PLAN_KEYS = ("RestoreTestingPlanName", "RestoreTestingPlanArn", "ScheduleExpression", "ScheduleExpressionTimezone",
             "StartWindowHours", "RecoveryPointSelection")
SELECTION_KEYS = ("RestoreTestingSelectionName", "ProtectedResourceType", "IamRoleArn", "ProtectedResourceArns",
                  "ProtectedResourceConditions", "RestoreMetadataOverrides", "ValidationWindowHours")


def _pick(value, keys):
    return dict((key, value[key]) for key in keys if value.get(key) is not None)


class RestoreTestingApi(BackupTagging):
    def __init__(self, client):
        self.client = client

    # plan

    def plan(self, name):
        """The plan (API shape, only the keys this module manages plus its ARN), or ``None``."""
        try:
            response = self.client.get_restore_testing_plan(RestoreTestingPlanName=name)
        except AWS_EXCEPTIONS as e:
            if is_error(e, *NOT_FOUND):
                return None
            raise
        return _pick(response["RestoreTestingPlan"], PLAN_KEYS)

    def create_plan(self, document, tags):
        params = dict(RestoreTestingPlan=document)
        if tags:
            params["Tags"] = tags
        return self.client.create_restore_testing_plan(**params)["RestoreTestingPlanArn"]

    def update_plan(self, name, document):
        changes = dict((key, value) for key, value in document.items() if key != "RestoreTestingPlanName")
        self.client.update_restore_testing_plan(RestoreTestingPlanName=name, RestoreTestingPlan=changes)

    def delete_plan(self, name):
        self.client.delete_restore_testing_plan(RestoreTestingPlanName=name)

    # selections

    def selections(self, plan_name):
        """Every selection of the plan, whole (API shape), in the order AWS lists them."""
        summaries = paginate(self.client, "list_restore_testing_selections",
                             RestoreTestingPlanName=plan_name).get("RestoreTestingSelections") or []
        result = []
        for summary in summaries:
            response = self.client.get_restore_testing_selection(RestoreTestingPlanName=plan_name,
                                                                 RestoreTestingSelectionName=summary["RestoreTestingSelectionName"])
            result.append(_pick(response["RestoreTestingSelection"], SELECTION_KEYS))
        return result

    def create_selection(self, plan_name, selection):
        self.client.create_restore_testing_selection(RestoreTestingPlanName=plan_name, RestoreTestingSelection=selection)

    def update_selection(self, plan_name, name, changes):
        self.client.update_restore_testing_selection(RestoreTestingPlanName=plan_name, RestoreTestingSelectionName=name,
                                                     RestoreTestingSelection=changes)

    def delete_selection(self, plan_name, name):
        self.client.delete_restore_testing_selection(RestoreTestingPlanName=plan_name, RestoreTestingSelectionName=name)
