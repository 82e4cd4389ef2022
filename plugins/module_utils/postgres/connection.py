# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PostgreSQL connection handling for every module of the collection, in one place.

Modules build their argument spec from :func:`postgres_argument_spec` (documented by the
``innovate.aws_postgres.postgres_connection`` doc fragment) and call :func:`connect`.
psycopg2 is used when it is installed, psycopg (3) otherwise; :data:`DRIVER` is the small adapter
that hides their differences (connect, error text, client-side rendering of parameters).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os
import traceback

from ansible.module_utils.basic import missing_required_lib

PSYCOPG2_IMPORT_ERROR = None
PSYCOPG_IMPORT_ERROR = None
BOTO3_IMPORT_ERROR = None

try:
    import psycopg2
    import psycopg2.extensions
    from psycopg2 import sql as psycopg2_sql

    HAS_PSYCOPG2 = True
except ImportError:
    PSYCOPG2_IMPORT_ERROR = traceback.format_exc()
    HAS_PSYCOPG2 = False

try:
    import psycopg
    from psycopg import sql as psycopg_sql

    HAS_PSYCOPG = True
except ImportError:
    PSYCOPG_IMPORT_ERROR = traceback.format_exc()
    HAS_PSYCOPG = False

try:
    import boto3
    import botocore.exceptions

    HAS_BOTO3 = True
except ImportError:
    BOTO3_IMPORT_ERROR = traceback.format_exc()
    HAS_BOTO3 = False


SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
TLS_SSLMODES = ("require", "verify-ca", "verify-full")
REDACTED = "********"
DRIVER_REQUIREMENT = "psycopg2 (or psycopg 3)"

POSTGRES_CONNECTION_ARGUMENT_SPEC = dict(
    login_host=dict(type="str", aliases=["host"]),
    login_port=dict(type="int", default=5432, aliases=["port"]),
    login_db=dict(type="str", default="postgres", aliases=["db", "database"]),
    login_user=dict(type="str", default="postgres", aliases=["user"]),
    login_password=dict(type="str", no_log=True, aliases=["password"]),
    iam_auth=dict(type="bool", default=False),
    iam_region=dict(type="str"),
    iam_profile=dict(type="str"),
    sslmode=dict(type="str", default="verify-full", choices=list(SSLMODES)),
    ca_bundle=dict(type="path", aliases=["ca_cert", "sslrootcert"]),
    connect_timeout=dict(type="int", default=10),
    application_name=dict(type="str", default="innovate.aws_postgres"),
)

_SERVER_FACTS_QUERY = (
    "SELECT current_setting('server_version_num')::int, current_setting('server_version'),"
    " current_user, current_database(),"
    " (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user),"
    " COALESCE((SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid()), false),"
    " (SELECT version FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid())"
)


class PostgresConnectionError(Exception):
    """A connection could not be made; ``str()`` is the message for the user (no secrets)."""

    def __init__(self, msg, details=None):
        super(PostgresConnectionError, self).__init__(msg)
        self.msg = msg
        self.details = details or {}


class _Driver:
    """What the collection needs from a PostgreSQL driver, for psycopg2 and psycopg 3."""

    def __init__(self, name, module, sql):
        self.name = name
        self.module = module
        self.sql = sql
        self.Error = module.Error
        self.version = getattr(module, "__version__", "unknown").split(" ")[0]

    def connect(self, kwargs, autocommit):
        if self.name == "psycopg2":
            conn = self.module.connect(**kwargs)
            conn.autocommit = autocommit
            return conn
        return self.module.connect(autocommit=autocommit, **kwargs)

    def render(self, conn, statement, params=None):
        """Return ``statement`` (a Composable or str) with ``params`` bound client-side, as str."""
        if self.name == "psycopg2":
            cursor = conn.cursor()
            try:
                rendered = cursor.mogrify(statement, params)
            finally:
                cursor.close()
            if isinstance(rendered, bytes):
                rendered = rendered.decode(psycopg2.extensions.encodings.get(conn.encoding, "utf-8"))
            return rendered
        if params is None:
            if isinstance(statement, str):
                return statement
            return statement.as_string(conn)
        cursor = self.module.ClientCursor(conn)
        try:
            return cursor.mogrify(statement, params)
        finally:
            cursor.close()

    def error_message(self, exc):
        """The server's (or libpq's) message for ``exc``, without a traceback."""
        diag = getattr(exc, "diag", None)
        primary = getattr(diag, "message_primary", None) if diag is not None else None
        if primary:
            parts = [primary]
            detail = getattr(diag, "message_detail", None)
            hint = getattr(diag, "message_hint", None)
            if detail:
                parts.append("DETAIL: %s" % detail)
            if hint:
                parts.append("HINT: %s" % hint)
            return " ".join(parts)
        text = str(exc).strip()
        return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _select_driver():
    if HAS_PSYCOPG2:
        return _Driver("psycopg2", psycopg2, psycopg2_sql)
    if HAS_PSYCOPG:
        return _Driver("psycopg", psycopg, psycopg_sql)
    return None


