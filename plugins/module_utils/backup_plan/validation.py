# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the ``backup_plan`` options that need no AWS request (all problems at once).

The limits are AWS Backup's: names, six-field cron schedules at most hourly, IANA time zones,
start window at least 60 minutes and completion window at least 60 minutes longer, retention
at most 36500 days and at least 90 days in cold storage, continuous backups (PITR) kept 1 to 35
days without cold storage, vault lock retention 1 to 36500 days and a grace time of at least 3
days, ARNs of the right service and resource type.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import reserved_tag_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan.cron import schedule_problem
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.policy import parse_policy

try:
    import zoneinfo
except ImportError:  # Python < 3.9: the time zone is checked by AWS
    zoneinfo = None

NAME = re.compile(r"^[a-zA-Z0-9\-_.]{1,50}$")
VAULT_NAME = re.compile(r"^[a-zA-Z0-9\-_]{2,50}$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
VAULT_ARN = re.compile(r"^arn:aws[a-z-]*:backup:[a-z]{2}(-[a-z]+)+-\d:\d{12}:backup-vault:[a-zA-Z0-9\-_]{2,50}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
RESOURCE_ARN = re.compile(r"^(\*|arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(-[a-z]+)+-\d|\*)?:(\d{12}|\*)?:.+)$")
MAX_DAYS = 36500
COLD_MINIMUM = 90
CONTINUOUS_MAXIMUM = 35


def _lifecycle_errors(where, options, continuous=False):
    options = options or {}
    cold, delete = options.get("move_to_cold_storage_after_days"), options.get("delete_after_days")
    errors = []
    for key, value in (("move_to_cold_storage_after_days", cold), ("delete_after_days", delete)):
        if value is not None and not 1 <= value <= MAX_DAYS:
            errors.append("%s.lifecycle.%s: %d is out of range; expected 1 to %d days" % (where, key, value, MAX_DAYS))
    if cold is not None and delete is not None and delete < cold + COLD_MINIMUM:
        errors.append("%s.lifecycle: delete_after_days (%d) must be at least %d days more than move_to_cold_storage_after_days (%d): "
                      "AWS Backup keeps a recovery point in cold storage at least %d days; use delete_after_days >= %d"
                      % (where, delete, COLD_MINIMUM, cold, COLD_MINIMUM, cold + COLD_MINIMUM))
    if continuous and cold is not None:
        errors.append("%s.lifecycle.move_to_cold_storage_after_days: continuous backups (enable_continuous_backup=true) cannot "
                      "move to cold storage; remove it" % where)
    if continuous and (delete is None or delete > CONTINUOUS_MAXIMUM):
        errors.append("%s.lifecycle.delete_after_days: continuous backups (enable_continuous_backup=true) are kept 1 to %d days; got %s"
                      % (where, CONTINUOUS_MAXIMUM, delete if delete is not None else "none (kept forever)"))
    return errors


def _rule_errors(index, options, vault_options):
    where = "plan.rules[%d]" % index
    errors = []
    if not NAME.match(options["name"] or ""):
        errors.append("%s.name: %r must be 1 to 50 letters, digits, '-', '_' or '.'" % (where, options["name"]))
    target = options.get("target_vault") or (vault_options or {}).get("name")
    if not target:
        errors.append("%s.target_vault: no vault; give target_vault or the vault option" % where)
    elif not VAULT_NAME.match(target):
        errors.append("%s.target_vault: %r is not a vault name (2 to 50 letters, digits, '-' or '_')" % (where, target))
    if options.get("schedule_expression") is not None:
        problem = schedule_problem(options["schedule_expression"])
        if problem:
            errors.append("%s.schedule_expression: %r is not valid: %s" % (where, options["schedule_expression"], problem))
    zone = options.get("schedule_expression_timezone")
    if zone is not None and zoneinfo is not None:
        try:
            zoneinfo.ZoneInfo(zone)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            errors.append("%s.schedule_expression_timezone: %r is not an IANA time zone; use for example Etc/UTC or Europe/Berlin"
                          % (where, zone))
    start, completion = options.get("start_window_minutes"), options.get("completion_window_minutes")
    if start is not None and not 60 <= start <= 52560000:
        errors.append("%s.start_window_minutes: %d is out of range; expected at least 60 minutes" % (where, start))
    if completion is not None and completion < (start if start is not None else 480) + 60:
        errors.append("%s.completion_window_minutes: %d must be at least 60 minutes more than the start window (%d)"
                      % (where, completion, start if start is not None else 480))
    errors += _lifecycle_errors(where, options.get("lifecycle"), bool(options.get("enable_continuous_backup")))
    for position, copy in enumerate(options.get("copy_actions") or []):
        copy_where = "%s.copy_actions[%d]" % (where, position)
        if not VAULT_ARN.match(copy["destination_vault_arn"] or ""):
            errors.append("%s.destination_vault_arn: %r is not a backup vault ARN; expected "
                          "arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME" % (copy_where, copy["destination_vault_arn"]))
        errors += _lifecycle_errors(copy_where, copy.get("lifecycle"))
    for key in sorted(options.get("recovery_point_tags") or {}):
        if str(key).lower().startswith("aws:"):
            errors.append("%s.recovery_point_tags: the key %r starts with 'aws:', which is reserved for AWS" % (where, key))
    return errors


def _plan_errors(plan, vault):
    errors = []
    if not NAME.match(plan["name"] or ""):
        errors.append("plan.name: %r must be 1 to 50 letters, digits, '-', '_' or '.'" % plan["name"])
    rules = plan.get("rules") or []
    if not rules:
        errors.append("plan.rules: a backup plan needs at least one rule")
    names = [options["name"] for options in rules]
    for duplicate in sorted(set(name for name in names if names.count(name) > 1)):
        errors.append("plan.rules: the rule name %r is used more than once; rule names must be unique" % duplicate)
    for index, options in enumerate(rules):
        errors += _rule_errors(index, options, vault)
    return errors


def _vault_errors(vault):
    errors = []
    if not VAULT_NAME.match(vault["name"] or ""):
        errors.append("vault.name: %r must be 2 to 50 letters, digits, '-' or '_'" % vault["name"])
    if vault.get("kms_key_arn") is not None and not KMS_KEY_ARN.match(vault["kms_key_arn"]):
        errors.append("vault.kms_key_arn: %r is not a KMS key ARN; expected arn:aws:kms:REGION:ACCOUNT:key/KEY-ID "
                      "(an alias is not accepted)" % vault["kms_key_arn"])
    if vault.get("access_policy") not in (None, "", "{}"):
        try:
            document = parse_policy(vault["access_policy"])
            if document and not document.get("Statement"):
                errors.append("vault.access_policy: the policy has no Statement")
        except ValueError as e:
            errors.append("vault.access_policy: %s" % e)
    lock = vault.get("lock")
    if lock and lock.get("state") != "absent":
        low, high, grace = lock.get("min_retention_days"), lock.get("max_retention_days"), lock.get("changeable_for_days")
        if low is None and high is None:
            errors.append("vault.lock: give min_retention_days, max_retention_days or both (or state=absent to remove the lock)")
        for key, value in (("min_retention_days", low), ("max_retention_days", high)):
            if value is not None and not 1 <= value <= MAX_DAYS:
                errors.append("vault.lock.%s: %d is out of range; expected 1 to %d days" % (key, value, MAX_DAYS))
        if low is not None and high is not None and low > high:
            errors.append("vault.lock: min_retention_days (%d) is more than max_retention_days (%d)" % (low, high))
        if grace is not None and not 3 <= grace <= MAX_DAYS:
            errors.append("vault.lock.changeable_for_days: %d is out of range; expected at least 3 days (after that the lock "
                          "can never be changed or removed)" % grace)
    return errors


def _selection_errors(selection):
    errors = []
    if not NAME.match(selection["name"] or ""):
        errors.append("selection.name: %r must be 1 to 50 letters, digits, '-', '_' or '.'" % selection["name"])
    if not ROLE_ARN.match(selection["iam_role_arn"] or ""):
        errors.append("selection.iam_role_arn: %r is not an IAM role ARN; expected for example "
                      "arn:aws:iam::111111111111:role/service-role/AWSBackupDefaultServiceRole" % selection["iam_role_arn"])
    for key in ("resources", "not_resources"):
        for arn in selection.get(key) or []:
            if not RESOURCE_ARN.match(arn or ""):
                errors.append("selection.%s: %r is not a resource ARN; expected for example "
                              "arn:aws:rds:us-east-1:111111111111:db:orders (wildcards '*' allowed)" % (key, arn))
    conditions = selection.get("conditions") or {}
    if not (selection.get("resources") or selection.get("list_of_tags") or any(conditions.get(kind) for kind in conditions)):
        errors.append("selection: give resources, list_of_tags or conditions (a selection that selects nothing is refused by AWS)")
    return errors


def input_errors(params):
    """Every problem with the task's options that can be found without calling AWS."""
    vault, plan, selection = params.get("vault"), params.get("plan"), params.get("selection")
    errors = []
    if params["state"] == "absent":
        if not vault and not plan:
            errors.append("state=absent needs plan (the plan to delete) or vault with delete_vault=true")
        if params.get("delete_vault") and not vault:
            errors.append("delete_vault: true needs the vault option naming the vault to delete")
        return errors
    if not vault and not plan:
        errors.append("give vault, plan or both: there is nothing to manage")
    if selection and not plan:
        errors.append("selection: a selection belongs to a plan; give the plan option too")
    if vault:
        errors += _vault_errors(vault)
    if plan:
        errors += _plan_errors(plan, vault)
    if selection:
        errors += _selection_errors(selection)
    errors += reserved_tag_errors(params.get("tags"))
    return errors
