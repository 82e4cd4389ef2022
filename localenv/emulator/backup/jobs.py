"""On-demand backup jobs and recovery points (moto 5.2 has neither).

StartBackupJob records a job that completes at once. For an RDS DB instance or an Aurora DB
cluster of the same account and region, the recovery point is a DB (cluster) snapshot named
``awsbackup:job-<id>`` made through moto's RDS backend (so whatever the data plane does for a
snapshot happens too); for other resources it is an opaque ``recovery-point:`` ARN. A job whose
resource does not exist, or whose retention is outside the vault lock's range, ends ``FAILED``
with the reason, as on AWS. Recovery points are listed, described and deleted per vault; a vault
lock's minimum retention protects young recovery points from deletion.
"""

import json
import re

from moto.moto_api._internal import mock_random
from moto.rds.models import rds_backends

from localenv.emulator.backup.common import (
    InvalidParameterValueException,
    InvalidRequestException,
    ResourceNotFound,
    add_methods,
    add_routes,
    body,
    now,
    page,
    query,
    uri,
)
from localenv.emulator.backup.selections import ROLE_ARN
from localenv.emulator.backup.vaults import recovery_points, vault_or_404

RESOURCE = re.compile(r"^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12}):(.+)$")
DAY = 86400.0
_TYPES = {"rds:db": "RDS", "rds:cluster": "Aurora", "dynamodb:table": "DynamoDB", "ec2:volume": "EBS", "s3:": "S3"}


def jobs(backend):
    if not hasattr(backend, "backup_jobs"):
        backend.backup_jobs = {}
    return backend.backup_jobs


def resource_type(arn):
    match = RESOURCE.match(arn)
    if not match:
        return None
    service, rest = match.group(1), match.group(4)
    for prefix, kind in _TYPES.items():
        if ("%s:%s" % (service, rest)).startswith(prefix):
            return kind
    return service.upper()


def _lock_problem(vault, lifecycle):
    if not vault.locked:
        return None
    days = (lifecycle or {}).get("DeleteAfterDays")
    if vault.max_retention_days is not None and (days is None or int(days) > vault.max_retention_days):
        return "the retention (%s) is longer than the vault lock's maximum of %d days" % (
            "%s days" % days if days else "indefinite", vault.max_retention_days)
    if vault.min_retention_days is not None and days is not None and int(days) < vault.min_retention_days:
        return "the retention (%s days) is shorter than the vault lock's minimum of %d days" % (days, vault.min_retention_days)
    return None


def _snapshot(backend, arn, job_id):
    """The ARN of the RDS snapshot taken for ``arn``, or (None, reason)."""
    match = RESOURCE.match(arn)
    region, account, rest = match.group(2), match.group(3), match.group(4)
    if (account, region) != (backend.account_id, backend.region_name):
        return None, "AWS Backup backs up resources of its own account and region only"
    rds = rds_backends[account][region]
    identifier = "awsbackup:job-%s" % job_id
    kind, name = rest.split(":", 1)
    try:
        if kind == "db":
            return rds.create_db_snapshot(name, identifier, snapshot_type="awsbackup").db_snapshot_arn, None
        if kind == "cluster":
            return rds.create_db_cluster_snapshot(name, identifier, snapshot_type="awsbackup").db_cluster_snapshot_arn, None
        return None, "the emulator backs up RDS DB instances and Aurora DB clusters only, not %s" % rest
    except Exception as error:  # pylint: disable=broad-exception-caught
        return None, "%s: %s" % (type(error).__name__, getattr(error, "message", None) or error)


