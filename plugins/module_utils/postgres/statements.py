# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Record the SQL a module plans, report it with secrets redacted, execute it for real.

A module composes each statement with the driver's ``sql`` module and adds it::

    recorder = StatementRecorder(conn)
    recorder.add(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident(name), sql.Literal(Secret(pw))))
    recorder.add(sql.SQL("ALTER ROLE {} SET search_path = %s").format(ident(name)), params=["app"])
    result["statements"] = recorder.statements   # PASSWORD '********'
    if not module.check_mode:
        recorder.execute(cursor)                 # runs the real statements, in order

In check mode the module only records: nothing is executed, nothing is rolled back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import (
    DRIVER,
    REDACTED,
    driver_missing_message,
)

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover - Python 2 is not supported by ansible-core >= 2.17
    Mapping = dict


class Secret:
    """A value that must never be shown: wrap it in ``sql.Literal(Secret(value))`` or in params.

    ``str()`` and ``repr()`` give the placeholder. The driver cannot adapt a Secret, so a statement
    holding one can only be rendered with its real value by :class:`StatementRecorder`.
    """

    __slots__ = ("value",)

    def __init__(self, value):
        if isinstance(value, Secret):
            value = value.value
        self.value = value

    def __repr__(self):
        return "Secret(%r)" % REDACTED

    def __str__(self):
        return REDACTED

    def __eq__(self, other):
        return isinstance(other, Secret) and other.value == self.value

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((Secret, self.value))


class StatementError(Exception):
    """A recorded statement failed; ``str()`` names it (redacted) and the server's message.

    ``index`` is the 0-based position of the statement, ``statement`` its redacted text and
    ``sqlstate`` the server's error code. The driver's exception is deliberately not kept (nor
    chained): its text and cursor hold the statement with the secret values.
    """

    def __init__(self, msg, index, statement, sqlstate):
        super(StatementError, self).__init__(msg)
        self.msg = msg
        self.index = index
        self.statement = statement
        self.sqlstate = sqlstate


def _driver():
    if DRIVER is None:
        raise RuntimeError(driver_missing_message())
    return DRIVER


def _literal_value(literal):
    # psycopg2 keeps the wrapped value in ``_wrapped``, psycopg 3 in ``_obj``.
    if hasattr(literal, "_wrapped"):
        return literal._wrapped
    return literal._obj


def _rebuild(composable, reveal):
    """A copy of ``composable`` with every ``Literal(Secret(v))`` replaced.

    ``reveal=True`` puts ``Literal(v)`` (for execution); ``reveal=False`` puts the literal
    placeholder ``'********'`` (for display). Also returns the secret values found.
    """
    sql = _driver().sql
    if isinstance(composable, sql.Composed):
        secrets = []
        parts = []
        for part in composable:
            rebuilt, found = _rebuild(part, reveal)
            parts.append(rebuilt)
            secrets.extend(found)
        return sql.Composed(parts), secrets
    if isinstance(composable, sql.Literal):
        value = _literal_value(composable)
        if isinstance(value, Secret):
            return (sql.Literal(value.value) if reveal else sql.Literal(REDACTED)), [value.value]
    return composable, []


def _is_secret_key(key, value, secret_params):
    return isinstance(value, Secret) or key in secret_params


def _params(params, secret_params, reveal):
    """``params`` with secrets revealed or replaced by the placeholder, and the secret values."""
    if params is None:
        return None, []
    secrets = []
    if isinstance(params, Mapping):
        out = {}
        for key, value in params.items():
            if _is_secret_key(key, value, secret_params):
                real = value.value if isinstance(value, Secret) else value
                secrets.append(real)
                out[key] = real if reveal else REDACTED
            else:
                out[key] = value
        return out, secrets
    out = []
    for index, value in enumerate(params):
        if _is_secret_key(index, value, secret_params):
            real = value.value if isinstance(value, Secret) else value
            secrets.append(real)
            out.append(real if reveal else REDACTED)
        else:
            out.append(value)
    return out, secrets


