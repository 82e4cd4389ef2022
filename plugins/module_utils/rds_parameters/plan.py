# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Compare desired parameter values with a group's user-set values and plan the fewest writes.

A change is a dict::

    {"name": "work_mem", "action": "set" | "reset", "before": "4096" | None, "after": "8192" | None,
     "apply_type": "dynamic" | "static", "apply_method": "immediate" | "pending-reboot"}

``before``/``after`` ``None`` means "not user-set" (the engine default applies). Dynamic parameters
apply immediately; static ones wait for the next reboot of the instances using the group.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.api import MAX_PARAMETERS_PER_CALL, batches
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_parameters.validation import (
    canonical_names,
    normalize_value,
)

_TRUE = ("1", "true", "on", "yes")
_FALSE = ("0", "false", "off", "no")


def apply_method_for(apply_type):
    """``immediate`` for dynamic parameters, ``pending-reboot`` for static (or unknown) ones."""
    return "immediate" if (apply_type or "").lower() == "dynamic" else "pending-reboot"


def user_values(parameters):
    """``{name: value}`` of the user-set parameters described by AWS (``{name: entry}``)."""
    return dict((name, entry.get("ParameterValue")) for name, entry in parameters.items())


def same_value(desired, current, meta=None):
    """True when the desired text equals the current user value, as the parameter's type compares."""
    if desired is None or current is None:
        return desired is None and current is None
    if desired == current:
        return True
    data_type = ((meta or {}).get("DataType") or "string").lower()
    if data_type == "boolean":
        low_desired, low_current = desired.strip().lower(), current.strip().lower()
        return (low_desired in _TRUE and low_current in _TRUE) or (low_desired in _FALSE and low_current in _FALSE)
    if data_type in ("integer", "float"):
        try:
            return float(desired) == float(current)
        except ValueError:
            return desired.replace(" ", "") == current.replace(" ", "")
    if data_type == "list":
        return [item.strip() for item in desired.split(",") if item.strip()] == [
            item.strip() for item in current.split(",") if item.strip()]
    return False


def pending_candidates(desired, current):
    """Split ``desired`` (``{name: raw value}``) into the names that may change and those that do not.

    ``current`` is ``{name: user-set entry}`` from AWS. Names are matched to the user-set ones
    case-insensitively and values normalised with the metadata AWS returns with them; a value equal
    to the current user value needs no further validation (AWS accepted it). Returns ``(to_check, unchanged)``: ``to_check`` maps given names to raw values, and
    ``unchanged`` maps the AWS names of settled parameters to their values.
    """
    names = canonical_names(desired, current)
    to_check, unchanged = {}, {}
    for given_name, raw in desired.items():
        name = names[given_name]
        entry = current.get(name)
        if entry is None:
            if raw is not None:
                to_check[given_name] = raw
            continue
        text = None
        if raw is not None:
            text = normalize_value(name, raw, entry)[0]
        if text is not None and same_value(text, entry.get("ParameterValue"), entry):
            unchanged[name] = entry.get("ParameterValue")
        else:
            to_check[given_name] = raw
    return to_check, unchanged


def build_changes(normalized, current, metadata, purge=False):
    """The changes turning ``current`` into ``normalized`` (``{AWS name: text or None}``).

    ``metadata`` supplies apply types for newly set parameters; ``current`` entries supply them for
    resets. With ``purge``, user-set parameters not in ``normalized`` are reset.
    Changes are sorted by parameter name.
    """
    changes = []
    for name, after in normalized.items():
        entry = current.get(name)
        before = entry.get("ParameterValue") if entry else None
        meta = metadata.get(name) or entry or {}
        if same_value(after, before, meta):
            continue
        apply_type = (meta.get("ApplyType") or "static").lower()
        changes.append(dict(
            name=name,
            action="set" if after is not None else "reset",
            before=before,
            after=after,
            apply_type=apply_type,
            apply_method=apply_method_for(apply_type),
        ))
    if purge:
        for name, entry in current.items():
            if name in normalized:
                continue
            apply_type = (entry.get("ApplyType") or (metadata.get(name) or {}).get("ApplyType") or "static").lower()
            changes.append(dict(
                name=name,
                action="reset",
                before=entry.get("ParameterValue"),
                after=None,
                apply_type=apply_type,
                apply_method=apply_method_for(apply_type),
            ))
    return sorted(changes, key=lambda change: change["name"])


def values_after(current_values, changes):
    """The user-set values once ``changes`` are applied to ``current_values`` (``{name: value}``)."""
    result = dict(current_values)
    for change in changes:
        if change["action"] == "reset":
            result.pop(change["name"], None)
        else:
            result[change["name"]] = change["after"]
    return result


def pending_reboot(changes):
    """Sorted names of the static parameters changed, which take effect after a reboot."""
    return sorted(change["name"] for change in changes if change["apply_method"] == "pending-reboot")


def modify_batches(changes, size=MAX_PARAMETERS_PER_CALL):
    """``Parameters`` lists for the Modify calls (at most ``size`` parameters each)."""
    return batches(
        [dict(ParameterName=c["name"], ParameterValue=c["after"], ApplyMethod=c["apply_method"]) for c in changes if c["action"] == "set"],
        size,
    )


def reset_batches(changes, size=MAX_PARAMETERS_PER_CALL):
    """``Parameters`` lists for the Reset calls (at most ``size`` parameters each)."""
    return batches(
        [dict(ParameterName=c["name"], ApplyMethod=c["apply_method"]) for c in changes if c["action"] == "reset"],
        size,
    )
