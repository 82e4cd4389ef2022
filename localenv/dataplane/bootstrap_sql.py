"""SQL that makes a fresh cluster look like Amazon RDS for PostgreSQL.

``create_rds_roles`` runs once in the template cluster: the NOLOGIN roles RDS has
(``rds_superuser`` with the predefined roles it is granted, ``rds_iam``, ``rds_replication``,
``rds_password``). ``configure_instance`` runs per server: the bootstrap superuser ``rdsadmin``
gets its own random password, the master user is created LOGIN CREATEROLE CREATEDB and member of
``rds_superuser`` (never superuser), and the initial database is created owned by it. Passwords
are sent as SCRAM verifiers computed on the client, so they never appear in server logs.
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


def create_rds_roles(cursor):
    for role in RDS_GROUP_ROLES:
        cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    for granted, admin in RDS_SUPERUSER_GRANTS:
        cursor.execute(
            sql.SQL("GRANT {} TO rds_superuser" + (" WITH ADMIN OPTION" if admin else "")).format(
                sql.Identifier(granted)
            )
        )


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
