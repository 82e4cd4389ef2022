"""Copying a DB snapshot shared by another account, as RDS does it (moto 5.2 cannot).

moto records who a manual snapshot is shared with (ModifyDBSnapshotAttribute ``restore``,
DescribeDBSnapshotAttributes, DescribeDBSnapshots ``SnapshotType=shared``), but CopyDBSnapshot in
account B with ``SourceDBSnapshotIdentifier`` = the ARN of a snapshot of account A looks the
snapshot up in B and answers ``DBSnapshotNotFound``. Here, such a copy:

- succeeds only when A shared the snapshot with B (``restore`` holds B's id or ``all``); otherwise,
  or when A has no such snapshot, ``DBSnapshotNotFound`` as on AWS (B cannot see it);
- needs the source to be ``available`` (``InvalidDBSnapshotState``) and in B's region (a
  cross-region cross-account copy is not emulated: ``InvalidParameterValue``);
- when the source is encrypted: needs ``KmsKeyId`` (``InvalidParameterValue``: AWS requires a key of
  the copying account for a shared encrypted snapshot), refuses a source encrypted with the default
  AWS managed key (``aws/rds``, or moto's ``default_kms_key_id`` standing for it: "shared snapshots
  encrypted with the default AWS managed key cannot be copied") and a source key whose key policy
  does not let B use it - an ``Allow`` statement for a principal of B (its root, its id, a role or
  user of B, or ``*``) with ``kms:Decrypt`` and ``kms:CreateGrant`` (wildcards such as ``kms:*``
  count; conditions are taken as met, since RDS makes the calls for B) - as
  ``KMSKeyNotAccessibleFault``; the target key is validated as moto does (exists, same region);
- makes the copy in B (``SourceDBSnapshotIdentifier`` is the source ARN, ``CopyTags`` copies the
  source's tags, ``SnapshotCreateTime`` is new, ``OriginalSnapshotCreateTime`` the source's) and,
  with the data plane, gives it its own copy of the source's base backup, so that
  RestoreDBInstanceFromDBSnapshot in B starts a PostgreSQL server holding the source's data.

Restoring directly from a snapshot shared by another account (without copying it) is not
emulated. Installed after ``snapshot_api`` (it wraps the CopyDBSnapshot installed by then);
installing twice does not wrap twice.
"""

import fnmatch
import json
import re

from moto.kms.models import kms_backends
from moto.rds.exceptions import DBSnapshotAlreadyExistsError, DBSnapshotNotFoundFault, InvalidParameterValue
from moto.rds.exceptions import KMSKeyNotAccessibleFault, RDSClientError
from moto.rds.models import DBSnapshot, RDSBackend, rds_backends

from localenv.emulator import snapshot_api
from localenv.emulator.db_instances import snapshots as db_snapshots

_SNAPSHOT_ARN = re.compile(r"^arn:[a-z-]+:rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):snapshot:(?P<name>.+)$")
_KEY_ARN = re.compile(r"^arn:[a-z-]+:kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/(?P<key>.+)$")
_MARK = "_localenv_snapshot_sharing"
_DEFAULT_KEY = "default_kms_key_id"  # what moto records for StorageEncrypted without KmsKeyId (RDS: aws/rds)
REQUIRED_ACTIONS = ("kms:Decrypt", "kms:CreateGrant")
_originals = {}


def parse_snapshot_arn(value):
    """``(account, region, name)`` of a DB snapshot ARN, else None."""
    match = _SNAPSHOT_ARN.match(value or "")
    if not match:
        return None
    return match.group("account"), match.group("region"), match.group("name").lower()


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _principal_matches(principal, account_id):
    if principal == "*":
        return True
    values = []
    if isinstance(principal, dict):
        for key, value in principal.items():
            if key == "AWS":
                values.extend(_as_list(value))
    else:
        values.extend(_as_list(principal))
    for value in values:
        value = str(value)
        if value in ("*", account_id) or ":iam::%s:" % account_id in value or ":sts::%s:" % account_id in value:
            return True
    return False


def _actions_allowed(statement):
    actions = [str(action).lower() for action in _as_list(statement.get("Action"))]
    return {required for required in REQUIRED_ACTIONS if any(fnmatch.fnmatchcase(required.lower(), action) for action in actions)}


