# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the ``rds_instance`` options that need no AWS request.

``input_errors(params)`` returns every problem found, each naming the option, the value given and
what would be accepted, so that a task fails once, before any change, with all of them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import reserved_tag_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.storage import MAX_STORAGE, MIN_STORAGE
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_instance.versions import version_errors

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9-]*$")
_CLASS = re.compile(r"^db\.([a-z]+[0-9]+[a-z0-9-]*)\.(micro|small|medium|large|xlarge|[1-9][0-9]*xlarge|metal(?:-[0-9]+xl)?)$")
_SQL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]{8,17}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")
_RDS_ARN = re.compile(r"^arn:aws[a-z-]*:rds:([a-z0-9-]+):([0-9]{12}):db:([a-z][a-z0-9-]*)$")
_KMS_KEY = re.compile(r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)|alias/[A-Za-z0-9/_-]+|"
                      r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")
_BACKUP_WINDOW = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$")
_MAINTENANCE_WINDOW = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])-"
                                 r"(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])$")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOG_TYPES = ("postgresql", "upgrade")
RESERVED_USERNAMES = ("rdsadmin", "rdsrepladmin", "rdstopmgr", "public", "current_user", "session_user", "user", "none")
RESERVED_DB_NAMES = ("template0", "template1", "rdsadmin")
PASSWORD_FORBIDDEN = ("/", "@", '"', " ")
PORT_RANGE = (1150, 65535)
BACKUP_RETENTION = (0, 35)
WEEK_MINUTES = 7 * 24 * 60
AURORA_ENGINES = ("aurora-postgresql", "aurora-mysql", "aurora")
SETTINGS_REPLICAS_INHERIT = ("db_name", "master_username", "master_user_password", "manage_master_user_password",
                             "master_user_secret_kms_key_id")


def identifier_errors(value, option="identifier", max_length=63):
    """Messages for a DB instance (or snapshot) identifier RDS would refuse."""
    text = str(value)
    problems = []
    if not 1 <= len(text) <= max_length:
        problems.append("must be 1 to %d characters long (it has %d)" % (max_length, len(text)))
    if text and not _IDENTIFIER.match(text.lower()):
        if not text[0].isalpha():
            problems.append("must start with a letter")
        bad = sorted(set(char for char in text if not (char.isascii() and (char.isalnum() or char == "-"))))
        if bad:
            problems.append("may contain only ASCII letters, digits and hyphens (found %s)" % ", ".join(repr(c) for c in bad))
    if text.endswith("-"):
        problems.append("must not end with a hyphen")
    if "--" in text:
        problems.append("must not contain two consecutive hyphens")
    if not problems:
        return []
    return ["%s: %r is not a valid identifier: it %s" % (option, value, "; it ".join(problems))]


def engine_errors(engine):
    if engine == "postgres":
        return []
    if engine in AURORA_ENGINES:
        return ["engine: %r is an Aurora engine; Aurora instances belong to a DB cluster, which "
                "innovate.aws_postgres.aurora_cluster manages (writer and readers in one task)" % engine]
    return ["engine: %r is not supported; this module manages RDS for PostgreSQL instances (engine: postgres)" % engine]


def instance_class_errors(instance_class):
    if instance_class is None:
        return []
    if instance_class == "db.serverless":
        return ["instance_class: db.serverless is Aurora Serverless v2, which only Aurora clusters have; use "
                "innovate.aws_postgres.aurora_cluster, or a provisioned class such as db.t4g.medium or db.m7g.large here"]
    if not _CLASS.match(instance_class):
        return ["instance_class: %r is not an RDS instance class; expected db.<family>.<size>, for example db.t4g.medium, "
                "db.m7g.large or db.r6g.2xlarge" % instance_class]
    return []


def _window_minutes(match, days):
    if days:
        start = DAYS.index(match.group(1)) * 1440 + int(match.group(2)) * 60 + int(match.group(3))
        end = DAYS.index(match.group(4)) * 1440 + int(match.group(5)) * 60 + int(match.group(6))
        total = WEEK_MINUTES
    else:
        start = int(match.group(1)) * 60 + int(match.group(2))
        end = int(match.group(3)) * 60 + int(match.group(4))
        total = 1440
    return start, (end - start) % total


