# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS Foundational Security Best Practices controls for Amazon RDS that apply to PostgreSQL.

Ids, titles and severities are Security Hub's. Each check reads the normalized inventory (see
collect.py) and returns ``(status, field, value[, remediation])`` or None when the control does
not concern that resource. Resources: ``instances`` (RDS for PostgreSQL instances, replicas
included), ``members`` (instances of Aurora clusters: only the instance-level controls that AWS
evaluates on them), ``clusters``, ``snapshots``, ``cluster_snapshots``, ``proxies``,
``parameter_groups``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture.finding import NOT_APPLICABLE, PASS, Control, verdict
from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture import rules

RDS_INSTANCE = "innovate.aws_postgres.rds_instance"
CLUSTER = "innovate.aws_postgres.aurora_cluster"
SNAPSHOT = "innovate.aws_postgres.rds_snapshot"
DEFAULT_PORT = 5432
FSBP_MIN_RETENTION = 7
CLUSTER_EVENTS = ("failure", "maintenance")
INSTANCE_EVENTS = ("configuration change", "failure", "maintenance")
PARAMETER_GROUP_EVENTS = ("configuration change",)
SECURITY_GROUP_EVENTS = ("configuration change", "failure")
EVENTS_FIX = "innovate.aws_postgres.rds_alarms: event_subscriptions"


def _field(name):
    def check(context, target):
        del context
        value = target["record"].get(name)
        return verdict(bool(value)), name, value
    return check


def _snapshot_public(context, target):
    del context
    record = target["record"]
    if record.get("SnapshotType") == "automated":
        return PASS, "SnapshotType", "automated (cannot be shared)"
    restore = target.get("restore_attribute")
    if restore is None:
        return NOT_APPLICABLE, "DescribeDB%sSnapshotAttributes restore" % ("Cluster" if target["type"] == "db_cluster_snapshot" else ""), \
            "not readable"
    return verdict("all" not in restore), "SnapshotAttributes.restore", restore


def _public(context, target):
    del context
    value = target["record"].get("PubliclyAccessible")
    return verdict(not value), "PubliclyAccessible", bool(value)


def _multi_az_instance(context, target):
    if not rules.production(context):
        return rules.not_production(context, "MultiAZ %s" % target["record"].get("MultiAZ"))
    return verdict(target["record"].get("MultiAZ")), "MultiAZ", bool(target["record"].get("MultiAZ"))


def _monitoring(context, target):
    del context
    interval = target["record"].get("MonitoringInterval") or 0
    return verdict(interval > 0), "MonitoringInterval", interval


def _log_exports(required):
    def check(context, target):
        del context
        exports = target["record"].get("EnabledCloudwatchLogsExports") or []
        return verdict(set(required) <= set(exports)), "EnabledCloudwatchLogsExports", sorted(exports)
    return check


def _backups_instance(context, target):
    del context
    retention = target["record"].get("BackupRetentionPeriod") or 0
    if rules.is_replica(target["record"]):
        return NOT_APPLICABLE, "ReadReplicaSourceDBInstanceIdentifier", target["record"].get("ReadReplicaSourceDBInstanceIdentifier")
    return verdict(retention >= FSBP_MIN_RETENTION), "BackupRetentionPeriod", retention


def _backups_cluster(context, target):
    del context
    retention = target["record"].get("BackupRetentionPeriod") or 0
    return verdict(retention >= FSBP_MIN_RETENTION), "BackupRetentionPeriod", retention


def _minor_upgrades_cluster(context, target):
    del context
    record = target["record"]
    if "AutoMinorVersionUpgrade" in record:
        return verdict(record["AutoMinorVersionUpgrade"]), "AutoMinorVersionUpgrade", record["AutoMinorVersionUpgrade"]
    members = target.get("member_settings") or {}
    values = dict((name, settings.get("AutoMinorVersionUpgrade")) for name, settings in members.items())
    return verdict(values and all(values.values())), "DBClusterMembers[].AutoMinorVersionUpgrade", values


def _multi_az_cluster(context, target):
    record = target["record"]
    zones = sorted(set(settings.get("AvailabilityZone") for settings in (target.get("member_settings") or {}).values()
                       if settings.get("AvailabilityZone")))
    multi = bool(record.get("MultiAZ")) or len(zones) > 1
    if not rules.production(context):
        return rules.not_production(context, "MultiAZ %s" % multi)
    return verdict(multi), "MultiAZ / member AvailabilityZones", dict(MultiAZ=bool(record.get("MultiAZ")), zones=zones)


