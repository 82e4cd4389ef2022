"""The RDS parameter catalogue per parameter-group family (generated JSON under data/)."""

import functools
import json
import pathlib

DATA_DIR = pathlib.Path(__file__).parent / "data"


@functools.lru_cache(maxsize=None)
def _load(family):
    path = DATA_DIR / ("%s.json" % family)
    document = json.loads(path.read_text())
    return {p["ParameterName"]: p for p in document["parameters"]}


@functools.lru_cache(maxsize=None)
def _families():
    return tuple(sorted(p.stem for p in DATA_DIR.glob("*.json")))


def families():
    """The families the catalogue knows, sorted."""
    return list(_families())


def parameters(family):
    """All parameters of ``family`` (name -> dict), or None for an unknown family."""
    return _load(family) if family in _families() else None


def lookup(family, name):
    """One parameter's dict, or None when the family or the parameter is unknown."""
    params = parameters(family)
    return None if params is None else params.get(name)


def apply_type(family, name):
    """"static" or "dynamic" for a known parameter; KeyError otherwise."""
    param = lookup(family, name)
    if param is None:
        raise KeyError("%s has no parameter %s" % (family, name))
    return param["ApplyType"]


def scope(family, name):
    """"cluster", "instance" or "both" for Aurora families; "instance" for RDS for PostgreSQL."""
    param = lookup(family, name)
    return (param or {}).get("Scope", "instance")
