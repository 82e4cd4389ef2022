"""Render ``postgresql.conf`` and ``pg_hba.conf`` of one server from its DB parameter group values.

Every real PostgreSQL setting is passed through (validated against the catalogue read from
``pg_settings``); RDS-only parameters are interpreted (``rds.force_ssl``) or skipped; libraries
that are not installed are dropped from ``shared_preload_libraries``; memory-heavy settings are
capped so that many servers fit on one machine; settings the local environment manages (addresses,
port, socket, TLS files, logging location) are never taken from the parameters.
"""

import dataclasses
import logging

from localenv.dataplane import formulas, gucs

log = logging.getLogger("localenv.dataplane.config")

MIB = 1024**2

# Settings owned by the local environment; parameter group values for them are ignored.
MANAGED = frozenset(
    {
        "listen_addresses",
        "port",
        "unix_socket_directories",
        "unix_socket_group",
        "unix_socket_permissions",
        "ssl",
        "ssl_cert_file",
        "ssl_key_file",
        "ssl_ca_file",
        "ssl_crl_file",
        "ssl_crl_dir",
        "data_directory",
        "config_file",
        "hba_file",
        "ident_file",
        "external_pid_file",
        "logging_collector",
        "log_directory",
        "archive_library",
        "archive_mode",
        "archive_command",
        "restore_command",
        "archive_cleanup_command",
        "recovery_end_command",
        "primary_conninfo",
        "primary_slot_name",
        "recovery_target",
        "recovery_target_action",
        "recovery_target_inclusive",
        "recovery_target_lsn",
        "recovery_target_name",
        "recovery_target_time",
        "recovery_target_timeline",
        "recovery_target_xid",
    }
)

# The user the emulator creates on a source server for its streaming replicas (as RDS does).
REPLICATION_USER = "rdsrepladmin"

# Upper bounds (bytes for memory settings, plain numbers otherwise).
CAPS = {
    "shared_buffers": 128 * MIB,
    "maintenance_work_mem": 256 * MIB,
    "autovacuum_work_mem": 256 * MIB,
    "work_mem": 64 * MIB,
    "wal_buffers": 16 * MIB,
    "max_connections": 200,
}

# Small defaults so that many servers start fast; parameter group values replace them.
DEFAULTS = {
    "shared_buffers": "32MB",
    "max_connections": "50",
    "shared_preload_libraries": "pg_stat_statements",
    "password_encryption": "scram-sha-256",
    "timezone": "UTC",
    "log_timezone": "UTC",
    "log_line_prefix": "%t:%r:%u@%d:[%p]:",
    "log_filename": "postgresql.log.%Y-%m-%d-%H",
    "dynamic_shared_memory_type": "posix",
    # no fsync: starting a copied cluster (replica, restore) otherwise syncs every file first, and
    # checkpoints (base backups) wait for the disk; a crash of the machine is not a concern here
    "fsync": "off",
    "max_wal_size": "256MB",
    "min_wal_size": "80MB",
    "datestyle": "iso, mdy",
    "lc_messages": "C.UTF-8",
    "lc_monetary": "C.UTF-8",
    "lc_numeric": "C.UTF-8",
    "lc_time": "C.UTF-8",
    "default_text_search_config": "pg_catalog.english",
}

TRUE_VALUES = {"1", "on", "true", "yes"}


@dataclasses.dataclass
class Placement:
    """Where one server lives: facts the local environment decides, never the parameters."""

    port: int
    socket_dir: str
    cert_file: str
    key_file: str
    instance_class: str = "db.t3.micro"
    allocated_storage: int = 20
    iam_ldap_port: int = None
    iam_ldap_suffix: str = None
    #: WAL archive directory (continuous archiving; None: no archiving).
    archive_dir: str = None
    #: Extra managed settings: standby (primary_conninfo, restore_command) or recovery targets.
    recovery: dict = dataclasses.field(default_factory=dict)
    #: Lower bounds a standby needs (hot standby refuses settings lower than its primary's).
    floors: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Rendered:
    conf: str
    hba: str
    settings: dict
    skipped: dict
    force_ssl: bool
    scram_only: bool = False