def _copy_tags_aurora(context, target):
    del context
    if not rules.is_aurora(target["record"]):
        return None
    return _field("CopyTagsToSnapshot")(None, target)


def _copy_tags_multi_az_cluster(context, target):
    del context
    if rules.is_aurora(target["record"]):
        return NOT_APPLICABLE, "Engine", "%s (RDS.47 concerns RDS for PostgreSQL Multi-AZ DB clusters; RDS.16 covers Aurora)" % (
            target["record"].get("Engine"))
    return _field("CopyTagsToSnapshot")(None, target)


def _events(source_type, required, id_key):
    def check(context, target):
        source_id = target["record"].get(id_key) or target["id"] if id_key else None
        covered, value = rules.subscribed(context, source_type, source_id, required)
        return verdict(covered), "DescribeEventSubscriptions (%s: %s)" % (source_type, ", ".join(required)), value
    return check


def _port(context, target):
    del context
    record = target["record"]
    endpoint = record.get("Endpoint")
    port = record.get("DbInstancePort") or (endpoint.get("Port") if isinstance(endpoint, dict) else None) or record.get("Port")
    return verdict(port and port != DEFAULT_PORT), "Endpoint.Port", port


def _admin_name(context, target):
    del context
    name = target["record"].get("MasterUsername")
    if rules.is_replica(target["record"]):
        return None
    return verdict(str(name).lower() not in ("postgres", "admin")), "MasterUsername", name


def _backup_plan(context, target):
    record = target["record"]
    if rules.is_replica(record):
        return NOT_APPLICABLE, "ReadReplicaSourceDBInstanceIdentifier", record.get("ReadReplicaSourceDBInstanceIdentifier")
    plans = rules.backup_protection(context, target["arn"], rules.tags_of(record))
    return verdict(plans), "AWS Backup selections", [plan["plan"] for plan in plans]


def _force_ssl(context, target):
    parameters = rules.parameters_of(context, target)
    value = parameters.get("rds.force_ssl")
    return verdict(str(value) == "1"), "%s rds.force_ssl" % rules.group_label(target), value


def _proxy_tls(context, target):
    del context
    return verdict(target["record"].get("RequireTLS")), "RequireTLS", bool(target["record"].get("RequireTLS"))


def _public_subnets(context, target):
    routes = context.get("subnet_internet_routes")
    if routes is None:
        return NOT_APPLICABLE, "DescribeRouteTables", "route tables not readable"
    subnets = [subnet.get("SubnetIdentifier") for subnet in (target["record"].get("DBSubnetGroup") or {}).get("Subnets") or []]
    public = sorted(subnet for subnet in subnets if routes.get(subnet))
    return verdict(not public), "DBSubnetGroup.Subnets with a route to an internet gateway", public


def _tagged(context, target):
    if not context.get("include_tagging_controls"):
        return None
    tags = rules.tags_of(target["record"])
    missing = [key for key in context.get("required_tag_keys") or [] if key not in tags]
    return verdict(not missing), "TagList", dict(keys=sorted(tags), missing=missing)


def _snapshot_encrypted(context, target):
    del context
    # DBSnapshot says Encrypted, DBClusterSnapshot says StorageEncrypted
    name = "StorageEncrypted" if target["type"] == "db_cluster_snapshot" else "Encrypted"
    value = bool(target["record"].get(name))
    return verdict(value), name, value


def _encrypted(field_name):
    def check(context, target):
        del context
        value = target["record"].get(field_name)
        return verdict(bool(value)), field_name, bool(value)
    return check


INSTANCES = ("instances",)
INSTANCES_AND_MEMBERS = ("instances", "members")
CLUSTERS = ("clusters",)
SNAPSHOTS = ("snapshots", "cluster_snapshots")