#: The driver in use (psycopg2 preferred, psycopg 3 otherwise), or None when neither is installed.
DRIVER = _select_driver()
#: The ``sql`` module of :data:`DRIVER` (``psycopg2.sql`` or ``psycopg.sql``), or None.
sql = DRIVER.sql if DRIVER is not None else None


def driver_missing_message():
    """The ``missing_required_lib`` message for the PostgreSQL driver."""
    return missing_required_lib(DRIVER_REQUIREMENT)


def postgres_argument_spec():
    """A fresh copy of :data:`POSTGRES_CONNECTION_ARGUMENT_SPEC` for a module to extend."""
    return copy.deepcopy(POSTGRES_CONNECTION_ARGUMENT_SPEC)


def _effective_params(params):
    """``params`` with the argument spec's defaults filled in for missing or None options."""
    merged = {}
    for name, spec in POSTGRES_CONNECTION_ARGUMENT_SPEC.items():
        value = params.get(name)
        if value is None:
            value = spec.get("default")
        merged[name] = value
    return merged


def describe_target(params):
    """``user@host:port/db (sslmode=...)`` for messages; never includes a secret."""
    host = params.get("login_host") or "local socket"
    return "%s@%s:%s/%s (sslmode=%s)" % (
        params.get("login_user"),
        host,
        params.get("login_port"),
        params.get("login_db"),
        params.get("sslmode"),
    )


def _target_details(params):
    return dict(
        host=params.get("login_host"),
        port=params.get("login_port"),
        database=params.get("login_db"),
        user=params.get("login_user"),
        sslmode=params.get("sslmode"),
        iam_auth=params.get("iam_auth"),
    )


