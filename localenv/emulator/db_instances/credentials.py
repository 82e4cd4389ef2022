"""Master user credentials of emulated instances.

With ``MasterUserPassword`` the server gets exactly that password. With
``ManageMasterUserPassword`` moto creates the ``rds!db-...`` secret in Secrets Manager of the same
account and region; the emulator makes its content RDS-like (the real master username and a
random password) and gives the server that password. Rotation (``RotateMasterUserPassword``)
stores a new random password as the secret's AWSCURRENT version and sets it on the server.
"""

import json
import secrets
import string

from moto.rds.models import MasterUserSecret

# RDS passwords may not contain '/', '@', '"' or spaces.
_ALPHABET = string.ascii_letters + string.digits + "!#$%&*+-.:;<=>?^_~"
PASSWORD_LENGTH = 28

_originals = {}


def generate_password():
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _position in range(PASSWORD_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def _secret_string(self):
    return json.dumps({"username": self.resource.master_username, "password": generate_password()})


def _rotate_secret(self):
    self._status = "rotating"
    self.secretsmanager.put_secret_value(
        self.secret.arn,
        _secret_string(self),
        None,
        None,
        ["AWSCURRENT"],
    )


def install():
    if not _originals:
        _originals["_generate_secret_string"] = MasterUserSecret._generate_secret_string
        _originals["rotate_secret"] = MasterUserSecret.rotate_secret
    MasterUserSecret._generate_secret_string = _secret_string
    MasterUserSecret.rotate_secret = _rotate_secret


def managed_password(database):
    """The current password in the instance's managed secret, or None when it has none."""
    secret = getattr(database, "master_user_secret", None)
    if secret is None or not getattr(database, "manage_master_user_password", False):
        return None
    value = secret.secretsmanager.get_secret_value(secret.secret.arn, None, "AWSCURRENT")
    return json.loads(value["SecretString"])["password"]


def initial_password(database):
    """The password the new server's master user gets (given, or from the managed secret)."""
    managed = managed_password(database)
    if managed is not None:
        return managed
    return database.__dict__.get("_master_user_password")