CATALOGUE = [
    (Control("RDS.1", "RDS snapshot should be private", "CRITICAL", "%s: shared_accounts without 'all'" % SNAPSHOT), SNAPSHOTS, _snapshot_public),
    (Control("RDS.2", "RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration", "CRITICAL",
             "%s: publicly_accessible: false" % RDS_INSTANCE), INSTANCES_AND_MEMBERS, _public),
    (Control("RDS.3", "RDS DB instances should have encryption at-rest enabled", "MEDIUM",
             "%s: storage_encrypted: true (restore from an encrypted snapshot copy)" % RDS_INSTANCE), INSTANCES, _encrypted("StorageEncrypted")),
    (Control("RDS.4", "RDS cluster snapshots and database snapshots should be encrypted at rest", "MEDIUM",
             "%s: kms_key_id (copy the snapshot encrypted)" % SNAPSHOT), SNAPSHOTS, _snapshot_encrypted),
    (Control("RDS.5", "RDS DB instances should be configured with multiple Availability Zones", "MEDIUM", "%s: multi_az: true" % RDS_INSTANCE),
     INSTANCES, _multi_az_instance),
    (Control("RDS.6", "Enhanced monitoring should be configured for RDS DB instances", "LOW",
             "%s: monitoring_interval: 5 (with monitoring_role_arn)" % RDS_INSTANCE), INSTANCES_AND_MEMBERS, _monitoring),
    (Control("RDS.7", "RDS clusters should have deletion protection enabled", "LOW", "%s: deletion_protection: true" % CLUSTER), CLUSTERS,
     _field("DeletionProtection")),
    (Control("RDS.8", "RDS DB instances should have deletion protection enabled", "LOW", "%s: deletion_protection: true" % RDS_INSTANCE), INSTANCES,
     _field("DeletionProtection")),
    (Control("RDS.9", "RDS DB instances should publish logs to CloudWatch Logs", "MEDIUM",
             "%s: enable_cloudwatch_logs_exports: [postgresql, upgrade]" % RDS_INSTANCE), INSTANCES, _log_exports(("postgresql", "upgrade"))),
    (Control("RDS.10", "IAM authentication should be configured for RDS instances", "MEDIUM", "%s: iam_database_authentication: true" % RDS_INSTANCE),
     INSTANCES, _field("IAMDatabaseAuthenticationEnabled")),
    (Control("RDS.11", "RDS instances should have automatic backups enabled", "MEDIUM", "%s: backup_retention_period: 7" % RDS_INSTANCE), INSTANCES,
     _backups_instance),
    (Control("RDS.12", "IAM authentication should be configured for RDS clusters", "MEDIUM", "%s: iam_database_authentication: true" % CLUSTER),
     CLUSTERS, _field("IAMDatabaseAuthenticationEnabled")),
    (Control("RDS.13", "RDS automatic minor version upgrades should be enabled", "HIGH", "%s: auto_minor_version_upgrade: true" % RDS_INSTANCE),
     INSTANCES_AND_MEMBERS, _field("AutoMinorVersionUpgrade")),
    (Control("RDS.15", "RDS DB clusters should be configured for multiple Availability Zones", "MEDIUM",
             "%s: readers (at least one reader in another availability zone)" % CLUSTER), CLUSTERS, _multi_az_cluster),
    (Control("RDS.16", "RDS DB clusters should be configured to copy tags to snapshots", "LOW", "%s: copy_tags_to_snapshot: true" % CLUSTER),
     CLUSTERS, _copy_tags_aurora),
    (Control("RDS.17", "RDS DB instances should be configured to copy tags to snapshots", "LOW", "%s: copy_tags_to_snapshot: true" % RDS_INSTANCE),
     INSTANCES, _field("CopyTagsToSnapshot")),
    (Control("RDS.19", "Existing RDS event notification subscriptions should be configured for critical cluster events", "LOW",
             "%s.cluster (failure, maintenance)" % EVENTS_FIX), CLUSTERS, _events("db-cluster", CLUSTER_EVENTS, "DBClusterIdentifier")),
    (Control("RDS.20", "Existing RDS event notification subscriptions should be configured for critical database instance events", "LOW",
             "%s.instance (configuration change, failure, maintenance)" % EVENTS_FIX), INSTANCES,
     _events("db-instance", INSTANCE_EVENTS, "DBInstanceIdentifier")),
    (Control("RDS.21", "An RDS event notifications subscription should be configured for critical database parameter group events", "LOW",
             "%s.parameter_group (configuration change)" % EVENTS_FIX), ("parameter_groups",),
     _events("db-parameter-group", PARAMETER_GROUP_EVENTS, "DBParameterGroupName")),
    (Control("RDS.22", "An RDS event notifications subscription should be configured for critical database security group events", "LOW",
             "%s.security_group (configuration change, failure)" % EVENTS_FIX), INSTANCES + CLUSTERS,
     _events("db-security-group", SECURITY_GROUP_EVENTS, None)),
    (Control("RDS.23", "RDS instances should not use a database engine default port", "LOW",
             "%s: port (not 5432) / %s (port, at creation)" % (RDS_INSTANCE, CLUSTER)), INSTANCES + CLUSTERS, _port),
    (Control("RDS.24", "RDS Database clusters should use a custom administrator username", "MEDIUM",
             "%s: master_username (not postgres or admin; a new cluster)" % CLUSTER), CLUSTERS, _admin_name),
    (Control("RDS.25", "RDS database instances should use a custom administrator username", "MEDIUM",
             "%s: master_username (not postgres or admin; a new instance)" % RDS_INSTANCE), INSTANCES, _admin_name),
    (Control("RDS.26", "RDS DB instances should be protected by a backup plan", "MEDIUM",
             "innovate.aws_postgres.backup_plan: selection (resources: the instance or cluster ARN)"), INSTANCES + CLUSTERS, _backup_plan),
    (Control("RDS.27", "RDS DB clusters should be encrypted at rest", "MEDIUM", "%s: storage_encrypted: true (a new cluster)" % CLUSTER),
     CLUSTERS, _encrypted("StorageEncrypted")),
    (Control("RDS.28", "RDS DB clusters should be tagged", "LOW", "%s: tags" % CLUSTER), CLUSTERS, _tagged),
    (Control("RDS.29", "RDS DB cluster snapshots should be tagged", "LOW", "%s: tags" % SNAPSHOT), ("cluster_snapshots",), _tagged),
    (Control("RDS.30", "RDS DB instances should be tagged", "LOW", "%s: tags" % RDS_INSTANCE), INSTANCES, _tagged),
    (Control("RDS.32", "RDS DB snapshots should be tagged", "LOW", "%s: tags" % SNAPSHOT), ("snapshots",), _tagged),
    (Control("RDS.35", "RDS DB clusters should have automatic minor version upgrade enabled", "MEDIUM",
             "%s: auto_minor_version_upgrade: true" % CLUSTER), CLUSTERS, _minor_upgrades_cluster),
    (Control("RDS.36", "RDS for PostgreSQL DB instances should publish logs to CloudWatch Logs", "MEDIUM",
             "%s: enable_cloudwatch_logs_exports: [postgresql]" % RDS_INSTANCE), INSTANCES, _log_exports(("postgresql",))),
    (Control("RDS.37", "Aurora PostgreSQL DB clusters should publish logs to CloudWatch Logs", "MEDIUM",
             "%s: cloudwatch_logs_exports: [postgresql]" % CLUSTER), CLUSTERS, _log_exports(("postgresql",))),
    (Control("RDS.38", "RDS for PostgreSQL DB instances should be encrypted in transit", "MEDIUM",
             "innovate.aws_postgres.rds_parameter_group: parameters: {rds.force_ssl: 1}"), INSTANCES, _force_ssl),
    (Control("RDS.43", "RDS DB proxies should require TLS encryption for connections", "MEDIUM",
             "innovate.aws_postgres.rds_proxy: require_tls: true"), ("proxies",), _proxy_tls),
    (Control("RDS.46", "RDS DB instances should not be deployed to public subnets with routes to internet gateways", "HIGH",
             "innovate.aws_postgres.rds_network: subnet_ids / subnet_filters (private subnets only)"), INSTANCES_AND_MEMBERS, _public_subnets),
    (Control("RDS.47", "RDS for PostgreSQL DB clusters should be configured to copy tags to DB snapshots", "LOW",
             "copy_tags_to_snapshot: true on the Multi-AZ DB cluster"), CLUSTERS, _copy_tags_multi_az_cluster),
    (Control("RDS.50", "RDS DB clusters should have a sufficient backup retention period", "MEDIUM",
             "%s: backup_retention_period: 7" % CLUSTER), CLUSTERS, _backups_cluster),
]


def findings(context):
    return rules.evaluate(CATALOGUE, context)