def window_errors(backup, maintenance):
    errors = []
    parsed_backup = parsed_maintenance = None
    if backup is not None:
        match = _BACKUP_WINDOW.match(backup)
        if not match:
            errors.append("preferred_backup_window: %r is not a window; expected hh24:mi-hh24:mi in UTC, for example 03:00-03:30"
                          % backup)
        else:
            parsed_backup = _window_minutes(match, days=False)
            if parsed_backup[1] < 30:
                errors.append("preferred_backup_window: %r is shorter than the 30 minutes RDS requires" % backup)
    if maintenance is not None:
        match = _MAINTENANCE_WINDOW.match(maintenance.lower())
        if not match:
            errors.append("preferred_maintenance_window: %r is not a window; expected ddd:hh24:mi-ddd:hh24:mi in UTC, for "
                          "example sun:04:00-sun:04:30" % maintenance)
        else:
            parsed_maintenance = _window_minutes(match, days=True)
            if parsed_maintenance[1] < 30:
                errors.append("preferred_maintenance_window: %r is shorter than the 30 minutes RDS requires" % maintenance)
    if parsed_backup and parsed_maintenance and not errors:
        for day in range(7):
            start = day * 1440 + parsed_backup[0]
            if _overlaps(start, parsed_backup[1], parsed_maintenance[0], parsed_maintenance[1]):
                errors.append("preferred_backup_window: %r overlaps preferred_maintenance_window %r; RDS requires them apart"
                              % (backup, maintenance))
                break
    return errors


def _overlaps(start_a, length_a, start_b, length_b):
    for offset in (-WEEK_MINUTES, 0, WEEK_MINUTES):
        if start_a < start_b + offset + length_b and start_b + offset < start_a + length_a:
            return True
    return False


def in_maintenance_window(window, now):
    """True when now (a UTC datetime) falls inside window (ddd:hh24:mi-ddd:hh24:mi)."""
    match = _MAINTENANCE_WINDOW.match((window or "").lower())
    if not match:
        return False
    start, length = _window_minutes(match, days=True)
    minute = now.weekday() * 1440 + now.hour * 60 + now.minute
    return (minute - start) % WEEK_MINUTES < length


def password_errors(password):
    if password is None:
        return []
    problems = []
    if not 8 <= len(password) <= 128:
        problems.append("must be 8 to 128 characters long (it has %d)" % len(password))
    bad = sorted(set(char for char in password if char in PASSWORD_FORBIDDEN or not (char.isascii() and char.isprintable())))
    if bad:
        problems.append("may contain printable ASCII characters other than / @ \" and space only")
    if not problems:
        return []
    return ["master_user_password: the value given is not accepted by RDS: it %s (the value is not shown)" % "; it ".join(problems)]


def _sql_name_errors(option, value, reserved):
    if value is None:
        return []
    if not _SQL_NAME.match(value):
        return ["%s: %r is not valid; it must start with a letter and contain 1 to 63 ASCII letters, digits and underscores"
                % (option, value)]
    lowered = value.lower()
    if lowered in reserved or lowered.startswith("pg_") or (option == "master_username" and lowered.startswith("rds_")):
        return ["%s: %r is reserved by PostgreSQL or RDS; choose another name" % (option, value)]
    return []


def kms_key_errors(option, value):
    if value is None or _KMS_KEY.match(value):
        return []
    return ["%s: %r is not a KMS key identifier; give a key ARN, a key id, an alias name (alias/NAME) or an alias ARN"
            % (option, value)]


