"""RDS snapshot rules moto 5.2 does not enforce (used by the rds_snapshot module).

- The keys KMS creates for the reserved ``alias/aws/*`` aliases are AWS managed (``KeyManager``
  ``AWS``), as in KMS; moto reports them as customer managed.
- ModifyDBSnapshotAttribute / ModifyDBClusterSnapshotAttribute (``restore``) refuse to share a
  snapshot encrypted with an AWS managed key with other accounts, refuse to make an encrypted
  snapshot public (``all``), and refuse a snapshot that is not available.
- CopyDBSnapshot / CopyDBClusterSnapshot from another region refuse an encrypted source without
  ``KmsKeyId`` (a key of the target region), and record ``SourceRegion`` on the copy (and, for a
  cluster snapshot, ``SourceDBClusterSnapshotArn``).

Wraps whatever the backend methods are at install time (after ``db_instances``, whose CopyDBSnapshot
shares the base backup files); installing twice does not wrap twice.
"""

import re

from moto.kms.models import KmsBackend, kms_backends
from moto.rds.exceptions import InvalidParameterValue, RDSClientError
from moto.rds.models import RDSBackend
from moto.rds.utils import split_arn

_KEY_ARN = re.compile(r"^arn:[a-z-]+:kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/(?P<key>.+)$")
_MARK = "_localenv_snapshot_api"
_originals = {}


def _generate_default_keys(self, alias_name):
    key_id = _originals["_generate_default_keys"](self, alias_name)
    if key_id is not None:
        self.keys[key_id].key_manager = "AWS"
    return key_id


def key_manager(kms_key_id, account_id, region):
    """``AWS`` or ``CUSTOMER`` for a key ARN or id (None when the key is unknown)."""
    if not kms_key_id:
        return None
    match = _KEY_ARN.match(kms_key_id)
    if match:
        account_id, region, kms_key_id = match.group("account"), match.group("region"), match.group("key")
    try:
        backend = kms_backends[account_id][region]
        return backend.describe_key(kms_key_id).key_manager
    except (KeyError, AttributeError):
        return None


def _encrypted(snapshot):
    return bool(getattr(snapshot, "kms_key_id", None)) and bool(
        getattr(snapshot, "storage_encrypted", None) or getattr(snapshot, "encrypted", None))


def _check_share(backend, snapshot, identifier, values_to_add):
    accounts = [value for value in values_to_add or [] if value != "all"]
    if "all" in (values_to_add or []) and _encrypted(snapshot):
        raise InvalidParameterValue("Encrypted snapshots cannot be shared publicly: %s" % identifier)
    if accounts and _encrypted(snapshot) and key_manager(snapshot.kms_key_id, backend.account_id, backend.region_name) == "AWS":
        raise InvalidParameterValue(
            "Snapshot %s is encrypted with the default AWS managed KMS key, which cannot be shared with other accounts; "
            "copy it with a customer managed key and share the copy." % identifier)
    if values_to_add and getattr(snapshot, "status", "available") != "available":
        raise RDSClientError("InvalidDBSnapshotState", "Snapshot %s is %s; only available snapshots can be shared."
                             % (identifier, snapshot.status))


def modify_db_snapshot_attribute(self, db_snapshot_identifier, attribute_name, values_to_add=None, values_to_remove=None):
    snapshot = self.get_db_snapshot(db_snapshot_identifier)
    _check_share(self, snapshot, db_snapshot_identifier, values_to_add)
    return _originals["modify_db_snapshot_attribute"](self, db_snapshot_identifier, attribute_name, values_to_add, values_to_remove)


def modify_db_cluster_snapshot_attribute(self, db_cluster_snapshot_identifier, attribute_name, values_to_add=None,
                                         values_to_remove=None):
    snapshot = self.get_db_cluster_snapshot(db_cluster_snapshot_identifier)
    _check_share(self, snapshot, db_cluster_snapshot_identifier, values_to_add)
    return _originals["modify_db_cluster_snapshot_attribute"](self, db_cluster_snapshot_identifier, attribute_name,
                                                              values_to_add, values_to_remove)


def _source_region(backend, identifier):
    if identifier and identifier.startswith("arn:"):
        region = split_arn(identifier)[0]
        if region != backend.region_name:
            return region
    return None


def _check_cross_region(source, identifier, kms_key_id):
    if _encrypted(source) and not kms_key_id:
        raise InvalidParameterValue(
            "KmsKeyId is required to copy the encrypted snapshot %s to another region: give a KMS key of the target region."
            % identifier)


def copy_db_snapshot(self, source_db_snapshot_identifier, target_db_snapshot_identifier, *args, **kwargs):
    region = _source_region(self, source_db_snapshot_identifier)
    if region:
        _check_cross_region(self.get_db_snapshot(source_db_snapshot_identifier), source_db_snapshot_identifier, kwargs.get("kms_key_id"))
    snapshot = _originals["copy_db_snapshot"](self, source_db_snapshot_identifier, target_db_snapshot_identifier, *args, **kwargs)
    if region:
        snapshot.source_region = region
        snapshot.source_db_snapshot_identifier = self.get_db_snapshot(source_db_snapshot_identifier).arn
    return snapshot


def copy_db_cluster_snapshot(self, source_db_cluster_snapshot_identifier, target_db_cluster_snapshot_identifier, *args, **kwargs):
    source = self.get_db_cluster_snapshot(source_db_cluster_snapshot_identifier)
    region = _source_region(self, source_db_cluster_snapshot_identifier)
    if region:
        _check_cross_region(source, source_db_cluster_snapshot_identifier, kwargs.get("kms_key_id"))
    snapshot = _originals["copy_db_cluster_snapshot"](self, source_db_cluster_snapshot_identifier,
                                                      target_db_cluster_snapshot_identifier, *args, **kwargs)
    snapshot.source_db_cluster_snapshot_arn = source.arn
    if region:
        snapshot.source_region = region
    return snapshot


_RDS_PATCHES = {
    "modify_db_snapshot_attribute": modify_db_snapshot_attribute,
    "modify_db_cluster_snapshot_attribute": modify_db_cluster_snapshot_attribute,
    "copy_db_snapshot": copy_db_snapshot,
    "copy_db_cluster_snapshot": copy_db_cluster_snapshot,
}


def install(context):  # pylint: disable=unused-argument
    """Patch moto's RDS and KMS backends (idempotent)."""
    for name, function in _RDS_PATCHES.items():
        current = getattr(RDSBackend, name)
        if getattr(current, _MARK, False):
            continue
        _originals[name] = current
        setattr(function, _MARK, True)
        setattr(RDSBackend, name, function)
    current = KmsBackend._generate_default_keys  # pylint: disable=protected-access
    if not getattr(current, _MARK, False):
        _originals["_generate_default_keys"] = current
        setattr(_generate_default_keys, _MARK, True)
        KmsBackend._generate_default_keys = _generate_default_keys  # pylint: disable=protected-access
