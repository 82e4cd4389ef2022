"""DescribeDBEngineVersions for postgres and aurora-postgresql, from engine_versions.json."""

import functools
import json
import pathlib

from moto.core.responses import ActionResult
from moto.rds.responses import RDSResponse

from localenv.emulator import paginate

DATA = pathlib.Path(__file__).with_name("engine_versions.json")


@functools.lru_cache(maxsize=None)
def _engines():
    return json.loads(DATA.read_text())


def _key(version):
    return tuple(int(part) for part in version.split("."))


def _major(version):
    return version.split(".")[0]


def _target(engine, version, major_upgrade):
    return {"Engine": engine, "EngineVersion": version, "AutoUpgrade": False,
            "IsMajorVersionUpgrade": major_upgrade,
            "Description": _engines()[engine]["version_description"] % version}


def _upgrade_targets(engine, version):
    targets = []
    for other in sorted(_engines()[engine]["versions"], key=_key):
        if _key(other) <= _key(version):
            continue
        targets.append(_target(engine, other, _major(other) != _major(version)))
    return targets


def record(engine, version):
    """One DBEngineVersion as RDS describes it."""
    spec = _engines()[engine]
    aurora = engine.startswith("aurora")
    result = {
        "Engine": engine,
        "EngineVersion": version,
        "MajorEngineVersion": _major(version),
        "DBParameterGroupFamily": "%s%s" % (engine, _major(version)),
        "DBEngineDescription": spec["description"],
        "DBEngineVersionDescription": spec["version_description"] % version,
        "ValidUpgradeTarget": _upgrade_targets(engine, version),
        "ExportableLogTypes": spec["exportable_log_types"],
        "SupportsLogExportsToCloudwatchLogs": True,
        "SupportsReadReplica": True,
        "SupportedEngineModes": ["provisioned"],
        "SupportedFeatureNames": spec["supported_features"],
        "Status": "available",
        "SupportsParallelQuery": False,
        "SupportsGlobalDatabases": spec["supports_global_databases"],
        "SupportsBabelfish": False,
        "SupportsCertificateRotationWithoutRestart": True,
        "SupportedCACertificateIdentifiers": ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1",
                                              "rds-ca-ecc384-g1"],
        "SupportsLocalWriteForwarding": aurora,
        "SupportsIntegrations": aurora,
    }
    if aurora:
        result["ServerlessV2FeaturesSupport"] = {"MinCapacity": 0.0, "MaxCapacity": 256.0}
    return result


def _matches(version, wanted):
    return wanted is None or version == wanted or version.startswith(wanted + ".")


def describe(engine=None, engine_version=None, family=None, default_only=False):
    """The engine versions matching the request filters, oldest first."""
    result = []
    for name, spec in sorted(_engines().items()):
        if engine not in (None, name):
            continue
        versions = [v for v in sorted(spec["versions"], key=_key)
                    if _matches(v, engine_version)]
        if family is not None:
            versions = [v for v in versions if "%s%s" % (name, _major(v)) == family]
        if default_only and versions:
            majors = {_major(v) for v in versions}
            preferred = (spec["defaults"][majors.pop()] if len(majors) == 1
                         else spec["default"])
            versions = [preferred] if preferred in versions else versions[-1:]
        result.extend(record(name, v) for v in versions)
    return result


def _describe_db_engine_versions(self):
    params = self.params
    items = describe(params.get("Engine"), params.get("EngineVersion"),
                     params.get("DBParameterGroupFamily"), bool(params.get("DefaultOnly")))
    page, marker = paginate(items, params)
    return ActionResult({"DBEngineVersions": page, "Marker": marker})


def install(context):
    """Add DescribeDBEngineVersions to moto's RDS responses."""
    RDSResponse.describe_db_engine_versions = _describe_db_engine_versions
