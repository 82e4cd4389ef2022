# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check parameter group names, families and parameter values before anything is changed.

Every check returns a list of messages instead of raising, so that a module can report all the
problems of a task in one failure. Each message names the option, the parameter, the value given
and what would be accepted. Values are checked against the engine-default metadata AWS publishes
for the family (``DataType``, ``AllowedValues``, ``IsModifiable``) and normalised to the text
AWS stores (booleans ``"1"``/``"0"``, enumerations in the case AWS lists them, lists joined by
commas).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import re

NAME_MAX_LENGTH = 255
_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_FAMILY_PATTERNS = (re.compile(r"^postgres[1-9][0-9]$"), re.compile(r"^aurora-postgresql[1-9][0-9]$"))
_FAMILY_PREFIXES = ("postgres", "aurora-postgresql")
_NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(r"^\s*(%s)\s*-\s*(%s)\s*$" % (_NUMBER, _NUMBER))
_SINGLE_NUMBER = re.compile(r"^\s*(%s)\s*$" % _NUMBER)
_ENUM_TOKEN = re.compile(r"^[A-Za-z0-9_.:/+@ -]+$")
_FORMULA_START = re.compile(r"^\s*(\{|(GREATEST|LEAST|SUM)\s*\()", re.IGNORECASE)
_FORMULA_CHARS = re.compile(r"^[A-Za-z0-9_{}()*/+\-,. ]+$")
_TRUE = ("1", "true", "on", "yes", "y", "t")
_FALSE = ("0", "false", "off", "no", "n", "f")
FORMULA_EXAMPLE = "{DBInstanceClassMemory/32768}"
_MAX_LISTED = 12


def is_default_group(name):
    """True for the AWS-owned ``default.*`` groups, which cannot be modified or deleted."""
    return str(name).lower().startswith("default.")


def validate_group_name(name, option="name"):
    """Messages for a parameter group name that AWS would refuse (empty list when valid)."""
    if is_default_group(name):
        return [
            "%s: %r is an AWS default parameter group, which cannot be modified or deleted; create a group of "
            "your own (for example %r) and attach it instead" % (option, name, "custom-" + str(name)[len("default."):].replace(".", "-"))
        ]
    problems = []
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        problems.append("must be 1 to %d characters long (it has %d)" % (NAME_MAX_LENGTH, len(name)))
    if name and not _NAME_PATTERN.match(name):
        if not name[0].isalpha() or not name[0].isascii():
            problems.append("must start with a letter")
        bad = sorted(set(char for char in name if not (char.isascii() and (char.isalnum() or char == "-"))))
        if bad:
            problems.append("may contain only ASCII letters, digits and hyphens (found %s)" % ", ".join(repr(c) for c in bad))
    if name.endswith("-"):
        problems.append("must not end with a hyphen")
    if "--" in name:
        problems.append("must not contain two consecutive hyphens")
    if not problems:
        return []
    return ["%s: %r is not a valid parameter group name: it %s" % (option, name, "; it ".join(problems))]


def validate_family(family, option="family"):
    """Messages for a family this collection does not manage (PostgreSQL families only)."""
    if family is None or any(pattern.match(family) for pattern in _FAMILY_PATTERNS):
        return []
    accepted = "postgresNN (for example postgres16) or aurora-postgresqlNN (for example aurora-postgresql16)"
    match = re.match(r"^(aurora-postgresql|postgres|postgresql|aurora-postgres)\s*([0-9]+)", family.strip().lower())
    hint = ""
    if match:
        prefix = "aurora-postgresql" if match.group(1).startswith("aurora") else "postgres"
        major = match.group(2)
        if major.startswith("9") or len(major) < 2:
            hint = "; PostgreSQL %s is not supported: families start at 10" % major
        else:
            hint = "; did you mean %s%s?" % (prefix, major[:2])
    elif not family.lower().startswith(_FAMILY_PREFIXES):
        hint = "; this collection manages PostgreSQL parameter groups only"
    return ["%s: %r is not a supported parameter group family: use %s%s" % (option, family, accepted, hint)]


