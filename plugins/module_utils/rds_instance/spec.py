# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The argument spec of ``rds_instance`` (documented in plugins/modules/rds_instance.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

STATES = ("present", "absent", "stopped", "rebooted")
STORAGE_TYPES = ("gp3", "gp2", "io1", "io2")
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
REBOOT_FOR_PENDING = ("never", "now", "maintenance")
DEFAULT_WAIT_TIMEOUT = 1800

PERFORMANCE_INSIGHTS_SPEC = dict(
    enabled=dict(type="bool", required=True),
    retention_days=dict(type="int"),
    kms_key_id=dict(type="str"),
)

RESTORE_SPEC = dict(
    source=dict(type="str", required=True, choices=["snapshot", "point_in_time"]),
    snapshot_identifier=dict(type="str"),
    source_db_instance_identifier=dict(type="str"),
    restore_time=dict(type="str"),
    use_latest_restorable_time=dict(type="bool", default=False),
)

ARGUMENT_SPEC = dict(
    identifier=dict(type="str", required=True, aliases=["db_instance_identifier"]),
    state=dict(type="str", choices=list(STATES), default="present"),
    engine=dict(type="str", default="postgres"),
    engine_version=dict(type="str"),
    allow_major_version_upgrade=dict(type="bool", default=False),
    instance_class=dict(type="str", aliases=["db_instance_class"]),
    allocated_storage=dict(type="int"),
    max_allocated_storage=dict(type="int"),
    storage_type=dict(type="str", choices=list(STORAGE_TYPES)),
    iops=dict(type="int"),
    storage_throughput=dict(type="int"),
    multi_az=dict(type="bool"),
    db_subnet_group_name=dict(type="str"),
    vpc_security_group_ids=dict(type="list", elements="str"),
    db_parameter_group_name=dict(type="str"),
    storage_encrypted=dict(type="bool", default=True),
    kms_key_id=dict(type="str"),
    iam_database_authentication=dict(type="bool", aliases=["enable_iam_database_authentication"]),
    performance_insights=dict(type="dict", options=PERFORMANCE_INSIGHTS_SPEC),
    monitoring_interval=dict(type="int", choices=list(MONITORING_INTERVALS)),
    monitoring_role_arn=dict(type="str"),
    enable_cloudwatch_logs_exports=dict(type="list", elements="str", aliases=["cloudwatch_logs_exports"]),
    backup_retention_period=dict(type="int"),
    preferred_backup_window=dict(type="str"),
    preferred_maintenance_window=dict(type="str"),
    auto_minor_version_upgrade=dict(type="bool"),
    copy_tags_to_snapshot=dict(type="bool"),
    deletion_protection=dict(type="bool", default=True),
    publicly_accessible=dict(type="bool", default=False),
    port=dict(type="int"),
    ca_certificate_identifier=dict(type="str"),
    db_name=dict(type="str"),
    master_username=dict(type="str"),
    manage_master_user_password=dict(type="bool", no_log=False),
    master_user_secret_kms_key_id=dict(type="str"),
    master_user_password=dict(type="str", no_log=True),
    update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    apply_immediately=dict(type="bool", default=False),
    reboot_for_pending=dict(type="str", choices=list(REBOOT_FOR_PENDING), default="never"),
    source=dict(type="str", aliases=["source_db_instance_identifier"]),
    source_region=dict(type="str"),
    restore=dict(type="dict", options=RESTORE_SPEC),
    skip_final_snapshot=dict(type="bool", default=False),
    final_snapshot_identifier=dict(type="str"),
    force_disable_deletion_protection=dict(type="bool", default=False),
    delete_automated_backups=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
)

MUTUALLY_EXCLUSIVE = [
    ["source", "restore"],
]

REQUIRED_BY = {
    "source_region": "source",
    "monitoring_role_arn": "monitoring_interval",
}
