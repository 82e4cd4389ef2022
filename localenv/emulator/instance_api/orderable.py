"""DescribeOrderableDBInstanceOptions for engine postgres (moto answers only for Aurora and Neptune)."""

from moto.core.responses import ActionResult
from moto.rds.responses import RDSResponse

from localenv.emulator import engine_versions, paginate
from localenv.emulator.instance_api import classes

_originals = {}
LICENSE_MODEL = "postgresql-license"


def _option(region, version, instance_class, storage_type):
    min_size, max_size, min_iops, max_iops, min_tp, max_tp = classes.storage_limits(storage_type)
    option = {
        "Engine": "postgres",
        "EngineVersion": version,
        "DBInstanceClass": instance_class,
        "LicenseModel": LICENSE_MODEL,
        "AvailabilityZoneGroup": region,
        "AvailabilityZones": [{"Name": "%s%s" % (region, zone)} for zone in "abc"],
        "MultiAZCapable": True,
        "ReadReplicaCapable": True,
        "Vpc": True,
        "SupportsStorageEncryption": True,
        "StorageType": storage_type,
        "SupportsIops": min_iops is not None,
        "SupportsEnhancedMonitoring": True,
        "SupportsIAMDatabaseAuthentication": True,
        "SupportsPerformanceInsights": True,
        "MinStorageSize": min_size,
        "MaxStorageSize": max_size,
        "SupportsStorageAutoscaling": True,
        "SupportsKerberosAuthentication": True,
        "SupportsGlobalDatabases": False,
        "SupportsClusters": False,
        "SupportedNetworkTypes": ["IPV4", "DUAL"],
        "SupportsStorageThroughput": min_tp is not None,
        "SupportedEngineModes": ["provisioned"],
        "SupportsDedicatedLogVolume": storage_type in ("io1", "io2"),
    }
    if min_iops is not None:
        option.update(MinIopsPerDbInstance=min_iops, MaxIopsPerDbInstance=max_iops,
                      MinIopsPerGib=0.5 if storage_type != "gp3" else None,
                      MaxIopsPerGib=50.0 if storage_type == "io1" else (1000.0 if storage_type == "io2" else None))
    if min_tp is not None:
        option.update(MinStorageThroughputPerDbInstance=min_tp, MaxStorageThroughputPerDbInstance=max_tp,
                      MinStorageThroughputPerIops=0.0, MaxStorageThroughputPerIops=0.25)
    return dict((key, value) for key, value in option.items() if value is not None)


def options(region, engine_version=None, instance_class=None, license_model=None, vpc=None):
    """The orderable options matching the filters, in AWS's order (version, class, storage type)."""
    if license_model not in (None, LICENSE_MODEL) or vpc is False:
        return []
    versions = [record["EngineVersion"] for record in engine_versions.describe("postgres", engine_version)]
    if engine_version is not None:
        versions = [version for version in versions if version == engine_version]
    wanted = [instance_class] if instance_class else classes.instance_classes()
    return [
        _option(region, version, name, storage_type)
        for version in versions
        for name in wanted
        if classes.is_offered(name)
        for storage_type in classes.STORAGE_TYPES
    ]


def _bool(value):
    if value is None:
        return None
    return str(value).lower() == "true"


def _describe_orderable_db_instance_options(self):
    params = self.params
    if params.get("Engine") != "postgres":
        return _originals["describe"](self)
    items = options(self.region, params.get("EngineVersion"), params.get("DBInstanceClass"),
                    params.get("LicenseModel"), _bool(params.get("Vpc")))
    page, marker = paginate(items, params)
    return ActionResult({"OrderableDBInstanceOptions": page, "Marker": marker})


def install():
    if not _originals:
        _originals["describe"] = RDSResponse.describe_orderable_db_instance_options
    RDSResponse.describe_orderable_db_instance_options = _describe_orderable_db_instance_options
