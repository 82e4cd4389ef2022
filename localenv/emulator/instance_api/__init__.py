"""RDS DB instance API behaviour moto lacks for engine postgres (not replicas, not snapshots).

``install(context)`` adds DescribeOrderableDBInstanceOptions for postgres (``orderable.py``) and
the checks RDS makes on CreateDBInstance / ModifyDBInstance (``checks.py``): engine versions
resolved and validated, instance classes validated, KMS keys resolved to their ARN; and the
KMS key of a managed master user secret looked up in the key's own account (``secret_keys.py``).
"""

from localenv.emulator.instance_api import checks, orderable, secret_keys


def install(context):
    del context  # nothing per environment: the checks read moto's backends
    orderable.install()
    checks.install()
    secret_keys.install()