def value_to_text(value):
    """A YAML value as RDS text, before metadata is known: ``True`` -> ``"1"``, lists joined by commas."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ",".join(value_to_text(item) for item in value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return "%d" % value
    return str(value)


def value_type_errors(values, option="parameters"):
    """Messages for values that are not a string, number, boolean, list of those, or null."""
    scalars = (str, int, float, bool)
    errors = []
    for name, value in sorted((values or {}).items()):
        ok = value is None or isinstance(value, scalars) or (
            isinstance(value, (list, tuple)) and all(isinstance(item, scalars) for item in value)
        )
        if not ok:
            errors.append(
                "%s.%s: value %r is a %s; give a string, number, boolean, a list of those, or null to reset "
                "the parameter to its engine default" % (option, name, value, type(value).__name__)
            )
    return errors


def canonical_names(names, known_names):
    """Map each of ``names`` to the spelling AWS uses (``timezone`` -> ``TimeZone``) when known.

    Returns ``{given: canonical}``; a name with no case-insensitive match maps to itself.
    """
    by_lower = {}
    for known in known_names:
        by_lower.setdefault(known.lower(), known)
    return dict((name, name if name in known_names else by_lower.get(name.lower(), name)) for name in names)


def duplicate_name_errors(names, option="parameters"):
    """Messages for names given twice in different case (``TimeZone`` and ``timezone``)."""
    seen = {}
    for name in names:
        seen.setdefault(name.lower(), []).append(name)
    return [
        "%s: %s name the same parameter; give it once" % (option, " and ".join(sorted(group)))
        for group in seen.values()
        if len(group) > 1
    ]


def is_formula(text):
    """True for RDS formulas: ``{DBInstanceClassMemory/32768}``, ``GREATEST(...)``, ``LEAST(...)``, ``SUM(...)``."""
    if not isinstance(text, str) or not _FORMULA_START.match(text) or not _FORMULA_CHARS.match(text):
        return False
    depth = {"{": 0, "(": 0}
    closing = {"}": "{", ")": "("}
    for char in text:
        if char in depth:
            depth[char] += 1
        elif char in closing:
            depth[closing[char]] -= 1
            if depth[closing[char]] < 0:
                return False
    return all(count == 0 for count in depth.values())


def parse_numeric_allowed(allowed):
    """``"-1,1-100"`` -> ``[(-1, -1), (1, 100)]``; tokens that are not numbers or ranges are ignored."""
    bounds = []
    for token in (allowed or "").split(","):
        match = _RANGE.match(token)
        if match:
            bounds.append((float(match.group(1)), float(match.group(2))))
            continue
        match = _SINGLE_NUMBER.match(token)
        if match:
            bounds.append((float(match.group(1)), float(match.group(1))))
    return bounds


def parse_enum(allowed):
    """The listed values of an enumeration (``"a,b,c"``), or ``None`` when ``allowed`` is not one."""
    if not allowed:
        return None
    tokens = [token.strip() for token in allowed.split(",")]
    if not tokens or not all(token and _ENUM_TOKEN.match(token) for token in tokens):
        return None
    return tokens


def _describe_choices(choices, given):
    if len(choices) <= _MAX_LISTED:
        return "one of: %s" % ", ".join(choices)
    close = difflib.get_close_matches(str(given), choices, n=3, cutoff=0.5)
    text = "one of the %d values AWS lists for it" % len(choices)
    if close:
        text += " (closest: %s)" % ", ".join(close)
    return text


def _numeric(text, data_type, allowed, name, option, given):
    try:
        number = int(text) if data_type == "integer" else float(text)
    except ValueError:
        number = None
    bounds = parse_numeric_allowed(allowed)
    accepted = "%s%s" % (
        "an integer" if data_type == "integer" else "a number",
        (" in %s" % allowed) if bounds else "",
    )
    if data_type == "integer":
        accepted += " or an RDS formula such as %s" % FORMULA_EXAMPLE
        if is_formula(text):
            return text, None
    if number is None or (bounds and not any(low <= number <= high for low, high in bounds)):
        return None, "%s.%s: value %r is not accepted; expected %s" % (option, name, given, accepted)
    return (str(number) if data_type == "integer" else text.strip()), None


def _match_choice(element, choices):
    for choice in choices:
        if choice == element:
            return choice
    for choice in choices:
        if choice.lower() == element.lower():
            return choice
    return None


def normalize_value(name, value, meta, option="parameters"):
    """``(text, None)`` with the value as AWS stores it, or ``(None, message)``.

    ``meta`` is the parameter's engine-default entry (``DataType``, ``AllowedValues``,
    ``IsModifiable``...). Without a ``DataType`` the value is only converted to text.
    """
    given = value
    if meta.get("IsModifiable") is False:
        return None, "%s.%s: the parameter is not modifiable (RDS manages it); remove it from %s" % (option, name, option)
    data_type = (meta.get("DataType") or "").lower()
    allowed = meta.get("AllowedValues")
    if not data_type:
        return value_to_text(value), None
    if data_type == "boolean":
        text = value_to_text(value).strip().lower()
        if text in _TRUE:
            return "1", None
        if text in _FALSE:
            return "0", None
        return None, "%s.%s: value %r is not accepted; expected a boolean (true/false, on/off, yes/no, 1/0)" % (option, name, given)
    if data_type in ("integer", "float"):
        if isinstance(value, bool) or isinstance(value, (list, tuple)):
            return None, "%s.%s: value %r is not accepted; expected %s" % (
                option, name, given, "an integer" if data_type == "integer" else "a number")
        if data_type == "integer" and isinstance(value, float) and not value.is_integer():
            return None, "%s.%s: value %r is not accepted; expected an integer%s" % (
                option, name, given, (" in %s" % allowed) if allowed else "")
        return _numeric(value_to_text(value).strip(), data_type, allowed, name, option, given)
    choices = parse_enum(allowed)
    if data_type == "list":
        elements = value if isinstance(value, (list, tuple)) else value_to_text(value).split(",")
        elements = [value_to_text(element).strip() for element in elements]
        elements = [element for element in elements if element]
        if choices is None:
            return ",".join(elements), None
        normalized, unknown = [], []
        for element in elements:
            match = _match_choice(element, choices)
            (normalized if match else unknown).append(match or element)
        if unknown:
            return None, "%s.%s: value %r is not accepted: %s not allowed; each element must be %s" % (
                option, name, given, ", ".join(repr(item) for item in unknown), _describe_choices(choices, unknown[0]))
        return ",".join(normalized), None
    if isinstance(value, (list, tuple)):
        return None, "%s.%s: value %r is not accepted; expected a single value, not a list" % (option, name, given)
    text = value_to_text(value)
    if choices is None:
        return text, None
    match = _match_choice(text.strip(), choices)
    if match is None:
        return None, "%s.%s: value %r is not accepted; expected %s" % (option, name, given, _describe_choices(choices, text))
    return match, None


def unknown_name_message(name, known_names, family, option="parameters"):
    """The message for a parameter the family does not have, naming the 3 closest names."""
    lowered = dict((known.lower(), known) for known in known_names)
    close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)
    suggestion = "did you mean %s?" % ", ".join(lowered[item] for item in close) if close else (
        "see the parameters of the %s family (aws rds describe-engine-default-parameters)" % family)
    return "%s.%s: %s has no parameter named %r; %s" % (option, name, family, name, suggestion)


def validate_values(values, metadata, family, option="parameters"):
    """Validate ``{name: value}`` against ``metadata`` (``{name: engine-default entry}``).

    Returns ``(normalized, errors)``: ``normalized`` maps each valid parameter, under the name
    AWS uses, to its normalised text (``None`` values, meaning reset, stay ``None``); ``errors``
    lists every problem found.
    """
    normalized, errors = {}, []
    names = canonical_names(values, metadata)
    for given_name in sorted(values):
        name = names[given_name]
        meta = metadata.get(name)
        if meta is None:
            errors.append(unknown_name_message(given_name, metadata, family, option))
            continue
        if values[given_name] is None:
            normalized[name] = None
            continue
        text, error = normalize_value(name, values[given_name], meta, option)
        if error:
            errors.append(error)
        else:
            normalized[name] = text
    return normalized, errors