def policy_allows(policy, account_id):
    """Whether a key policy (JSON text or dict) lets principals of ``account_id`` decrypt with the key and create grants."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return False
    if not isinstance(policy, dict):
        return False
    allowed, denied = set(), set()
    for statement in _as_list(policy.get("Statement")):
        if not isinstance(statement, dict) or not _principal_matches(statement.get("Principal"), account_id):
            continue
        actions = _actions_allowed(statement)
        if statement.get("Effect") == "Deny":
            denied |= actions
        elif statement.get("Effect") == "Allow":
            allowed |= actions
    return set(REQUIRED_ACTIONS) <= allowed - denied


def _source_key(kms_key_id, region):
    """``(account, key)`` of the moto KMS key a snapshot names, or None when it is not a customer key that can be found."""
    match = _KEY_ARN.match(kms_key_id or "")
    if not match or match.group("region") != region:
        return None
    try:
        return match.group("account"), kms_backends[match.group("account")][region].describe_key(match.group("key"))
    except (KeyError, AttributeError):
        return None


def check_source_key(source, source_arn, account_id, region):
    """Refuse, as RDS does, a shared encrypted snapshot whose key the copying account cannot use."""
    kms_key_id = getattr(source, "kms_key_id", None)
    if not kms_key_id or kms_key_id == _DEFAULT_KEY or snapshot_api.key_manager(kms_key_id, source.backend.account_id, region) == "AWS":
        raise RDSClientError(
            "KMSKeyNotAccessibleFault",
            "Snapshot %s is encrypted with the default AWS managed KMS key (aws/rds) of its account: shared snapshots encrypted "
            "with the default AWS managed key cannot be copied. Copy it in its own account with a customer managed key that "
            "account %s may use, and share that copy." % (source_arn, account_id))
    found = _source_key(kms_key_id, region)
    if found is None:
        raise KMSKeyNotAccessibleFault(kms_key_id)
    key_account, key = found
    if key_account != account_id and not policy_allows(getattr(key, "policy", None), account_id):
        raise RDSClientError(
            "KMSKeyNotAccessibleFault",
            "Account %s may not use KMS key %s, which encrypts the shared snapshot %s: its key policy must allow the account "
            "kms:Decrypt and kms:CreateGrant." % (account_id, kms_key_id, source_arn))


def shared_source(backend, identifier):
    """The snapshot of another account ``identifier`` (an ARN) names, when it is shared with ``backend``'s account."""
    account, region, name = parse_snapshot_arn(identifier)
    if region != backend.region_name:
        raise InvalidParameterValue(
            "Copying snapshot %s of another account from another region is not supported here; copy it within %s first."
            % (identifier, region))
    source = rds_backends[account][region].database_snapshots.get(name)
    shared_with = list(getattr(source, "attributes", {}).get("restore") or []) if source is not None else []
    if source is None or (backend.account_id not in shared_with and "all" not in shared_with):
        raise DBSnapshotNotFoundFault(identifier)
    return source


def copy_shared_db_snapshot(backend, identifier, target, kms_key_id=None, tags=None, copy_tags=False):
    """CopyDBSnapshot in ``backend``'s account of the snapshot of another account ``identifier`` (an ARN)."""
    source = shared_source(backend, identifier)
    status = source.status
    if status != "available":
        raise RDSClientError("InvalidDBSnapshotState", "DB snapshot %s is not available (it is %s)." % (identifier, status))
    if target in backend.database_snapshots:
        raise DBSnapshotAlreadyExistsError(target)
    if snapshot_api._encrypted(source):  # pylint: disable=protected-access
        if not kms_key_id:
            raise InvalidParameterValue(
                "KmsKeyId is required to copy the encrypted snapshot %s shared from another account: give a KMS key of "
                "account %s." % (identifier, backend.account_id))
        check_source_key(source, identifier, backend.account_id, backend.region_name)
    if kms_key_id:
        kms_key_id = backend._validate_kms_key(kms_key_id)  # pylint: disable=protected-access
    if copy_tags and not tags:
        tags = list(source.tags or [])
    copy = DBSnapshot(backend, source.database, target, tags=tags, kms_key_id=kms_key_id,
                      original_created_at=source.original_snapshot_create_time)
    if kms_key_id is None and not snapshot_api._encrypted(source):  # pylint: disable=protected-access
        copy.kms_key_id, copy.storage_encrypted, copy.encrypted = None, False, False
    fleet = db_snapshots.env.get("fleet")
    backup = db_snapshots.backup_id(source)
    if fleet is not None and backup is not None:
        copy.__dict__[db_snapshots.BACKUP] = fleet.copy_backup(backup)
    copy.__dict__["source_db_snapshot_identifier"] = source.arn
    backend.database_snapshots[target] = copy
    return copy


def copy_db_snapshot(self, source_db_snapshot_identifier, target_db_snapshot_identifier, *args, **kwargs):
    parsed = parse_snapshot_arn(source_db_snapshot_identifier)
    if parsed is None or parsed[0] == self.account_id:
        return _originals["copy_db_snapshot"](self, source_db_snapshot_identifier, target_db_snapshot_identifier, *args, **kwargs)
    names = ("kms_key_id", "tags", "copy_tags")
    options = dict(zip(names, args))
    options.update({name: kwargs[name] for name in names if name in kwargs})
    lock = getattr(db_snapshots.env.get("context"), "lock", None)
    if lock is None:
        return copy_shared_db_snapshot(self, source_db_snapshot_identifier, target_db_snapshot_identifier.lower(), **options)
    with lock:
        return copy_shared_db_snapshot(self, source_db_snapshot_identifier, target_db_snapshot_identifier.lower(), **options)


def install(context):  # pylint: disable=unused-argument
    """Patch moto's CopyDBSnapshot (idempotent)."""
    current = RDSBackend.copy_db_snapshot
    if getattr(current, _MARK, False):
        return
    _originals["copy_db_snapshot"] = current
    setattr(copy_db_snapshot, _MARK, True)
    RDSBackend.copy_db_snapshot = copy_db_snapshot