def quote(value):
    return "'%s'" % str(value).replace("\\", "\\\\").replace("'", "''")


def _filter_libraries(value, available_libraries, skipped):
    kept = []
    for library in [part.strip() for part in str(value).split(",") if part.strip()]:
        if library in available_libraries:
            if library not in kept:
                kept.append(library)
        else:
            skipped["shared_preload_libraries:%s" % library] = "library not installed"
            log.warning("shared_preload_libraries: %s is not installed; skipped", library)
    return ",".join(kept)


def _cap(name, info, value):
    cap = CAPS.get(name)
    if cap is None:
        return value
    unit_bytes = gucs.bytes_per_unit(info)
    number = int(value)
    if unit_bytes is None:
        return str(min(number, cap))
    if number * unit_bytes > cap:
        log.info("%s capped to %d bytes for the local environment", name, cap)
        return str(cap // unit_bytes)
    return value


def _resolve(name, value, catalogue, placement, available_libraries, skipped):
    """The rendered value of one setting, or None when it is skipped."""
    if name == "shared_preload_libraries":
        return _filter_libraries(value, available_libraries, skipped)
    info = catalogue.get(name)
    if info is None:
        skipped[name] = "not a setting of this PostgreSQL server (RDS-only or unknown)"
        log.info("parameter %s skipped: not a PostgreSQL setting here", name)
        return None
    if formulas.is_formula(value):
        try:
            value = str(
                formulas.evaluate(
                    value,
                    formulas.variables(placement.instance_class, placement.allocated_storage, placement.port),
                )
            )
        except (ValueError, SyntaxError, ZeroDivisionError) as error:
            skipped[name] = "formula %r not understood: %s" % (value, error)
            return None
    try:
        value = gucs.normalize(info, value)
    except ValueError as error:
        skipped[name] = "value %r rejected: %s" % (value, error)
        log.warning("parameter %s=%r skipped: %s", name, value, error)
        return None
    return _cap(name, info, value) if info["vartype"] in ("integer", "real") else value


def render(parameters, catalogue, placement, available_libraries):
    """Render both files from ``parameters`` (name -> value strings of the parameter group)."""
    skipped = {}
    wanted = dict(DEFAULTS)
    force_ssl = False
    scram_only = False
    allowed_extensions = "*"
    for name, value in (parameters or {}).items():
        name = name.strip().lower()
        if value is None:
            continue
        if name == "rds.force_ssl":
            force_ssl = str(value).strip().lower() in TRUE_VALUES
            continue
        if name == "rds.accepted_password_auth_method":
            scram_only = str(value).strip().lower() == "scram"
            continue
        if name == "rds.allowed_extensions":
            allowed_extensions = str(value).strip() or "*"
            continue
        if name == "rds.logical_replication":
            if str(value).strip().lower() in TRUE_VALUES:
                wanted.setdefault("wal_level", "logical")
            continue
        if name in MANAGED:
            skipped[name] = "managed by the local environment"
            continue
        wanted[name] = value
    settings = {}
    for name, value in wanted.items():
        resolved = _resolve(name, value, catalogue, placement, available_libraries, skipped)
        if resolved is not None:
            settings[name] = resolved
    for name, floor in placement.floors.items():
        if name in settings and int(settings[name]) < int(floor):
            settings[name] = str(floor)
        elif name not in settings and int(catalogue.get(name, {}).get("setting") or 0) < int(floor):
            settings[name] = str(floor)
    managed = {
        "listen_addresses": "127.0.0.1",
        "port": str(placement.port),
        "unix_socket_directories": placement.socket_dir,
        "unix_socket_permissions": "0700",
        "ssl": "on",
        "ssl_cert_file": placement.cert_file,
        "ssl_key_file": placement.key_file,
        "logging_collector": "on",
        "log_directory": "log",
        # A placeholder setting, as on RDS (SHOW rds.allowed_extensions); enforced by the event
        # trigger of bootstrap_sql.ALLOWED_EXTENSIONS_SQL, which reads this file's value.
        "rds.allowed_extensions": allowed_extensions,
    }
    if placement.archive_dir:
        managed["archive_mode"] = "on"
        managed["archive_command"] = archive_command(placement.archive_dir)
    managed.update(placement.recovery)
    lines = ["# Rendered by localenv.dataplane from the DB parameter group; do not edit."]
    lines += ["%s = %s" % (name, quote(value)) for name, value in sorted(settings.items())]
    lines.append("# Managed by the local environment")
    lines += ["%s = %s" % (name, quote(value)) for name, value in managed.items()]
    return Rendered(
        conf="\n".join(lines) + "\n",
        hba=render_hba(force_ssl, scram_only, placement.iam_ldap_port, placement.iam_ldap_suffix),
        settings={**settings, **managed},
        skipped=skipped,
        force_ssl=force_ssl,
        scram_only=scram_only,
    )


def archive_command(archive_dir):
    """Copy a finished WAL segment into ``archive_dir`` (never overwriting; atomically)."""
    return 'test ! -f "{d}/%f" && cp "%p" "{d}/.%f.tmp" && mv "{d}/.%f.tmp" "{d}/%f"'.format(d=archive_dir)


def restore_command(archive_dir):
    """Fetch a WAL segment (or timeline history file) from ``archive_dir``."""
    return 'cp "{d}/%f" "%p"'.format(d=archive_dir)


def render_hba(force_ssl, scram_only=False, iam_ldap_port=None, iam_ldap_suffix=None):
    """Client authentication: socket trusted (private directory), TCP by password, TLS-only if forced.

    As on RDS (``rds.accepted_password_auth_method``), TCP logins accept md5 or SCRAM verifiers
    (``md5`` method, which runs SCRAM for SCRAM verifiers) unless the parameter says ``scram``.

    Members of ``rds_iam`` log in only with an IAM token over TLS, never with a password: their
    TLS logins go to LDAP simple bind against the emulator's token validator
    (``localenv.emulator.iam_auth``) with the DN ``<user><iam_ldap_suffix>``; without a validator,
    and without TLS, they are rejected.
    """
    method = "scram-sha-256" if scram_only else "md5"
    rules = [("hostssl", "all"), ("hostssl", "replication")]
    if not force_ssl:
        rules += [("host", "all"), ("host", "replication")]
    lines = [
        "# Rendered by localenv.dataplane; do not edit.",
        "# TYPE  DATABASE     USER      ADDRESS        METHOD",
        "local   all          all                      trust",
        "local   replication  rdsadmin                 trust",
        "host    all          rdsadmin  127.0.0.1/32   reject",
        # the streaming replicas' login: replication only, TLS only, never a normal session
        "hostssl replication  %s  127.0.0.1/32   scram-sha-256" % REPLICATION_USER,
        "host    all          %s  127.0.0.1/32   reject" % REPLICATION_USER,
        "host    replication  %s  127.0.0.1/32   reject" % REPLICATION_USER,
    ]
    if iam_ldap_port and iam_ldap_suffix:
        lines.append(
            'hostssl all          +rds_iam  127.0.0.1/32   ldap ldapserver=127.0.0.1 ldapport=%d ldapprefix="" '
            'ldapsuffix="%s"' % (iam_ldap_port, iam_ldap_suffix)
        )
    lines.append("host    all          +rds_iam  127.0.0.1/32   reject")
    lines += ["%-7s %-12s all       127.0.0.1/32   %s" % (kind, database, method) for kind, database in rules]
    return "\n".join(lines) + "\n"