def _scrub(text, secrets):
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def iam_region(params):
    """The region used to sign IAM tokens: ``iam_region``, else AWS_REGION / AWS_DEFAULT_REGION."""
    return params.get("iam_region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


def generate_iam_token(params):
    """Return an RDS IAM authentication token for ``login_user`` at ``login_host:login_port``.

    Uses boto3's default credential chain, or the ``iam_profile`` profile. Raises
    :class:`PostgresConnectionError` with a clear message when it cannot.
    """
    params = _effective_params(params)
    if not HAS_BOTO3:
        raise PostgresConnectionError(missing_required_lib("boto3"), dict(exception=BOTO3_IMPORT_ERROR))
    if not params["login_host"]:
        raise PostgresConnectionError(
            "iam_auth requires login_host: the token is signed for the database endpoint's host name"
        )
    region = iam_region(params)
    if not region:
        raise PostgresConnectionError(
            "iam_auth needs a region to sign the token: set iam_region or AWS_REGION / AWS_DEFAULT_REGION"
        )
    try:
        session = boto3.session.Session(profile_name=params.get("iam_profile"), region_name=region)
        client = session.client("rds")
        return client.generate_db_auth_token(
            DBHostname=params["login_host"],
            Port=params["login_port"],
            DBUsername=params["login_user"],
            Region=region,
        )
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise PostgresConnectionError(
            "could not generate an IAM authentication token for %s in %s: %s"
            % (describe_target(params), region, exc)
        )


def libpq_params(params, password):
    """The libpq keyword arguments for ``params`` (``password`` passed separately)."""
    kwargs = dict(
        port=params["login_port"],
        dbname=params["login_db"],
        user=params["login_user"],
        sslmode=params["sslmode"],
        connect_timeout=params["connect_timeout"],
        application_name=params["application_name"],
    )
    if params.get("login_host"):
        kwargs["host"] = params["login_host"]
    if params.get("ca_bundle"):
        kwargs["sslrootcert"] = params["ca_bundle"]
    if password is not None:
        kwargs["password"] = password
    return kwargs


def _validate(params):
    if params["iam_auth"] and params.get("login_password"):
        raise PostgresConnectionError(
            "login_password and iam_auth are mutually exclusive: with iam_auth=true the password is an "
            "IAM token generated for %s" % describe_target(params)
        )
    if params["iam_auth"] and params["sslmode"] not in TLS_SSLMODES:
        raise PostgresConnectionError(
            "iam_auth requires TLS: sslmode=%s is not allowed, use one of %s"
            % (params["sslmode"], ", ".join(TLS_SSLMODES))
        )
    if params["sslmode"] not in SSLMODES:
        raise PostgresConnectionError(
            "sslmode=%s is not valid, use one of %s" % (params["sslmode"], ", ".join(SSLMODES))
        )
    if params["connect_timeout"] < 0:
        raise PostgresConnectionError(
            "connect_timeout=%s is not valid: use 0 (wait forever) or a number of seconds"
            % params["connect_timeout"]
        )
    port = params["login_port"]
    if not 1 <= port <= 65535:
        raise PostgresConnectionError("login_port=%s is not a valid TCP port (1-65535)" % port)
    ca_bundle = params.get("ca_bundle")
    if ca_bundle and ca_bundle != "system" and not os.path.isfile(ca_bundle):
        raise PostgresConnectionError("ca_bundle=%s does not exist or is not a file" % ca_bundle)


def _server_facts(conn):
    cursor = conn.cursor()
    try:
        cursor.execute(_SERVER_FACTS_QUERY)
        row = cursor.fetchone()
    finally:
        cursor.close()
    if not conn.autocommit:
        conn.rollback()
    return dict(
        server_version_num=row[0],
        server_version=row[1],
        current_user=row[2],
        database=row[3],
        is_superuser=bool(row[4]),
        ssl=bool(row[5]),
        ssl_version=row[6],
        driver=DRIVER.name,
        driver_version=DRIVER.version,
    )


def _connect(params, autocommit):
    if DRIVER is None:
        raise PostgresConnectionError(
            driver_missing_message(),
            dict(exception=(PSYCOPG2_IMPORT_ERROR or "") + (PSYCOPG_IMPORT_ERROR or "")),
        )
    params = _effective_params(params)
    _validate(params)
    password = params.get("login_password")
    secrets = [password]
    if params["iam_auth"]:
        password = generate_iam_token(params)
        secrets.append(password)
    # Errors are raised outside the except blocks so that the driver's exception (whose
    # attributes may hold connection details) is not chained to ours.
    error = None
    try:
        conn = DRIVER.connect(libpq_params(params, password), autocommit)
    except DRIVER.Error as exc:
        message = _scrub(DRIVER.error_message(exc), secrets)
        hint = ""
        if params["sslmode"] in ("verify-ca", "verify-full") and not params.get("ca_bundle"):
            hint = " (no ca_bundle given: libpq looks for ~/.postgresql/root.crt)"
        error = PostgresConnectionError(
            "unable to connect to PostgreSQL as %s%s: %s" % (describe_target(params), hint, message),
            _target_details(params),
        )
    if error is not None:
        raise error
    try:
        facts = _server_facts(conn)
    except DRIVER.Error as exc:
        conn.close()
        error = PostgresConnectionError(
            "connected to %s but could not read the server facts: %s"
            % (describe_target(params), _scrub(DRIVER.error_message(exc), secrets)),
            _target_details(params),
        )
    if error is not None:
        raise error
    return conn, facts


def connect(module_or_params, autocommit=False):
    """Connect to PostgreSQL with the connection options of ``module_or_params``.

    ``module_or_params`` is an AnsibleModule (failures call ``fail_json``) or a dict of the
    connection options by their canonical names, for example from a lookup plugin (failures raise
    :class:`PostgresConnectionError`). Missing options take the argument spec's defaults. Returns ``(connection, facts)`` where ``facts`` holds
    ``server_version_num``, ``server_version``, ``current_user``, ``database``, ``is_superuser``,
    ``ssl``, ``ssl_version``, ``driver`` and ``driver_version``.
    """
    module = module_or_params if hasattr(module_or_params, "fail_json") else None
    params = module.params if module is not None else module_or_params
    try:
        return _connect(params, autocommit)
    except PostgresConnectionError as exc:
        if module is None:
            raise
        details = dict(exc.details)
        exception = details.pop("exception", None)
        kwargs = dict(msg=exc.msg)
        if details:
            kwargs["connection"] = details
        if exception:
            kwargs["exception"] = exception
        module.fail_json(**kwargs)
