"""SQL that makes a fresh cluster look like Amazon RDS for PostgreSQL.

``create_rds_roles`` runs once in the template cluster: the NOLOGIN roles RDS has
(``rds_superuser`` with the predefined roles it is granted, ``rds_iam``, ``rds_replication``,
``rds_password``). ``configure_instance`` runs per server: the bootstrap superuser ``rdsadmin``
gets its own random password, the master user is created LOGIN CREATEROLE CREATEDB and member of
``rds_superuser`` (never superuser), and the initial database is created owned by it. Passwords
are sent as SCRAM verifiers computed on the client, so they never appear in server logs.

``install_extension_guard`` runs in the template for every database (template0 included, so
that databases created later have it): an event trigger that enforces ``rds.allowed_extensions``.
It reads the value from the configuration file (``pg_file_settings``, through a SECURITY DEFINER
function owned by the bootstrap superuser), so a session-level ``SET rds.allowed_extensions``
cannot lift the restriction.
"""

from psycopg2 import extensions, sql

RESERVED_USERNAMES = frozenset({"rdsadmin", "rdsrepladmin", "rds_superuser", "rds_iam", "rds_replication", "rds_password"})

RDS_GROUP_ROLES = ("rds_superuser", "rds_iam", "rds_replication", "rds_password")
# Predefined roles rds_superuser is a member of, and whether it holds them WITH ADMIN OPTION.
RDS_SUPERUSER_GRANTS = (
    ("pg_monitor", True),
    ("pg_signal_backend", True),
    ("pg_read_all_settings", True),
    ("pg_read_all_stats", True),
    ("pg_stat_scan_tables", True),
    ("pg_checkpoint", True),
    ("rds_replication", True),
    ("rds_password", True),
)
# pgaudit settings rds_superuser may set per role and database (ALTER ROLE/DATABASE ... SET), as on RDS.
RDS_SUPERUSER_PARAMETERS = (
    "pgaudit.log",
    "pgaudit.log_catalog",
    "pgaudit.log_level",
    "pgaudit.log_parameter",
    "pgaudit.log_relation",
    "pgaudit.log_statement_once",
    "pgaudit.role",
)


def create_rds_roles(cursor):
    for role in RDS_GROUP_ROLES:
        cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    for granted, admin in RDS_SUPERUSER_GRANTS:
        cursor.execute(
            sql.SQL("GRANT {} TO rds_superuser" + (" WITH ADMIN OPTION" if admin else "")).format(
                sql.Identifier(granted)
            )
        )
    for parameter in RDS_SUPERUSER_PARAMETERS:
        cursor.execute(sql.SQL("GRANT SET ON PARAMETER {} TO rds_superuser").format(sql.Identifier(parameter)))


def scram(connection, user, password):
    return extensions.encrypt_password(password, user, connection, "scram-sha-256")


def set_password(connection, user, password):
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(user), sql.Literal(scram(connection, user, password))
            )
        )


def configure_instance(connection, rdsadmin_password, master_username, master_password, db_name):
    """Per-server bootstrap; ``connection`` is an autocommit superuser connection."""
    if master_username.lower() in RESERVED_USERNAMES or master_username.startswith("pg_"):
        raise ValueError("MasterUsername %s is reserved by the engine" % master_username)
    set_password(connection, "rdsadmin", rdsadmin_password)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEROLE CREATEDB PASSWORD {}").format(
                sql.Identifier(master_username),
                sql.Literal(scram(connection, master_username, master_password)),
            )
        )
        cursor.execute(
            sql.SQL("GRANT rds_superuser TO {} WITH ADMIN OPTION").format(sql.Identifier(master_username))
        )
        if db_name and db_name != "postgres":
            cursor.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(db_name), sql.Identifier(master_username)
                )
            )


ALLOWED_EXTENSIONS_SQL = r"""
CREATE FUNCTION pg_catalog.rds_enforce_allowed_extensions() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $guard$
DECLARE
    allowed text;
    allowed_list text[];
    created record;
    extension name;
BEGIN
    SELECT f.setting INTO allowed FROM pg_catalog.pg_file_settings AS f
     WHERE f.name = 'rds.allowed_extensions' AND f.error IS NULL ORDER BY f.seqno DESC LIMIT 1;
    allowed := btrim(coalesce(allowed, '*'));
    IF allowed = '*' THEN
        RETURN;
    END IF;
    allowed_list := regexp_split_to_array(allowed, '[[:space:],]+');
    FOR created IN SELECT c.objid FROM pg_catalog.pg_event_trigger_ddl_commands() AS c
                    WHERE c.object_type = 'extension' LOOP
        -- the extension and those CREATE EXTENSION ... CASCADE created with it (same row version)
        FOR extension IN
            WITH RECURSIVE required(oid) AS (
                SELECT created.objid
                UNION
                SELECT d.refobjid FROM pg_catalog.pg_depend AS d JOIN required AS r ON d.objid = r.oid
                 WHERE d.classid = 'pg_catalog.pg_extension'::regclass
                   AND d.refclassid = 'pg_catalog.pg_extension'::regclass)
            SELECT e.extname FROM pg_catalog.pg_extension AS e JOIN required AS r ON e.oid = r.oid
             WHERE e.xmin = (SELECT x.xmin FROM pg_catalog.pg_extension AS x WHERE x.oid = created.objid)
        LOOP
            IF NOT extension = ANY (allowed_list) THEN
                RAISE EXCEPTION 'permission denied to create extension "%"', extension
                    USING ERRCODE = 'insufficient_privilege',
                          DETAIL = format('rds.allowed_extensions is "%s".', allowed),
                          HINT = 'Add the extension to rds.allowed_extensions in the DB parameter group.';
            END IF;
        END LOOP;
    END LOOP;
END
$guard$;
REVOKE ALL ON FUNCTION pg_catalog.rds_enforce_allowed_extensions() FROM PUBLIC;
CREATE EVENT TRIGGER rds_allowed_extensions ON ddl_command_end
    WHEN TAG IN ('CREATE EXTENSION')
    EXECUTE FUNCTION pg_catalog.rds_enforce_allowed_extensions();
"""


def install_extension_guard(connect):
    """Install the rds.allowed_extensions guard in every database of a fresh cluster.

    ``connect(dbname)`` returns an autocommit superuser connection. ``rds_superuser`` also gets
    CREATE on the ``postgres`` database, so that its members can create (trusted) extensions there.
    """
    conn = connect("postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute("GRANT CREATE ON DATABASE postgres TO rds_superuser")
            cursor.execute("ALTER DATABASE template0 ALLOW_CONNECTIONS true")
            cursor.execute("SELECT datname FROM pg_catalog.pg_database ORDER BY datname")
            databases = [row[0] for row in cursor.fetchall()]
        for database in databases:
            target = connect(database)
            try:
                with target.cursor() as cursor:
                    cursor.execute(ALLOWED_EXTENSIONS_SQL)
                    if database == "template0":
                        cursor.execute("VACUUM FREEZE")
            finally:
                target.close()
        with conn.cursor() as cursor:
            cursor.execute("ALTER DATABASE template0 ALLOW_CONNECTIONS false")
    finally:
        conn.close()
