"""What Amazon RDS changes about PostgreSQL's own settings, from the RDS and Aurora user guides.

Sources: "Working with parameters on your RDS for PostgreSQL DB instance" and "Amazon Aurora
PostgreSQL parameters" (AWS documentation). Only parameters documented there are listed.
"""

# Settings RDS manages itself: listed in parameter groups but never user-modifiable.
BLOCKED = frozenset({
    "allow_system_table_mods", "archive_cleanup_command", "archive_command", "archive_library",
    "archive_mode", "cluster_name", "config_file", "data_directory", "data_sync_retry",
    "dynamic_library_path", "event_source", "external_pid_file", "full_page_writes",
    "hba_file", "ident_file", "ignore_checksum_failure", "ignore_invalid_pages",
    "ignore_system_indexes", "jit_provider", "krb_server_keyfile", "listen_addresses",
    "log_directory", "log_file_mode", "logging_collector", "port", "primary_conninfo",
    "primary_slot_name", "promote_trigger_file", "recovery_end_command", "recovery_target",
    "recovery_target_action", "recovery_target_inclusive", "recovery_target_lsn",
    "recovery_target_name", "recovery_target_time", "recovery_target_timeline",
    "recovery_target_xid", "restart_after_crash", "restore_command", "shared_memory_type",
    "ssl", "ssl_ca_file", "ssl_cert_file", "ssl_crl_dir", "ssl_crl_file", "ssl_key_file",
    "ssl_passphrase_command", "ssl_passphrase_command_supports_reload", "unix_socket_directories",
    "unix_socket_group", "unix_socket_permissions", "wal_level", "zero_damaged_pages",
})

# Libraries RDS for PostgreSQL accepts in shared_preload_libraries (a "list" parameter).
SHARED_PRELOAD_LIBRARIES = (
    "auto_explain", "decoder_raw", "orafce", "pg_bigm", "pg_cron", "pg_hint_plan", "pg_prewarm",
    "pg_similarity", "pg_stat_statements", "pg_tle", "pg_transport", "pgaudit", "pglogical",
    "plprofiler", "wal2json",
)
AURORA_EXTRA_LIBRARIES = ("apg_plan_mgmt",)

# Values RDS sets in its default parameter groups where they differ from PostgreSQL's own.
RDS_DEFAULTS = {
    "shared_preload_libraries": "pg_stat_statements",
    "log_rotation_age": "60",
    "log_rotation_size": "100000",
    "log_filename": "postgresql.log.%Y-%m-%d-%H",
    "log_destination": "stderr",
    "log_line_prefix": "%t:%r:%u@%d:[%p]:",
    "password_encryption": "scram-sha-256",
    "ssl": "1",
    "wal_level": "replica",
    "archive_mode": "1",
    "archive_timeout": "300",
    "max_wal_size": "2048",
    "track_io_timing": "1",
    "hot_standby_feedback": "0",
    "listen_addresses": "*",
    "port": "5432",
}


def _param(name, data_type, allowed, apply_type, description, default=None):
    return {"ParameterName": name, "DataType": data_type, "AllowedValues": allowed,
            "ApplyType": apply_type, "Description": description, "IsModifiable": True,
            "DefaultValue": default}


def rds_parameters(engine, major):
    """The RDS-only parameters ("rds.*" and Aurora's own) for one engine and major version."""
    params = [
        _param("rds.force_ssl", "boolean", "0,1", "dynamic",
               "Force SSL connections.", "1" if major >= 15 else "0"),
        _param("rds.log_retention_period", "integer", "1440-10080", "dynamic",
               "Amazon RDS for PostgreSQL will delete PostgreSQL logs that are older than N "
               "minutes.", "4320"),
        _param("rds.allowed_extensions", "string", None, "dynamic",
               "Space separated list of extensions that may be installed in the database.", "*"),
        _param("rds.logical_replication", "boolean", "0,1", "static",
               "Enables logical decoding.", "0"),
        _param("rds.restrict_password_commands", "boolean", "0,1", "static",
               "Restricts password-related commands to members of rds_password.", "0"),
        _param("rds.accepted_password_auth_method", "string", "md5+scram,scram", "dynamic",
               "Force authentication for connections with password stored locally.",
               "md5+scram"),
        _param("rds.rds_superuser_reserved_connections", "integer", "0-8388607", "static",
               "Sets the number of connection slots reserved for rds_superusers.", "2"),
    ]
    if engine == "aurora-postgresql":
        params += [
            _param("aurora_compute_plan_id", "boolean", "0,1", "dynamic",
                   "Assigns a plan identifier to each query plan.", "1"),
            _param("apg_plan_mgmt.capture_plan_baselines", "string", "automatic,manual,off",
                   "dynamic", "Capture query plan baselines.", "off"),
            _param("apg_plan_mgmt.use_plan_baselines", "boolean", "0,1", "dynamic",
                   "Use only approved or fixed plans for managed statements.", "0"),
        ]
    return {p["ParameterName"]: p for p in params}


# Aurora accepts most settings in both the DB cluster parameter group (for every instance) and the
# DB parameter group (per instance, overriding the cluster's). Sizing settings exist only per
# instance; storage, replication and TLS settings only for the cluster.
AURORA_INSTANCE_SCOPE = frozenset({
    "effective_cache_size", "maintenance_work_mem", "max_connections", "shared_buffers",
    "temp_buffers", "work_mem",
})
AURORA_CLUSTER_SCOPE = frozenset({
    "rds.force_ssl", "rds.logical_replication", "ssl", "ssl_ciphers", "ssl_max_protocol_version",
    "ssl_min_protocol_version", "max_replication_slots", "max_wal_senders",
    "max_logical_replication_workers", "wal_level", "wal_sender_timeout", "wal_receiver_timeout",
    "archive_timeout",
})


def aurora_scope(name):
    """"instance", "cluster" or "both": the Aurora parameter groups that accept ``name``."""
    if name in AURORA_INSTANCE_SCOPE:
        return "instance"
    if name in AURORA_CLUSTER_SCOPE:
        return "cluster"
    return "both"
