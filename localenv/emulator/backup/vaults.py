"""Backup vaults as AWS Backup has them: access policies, recovery point counts, deletion checks.

moto 5.2 has no Get/Put/DeleteBackupVaultAccessPolicy, leaves ``NumberOfRecoveryPoints`` and the
AWS managed key out of DescribeBackupVault, accepts any vault name, and deletes vaults that are
missing or still hold recovery points. Recovery points live in ``backend.recovery_points`` (see
``jobs.py``).
"""

import json
import re
import uuid

from moto.core.utils import unix_time

from localenv.emulator.backup.common import (
    InvalidParameterValueException,
    InvalidRequestException,
    ResourceNotFound,
    add_methods,
    add_routes,
    body,
    uri,
)

VAULT_NAME = re.compile(r"^[a-zA-Z0-9\-_]{2,50}$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
_originals = {}


def recovery_points(backend):
    """The backend's recovery points by ARN (created on first use)."""
    if not hasattr(backend, "recovery_points"):
        backend.recovery_points = {}
    return backend.recovery_points


def vault_or_404(backend, name):
    vault = backend.vaults.get(name)
    if vault is None:
        raise ResourceNotFound("Backup vault %s does not exist in %s of account %s"
                               % (name, backend.region_name, backend.account_id))
    return vault


def points_in(backend, name):
    return [point for point in recovery_points(backend).values() if point["BackupVaultName"] == name]


def default_key_arn(backend):
    """The ARN of the account's ``aws/backup`` managed key in this region (stable per account and region)."""
    key_id = uuid.uuid5(uuid.NAMESPACE_URL, "aws-backup/%s/%s" % (backend.account_id, backend.region_name))
    return "arn:aws:kms:%s:%s:key/%s" % (backend.region_name, backend.account_id, key_id)


def describe(backend, vault):
    result = {
        "BackupVaultName": vault.backup_vault_name,
        "BackupVaultArn": vault.backup_vault_arn,
        "VaultType": "BACKUP_VAULT",
        "VaultState": "AVAILABLE",
        "EncryptionKeyArn": vault.encryption_key_arn or default_key_arn(backend),
        "CreationDate": vault.creation_date,
        "CreatorRequestId": vault.creator_request_id,
        "NumberOfRecoveryPoints": len(points_in(backend, vault.backup_vault_name)),
        "Locked": bool(vault.locked),
    }
    for key, value in (("MinRetentionDays", vault.min_retention_days), ("MaxRetentionDays", vault.max_retention_days),
                       ("LockDate", vault.lock_date)):
        if value is not None:
            result[key] = value
    if result["CreatorRequestId"] is None:
        result.pop("CreatorRequestId")
    return result


def _create_backup_vault(self):
    name = uri(self, "backupVaultName") or self.path.rstrip("/").split("/")[-1]
    if not VAULT_NAME.match(name):
        raise InvalidParameterValueException(
            "Invalid backup vault name %r: 2 to 50 letters, digits, hyphens or underscores" % name)
    key = body(self).get("EncryptionKeyArn")
    if key is not None and not KMS_KEY_ARN.match(key):
        raise InvalidParameterValueException("Invalid EncryptionKeyArn %r: expected the ARN of a KMS key" % key)
    return _originals["create_backup_vault"](self)


def _describe_backup_vault(self):
    name = uri(self, "backupVaultName") or self.path.rstrip("/").split("/")[-1]
    backend = self.backup_backend
    return json.dumps(describe(backend, vault_or_404(backend, name)))


def _list_backup_vaults(self):
    backend = self.backup_backend
    return json.dumps({"BackupVaultList": [describe(backend, vault) for vault in backend.vaults.values()]})


def _delete_backup_vault(self):
    name = uri(self, "backupVaultName") or self.path.rstrip("/").split("/")[-1]
    backend = self.backup_backend
    vault_or_404(backend, name)
    count = len(points_in(backend, name))
    if count:
        raise InvalidRequestException(
            "Backup vault %s cannot be deleted because it contains %d recovery points" % (name, count))
    backend.vaults.pop(name)
    return "{}"


def _get_backup_vault_access_policy(self):
    name = uri(self, "backupVaultName")
    vault = vault_or_404(self.backup_backend, name)
    policy = getattr(vault, "access_policy", None)
    if policy is None:
        raise ResourceNotFound("Backup vault %s has no access policy" % name)
    return json.dumps({"BackupVaultName": name, "BackupVaultArn": vault.backup_vault_arn, "Policy": policy})


def _put_backup_vault_access_policy(self):
    name = uri(self, "backupVaultName")
    vault = vault_or_404(self.backup_backend, name)
    policy = body(self).get("Policy")
    try:
        document = json.loads(policy or "")
    except ValueError:
        raise InvalidParameterValueException("Policy is not a valid JSON document") from None
    if not isinstance(document, dict) or not document.get("Statement"):
        raise InvalidParameterValueException("Policy must be a JSON object with at least one Statement")
    vault.access_policy = policy
    return "{}"


def _delete_backup_vault_access_policy(self):
    vault = vault_or_404(self.backup_backend, uri(self, "backupVaultName"))
    vault.access_policy = None
    return "{}"


def lock_is_immutable(vault):
    return vault.lock_date is not None and unix_time() >= vault.lock_date


def install():
    add_routes(r"{0}/backup-vaults/(?P<name>[^/]+)/access-policy$")
    add_methods({
        "create_backup_vault": _create_backup_vault,
        "describe_backup_vault": _describe_backup_vault,
        "list_backup_vaults": _list_backup_vaults,
        "delete_backup_vault": _delete_backup_vault,
        "get_backup_vault_access_policy": _get_backup_vault_access_policy,
        "put_backup_vault_access_policy": _put_backup_vault_access_policy,
        "delete_backup_vault_access_policy": _delete_backup_vault_access_policy,
    }, _originals)