def performance_insights_errors(settings):
    if not settings:
        return []
    errors = []
    retention = settings.get("retention_days")
    if not settings.get("enabled"):
        errors += ["performance_insights.%s: only applies when performance_insights.enabled is true" % name
                   for name in ("retention_days", "kms_key_id") if settings.get(name) is not None]
    if retention is not None and not (retention == 7 or (retention % 31 == 0 and 1 <= retention // 31 <= 23) or retention == 731):
        errors.append("performance_insights.retention_days: %d is not accepted; expected 7 (free tier), a number of months "
                      "times 31 (31, 62, ... 713) or 731 (2 years)" % retention)
    errors += kms_key_errors("performance_insights.kms_key_id", settings.get("kms_key_id"))
    return errors


def monitoring_errors(interval, role_arn):
    errors = []
    if interval and not role_arn:
        errors.append("monitoring_role_arn: required when monitoring_interval is %d (enhanced monitoring publishes through "
                      "that role; for example arn:aws:iam::123456789012:role/rds-monitoring-role)" % interval)
    if role_arn and not _ROLE_ARN.match(role_arn):
        errors.append("monitoring_role_arn: %r is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)" % role_arn)
    if role_arn and interval == 0:
        errors.append("monitoring_role_arn: cannot be set with monitoring_interval 0 (enhanced monitoring off); remove it")
    return errors


def restore_errors(restore):
    if not restore:
        return []
    errors = []
    if restore["source"] == "snapshot":
        if not restore.get("snapshot_identifier"):
            errors.append("restore.snapshot_identifier: required when restore.source is snapshot")
        errors += ["restore.%s: only applies when restore.source is point_in_time" % name
                   for name in ("source_db_instance_identifier", "restore_time") if restore.get(name)]
        if restore.get("use_latest_restorable_time"):
            errors.append("restore.use_latest_restorable_time: only applies when restore.source is point_in_time")
        return errors
    if not restore.get("source_db_instance_identifier"):
        errors.append("restore.source_db_instance_identifier: required when restore.source is point_in_time")
    if restore.get("snapshot_identifier"):
        errors.append("restore.snapshot_identifier: only applies when restore.source is snapshot")
    if bool(restore.get("restore_time")) == bool(restore.get("use_latest_restorable_time")):
        errors.append("restore: give exactly one of restore_time and use_latest_restorable_time=true for a point-in-time restore")
    if restore.get("restore_time") and parse_time(restore["restore_time"]) is None:
        errors.append("restore.restore_time: %r is not a time; expected ISO 8601 in UTC, for example 2025-03-01T12:30:00Z"
                      % restore["restore_time"])
    return errors


def parse_time(text):
    """An aware UTC datetime from ISO 8601 text (Z or an offset; naive means UTC), or None."""
    try:
        value = datetime.datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def source_errors(params):
    source = params.get("source")
    if source is None:
        return []
    errors = []
    match = _RDS_ARN.match(source)
    if source.startswith("arn:"):
        if not match:
            errors.append("source: %r is not a DB instance ARN (arn:aws:rds:REGION:ACCOUNT:db:IDENTIFIER)" % source)
        elif params.get("source_region") and params["source_region"] != match.group(1):
            errors.append("source_region: %r differs from the region of source %r (%s)" % (params["source_region"], source, match.group(1)))
    else:
        errors += identifier_errors(source, option="source")
        if params.get("source_region") and params["source_region"] != params.get("region"):
            errors.append("source: a cross-region replica needs the source's ARN (arn:aws:rds:%s:ACCOUNT:db:%s), not its identifier"
                          % (params["source_region"], source))
    errors += ["%s: a read replica inherits it from its source; remove it from the task" % option
               for option in SETTINGS_REPLICAS_INHERIT if params.get(option) is not None]
    return errors


def source_region_of(params):
    """The region of the replica's source (the task's region for a same-region source)."""
    match = _RDS_ARN.match(params.get("source") or "")
    if match:
        return match.group(1)
    return params.get("source_region") or params.get("region")


def storage_precheck(params):
    """Storage problems visible without knowing the instance (the rest is checked against it)."""
    allocated, maximum = params.get("allocated_storage"), params.get("max_allocated_storage")
    low = MIN_STORAGE.get(params.get("storage_type"), min(MIN_STORAGE.values()))
    if allocated is not None and allocated > 0 and not low <= allocated <= MAX_STORAGE:
        return ["allocated_storage: %d GiB is out of range%s; expected %d to %d GiB" % (
            allocated, " for %s storage" % params["storage_type"] if params.get("storage_type") else "", low, MAX_STORAGE)]
    if allocated and maximum and maximum < allocated:
        return ["max_allocated_storage: %d GiB is below allocated_storage (%d GiB)" % (maximum, allocated)]
    return []


def input_errors(params):
    """Every problem with the task's options that can be found without calling AWS."""
    errors = identifier_errors(params["identifier"])
    if params["state"] == "absent":
        if params.get("final_snapshot_identifier"):
            errors += identifier_errors(params["final_snapshot_identifier"], option="final_snapshot_identifier", max_length=255)
        if params.get("skip_final_snapshot") and params.get("final_snapshot_identifier"):
            errors.append("final_snapshot_identifier: cannot be combined with skip_final_snapshot=true; remove one of them")
        return errors
    errors += engine_errors(params["engine"])
    errors += version_errors(params.get("engine_version"))
    errors += instance_class_errors(params.get("instance_class"))
    for name in ("allocated_storage", "max_allocated_storage", "iops", "storage_throughput"):
        if params.get(name) is not None and params[name] <= 0:
            errors.append("%s: %d is not accepted; expected a positive number" % (name, params[name]))
    errors += storage_precheck(params)
    for group in params.get("vpc_security_group_ids") or []:
        if not _SECURITY_GROUP.match(group):
            errors.append("vpc_security_group_ids: %r is not a security group id (sg- followed by 8 or 17 hexadecimal digits)" % group)
    if params.get("kms_key_id") is not None and not params["storage_encrypted"]:
        errors.append("kms_key_id: only applies to encrypted storage; remove it or keep storage_encrypted=true")
    errors += kms_key_errors("kms_key_id", params.get("kms_key_id"))
    errors += kms_key_errors("master_user_secret_kms_key_id", params.get("master_user_secret_kms_key_id"))
    if params.get("master_user_secret_kms_key_id") and params.get("manage_master_user_password") is not True:
        errors.append("master_user_secret_kms_key_id: only applies with manage_master_user_password=true")
    errors += performance_insights_errors(params.get("performance_insights"))
    errors += monitoring_errors(params.get("monitoring_interval"), params.get("monitoring_role_arn"))
    unknown = sorted(set(params.get("enable_cloudwatch_logs_exports") or []) - set(LOG_TYPES))
    if unknown:
        errors.append("enable_cloudwatch_logs_exports: %s not a log type of RDS for PostgreSQL; expected a list of %s"
                      % (", ".join(repr(item) for item in unknown) + (" is" if len(unknown) == 1 else " are"), " and ".join(LOG_TYPES)))
    retention = params.get("backup_retention_period")
    if retention is not None and not BACKUP_RETENTION[0] <= retention <= BACKUP_RETENTION[1]:
        errors.append("backup_retention_period: %d is out of range; expected %d (no automated backups) to %d days"
                      % ((retention,) + BACKUP_RETENTION))
    errors += window_errors(params.get("preferred_backup_window"), params.get("preferred_maintenance_window"))
    if params.get("port") is not None and not PORT_RANGE[0] <= params["port"] <= PORT_RANGE[1]:
        errors.append("port: %d is not accepted for PostgreSQL on RDS; expected %d to %d" % ((params["port"],) + PORT_RANGE))
    errors += _sql_name_errors("db_name", params.get("db_name"), RESERVED_DB_NAMES)
    errors += _sql_name_errors("master_username", params.get("master_username"), RESERVED_USERNAMES)
    errors += password_errors(params.get("master_user_password"))
    if params.get("manage_master_user_password") and params.get("master_user_password") is not None:
        errors.append("master_user_password: cannot be combined with manage_master_user_password=true (RDS generates and rotates "
                      "the password in Secrets Manager); remove one of them")
    errors += reserved_tag_errors(params.get("tags"))
    errors += restore_errors(params.get("restore"))
    errors += source_errors(params)
    if params["wait_timeout"] <= 0:
        errors.append("wait_timeout: %d is not accepted; expected a positive number of seconds" % params["wait_timeout"])
    return errors