def _scrub(text, secrets):
    for secret in secrets:
        if secret is None:
            continue
        secret = str(secret)
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class _Entry:
    __slots__ = ("statement", "params", "secret_params")

    def __init__(self, statement, params, secret_params):
        self.statement = statement
        self.params = params
        self.secret_params = secret_params

    def secrets(self):
        in_sql = _rebuild(self.statement, True)[1]
        in_params = _params(self.params, self.secret_params, True)[1]
        return in_sql + in_params

    def render(self, conn, reveal):
        statement = _rebuild(self.statement, reveal)[0]
        params = _params(self.params, self.secret_params, reveal)[0]
        return _driver().render(conn, statement, params)


class StatementRecorder:
    """An ordered list of composed SQL statements, shown redacted and executed for real.

    ``conn`` is the connection whose encoding and quoting rules render the statements for
    :attr:`statements`; :meth:`execute` renders with its cursor's connection.
    """

    def __init__(self, conn=None):
        self.conn = conn
        self._entries = []

    def add(self, statement, params=None, secret_params=()):
        """Record ``statement``, a ``sql.Composable``; plain strings are refused.

        ``params`` are bound client-side to ``%s`` / ``%(name)s`` placeholders (so they also work
        in utility statements such as ``ALTER ROLE``); with params, a literal ``%`` in the
        statement must be written ``%%``. ``secret_params`` lists the indexes (or keys) of params
        that are secret; params wrapped in :class:`Secret` are secret too.
        """
        sql = _driver().sql
        if not isinstance(statement, sql.Composable):
            raise TypeError(
                "StatementRecorder.add() takes a statement composed with %s.sql (sql.SQL(...).format(...)), "
                "got %s" % (_driver().name, type(statement).__name__)
            )
        if params is not None and not isinstance(params, (Mapping, list, tuple)):
            raise TypeError("params must be a list, tuple or dict, got %s" % type(params).__name__)
        if isinstance(secret_params, (str, int)):
            secret_params = (secret_params,)
        secret_params = frozenset(secret_params)
        if params is not None:
            keys = set(params) if isinstance(params, Mapping) else set(range(len(params)))
            unknown = secret_params - keys
            if unknown:
                raise ValueError(
                    "secret_params %s do not name any of the params" % ", ".join(sorted(map(str, unknown)))
                )
        elif secret_params:
            raise ValueError("secret_params given without params")
        self._entries.append(_Entry(statement, params, secret_params))

    def __len__(self):
        return len(self._entries)

    def __bool__(self):
        return bool(self._entries)

    __nonzero__ = __bool__

    def render(self, conn=None):
        """The statements as SQL text, secrets replaced by ``'********'``."""
        conn = conn if conn is not None else self.conn
        if conn is None:
            raise ValueError("StatementRecorder needs a connection to render statements (StatementRecorder(conn))")
        return [entry.render(conn, reveal=False) for entry in self._entries]

    @property
    def statements(self):
        """The recorded statements as SQL text with secrets redacted, for results and diffs."""
        return self.render()

    def execute(self, cursor):
        """Execute the recorded statements in order on ``cursor``; returns how many ran.

        Transactions are the caller's business. A failing statement raises
        :class:`StatementError` whose message shows the redacted statement and the server's
        message with any secret value removed.
        """
        driver = _driver()
        conn = cursor.connection
        total = len(self._entries)
        for index, entry in enumerate(self._entries):
            real = entry.render(conn, reveal=True)
            shown = entry.render(conn, reveal=False)
            error = None
            try:
                cursor.execute(real)
            except driver.Error as exc:
                diag = getattr(exc, "diag", None)
                error = StatementError(
                    "statement %d of %d failed: %s: %s"
                    % (index + 1, total, shown, _scrub(driver.error_message(exc), entry.secrets())),
                    index,
                    shown,
                    getattr(diag, "sqlstate", None) if diag is not None else None,
                )
            if error is not None:
                # Raised outside the except block so the driver's exception is not chained.
                raise error
        return total
