"""How PostgreSQL 14 and 16 settings differ from PostgreSQL 15, which the catalogue is read from.

Each entry cites the PostgreSQL release notes (https://www.postgresql.org/docs/release/) it comes
from. ``removed`` names do not exist in that major; ``renamed`` maps a 15 name to its new name
(same metadata); ``added`` gives full metadata in pg_settings terms; ``changed`` overrides fields
of a 15 setting.
"""


def _setting(name, vartype, context, short_desc, boot_val, min_val=None, max_val=None,
             enumvals=None, unit=None):
    return {"name": name, "vartype": vartype, "context": context, "short_desc": short_desc,
            "boot_val": boot_val, "min_val": min_val, "max_val": max_val,
            "enumvals": enumvals, "unit": unit}


DELTAS = {
    14: {
        # Release 15 notes, "Server Configuration" and "Monitoring": these settings are new in 15.
        "removed": [
            "archive_library",  # 15: archive modules
            "log_startup_progress_interval",  # 15
            "recovery_prefetch",  # 15: WAL prefetching during recovery
            "recursive_worktable_factor",  # 15
            "shared_memory_size",  # 15: read-only, computed at startup
            "shared_memory_size_in_huge_pages",  # 15
            "stats_fetch_consistency",  # 15: cumulative statistics in shared memory
            "wal_decode_buffer_size",  # 15
        ],
        "renamed": {},
        "added": [
            # Release 15 notes: "Remove server variable stats_temp_directory" (it exists in 14).
            _setting("stats_temp_directory", "string", "sighup",
                     "Writes temporary statistics files to the specified directory.",
                     "pg_stat_tmp"),
        ],
        "changed": {
            # Release 15 notes: wal_compression gained lz4 and zstd and became an enum in 15.
            "wal_compression": {"vartype": "bool", "enumvals": None, "boot_val": "off"},
            # Release 15 notes: log_checkpoints default became on and
            # log_autovacuum_min_duration default became 10min in 15.
            "log_checkpoints": {"boot_val": "off"},
            "log_autovacuum_min_duration": {"boot_val": "-1"},
        },
    },
    15: {"removed": [], "renamed": {}, "added": [], "changed": {}},
    16: {
        # Release 16 notes, "Migration to Version 16": removed or renamed server variables.
        "removed": [
            "lc_collate",  # 16: read-only variables lc_collate and lc_ctype removed
            "lc_ctype",
            "promote_trigger_file",  # 16: removed
            "vacuum_defer_cleanup_age",  # 16: removed
        ],
        "renamed": {"force_parallel_mode": "debug_parallel_query"},  # 16: renamed
        "added": [
            # Release 16 notes, "Server Configuration", "Privileges", "Logical Replication".
            _setting("createrole_self_grant", "string", "user",
                     "Sets whether a CREATEROLE user automatically grants the role to themselves, "
                     "and with which options.", ""),
            _setting("debug_io_direct", "string", "postmaster",
                     "Use direct I/O for file access.", ""),
            _setting("debug_logical_replication_streaming", "enum", "user",
                     "Forces immediate streaming or serialization of changes in large "
                     "transactions.", "buffered", enumvals=["buffered", "immediate"]),
            _setting("enable_presorted_aggregate", "bool", "user",
                     "Enables the planner's ability to produce plans that provide presorted "
                     "input for ORDER BY / DISTINCT aggregate functions.", "on"),
            _setting("gss_accept_delegation", "bool", "sighup",
                     "Sets whether GSSAPI delegation should be accepted from the client.", "off"),
            _setting("icu_validation_level", "enum", "user",
                     "Log level for reporting invalid ICU locale strings.", "warning",
                     enumvals=["disabled", "debug5", "debug4", "debug3", "debug2", "debug1",
                               "log", "notice", "warning", "error"]),
            _setting("max_parallel_apply_workers_per_subscription", "integer", "sighup",
                     "Maximum number of parallel apply workers per subscription.", "2",
                     min_val="0", max_val="1024"),
            _setting("reserved_connections", "integer", "postmaster",
                     "Sets the number of connection slots reserved for roles with privileges "
                     "of pg_use_reserved_connections.", "0", min_val="0", max_val="262143"),
            _setting("scram_iterations", "integer", "user",
                     "Sets the iteration count for SCRAM secret generation.", "4096",
                     min_val="1", max_val="2147483647"),
            _setting("send_abort_for_crash", "bool", "sighup",
                     "Send SIGABRT not SIGQUIT to child processes after backend crash.", "off"),
            _setting("send_abort_for_kill", "bool", "sighup",
                     "Send SIGABRT not SIGKILL to stuck child processes.", "off"),
            _setting("vacuum_buffer_usage_limit", "integer", "user",
                     "Sets the buffer pool size for VACUUM, ANALYZE, and autovacuum.", "256",
                     min_val="0", max_val="16777216", unit="kB"),
            # Release 16 notes, "Additional Modules": auto_explain logs query parameters.
            _setting("auto_explain.log_parameter_max_length", "integer", "superuser",
                     "Sets the maximum length of query parameters to log.", "-1",
                     min_val="-1", max_val="2147483647", unit="B"),
        ],
        "changed": {},
    },
}
