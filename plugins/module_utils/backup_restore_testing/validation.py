# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the ``backup_restore_testing`` options that need no AWS request (all problems at once).

The limits are AWS Backup's: plan and selection names of letters, digits and underscores (at most
50, starting with a letter), six-field cron schedules, IANA time zones, a start window of 1 to 168
hours, a selection window of 1 to 365 days, a validation window of 0 to 168 hours, vaults as names,
ARNs or ``*``, at most 30 protected resource ARNs of the selection's type, or ``*`` narrowed by tag
conditions (not both), tag condition keys outside the ``aws:`` namespace.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import reserved_tag_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan.cron import schedule_problem
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_restore_testing.spec import TAG_PREFIX, CONDITION_KINDS

try:
    import zoneinfo
except ImportError:  # Python < 3.9: the time zone is checked by AWS
    zoneinfo = None

NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,49}$")
VAULT_NAME = re.compile(r"^[a-zA-Z0-9\-_*]{1,50}$")
VAULT_ARN = re.compile(r"^arn:aws[a-z-]*:backup:([a-z]{2}(-[a-z]+)+-\d|\*):(\d{12}|\*):backup-vault:[a-zA-Z0-9\-_*]{1,50}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
ROLE_NAME = re.compile(r"^/?([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
RESOURCE_ARNS = dict(
    RDS=(re.compile(r"^arn:aws[a-z-]*:rds:[a-z]{2}(-[a-z]+)+-\d:\d{12}:db:[a-zA-Z][a-zA-Z0-9-]{0,62}$"),
         "arn:aws:rds:us-east-1:111111111111:db:orders (a DB instance)"),
    Aurora=(re.compile(r"^arn:aws[a-z-]*:rds:[a-z]{2}(-[a-z]+)+-\d:\d{12}:cluster:[a-zA-Z][a-zA-Z0-9-]{0,62}$"),
            "arn:aws:rds:us-east-1:111111111111:cluster:orders (a DB cluster)"),
)
TAG_KEY = re.compile(r"^[\w\s.:/=+\-@]{1,128}$", re.UNICODE)
TAG_VALUE = re.compile(r"^[\w\s.:/=+\-@]{0,256}$", re.UNICODE)
OVERRIDE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
MAX_ARNS = 30
NAME_HINT = "1 to 50 letters, digits or '_', starting with a letter (AWS Backup refuses '-' here; use for example %r)"


def _name_error(where, value):
    if NAME.match(value or ""):
        return []
    suggestion = re.sub(r"[^a-zA-Z0-9_]", "_", value or "") or "restore_test"
    if not suggestion[0].isalpha():
        suggestion = "rt_" + suggestion
    return ["%s: %r must be %s" % (where, value, NAME_HINT % suggestion[:50])]


def _range_error(where, value, low, high, unit):
    if value is not None and not low <= value <= high:
        return ["%s: %d is out of range; expected %d to %d %s" % (where, value, low, high, unit)]
    return []


def _vault_errors(where, values):
    errors = []
    for value in values or []:
        value = value or ""
        if value == "*" or VAULT_ARN.match(value) or (not value.startswith("arn:") and VAULT_NAME.match(value)):
            continue
        errors.append("%s: %r is not a backup vault; give '*', a vault name or a vault ARN such as "
                      "arn:aws:backup:us-east-1:111111111111:backup-vault:prod-databases (wildcards '*' allowed)" % (where, value))
    return errors


def _plan_errors(params):
    errors = []
    schedule = params.get("schedule_expression")
    if schedule is not None:
        problem = schedule_problem(schedule)
        if problem:
            errors.append("schedule_expression: %r is not valid: %s" % (schedule, problem))
    zone = params.get("schedule_expression_timezone")
    if zone is not None and zoneinfo is not None:
        try:
            zoneinfo.ZoneInfo(zone)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            errors.append("schedule_expression_timezone: %r is not an IANA time zone; use for example Etc/UTC or Europe/Berlin" % zone)
    errors += _range_error("start_window_hours", params.get("start_window_hours"), 1, 168, "hours")
    points = params["recovery_point_selection"]
    if not points.get("include_vaults"):
        errors.append("recovery_point_selection.include_vaults: give at least one vault (a name, an ARN or '*' for every vault)")
    errors += _vault_errors("recovery_point_selection.include_vaults", points.get("include_vaults"))
    errors += _vault_errors("recovery_point_selection.exclude_vaults", points.get("exclude_vaults"))
    if not points.get("recovery_point_types"):
        errors.append("recovery_point_selection.recovery_point_types: give SNAPSHOT, CONTINUOUS or both")
    errors += _range_error("recovery_point_selection.selection_window_days", points.get("selection_window_days"), 1, 365, "days")
    return errors


def _condition_errors(where, conditions):
    errors = []
    for snake, _kind in CONDITION_KINDS:
        for index, entry in enumerate(conditions.get(snake) or []):
            key, value = entry.get("key") or "", entry.get("value")
            full = key if key.startswith(TAG_PREFIX) else TAG_PREFIX + key
            if not key or key == TAG_PREFIX or (key.lower().startswith("aws:") and not key.startswith(TAG_PREFIX)):
                errors.append("%s.%s[%d].key: %r is not a tag key; give the tag key (for example backup) or %s<tag key>"
                              % (where, snake, index, key, TAG_PREFIX))
            elif not TAG_KEY.match(full):
                errors.append("%s.%s[%d].key: %r is not a valid tag key (at most 128 letters, digits, spaces or _ . : / = + - @ "
                              "with the %s prefix)" % (where, snake, index, key, TAG_PREFIX))
            if value is None or not TAG_VALUE.match(value):
                errors.append("%s.%s[%d].value: %r is not a valid tag value (at most 256 letters, digits, spaces or _ . : / = + - @)"
                              % (where, snake, index, value))
    return errors


def _selection_errors(index, options):
    where = "selections[%d]" % index
    errors = _name_error("%s.name" % where, options["name"])
    role = options.get("iam_role") or ""
    if not (ROLE_ARN.match(role) or (not role.startswith("arn:") and ROLE_NAME.match(role))):
        errors.append("%s.iam_role: %r is not an IAM role name or ARN; give for example AWSBackupDefaultServiceRole or "
                      "arn:aws:iam::111111111111:role/service-role/AWSBackupDefaultServiceRole" % (where, role))
    kind = options["protected_resource_type"]
    arns = options.get("protected_resource_arns") or []
    conditions = options.get("protected_resource_conditions") or {}
    has_conditions = any(conditions.get(snake) for snake, _kind in CONDITION_KINDS)
    if not arns and not has_conditions:
        errors.append("%s: give protected_resource_arns (specific ARNs, or ['*'] for every %s resource) or "
                      "protected_resource_conditions (tag conditions)" % (where, kind))
    if "*" in arns and len(arns) > 1:
        errors.append("%s.protected_resource_arns: '*' selects every resource; it cannot be combined with specific ARNs" % where)
    specific = [arn for arn in arns if arn != "*"]
    if specific and has_conditions:
        errors.append("%s: give specific protected_resource_arns or protected_resource_conditions, not both "
                      "(conditions narrow the wildcard '*')" % where)
    if len(specific) > MAX_ARNS:
        errors.append("%s.protected_resource_arns: %d ARNs; AWS Backup accepts at most %d (use tag conditions instead)"
                      % (where, len(specific), MAX_ARNS))
    pattern, example = RESOURCE_ARNS[kind]
    for arn in specific:
        if not pattern.match(arn or ""):
            errors.append("%s.protected_resource_arns: %r is not the ARN of a %s resource; expected for example %s"
                          % (where, arn, kind, example))
    errors += _condition_errors("%s.protected_resource_conditions" % where, conditions)
    for key, value in sorted((options.get("restore_metadata_overrides") or {}).items()):
        if not OVERRIDE_KEY.match(str(key)):
            errors.append("%s.restore_metadata_overrides: %r is not a restore metadata key (letters and digits, for example "
                          "dbsubnetgroupname, vpcsecuritygroupids, dbinstanceclass)" % (where, key))
        if value is None:
            errors.append("%s.restore_metadata_overrides.%s: the value is empty; remove the key to let AWS Backup infer it" % (where, key))
    errors += _range_error("%s.validation_window_hours" % where, options.get("validation_window_hours"), 0, 168, "hours")
    return errors


def input_errors(params):
    """Every problem with the task's options that can be found without calling AWS."""
    errors = _name_error("name", params["name"])
    if params["state"] == "absent":
        return errors
    errors += _plan_errors(params)
    selections = params.get("selections") or []
    names = [options["name"] for options in selections]
    for duplicate in sorted(set(name for name in names if names.count(name) > 1)):
        errors.append("selections: the name %r is used more than once; selection names must be unique in the plan" % duplicate)
    for index, options in enumerate(selections):
        errors += _selection_errors(index, options)
    errors += reserved_tag_errors(params.get("tags"))
    return errors
