# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of an ``aurora_cluster`` task that need no AWS call (all problems reported at once)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import reserved_tag_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aurora import versions

IDENTIFIER = re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$")
DB_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
INSTANCE_CLASS = re.compile(r"^db\.(serverless|[a-z][a-z0-9-]*\.[a-z0-9]+)$")
WINDOW = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$")
BACKUP_WINDOW = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
RESERVED_USERNAMES = ("rdsadmin", "rdsrepladmin", "rds_superuser", "rds_iam", "rds_replication", "rds_password")
LOG_TYPES = ("postgresql", "instance")
SERVERLESS = "db.serverless"
MAX_ACU = 256.0
MAX_READERS = 15
PI_RETENTION = (7, 31, 62, 93, 124, 155, 186, 217, 248, 279, 310, 341, 372, 403, 434, 465, 496, 527, 558, 589, 620,
                651, 682, 713, 731)


def identifier_errors(value, option):
    if value is None:
        return []
    if not IDENTIFIER.match(value):
        return ["%s: %r is not a valid identifier: 1 to 63 letters, digits or hyphens, starting with a letter, "
                "without two consecutive hyphens and not ending with a hyphen" % (option, value)]
    return []


def _acu_errors(scaling):
    if scaling is None:
        return []
    errors = []
    low, high = scaling.get("min_capacity"), scaling.get("max_capacity")
    for name, value in (("min_capacity", low), ("max_capacity", high)):
        if value is None:
            errors.append("serverless_v2_scaling.%s: required (Aurora capacity units, 0 to 256 in steps of 0.5)" % name)
        elif not 0 <= value <= MAX_ACU or value * 2 != int(value * 2):
            errors.append("serverless_v2_scaling.%s: %s is not valid; use 0 to 256 ACUs in steps of 0.5 (for example 0.5, 1, 16)"
                          % (name, value))
    if not errors:
        if high < 1:
            errors.append("serverless_v2_scaling.max_capacity: %s is below the minimum of 1 ACU" % high)
        if low > high:
            errors.append("serverless_v2_scaling: min_capacity %s is greater than max_capacity %s" % (low, high))
    return errors


def _member_errors(spec, option):
    errors = identifier_errors(spec.get("identifier"), "%s.identifier" % option)
    instance_class = spec.get("instance_class")
    if instance_class is not None and not INSTANCE_CLASS.match(instance_class):
        errors.append("%s.instance_class: %r is not an instance class; use db.serverless or a class such as db.r6g.large"
                      % (option, instance_class))
    tier = spec.get("promotion_tier")
    if tier is not None and not 0 <= tier <= 15:
        errors.append("%s.promotion_tier: %s is not valid; use 0 (promoted first) to 15" % (option, tier))
    return errors


def _autoscaling_errors(scaling, readers):
    if not scaling or not scaling.get("enabled", True):
        return []
    errors = []
    low, high = scaling.get("min_capacity"), scaling.get("max_capacity")
    for name, value in (("min_capacity", low), ("max_capacity", high)):
        if value is None:
            errors.append("reader_autoscaling.%s: required when reader auto scaling is enabled (0 to %d readers)" % (name, MAX_READERS))
        elif not 0 <= value <= MAX_READERS:
            errors.append("reader_autoscaling.%s: %s is not valid; use 0 to %d readers" % (name, value, MAX_READERS))
    if not errors and low > high:
        errors.append("reader_autoscaling: min_capacity %s is greater than max_capacity %s" % (low, high))
    target = scaling.get("target_value")
    metric = scaling.get("metric")
    if target is None:
        errors.append("reader_autoscaling.target_value: required (average reader CPU in percent, or connections per reader)")
    elif metric == "cpu" and not 10 <= target <= 90:
        errors.append("reader_autoscaling.target_value: %s is not a sensible CPU target; use 10 to 90 (percent)" % target)
    elif target <= 0:
        errors.append("reader_autoscaling.target_value: %s must be greater than 0" % target)
    for name in ("scale_in_cooldown", "scale_out_cooldown"):
        if scaling.get(name) is not None and scaling[name] < 0:
            errors.append("reader_autoscaling.%s: %s must be 0 or more seconds" % (name, scaling[name]))
    if readers is not None and high is not None and len(readers) > high:
        errors.append("reader_autoscaling.max_capacity: %s is less than the %d readers declared in readers" % (high, len(readers)))
    return errors


