# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The project's baseline beyond the AWS controls (ids ``IAP.<n>``, stable; documented in the module).

IAP.1 rds.force_ssl=1, IAP.2 pgaudit preloaded and configured, IAP.3 connection and statement
logging, IAP.4 backup retention (14 days in production, 7 otherwise), IAP.5 Performance Insights,
IAP.6 deletion protection, IAP.7 customer managed KMS key, IAP.8 AWS Backup plan with a
cross-region copy, IAP.9 Multi-AZ in production, IAP.10 IAM database authentication, IAP.11 no
default administrator name, IAP.12 TLS-only proxies, IAP.13 certificate authority not expiring
soon. IAP.14 to IAP.16 are checked inside PostgreSQL (database_checks.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture.finding import FAIL, NOT_APPLICABLE, Control, verdict
from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture import rules

RDS_INSTANCE = "innovate.aws_postgres.rds_instance"
CLUSTER = "innovate.aws_postgres.aurora_cluster"
PARAMETER_GROUP = "innovate.aws_postgres.rds_parameter_group"
TRUE_VALUES = ("1", "on", "true", "yes")
PRODUCTION_RETENTION = 14
DEFAULT_RETENTION = 7
#: When the API does not return CertificateDetails.ValidTill, the expiry of the RDS certificate authorities.
CA_EXPIRY = {
    "rds-ca-2015": "2020-03-05",
    "rds-ca-2019": "2024-08-22",
    "rds-ca-rsa2048-g1": "2061-05-25",
    "rds-ca-rsa4096-g1": "2121-05-24",
    "rds-ca-ecc384-g1": "2121-05-24",
}


def _fix(target, instance_option, cluster_option=None):
    if target["type"] == "db_cluster" or rules.is_aurora(target["record"]):
        return "%s: %s" % (CLUSTER, cluster_option or instance_option)
    return "%s: %s" % (RDS_INSTANCE, instance_option)


def _truthy(value):
    return str(value).strip().lower() in TRUE_VALUES


def _force_ssl(context, target):
    value = rules.parameters_of(context, target).get("rds.force_ssl")
    return verdict(str(value) == "1"), "%s rds.force_ssl" % rules.group_label(target), value


def _pgaudit(context, target):
    parameters = rules.parameters_of(context, target)
    libraries = [item.strip() for item in str(parameters.get("shared_preload_libraries") or "").split(",") if item.strip()]
    audit_log = parameters.get("pgaudit.log")
    ok = "pgaudit" in libraries and audit_log not in (None, "", "none")
    return verdict(ok), "%s shared_preload_libraries, pgaudit.log" % rules.group_label(target), \
        dict(shared_preload_libraries=libraries, pgaudit_log=audit_log)


def _logging(context, target):
    parameters = rules.parameters_of(context, target)
    seen = dict((name, parameters.get(name)) for name in ("log_connections", "log_disconnections", "log_min_duration_statement"))
    duration = seen["log_min_duration_statement"]
    try:
        duration_ok = duration is not None and int(str(duration)) >= 0
    except ValueError:
        duration_ok = False
    ok = _truthy(seen["log_connections"]) and _truthy(seen["log_disconnections"]) and duration_ok
    return verdict(ok), "%s log_connections, log_disconnections, log_min_duration_statement" % rules.group_label(target), seen


def minimum_retention(context):
    if context.get("min_backup_retention_days") is not None:
        return context["min_backup_retention_days"]
    return PRODUCTION_RETENTION if rules.production(context) else DEFAULT_RETENTION


def _retention(context, target):
    record = target["record"]
    if rules.is_replica(record):
        return NOT_APPLICABLE, "ReadReplicaSourceDBInstanceIdentifier", record.get("ReadReplicaSourceDBInstanceIdentifier")
    retention = record.get("BackupRetentionPeriod") or 0
    minimum = minimum_retention(context)
    return verdict(retention >= minimum), "BackupRetentionPeriod (minimum %d for %s)" % (minimum, context.get("tier")), retention, \
        _fix(target, "backup_retention_period: %d" % minimum)


def _performance_insights(context, target):
    del context
    value = bool(target["record"].get("PerformanceInsightsEnabled"))
    return verdict(value), "PerformanceInsightsEnabled", value, _fix(target, "performance_insights: {enabled: true}", "performance_insights: true")


def _deletion_protection(context, target):
    del context
    value = bool(target["record"].get("DeletionProtection"))
    return verdict(value), "DeletionProtection", value, _fix(target, "deletion_protection: true")


def _customer_key(context, target):
    record = target["record"]
    if not record.get("StorageEncrypted"):
        return FAIL, "StorageEncrypted", False, _fix(target, "storage_encrypted: true with kms_key_id (a customer managed key)")
    key = record.get("KmsKeyId")
    manager = (context.get("key_managers") or {}).get(key)
    if manager is None:
        return NOT_APPLICABLE, "KMS DescribeKey KeyManager of %s" % key, "not readable"
    return verdict(manager == "CUSTOMER"), "KMS DescribeKey KeyManager of %s" % key, manager, \
        _fix(target, "kms_key_id (a key made with innovate.aws_postgres.kms_key)")


def _backup_plan(context, target):
    record = target["record"]
    if rules.is_replica(record):
        return NOT_APPLICABLE, "ReadReplicaSourceDBInstanceIdentifier", record.get("ReadReplicaSourceDBInstanceIdentifier")
    plans = rules.backup_protection(context, target["arn"], rules.tags_of(record))
    copied = [plan["plan"] for plan in plans if plan["cross_region"]]
    return verdict(copied), "AWS Backup plans selecting the resource (cross-region copy)", \
        dict(plans=[plan["plan"] for plan in plans], with_cross_region_copy=copied)


def _multi_az(context, target):
    record = target["record"]
    if target["type"] == "db_cluster":
        zones = set(settings.get("AvailabilityZone") for settings in (target.get("member_settings") or {}).values())
        value = bool(record.get("MultiAZ")) or len(zones - set([None])) > 1
    else:
        value = bool(record.get("MultiAZ"))
    if not rules.production(context):
        return rules.not_production(context, "MultiAZ %s" % value)
    return verdict(value), "MultiAZ", value, _fix(target, "multi_az: true", "readers (one in another availability zone)")


def _iam_auth(context, target):
    del context
    value = bool(target["record"].get("IAMDatabaseAuthenticationEnabled"))
    return verdict(value), "IAMDatabaseAuthenticationEnabled", value, _fix(target, "iam_database_authentication: true")


def _admin_name(context, target):
    del context
    record = target["record"]
    if rules.is_replica(record):
        return None
    name = record.get("MasterUsername")
    return verdict(str(name).lower() not in rules.DEFAULT_ADMIN_NAMES), "MasterUsername", name, \
        _fix(target, "master_username (not %s; a new instance)" % ", ".join(rules.DEFAULT_ADMIN_NAMES))


def _proxy_tls(context, target):
    del context
    value = bool(target["record"].get("RequireTLS"))
    return verdict(value), "RequireTLS", value


def _parse_day(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    return datetime.datetime.strptime(str(value)[:10], "%Y-%m-%d").date()


def _certificate(context, target):
    record = target["record"]
    identifier = record.get("CACertificateIdentifier")
    details = record.get("CertificateDetails") or {}
    valid_till = details.get("ValidTill") or CA_EXPIRY.get(identifier)
    if not valid_till:
        return NOT_APPLICABLE, "CACertificateIdentifier", "%s (expiry unknown: not one of %s)" % (identifier, ", ".join(sorted(CA_EXPIRY)))
    today = context.get("today") or datetime.date.today()
    days = (_parse_day(valid_till) - today).days
    limit = context.get("certificate_expiry_days", 90)
    fix = _fix(target, "ca_certificate_identifier: rds-ca-rsa2048-g1", "no CA option yet (set CACertificateIdentifier of the instance)")
    return verdict(days > limit), "CACertificateIdentifier (days left, minimum %d)" % limit, \
        dict(ca=identifier, valid_till=str(valid_till)[:10], days_left=days), fix


BOTH = ("instances", "clusters")
WITH_MEMBERS = ("instances", "members")

CATALOGUE = [
    (Control("IAP.1", "TLS is required: rds.force_ssl=1 in the parameter group in use", "HIGH", "%s: parameters: {rds.force_ssl: 1}" % PARAMETER_GROUP),
     BOTH, _force_ssl),
    (Control("IAP.2", "pgaudit is preloaded and pgaudit.log is set", "MEDIUM",
             "%s: parameters: {shared_preload_libraries: pgaudit, pgaudit.log: 'ddl,role'}" % PARAMETER_GROUP), BOTH, _pgaudit),
    (Control("IAP.3", "Connections, disconnections and slow statements are logged", "LOW",
             "%s: parameters: {log_connections: 1, log_disconnections: 1, log_min_duration_statement: 500}" % PARAMETER_GROUP), BOTH, _logging),
    (Control("IAP.4", "Automated backups are kept long enough (14 days in production, 7 otherwise)", "MEDIUM",
             "%s: backup_retention_period" % RDS_INSTANCE), BOTH, _retention),
    (Control("IAP.5", "Performance Insights is enabled", "LOW", "%s: performance_insights: {enabled: true}" % RDS_INSTANCE), WITH_MEMBERS,
     _performance_insights),
    (Control("IAP.6", "Deletion protection is on", "MEDIUM", "%s: deletion_protection: true" % RDS_INSTANCE), BOTH, _deletion_protection),
    (Control("IAP.7", "Storage is encrypted with a customer managed KMS key (not aws/rds)", "HIGH", "%s: kms_key_id" % RDS_INSTANCE), BOTH,
     _customer_key),
    (Control("IAP.8", "Protected by an AWS Backup plan with a cross-region copy", "MEDIUM",
             "innovate.aws_postgres.backup_plan: rules[].copy_actions (another region) and selection of the resource"), BOTH, _backup_plan),
    (Control("IAP.9", "Multi-AZ in production", "MEDIUM", "%s: multi_az: true" % RDS_INSTANCE), BOTH, _multi_az),
    (Control("IAP.10", "IAM database authentication is on", "MEDIUM", "%s: iam_database_authentication: true" % RDS_INSTANCE), BOTH, _iam_auth),
    (Control("IAP.11", "The administrator is not a default user name", "MEDIUM", "%s: master_username" % RDS_INSTANCE), BOTH, _admin_name),
    (Control("IAP.12", "Proxies accept TLS connections only", "HIGH", "innovate.aws_postgres.rds_proxy: require_tls: true"), ("proxies",),
     _proxy_tls),
    (Control("IAP.13", "The certificate authority does not expire soon", "MEDIUM",
             "%s: ca_certificate_identifier: rds-ca-rsa2048-g1" % RDS_INSTANCE), WITH_MEMBERS, _certificate),
]


def findings(context):
    return rules.evaluate(CATALOGUE, context)
