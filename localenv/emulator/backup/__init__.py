"""AWS Backup calls that moto 5.2 lacks or gets wrong, for the backup_plan module and restore tests.

- Selections: CreateBackupSelection, GetBackupSelection, ListBackupSelections,
  DeleteBackupSelection (``selections.py``). A plan with selections cannot be deleted.
- Plans: UpdateBackupPlan (a new version), AWS's checks of rules (schedule, windows, lifecycle,
  continuous backup, target vault), and a deleted plan's name is free again (``plans.py``).
- Vaults: Get/Put/DeleteBackupVaultAccessPolicy, ``NumberOfRecoveryPoints``, vault name checks,
  DeleteBackupVault refuses a vault that is missing or still holds recovery points (``vaults.py``).
- Jobs and recovery points: StartBackupJob records a job that completes at once with a recovery
  point in the vault (for an RDS instance, an ``awsbackup:job-...`` DB snapshot made through the
  RDS backend), DescribeBackupJob, ListBackupJobs, ListRecoveryPointsByBackupVault,
  DescribeRecoveryPoint, DeleteRecoveryPoint (``jobs.py``).
- Restore testing plans and selections: create, get, list, update, delete (``restore_testing.py``).
"""

from localenv.emulator.backup import jobs, plans, restore_testing, selections, vaults


def install(context):  # pylint: disable=unused-argument
    """Patch moto's AWS Backup emulation (idempotent)."""
    for part in (vaults, plans, selections, jobs, restore_testing):
        part.install()
