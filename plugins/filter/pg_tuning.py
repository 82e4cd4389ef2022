# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter innovate.aws_postgres.pg_tuning: memory settings for an RDS/Aurora instance class.

Documentation: pg_tuning.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover - Python 2 is not supported by ansible-core >= 2.17
    Mapping = dict

GIB = 1024 ** 3
MIB = 1024 ** 2
PAGE = 8192

# Memory (GiB) and vCPUs per size, as published by AWS for each DB instance class family.
_BURSTABLE = {
    "micro": (1, 2),
    "small": (2, 2),
    "medium": (4, 2),
    "large": (8, 2),
    "xlarge": (16, 4),
    "2xlarge": (32, 8),
}
_GENERAL = {
    "large": (8, 2),
    "xlarge": (16, 4),
    "2xlarge": (32, 8),
    "4xlarge": (64, 16),
    "8xlarge": (128, 32),
    "12xlarge": (192, 48),
    "16xlarge": (256, 64),
}
_MEMORY = {
    "large": (16, 2),
    "xlarge": (32, 4),
    "2xlarge": (64, 8),
    "4xlarge": (128, 16),
    "8xlarge": (256, 32),
    "12xlarge": (384, 48),
    "16xlarge": (512, 64),
}
INSTANCE_FAMILIES = {
    "t3": _BURSTABLE,
    "t4g": _BURSTABLE,
    "m7g": _GENERAL,
    "r6g": _MEMORY,
    "r7g": _MEMORY,
}
SERVERLESS_CLASS = "db.serverless"
ACU_GIB = 2
MAX_ACU_RANGE = (1, 256)

WORKLOAD_WORK_MEM_FACTOR = {"oltp": 1, "mixed": 2, "analytics": 4}
MAX_CONNECTIONS_DIVISOR = 9531392  # RDS: LEAST({DBInstanceClassMemory/9531392}, 5000)
MAX_CONNECTIONS_CAP = 5000
PG_MAX_CONNECTIONS_LIMIT = 262143
MAINTENANCE_WORK_MEM_CAP = 2 * GIB
WORK_MEM_MIN = 1 * MIB
WORK_MEM_MAX = 256 * MIB
CONNECTIONS_PER_WORK_MEM = 3

_ALLOWED_KEYS = ("class", "max_connections", "workload", "max_acu")


def _ordered_sizes(sizes):
    return sorted(sizes, key=lambda size: sizes[size][0])


def known_classes_text():
    """Human-readable list of the classes the filter knows, for error messages."""
    families = "; ".join(
        "db.%s.{%s}" % (family, ",".join(_ordered_sizes(sizes))) for family, sizes in sorted(INSTANCE_FAMILIES.items())
    )
    return "%s; %s (with max_acu)" % (families, SERVERLESS_CLASS)


def _fail(message):
    raise AnsibleFilterError("pg_tuning: %s" % message)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def class_memory_bytes(instance_class, max_acu=None):
    """Memory in bytes (and vCPUs, None for serverless) of ``instance_class``."""
    if not isinstance(instance_class, str):
        _fail("the instance class must be a string such as 'db.r6g.large', got %r" % (instance_class,))
    if instance_class == SERVERLESS_CLASS:
        if max_acu is None:
            _fail("%s needs max_acu (the cluster's maximum capacity in ACUs, 1 ACU is about 2 GiB)" % SERVERLESS_CLASS)
        if isinstance(max_acu, bool) or not isinstance(max_acu, (int, float)):
            _fail("max_acu must be a number, got %r" % (max_acu,))
        if not MAX_ACU_RANGE[0] <= max_acu <= MAX_ACU_RANGE[1] or (max_acu * 2) != int(max_acu * 2):
            _fail(
                "max_acu=%r is not valid: Aurora Serverless v2 takes %d to %d ACUs in steps of 0.5"
                % (max_acu, MAX_ACU_RANGE[0], MAX_ACU_RANGE[1])
            )
        return int(max_acu * ACU_GIB * GIB), None
    if max_acu is not None:
        _fail("max_acu applies only to %s, not to %s" % (SERVERLESS_CLASS, instance_class))
    parts = instance_class.split(".")
    sizes = INSTANCE_FAMILIES.get(parts[1]) if len(parts) == 3 and parts[0] == "db" else None
    if sizes is None or parts[2] not in sizes:
        _fail("unknown instance class %r; known classes: %s" % (instance_class, known_classes_text()))
    gib, vcpus = sizes[parts[2]]
    return gib * GIB, vcpus


def compute(instance_class, max_connections=None, workload="oltp", max_acu=None):
    """The parameter values (RDS units) for ``instance_class``; see pg_tuning.yml for the rules."""
    if workload is None:
        workload = "oltp"
    if workload not in WORKLOAD_WORK_MEM_FACTOR:
        _fail(
            "workload=%r is not valid, use one of %s" % (workload, ", ".join(sorted(WORKLOAD_WORK_MEM_FACTOR)))
        )
    memory, _vcpus = class_memory_bytes(instance_class, max_acu)
    if max_connections is None:
        max_connections = min(memory // MAX_CONNECTIONS_DIVISOR, MAX_CONNECTIONS_CAP)
    elif not _is_int(max_connections) or not 1 <= max_connections <= PG_MAX_CONNECTIONS_LIMIT:
        _fail(
            "max_connections=%r is not valid: give an integer from 1 to %d"
            % (max_connections, PG_MAX_CONNECTIONS_LIMIT)
        )
    shared_buffers = memory // 4
    effective_cache_size = memory * 3 // 4
    maintenance_work_mem = min(memory // 16, MAINTENANCE_WORK_MEM_CAP)
    work_mem = (memory - shared_buffers) * WORKLOAD_WORK_MEM_FACTOR[workload] // (
        max_connections * CONNECTIONS_PER_WORK_MEM
    )
    work_mem = max(WORK_MEM_MIN, min(work_mem, WORK_MEM_MAX))
    return {
        "shared_buffers": shared_buffers // PAGE,
        "effective_cache_size": effective_cache_size // PAGE,
        "work_mem": work_mem // 1024,
        "maintenance_work_mem": maintenance_work_mem // 1024,
        "max_connections": max_connections,
    }


def pg_tuning(value, workload=None, max_connections=None, max_acu=None):
    """Filter entry point: ``value`` is a class name or a dict with ``class`` and overrides."""
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(_ALLOWED_KEYS))
        if unknown:
            _fail("unknown keys %s; accepted keys: %s" % (", ".join(map(str, unknown)), ", ".join(_ALLOWED_KEYS)))
        if "class" not in value:
            _fail("the input dict needs a 'class' key, for example {'class': 'db.r6g.large'}")
        options = dict(value)
    elif isinstance(value, str):
        options = {"class": value}
    else:
        _fail("input must be an instance class name or a dict with a 'class' key, got %r" % (value,))
    for name, override in (("workload", workload), ("max_connections", max_connections), ("max_acu", max_acu)):
        if override is not None:
            options[name] = override
    return compute(
        options["class"],
        max_connections=options.get("max_connections"),
        workload=options.get("workload"),
        max_acu=options.get("max_acu"),
    )


class FilterModule:
    def filters(self):
        return {"pg_tuning": pg_tuning}
