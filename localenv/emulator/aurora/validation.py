"""Checks RDS makes on Aurora PostgreSQL requests that moto does not."""

import re

from moto.rds.exceptions import DBClusterParameterGroupNotFoundError, InvalidParameterCombination, InvalidParameterValue

from localenv.dataplane import bootstrap_sql
from localenv.emulator import engine_versions
from localenv.emulator.aurora import lookup

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
MIN_ACU, MAX_ACU = 0.0, 256.0


def _versions():
    return [record["EngineVersion"] for record in engine_versions.describe(engine=lookup.AURORA_ENGINE)]


def major(version):
    return str(version).split(".", maxsplit=1)[0]


def resolve_version(version):
    """The exact engine version RDS would create for ``version`` (a major picks its default minor)."""
    known = _versions()
    if version is None:
        return engine_versions.describe(engine=lookup.AURORA_ENGINE, default_only=True)[-1]["EngineVersion"]
    version = str(version)
    if version in known:
        return version
    if "." not in version and any(major(v) == version for v in known):
        return engine_versions.describe(engine=lookup.AURORA_ENGINE, engine_version=version, default_only=True)[0]["EngineVersion"]
    raise InvalidParameterCombination(
        "Cannot find version %s for %s (available: %s)" % (version, lookup.AURORA_ENGINE, ", ".join(sorted(known)))
    )


def check_upgrade(current, wanted, allow_major):
    def key(version):
        return tuple(int(part) for part in version.split("."))

    if key(wanted) < key(current):
        raise InvalidParameterCombination("Cannot upgrade %s from %s to %s" % (lookup.AURORA_ENGINE, current, wanted))
    if major(wanted) != major(current) and not allow_major:
        raise InvalidParameterCombination(
            "The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version."
        )


def check_master_user(username, password, managed):
    if not username:
        raise InvalidParameterValue("The parameter MasterUsername must be provided and must not be blank.")
    if not _IDENTIFIER.match(username):
        raise InvalidParameterValue(
            "The parameter MasterUsername is not a valid identifier. Identifiers must begin with a letter; "
            "must contain only ASCII letters, digits, and underscores; and must be 1 to 63 characters long."
        )
    if username.lower() in bootstrap_sql.RESERVED_USERNAMES or username.lower().startswith("pg_"):
        raise InvalidParameterValue("MasterUsername %s cannot be used as it is a reserved word used by the engine" % username)
    if managed and password:
        raise InvalidParameterCombination("MasterUserPassword can't be specified when ManageMasterUserPassword is enabled.")
    if not managed:
        check_password(password)


def check_password(password):
    if not password:
        raise InvalidParameterValue("The parameter MasterUserPassword must be provided and must not be blank.")
    if len(password) < 8:
        raise InvalidParameterValue("The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.")
    bad = sorted(set(password) & set('/@" '))
    if bad:
        raise InvalidParameterValue(
            "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides "
            "'/', '@', '\"', ' ' may be used."
        )


def check_database_name(name):
    if name and not _IDENTIFIER.match(name):
        raise InvalidParameterValue(
            "The parameter DatabaseName is not a valid identifier. Identifiers must begin with a letter; "
            "must contain only ASCII letters, digits, and underscores; and must be 1 to 63 characters long."
        )


def check_scaling(configuration):
    """ServerlessV2ScalingConfiguration: 0..256 ACUs in steps of 0.5, min <= max, max >= 1."""
    if not configuration:
        return
    low, high = configuration.get("MinCapacity"), configuration.get("MaxCapacity")
    if low is None or high is None:
        raise InvalidParameterCombination(
            "ServerlessV2ScalingConfiguration needs both MinCapacity and MaxCapacity."
        )
    low, high = float(low), float(high)
    for name, value in (("MinCapacity", low), ("MaxCapacity", high)):
        if not MIN_ACU <= value <= MAX_ACU or (value * 2) != int(value * 2):
            raise InvalidParameterValue(
                "Serverless v2 %s %s is not valid: use a value from %g to %g ACUs in steps of 0.5." % (name, value, MIN_ACU, MAX_ACU)
            )
    if high < 1:
        raise InvalidParameterValue("Serverless v2 MaxCapacity must be at least 1 ACU, got %g." % high)
    if low > high:
        raise InvalidParameterValue(
            "Serverless v2 MinCapacity (%g) must be less than or equal to MaxCapacity (%g)." % (low, high)
        )


def check_cluster_parameter_group(backend, name, version):
    if not name or name.lower().startswith("default."):
        return
    group = backend.db_cluster_parameter_groups.get(name)
    if group is None:
        raise DBClusterParameterGroupNotFoundError(name)
    family = getattr(group, "db_parameter_group_family", None) or getattr(group, "family", None)
    wanted = "%s%s" % (lookup.AURORA_ENGINE, major(version))
    if family and family != wanted:
        raise InvalidParameterCombination(
            "The parameter group %s with DBParameterGroupFamily %s can't be used for this instance. "
            "Use a parameter group with DBParameterGroupFamily %s." % (name, family, wanted)
        )
