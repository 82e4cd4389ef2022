# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The task's options turned into AWS Backup request shapes (plan document, selection, vault lock)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.responses import camel_dict_to_snake_dict
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan import canonical

USER_DATA_KEYS = ("RecoveryPointTags",)


def _lifecycle(options):
    options = options or {}
    return dict(
        MoveToColdStorageAfterDays=options.get("move_to_cold_storage_after_days"),
        DeleteAfterDays=options.get("delete_after_days"),
        OptInToArchiveForSupportedResources=options.get("opt_in_to_archive_for_supported_resources"),
    )


def target_vault(rule_options, vault_options):
    return rule_options.get("target_vault") or (vault_options or {}).get("name")


def plan_document(plan_options, vault_options):
    """The plan document (canonical API shape) the task asks for."""
    rules = []
    for options in plan_options.get("rules") or []:
        rules.append(dict(
            RuleName=options["name"],
            TargetBackupVaultName=target_vault(options, vault_options),
            ScheduleExpression=options.get("schedule_expression"),
            ScheduleExpressionTimezone=options.get("schedule_expression_timezone"),
            StartWindowMinutes=options.get("start_window_minutes"),
            CompletionWindowMinutes=options.get("completion_window_minutes"),
            Lifecycle=_lifecycle(options.get("lifecycle")),
            EnableContinuousBackup=options.get("enable_continuous_backup"),
            RecoveryPointTags=options.get("recovery_point_tags"),
            CopyActions=[dict(DestinationBackupVaultArn=copy["destination_vault_arn"], Lifecycle=_lifecycle(copy.get("lifecycle")))
                         for copy in options.get("copy_actions") or []],
        ))
    return canonical.plan_document(dict(BackupPlanName=plan_options["name"], Rules=rules))


def selection(options):
    """The selection (canonical API shape) the task asks for."""
    conditions = {}
    for snake, kind in canonical.CONDITION_KINDS:
        conditions[kind] = [dict(ConditionKey=entry["key"], ConditionValue=entry.get("value"))
                            for entry in (options.get("conditions") or {}).get(snake) or []]
    return canonical.selection(dict(
        SelectionName=options["name"],
        IamRoleArn=options["iam_role_arn"],
        Resources=options.get("resources"),
        NotResources=options.get("not_resources"),
        ListOfTags=[dict(ConditionType=entry.get("type") or "STRINGEQUALS", ConditionKey=entry["key"], ConditionValue=entry.get("value"))
                    for entry in options.get("list_of_tags") or []],
        Conditions=conditions,
    ))


def lock(vault_options):
    """The vault lock the task asks for: a dict, ``False`` to remove it, or ``None`` when not managed."""
    options = (vault_options or {}).get("lock")
    if options is None:
        return None
    if options.get("state") == "absent":
        return False
    return dict(min_retention_days=options.get("min_retention_days"), max_retention_days=options.get("max_retention_days"),
                changeable_for_days=options.get("changeable_for_days"))


def snake(value):
    """A canonical API-shape value as the module returns it (snake_case keys, user tag keys kept)."""
    return camel_dict_to_snake_dict(value, ignore_keys=USER_DATA_KEYS) if value is not None else None
