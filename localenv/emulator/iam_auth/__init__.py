"""IAM database authentication for the emulated RDS instances.

``pg_hba.conf`` of every server sends TLS logins of members of ``rds_iam`` to LDAP simple bind
against :mod:`ldap`'s server on 127.0.0.1, with the DN ``<user>@<server slug>``; the password is
the token. This module answers those binds: it finds the instance behind the slug, checks that
IAM database authentication is enabled on it, and verifies the token (:mod:`token`) with the
secret key of its access key:

- access keys created with ``iam:CreateAccessKey`` and temporary credentials from
  ``sts:AssumeRole`` are looked up in moto's IAM and STS backends (their account must be the
  instance's account; temporary ones need their session token and must not have expired);
- the local environment's default credentials, access key ``testing`` with secret key ``testing``
  (:data:`STATIC_CREDENTIALS`), belong to the management account 123456789012. moto accepts any
  other unknown key without knowing its secret; such keys cannot sign tokens here.

IAM policies (``rds-db:connect``) are not evaluated, as moto does not enforce IAM either.
"""

import collections
import datetime
import logging
import threading

from localenv import accounts
from localenv.emulator.iam_auth import ldap
from localenv.emulator.iam_auth.token import Credentials, TokenRejected, verify

log = logging.getLogger("localenv.iam_auth")

#: access key id -> secret access key of the static credentials (management account).
STATIC_CREDENTIALS = {"testing": "testing"}
#: Host names a token may be signed for: the endpoint address and the certificate's other name.
ENDPOINT_HOSTS = frozenset({"127.0.0.1", "localhost"})
DECISIONS_KEPT = 100

_state = {"server": None, "fleet": None}
_decisions = collections.deque(maxlen=DECISIONS_KEPT)
_lock = threading.Lock()


def _as_datetime(value):
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    return None


def lookup_credentials(access_key_id):
    """The :class:`Credentials` of ``access_key_id`` from moto's IAM/STS backends, or None."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for account_id, account in list(iam_backends.items()):
        for backend in list(account.values()):
            key = backend.access_keys.get(access_key_id)
            if key is None:
                continue
            active = getattr(key, "status", "Active") == "Active"
            if not getattr(key, "role_arn", None):
                return Credentials(access_key_id, key.secret_access_key, account_id, active=active)
            for sts in list(sts_backends.get(account_id, {}).values()):
                role = sts.get_assumed_role_from_access_key(access_key_id)
                if role is not None:
                    return Credentials(
                        access_key_id,
                        role.secret_access_key,
                        account_id,
                        session_token=role.session_token,
                        expiration=_as_datetime(role.expiration),
                        active=active,
                    )
            return None
    if access_key_id in STATIC_CREDENTIALS:
        return Credentials(access_key_id, STATIC_CREDENTIALS[access_key_id], accounts.MANAGEMENT_ACCOUNT)
    return None


def _database(key):
    from moto.rds.models import rds_backends

    account_id, region, identifier = key
    try:
        return rds_backends[account_id][region].databases.get(identifier)
    except KeyError:
        return None


def check(dn, password, fleet, now=None):
    """Return ``(key or None, user, reason or None)`` for one bind; reason None means accepted."""
    user, sep, slug = dn.rpartition("@")
    if not sep or not user:
        return None, dn, "the bind DN %r is not <user>@<server>" % dn
    found = fleet.find_by_slug(slug) if fleet is not None else None
    if found is None:
        return None, user, "no database server %s" % slug
    key, port = found
    database = _database(key)
    if database is None:
        return key, user, "DB instance %s does not exist" % key[2]
    if not getattr(database, "enable_iam_database_authentication", False):
        return key, user, "IAM database authentication is not enabled on DB instance %s" % key[2]
    try:
        verified = verify(password, user, ENDPOINT_HOSTS, port, key[1], lookup_credentials, now=now)
    except TokenRejected as error:
        return key, user, str(error)
    if verified.account_id != key[0]:
        return key, user, "access key %s belongs to account %s, DB instance %s to account %s" % (
            verified.access_key_id, verified.account_id, key[2], key[0])
    return key, user, None


def authenticate(dn, password):
    key, user, reason = check(dn, password, _state["fleet"])
    decision = {
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "db_instance": "/".join(key) if key else None,
        "user": user,
        "accepted": reason is None,
        "reason": reason,
    }
    with _lock:
        _decisions.append(decision)
    if reason is None:
        log.info("IAM login of %s to %s accepted", user, decision["db_instance"])
    else:
        log.info("IAM login of %s to %s rejected: %s", user, decision["db_instance"], reason)
    return reason is None


def status():
    server = _state["server"]
    with _lock:
        recent = list(_decisions)
    return {"ldap_port": server.port if server else None, "decisions": recent}


def install(fleet):
    """Start the validator (once) and tell ``fleet`` its port; returns the port."""
    if _state["server"] is None:
        _state["server"] = ldap.BindServer(authenticate).start()
    _state["fleet"] = fleet
    fleet.iam_ldap_port = _state["server"].port
    return _state["server"].port


def shutdown():
    server = _state["server"]
    if server is not None:
        server.stop()
        _state["server"] = None
