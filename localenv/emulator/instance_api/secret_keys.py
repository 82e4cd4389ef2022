"""The KMS key of a managed master user secret, as RDS reports it (``MasterUserSecret.KmsKeyId``).

moto looks the key up in the instance's own account only, so a key of another account (the
security account owns the keys here) made DescribeDBInstances fail with a KeyError. The key is
looked up where its ARN says; an unknown key is reported as it was given.
"""

from moto.rds.exceptions import RDSClientError
from moto.rds.models import MasterUserSecret

from localenv.emulator.instance_api import checks

_originals = {}


def _kms_key_id(self):
    given = self.secret.kms_key_id
    if given is None:
        return None
    resource = self.resource
    try:
        return checks.resolve_key(resource.account_id, resource.region, given)
    except RDSClientError:  # an unknown or disabled key: report it as it was given
        return given


def install():
    if not _originals:
        _originals["kms_key_id"] = MasterUserSecret.__dict__["kms_key_id"]
    MasterUserSecret.kms_key_id = property(_kms_key_id)
