"""The catalogue of PostgreSQL settings (GUCs) the local server knows, read from ``pg_settings``.

It is captured once per state dir when the template cluster is built (with the preloadable
extension libraries loaded, so that e.g. ``pgaudit.log`` is known) and stored as JSON. It is used to
tell real PostgreSQL settings from RDS-only parameters, to validate values, and to convert memory
values between units.
"""

import json
import re

DUMP_SQL = (
    "SELECT name, setting, unit, vartype, context, min_val, max_val, enumvals "
    "FROM pg_settings ORDER BY name"
)

_MEMORY_UNITS = {"B": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
_TIME_UNITS = {"us": 0.001, "ms": 1, "s": 1000, "min": 60000, "h": 3600000, "d": 86400000}
_BOOL_TRUE = {"on", "true", "yes", "1", "t", "y"}
_BOOL_FALSE = {"off", "false", "no", "0", "f", "n"}
_NUMBER_WITH_UNIT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def dump(cursor):
    """Rows of ``pg_settings`` as a JSON-able dict keyed by setting name."""
    cursor.execute(DUMP_SQL)
    catalogue = {}
    for name, setting, unit, vartype, context, min_val, max_val, enumvals in cursor.fetchall():
        catalogue[name.lower()] = {
            "setting": setting,
            "unit": unit,
            "vartype": vartype,
            "context": context,
            "min_val": min_val,
            "max_val": max_val,
            "enumvals": list(enumvals) if enumvals else None,
        }
    return catalogue


def save(path, catalogue):
    path.write_text(json.dumps(catalogue, indent=0, sort_keys=True))


def load(path):
    return json.loads(path.read_text())


def _unit_scale(unit):
    """``(kind, multiplier)`` of a pg_settings unit such as ``8kB``, ``kB``, ``ms`` or ``min``."""
    if not unit:
        return None, 1
    match = re.match(r"^(\d*)(\w+)$", unit)
    count = int(match.group(1) or 1)
    base = match.group(2)
    if base in _MEMORY_UNITS:
        return "memory", count * _MEMORY_UNITS[base]
    if base in _TIME_UNITS:
        return "time", count * _TIME_UNITS[base]
    return None, 1


def bytes_per_unit(info):
    kind, scale = _unit_scale(info.get("unit"))
    return scale if kind == "memory" else None


def normalize(info, value):
    """Validate ``value`` for a setting; return the string to render, or raise ValueError.

    Numbers without a unit are in the setting's own unit (which is also how RDS expresses them,
    e.g. ``shared_buffers`` in 8kB pages); numbers with a unit suffix are converted to it.
    """
    value = str(value).strip()
    vartype = info["vartype"]
    if vartype == "bool":
        if value.lower() not in _BOOL_TRUE | _BOOL_FALSE:
            raise ValueError("expects a boolean")
        return "on" if value.lower() in _BOOL_TRUE else "off"
    if vartype == "enum":
        allowed = info.get("enumvals") or []
        for candidate in allowed:
            if candidate.lower() == value.lower():
                return candidate
        raise ValueError("expects one of %s" % ", ".join(allowed))
    if vartype in ("integer", "real"):
        number = to_number(info, value)
        if vartype == "integer":
            number = int(round(number))
        low, high = info.get("min_val"), info.get("max_val")
        if low is not None and number < float(low) or high is not None and number > float(high):
            raise ValueError("must be between %s and %s" % (low, high))
        return str(number)
    return value


def to_number(info, value):
    """A numeric value expressed in the setting's unit."""
    match = _NUMBER_WITH_UNIT.match(str(value))
    if not match:
        raise ValueError("expects a number")
    number, suffix = float(match.group(1)), match.group(2)
    if not suffix:
        return number
    kind, scale = _unit_scale(info.get("unit"))
    units = _MEMORY_UNITS if kind == "memory" else _TIME_UNITS if kind == "time" else {}
    if suffix not in units:
        raise ValueError("unit %r is not valid here" % suffix)
    return number * units[suffix] / scale
