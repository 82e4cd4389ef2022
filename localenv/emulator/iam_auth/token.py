"""Verification of RDS IAM authentication tokens (what ``rds.generate_db_auth_token`` returns).

A token is a SigV4 presigned URL without its scheme::

    <host>:<port>/?Action=connect&DBUser=<user>&X-Amz-Algorithm=AWS4-HMAC-SHA256
        &X-Amz-Credential=<key id>/<yyyymmdd>/<region>/rds-db/aws4_request&X-Amz-Date=<yyyymmddThhmmssZ>
        &X-Amz-Expires=900&X-Amz-SignedHeaders=host[&X-Amz-Security-Token=<token>]&X-Amz-Signature=<hex>

``verify`` recomputes the signature with the secret key of the access key (looked up by the
caller) and checks everything RDS checks: action, algorithm, service, region, user, endpoint,
validity window and, for temporary credentials, the session token and its expiry.
"""

import dataclasses
import datetime
import hashlib
import hmac
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "rds-db"
MAX_EXPIRES = 900
CLOCK_SKEW = datetime.timedelta(minutes=5)
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# botocore signs the (empty) body of the GET request: the SHA-256 of no bytes.
EMPTY_PAYLOAD_SHA256 = hashlib.sha256(b"").hexdigest()
REQUIRED = ("Action", "DBUser", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
            "X-Amz-SignedHeaders", "X-Amz-Signature")


class TokenRejected(Exception):
    """The token is not valid; ``str()`` says why (never contains the signature or secrets)."""


@dataclasses.dataclass
class Credentials:
    """What the emulator knows about one access key."""

    access_key_id: str
    secret_access_key: str
    account_id: str
    session_token: str = None
    expiration: datetime.datetime = None
    active: bool = True


@dataclasses.dataclass
class Verified:
    user: str
    access_key_id: str
    account_id: str
    host: str
    port: int
    signed_at: datetime.datetime
    expires_at: datetime.datetime


@dataclasses.dataclass
class Parsed:
    host: str
    port: int
    hostport: str
    params: dict


def parse(token):
    """Split a token into host, port and query parameters; raise TokenRejected when malformed."""
    if not token or "/?" not in token:
        raise TokenRejected("not an IAM authentication token (expected host:port/?Action=connect&...)")
    hostport, query = token.split("/?", 1)
    host, sep, port = hostport.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise TokenRejected("the token does not start with host:port")
    try:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise TokenRejected("the token's query string is malformed") from None
    params = {}
    for key, value in pairs:
        if key in params:
            raise TokenRejected("the token repeats the parameter %s" % key)
        params[key] = value
    missing = [key for key in REQUIRED if key not in params]
    if missing:
        raise TokenRejected("the token lacks %s" % ", ".join(missing))
    return Parsed(host=host.lower(), port=int(port), hostport=hostport, params=params)


def _quote(text):
    return urllib.parse.quote(text, safe="-_.~")


def canonical_request(parsed):
    query = "&".join(
        "%s=%s" % (_quote(key), _quote(value))
        for key, value in sorted(parsed.params.items())
        if key != "X-Amz-Signature"
    )
    return "\n".join(["GET", "/", query, "host:%s" % parsed.hostport, "", "host", EMPTY_PAYLOAD_SHA256])


