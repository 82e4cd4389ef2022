"""What RDS checks on CreateDBInstance and ModifyDBInstance for engine postgres and moto does not.

- ``EngineVersion``: omitted means the engine's default version, a major version alone (``15``)
  means that major's default minor, an exact version must exist; on modify a version may not go
  down, and a new major version needs ``AllowMajorVersionUpgrade``.
- ``DBInstanceClass`` must be one RDS offers for PostgreSQL (``classes.py``).
- ``KmsKeyId`` must name a KMS key that exists and is enabled; it is stored as the key's ARN, as
  RDS reports it; encrypted storage without a key uses the account's ``aws/rds`` key.
"""

from moto.kms.exceptions import NotFoundException
from moto.kms.models import kms_backends
from moto.rds.exceptions import InvalidParameterCombination, KMSKeyNotAccessibleFault, RDSClientError
from moto.rds.models import RDSBackend

from localenv.emulator import engine_versions
from localenv.emulator.instance_api import classes
from localenv.emulator.instance_api.orderable import LICENSE_MODEL

_originals = {}
_ENGINE = "postgres"


def _key(version):
    return tuple(int(part) for part in version.split("."))


def resolve_version(requested):
    """The exact engine version RDS would use for ``requested`` (None, a major, or exact)."""
    spec = engine_versions._engines()[_ENGINE]
    if requested is None:
        return spec["default"]
    requested = str(requested)
    if requested in spec["defaults"]:
        return spec["defaults"][requested]
    if requested in spec["versions"]:
        return requested
    raise InvalidParameterCombination("Cannot find version %s for %s" % (requested, _ENGINE))


def check_class(instance_class, version):
    if instance_class and not classes.is_offered(instance_class):
        raise InvalidParameterCombination(
            "RDS does not support creating a DB instance with the following combination: DBInstanceClass=%s, "
            "Engine=%s, EngineVersion=%s, LicenseModel=%s. For supported combinations of instance class and database "
            "engine version, see the documentation." % (instance_class, _ENGINE, version, LICENSE_MODEL)
        )


def resolve_key(account_id, region, key_id):
    """The ARN of the enabled KMS key ``key_id`` (id, ARN, alias name or alias ARN) names."""
    target_account, target_region, name = account_id, region, key_id
    if key_id.startswith("arn:"):
        parts = key_id.split(":", 5)
        if len(parts) != 6 or parts[2] != "kms":
            raise KMSKeyNotAccessibleFault(key_id)
        target_region, target_account, name = parts[3], parts[4], parts[5]
        if name.startswith("key/"):
            name = name[len("key/"):]
    try:
        backend = kms_backends[target_account][target_region]
        key = backend.describe_key(name)
    except (AttributeError, KeyError, NotFoundException):  # an unknown key, alias (moto: AttributeError) or account
        raise KMSKeyNotAccessibleFault(key_id) from None
    if key.key_state != "Enabled":
        raise RDSClientError("KMSKeyNotAccessibleFault",
                             "The specified KMS key %s is %s and cannot be used." % (key_id, key.key_state))
    return key.arn


def _is_postgres_instance(db_kwargs):
    return db_kwargs.get("engine") == _ENGINE and not db_kwargs.get("db_cluster_identifier")


def create_db_instance(self, db_kwargs):
    if _is_postgres_instance(db_kwargs):
        version = resolve_version(db_kwargs.get("engine_version"))
        db_kwargs["engine_version"] = version
        check_class(db_kwargs.get("db_instance_class"), version)
        if str(db_kwargs.get("storage_encrypted")).lower() == "true":
            db_kwargs["kms_key_id"] = resolve_key(self.account_id, self.region_name,
                                                  db_kwargs.get("kms_key_id") or "alias/aws/rds")
    return _originals["create_db_instance"](self, db_kwargs)


def modify_db_instance(self, db_instance_identifier, db_kwargs):
    database = self.describe_db_instances(db_instance_identifier)[0]
    if database.engine == _ENGINE and database.db_cluster_identifier is None:
        if db_kwargs.get("engine_version") is not None:
            current = database.engine_version
            wanted = resolve_version(db_kwargs["engine_version"])
            if _key(wanted) < _key(current):
                raise InvalidParameterCombination("Cannot upgrade %s from %s to %s" % (_ENGINE, current, wanted))
            allow = str(db_kwargs.get("allow_major_version_upgrade")).lower() == "true"
            if wanted.split(".")[0] != current.split(".")[0] and not allow:
                raise InvalidParameterCombination(
                    "The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version.")
            db_kwargs["engine_version"] = wanted
        if db_kwargs.get("db_instance_class"):
            check_class(db_kwargs["db_instance_class"], database.engine_version)
    return _originals["modify_db_instance"](self, db_instance_identifier, db_kwargs)


def install():
    if not _originals:
        _originals["create_db_instance"] = RDSBackend.create_db_instance
        _originals["modify_db_instance"] = RDSBackend.modify_db_instance
    RDSBackend.create_db_instance = create_db_instance
    RDSBackend.modify_db_instance = modify_db_instance