def _start_backup_job(self):
    backend = self.backup_backend
    params = body(self)
    vault = vault_or_404(backend, params.get("BackupVaultName"))
    arn = params.get("ResourceArn") or ""
    kind = resource_type(arn)
    if kind is None:
        raise InvalidParameterValueException("Invalid ResourceArn %r" % arn)
    if not ROLE_ARN.match(params.get("IamRoleArn") or ""):
        raise InvalidParameterValueException("Invalid IamRoleArn %r" % params.get("IamRoleArn"))
    lifecycle = params.get("Lifecycle") or {}
    job_id = str(mock_random.uuid4()).upper()
    created = now()
    job = dict(AccountId=backend.account_id, BackupJobId=job_id, BackupVaultName=vault.backup_vault_name,
               BackupVaultArn=vault.backup_vault_arn, ResourceArn=arn, ResourceType=kind, IamRoleArn=params["IamRoleArn"],
               CreationDate=created, StartBy=created + 60 * float(params.get("StartWindowMinutes") or 480),
               CreatedBy={}, BackupType="", IsParent=False, PercentDone="0.0", State="RUNNING")
    if lifecycle:
        job["RecoveryPointLifecycle"] = lifecycle
    problem = _lock_problem(vault, lifecycle)
    point_arn = None
    if problem is None:
        if kind in ("RDS", "Aurora"):
            point_arn, problem = _snapshot(backend, arn, job_id.lower())
        else:
            point_arn = "arn:aws:backup:%s:%s:recovery-point:%s" % (backend.region_name, backend.account_id, mock_random.uuid4())
    job["CompletionDate"] = now()
    if problem is not None:
        job.update(State="FAILED", StatusMessage=problem)
    else:
        job.update(State="COMPLETED", PercentDone="100.0", RecoveryPointArn=point_arn, BackupSizeInBytes=0)
        point = dict(RecoveryPointArn=point_arn, BackupVaultName=vault.backup_vault_name, BackupVaultArn=vault.backup_vault_arn,
                     ResourceArn=arn, ResourceType=kind, IamRoleArn=params["IamRoleArn"], Status="COMPLETED",
                     CreationDate=created, CompletionDate=job["CompletionDate"], BackupSizeInBytes=0,
                     EncryptionKeyArn=vault.encryption_key_arn, IsEncrypted=True, StorageClass="WARM",
                     CreatedBy={"BackupJobId": job_id}, ResourceName=arn.rsplit(":", 1)[-1])
        if lifecycle:
            point["Lifecycle"] = lifecycle
            calculated = {}
            if lifecycle.get("MoveToColdStorageAfterDays"):
                calculated["MoveToColdStorageAt"] = created + DAY * int(lifecycle["MoveToColdStorageAfterDays"])
            if lifecycle.get("DeleteAfterDays"):
                calculated["DeleteAt"] = created + DAY * int(lifecycle["DeleteAfterDays"])
            point["CalculatedLifecycle"] = calculated
        recovery_points(backend)[point_arn] = point
        if params.get("RecoveryPointTags"):
            backend.tag_resource(point_arn, params["RecoveryPointTags"])
    jobs(backend)[job_id] = job
    return json.dumps(dict(BackupJobId=job_id, CreationDate=created, IsParent=False,
                           **({"RecoveryPointArn": point_arn} if point_arn else {})))


def _describe_backup_job(self):
    job = jobs(self.backup_backend).get(uri(self, "backupJobId"))
    if job is None:
        raise ResourceNotFound("Backup job %s does not exist" % uri(self, "backupJobId"))
    return json.dumps(job)


def _list_backup_jobs(self):
    filters = (("resourceArn", "ResourceArn"), ("state", "State"), ("backupVaultName", "BackupVaultName"),
               ("resourceType", "ResourceType"))
    items = sorted(jobs(self.backup_backend).values(), key=lambda job: job["CreationDate"])
    for name, key in filters:
        wanted = query(self, name)
        if wanted:
            items = [job for job in items if job.get(key) == wanted]
    items, token = page(self, items)
    result = {"BackupJobs": items}
    if token:
        result["NextToken"] = token
    return json.dumps(result)


def _points_of(self, name):
    backend = self.backup_backend
    vault_or_404(backend, name)
    return [point for point in recovery_points(backend).values() if point["BackupVaultName"] == name]


def _list_recovery_points_by_backup_vault(self):
    items = sorted(_points_of(self, uri(self, "backupVaultName")), key=lambda point: point["CreationDate"])
    wanted = query(self, "resourceArn")
    if wanted:
        items = [point for point in items if point["ResourceArn"] == wanted]
    items, token = page(self, items)
    result = {"RecoveryPoints": items}
    if token:
        result["NextToken"] = token
    return json.dumps(result)


def _point_or_404(self):
    name, arn = uri(self, "backupVaultName"), uri(self, "recoveryPointArn")
    for point in _points_of(self, name):
        if point["RecoveryPointArn"] == arn:
            return point
    raise ResourceNotFound("Recovery point %s does not exist in vault %s" % (arn, name))


def _describe_recovery_point(self):
    return json.dumps(_point_or_404(self))


def _delete_recovery_point(self):
    backend = self.backup_backend
    point = _point_or_404(self)
    vault = backend.vaults[point["BackupVaultName"]]
    if vault.locked and vault.min_retention_days and now() < point["CreationDate"] + DAY * vault.min_retention_days:
        raise InvalidRequestException("Recovery point %s is protected by the vault lock of %s (minimum retention %d days)"
                                      % (point["RecoveryPointArn"], vault.backup_vault_name, vault.min_retention_days))
    del recovery_points(backend)[point["RecoveryPointArn"]]
    match = RESOURCE.match(point["RecoveryPointArn"])
    if match and match.group(1) == "rds":
        rds = rds_backends[match.group(3)][match.group(2)]
        kind, identifier = match.group(4).split(":", 1)
        try:
            if kind == "snapshot":
                rds.delete_db_snapshot(identifier)
            else:
                rds.delete_db_cluster_snapshot(identifier)
        except Exception:  # pylint: disable=broad-exception-caught
            pass  # already deleted through RDS
    return "{}"


def install():
    add_routes(r"{0}/backup-jobs/$", r"{0}/backup-jobs/(?P<job>[^/]+)$",
               r"{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/$",
               r"{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/(?P<point>[^/]+)$")
    add_methods({
        "start_backup_job": _start_backup_job,
        "describe_backup_job": _describe_backup_job,
        "list_backup_jobs": _list_backup_jobs,
        "list_recovery_points_by_backup_vault": _list_recovery_points_by_backup_vault,
        "describe_recovery_point": _describe_recovery_point,
        "delete_recovery_point": _delete_recovery_point,
    })