def _hmac(key, message):
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def signature(parsed, secret_access_key):
    """The hex SigV4 signature of ``parsed`` with ``secret_access_key``."""
    credential = parsed.params["X-Amz-Credential"].split("/")
    date, region, service = credential[1], credential[2], credential[3]
    scope = "/".join(credential[1:])
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            parsed.params["X-Amz-Date"],
            scope,
            hashlib.sha256(canonical_request(parsed).encode("utf-8")).hexdigest(),
        ]
    )
    key = _hmac(("AWS4" + secret_access_key).encode("utf-8"), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _utc(value):
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value


def verify(token, user, hosts, port, region, lookup, now=None):
    """Return :class:`Verified` when ``token`` lets ``user`` log in to ``hosts``/``port`` in ``region``.

    ``lookup(access_key_id)`` returns :class:`Credentials` or None. Raises :class:`TokenRejected`.
    """
    now = _utc(now) or datetime.datetime.now(datetime.timezone.utc)
    parsed = parse(token)
    params = parsed.params
    if params["Action"] != "connect":
        raise TokenRejected("Action is %r, not 'connect'" % params["Action"])
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise TokenRejected("X-Amz-Algorithm is %r, not %s" % (params["X-Amz-Algorithm"], ALGORITHM))
    if params["X-Amz-SignedHeaders"].lower() != "host":
        raise TokenRejected("X-Amz-SignedHeaders must be 'host'")
    credential = params["X-Amz-Credential"].split("/")
    if len(credential) != 5 or credential[4] != "aws4_request":
        raise TokenRejected("X-Amz-Credential is malformed")
    access_key_id, date, token_region, service = credential[:4]
    if service != SERVICE:
        raise TokenRejected("the token is signed for service %r, not %s" % (service, SERVICE))
    if token_region != region:
        raise TokenRejected("the token is signed for region %s, the database is in %s" % (token_region, region))
    if params["DBUser"] != user:
        raise TokenRejected("the token is for database user %r, not %r" % (params["DBUser"], user))
    if parsed.host not in hosts or parsed.port != port:
        raise TokenRejected(
            "the token is for %s:%d, not this database (%s:%d)" % (parsed.host, parsed.port, sorted(hosts)[0], port)
        )
    try:
        signed_at = datetime.datetime.strptime(params["X-Amz-Date"], DATE_FORMAT).replace(tzinfo=datetime.timezone.utc)
        expires = int(params["X-Amz-Expires"])
    except ValueError:
        raise TokenRejected("X-Amz-Date or X-Amz-Expires is malformed") from None
    if date != params["X-Amz-Date"][:8]:
        raise TokenRejected("the credential scope date does not match X-Amz-Date")
    if not 1 <= expires <= MAX_EXPIRES:
        raise TokenRejected("X-Amz-Expires=%d is outside 1..%d seconds" % (expires, MAX_EXPIRES))
    expires_at = signed_at + datetime.timedelta(seconds=expires)
    if now >= expires_at:
        raise TokenRejected("the token expired at %s" % expires_at.strftime(DATE_FORMAT))
    if signed_at > now + CLOCK_SKEW:
        raise TokenRejected("the token is signed in the future (%s)" % params["X-Amz-Date"])
    credentials = lookup(access_key_id)
    if credentials is None:
        raise TokenRejected("access key %s is unknown" % access_key_id)
    if not credentials.active:
        raise TokenRejected("access key %s is inactive" % access_key_id)
    given_session_token = params.get("X-Amz-Security-Token")
    if credentials.session_token is not None:
        if given_session_token is None:
            raise TokenRejected("access key %s is temporary but the token has no X-Amz-Security-Token" % access_key_id)
        if not hmac.compare_digest(given_session_token, credentials.session_token):
            raise TokenRejected("the X-Amz-Security-Token does not belong to access key %s" % access_key_id)
        expiration = _utc(credentials.expiration)
        if expiration is not None and now >= expiration:
            raise TokenRejected("the temporary credentials of %s expired" % access_key_id)
    elif given_session_token is not None:
        raise TokenRejected("access key %s is not temporary but the token has an X-Amz-Security-Token" % access_key_id)
    expected = signature(parsed, credentials.secret_access_key)
    if not hmac.compare_digest(expected, params["X-Amz-Signature"].lower()):
        raise TokenRejected("the signature does not match (signed with another secret key, or altered)")
    return Verified(
        user=user,
        access_key_id=access_key_id,
        account_id=credentials.account_id,
        host=parsed.host,
        port=parsed.port,
        signed_at=signed_at,
        expires_at=expires_at,
    )
