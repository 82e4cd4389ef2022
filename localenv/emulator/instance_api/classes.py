"""The DB instance classes RDS for PostgreSQL offers, and the storage each class can use.

An approximation of what DescribeOrderableDBInstanceOptions returns on AWS for engine postgres
(current generations, every region of the local environment): enough for modules to tell an
offered class from a typo, and for the emulator to refuse classes RDS would refuse.
"""

_T_SIZES = ("micro", "small", "medium", "large", "xlarge", "2xlarge")
_M5_SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")
_GRAVITON_SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_INTEL6_SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge")

FAMILIES = {
    "t3": _T_SIZES,
    "t4g": _T_SIZES,
    "m5": _M5_SIZES,
    "m5d": _M5_SIZES,
    "m6g": _GRAVITON_SIZES,
    "m6gd": _GRAVITON_SIZES,
    "m6i": _INTEL6_SIZES,
    "m6id": _INTEL6_SIZES,
    "m7g": _GRAVITON_SIZES,
    "m7i": _INTEL6_SIZES + ("48xlarge",),
    "r5": _M5_SIZES,
    "r5b": _M5_SIZES,
    "r5d": _M5_SIZES,
    "r6g": _GRAVITON_SIZES,
    "r6gd": _GRAVITON_SIZES,
    "r6i": _INTEL6_SIZES,
    "r6id": _INTEL6_SIZES,
    "r7g": _GRAVITON_SIZES,
    "r7i": _INTEL6_SIZES + ("48xlarge",),
    "x2g": _GRAVITON_SIZES,
}

STORAGE_TYPES = ("gp2", "gp3", "io1", "io2")


def instance_classes():
    """Every offered class, sorted (db.m5.large, db.m5.xlarge, ...)."""
    return sorted("db.%s.%s" % (family, size) for family, sizes in FAMILIES.items() for size in sizes)


def is_offered(instance_class):
    parts = (instance_class or "").split(".")
    return len(parts) == 3 and parts[0] == "db" and parts[2] in FAMILIES.get(parts[1], ())


def storage_limits(storage_type):
    """(MinStorageSize, MaxStorageSize, MinIops, MaxIops, MinThroughput, MaxThroughput) in GiB/IOPS/MiBps."""
    if storage_type == "gp2":
        return 20, 65536, None, None, None, None
    if storage_type == "gp3":
        return 20, 65536, 3000, 64000, 125, 4000
    if storage_type == "io1":
        return 100, 65536, 1000, 256000, None, None
    return 100, 65536, 1000, 256000, None, None
