"""Extensions to moto's RDS emulation, and the Marker/MaxRecords paging they share."""

from moto.rds.exceptions import InvalidParameterValue

MAX_RECORDS_MIN, MAX_RECORDS_MAX = 20, 100


def paginate(items, params):
    """Return (page, next_marker) for a list using RDS's MaxRecords (20..100) and opaque Marker."""
    max_records = params.get("MaxRecords")
    if max_records is None:
        max_records = MAX_RECORDS_MAX
    max_records = int(max_records)
    if not MAX_RECORDS_MIN <= max_records <= MAX_RECORDS_MAX:
        raise InvalidParameterValue(
            "Invalid value %d for MaxRecords. Must be between %d and %d"
            % (max_records, MAX_RECORDS_MIN, MAX_RECORDS_MAX))
    marker = params.get("Marker")
    start = 0
    if marker:
        if not marker.startswith("offset-") or not marker[7:].isdigit():
            raise InvalidParameterValue("Invalid marker: %s" % marker)
        start = int(marker[7:])
    end = start + max_records
    next_marker = "offset-%d" % end if end < len(items) else None
    return items[start:end], next_marker


def param(params, key, default=None):
    """A request parameter as plain Python data (moto hands nested values over as XFormedDict)."""
    value = params.get(key, default)
    if isinstance(value, list):
        return [v.original_dict() if hasattr(v, "original_dict") else v for v in value]
    return value