def _master_errors(params):
    errors = []
    username = params.get("master_username")
    if username is not None:
        if not USERNAME.match(username):
            errors.append("master_username: %r is not valid: 1 to 63 letters, digits or underscores, starting with a letter" % username)
        elif username.lower() in RESERVED_USERNAMES or username.lower().startswith("pg_"):
            errors.append("master_username: %r is reserved by PostgreSQL or RDS; choose another name (for example dbadmin)" % username)
    password = params.get("master_user_password")
    if password is not None:
        if len(password) < 8 or len(password) > 128:
            errors.append("master_user_password: must be 8 to 128 characters long")
        bad = sorted(set(password) & set('/@" '))
        if bad or any(ord(char) < 33 or ord(char) > 126 for char in password):
            errors.append("master_user_password: only printable ASCII characters other than '/', '@', '\"' and space are accepted")
    if params.get("manage_master_user_password") and password is not None:
        errors.append("master_user_password: cannot be used with manage_master_user_password=true (Secrets Manager "
                      "generates the password); remove one of them")
    name = params.get("database_name")
    if name is not None and not DB_NAME.match(name):
        errors.append("database_name: %r is not valid: 1 to 63 letters, digits or underscores, starting with a letter" % name)
    return errors


def _settings_errors(params):
    errors = []
    version = params.get("engine_version")
    if version is not None and not versions.is_valid(version):
        errors.append("engine_version: %r is not a version; use a major version such as \"16\" or an exact one such as \"16.4\"" % version)
    retention = params.get("backup_retention_period")
    if retention is not None and not 1 <= retention <= 35:
        errors.append("backup_retention_period: %s is not valid; Aurora keeps backups for 1 to 35 days" % retention)
    if params.get("preferred_maintenance_window") and not WINDOW.match(params["preferred_maintenance_window"].lower()):
        errors.append("preferred_maintenance_window: %r is not a window such as sun:05:00-sun:05:30" % params["preferred_maintenance_window"])
    if params.get("preferred_backup_window") and not BACKUP_WINDOW.match(params["preferred_backup_window"]):
        errors.append("preferred_backup_window: %r is not a window such as 03:00-03:30 (UTC)" % params["preferred_backup_window"])
    unknown = sorted(set(params.get("cloudwatch_logs_exports") or []) - set(LOG_TYPES))
    if unknown:
        errors.append("cloudwatch_logs_exports: %s not exported by Aurora PostgreSQL; use %s"
                      % (", ".join(unknown), " and/or ".join(LOG_TYPES)))
    period = params.get("performance_insights_retention_period")
    if period is not None and period not in PI_RETENTION:
        errors.append("performance_insights_retention_period: %s is not valid; use 7, a multiple of 31 up to 713, or 731 days" % period)
    if params.get("monitoring_interval") and not params.get("monitoring_role_arn"):
        errors.append("monitoring_role_arn: required when monitoring_interval is greater than 0 (the role enhanced monitoring uses)")
    return errors


def input_errors(params):
    """Every problem of the task's options that can be found without calling AWS."""
    errors = identifier_errors(params["identifier"], "identifier")
    errors += identifier_errors(params.get("global_cluster_identifier"), "global_cluster_identifier")
    if params["state"] == "absent":
        errors += identifier_errors(params.get("final_snapshot_identifier"), "final_snapshot_identifier")
        return errors
    errors += _master_errors(params) + _settings_errors(params)
    errors += _acu_errors(params.get("serverless_v2_scaling"))
    if params.get("instance_class") is not None and not INSTANCE_CLASS.match(params["instance_class"]):
        errors.append("instance_class: %r is not an instance class; use db.serverless or a class such as db.r6g.large"
                      % params["instance_class"])
    errors += _member_errors(params.get("writer") or {}, "writer")
    readers = params.get("readers")
    for index, spec in enumerate(readers or []):
        errors += _member_errors(spec, "readers[%d]" % index)
    if readers is not None and len(readers) > MAX_READERS:
        errors.append("readers: %d readers declared; an Aurora cluster has at most %d" % (len(readers), MAX_READERS))
    names = [spec.get("identifier") for spec in [params.get("writer") or {}] + list(readers or []) if spec.get("identifier")]
    duplicates = sorted(set(name for name in names if names.count(name) > 1))
    if duplicates:
        errors.append("readers: the identifier(s) %s are declared more than once" % ", ".join(duplicates))
    classes = set([params.get("instance_class")] + [spec.get("instance_class") for spec in [params.get("writer") or {}] + list(readers or [])])
    if SERVERLESS in classes and params.get("serverless_v2_scaling") is None:
        errors.append("serverless_v2_scaling: required with instance class db.serverless (min_capacity and max_capacity in ACUs)")
    errors += _autoscaling_errors(params.get("reader_autoscaling"), readers)
    errors += reserved_tag_errors(params.get("tags"))
    return errors
