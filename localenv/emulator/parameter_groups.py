"""DB and DB-cluster parameter groups backed by the catalogue (moto keeps only user values).

Patches moto's RDSResponse so that describe calls return the engine's parameters merged with the
group's user values, modify/reset validate like RDS and publish ``parameter_group_modified``.
"""

import logging
import re
import threading

from moto.core.responses import ActionResult
from moto.rds.exceptions import (
    InvalidParameterCombination,
    InvalidParameterValue,
    RDSClientError,
)
from moto.rds.models import DBClusterParameterGroup, DBParameterGroup, RDSBackend, rds_backends
from moto.rds.responses import RDSResponse

from localenv import catalogue, hooks
from localenv.emulator import paginate, param

log = logging.getLogger(__name__)

PARAMETER_FIELDS = ("ParameterName", "ParameterValue", "Description", "Source", "ApplyType",
                    "DataType", "AllowedValues", "IsModifiable", "MinimumEngineVersion",
                    "ApplyMethod")
SOURCES = ("user", "engine-default", "system")
APPLY_METHODS = ("immediate", "pending-reboot")
MAX_PARAMETERS_PER_CALL = 20
_RANGE = re.compile(r"^(-?[0-9.]+(?:e[+-]?[0-9]+)?)-(-?[0-9.]+(?:e[+-]?[0-9]+)?)$")
# RDS accepts formulas such as {DBInstanceClassMemory/32768} or GREATEST(...) for numbers.
_FORMULA = re.compile(r"^(\{.*\}|(GREATEST|LEAST|SUM)\(.*\))$")
_lock = {"lock": threading.RLock()}
_originals = {}


class DBParameterGroupNotFound(RDSClientError):
    def __init__(self, name, cluster):
        kind = "DBClusterParameterGroup" if cluster else "DBParameterGroup"
        super().__init__("DBParameterGroupNotFound", "%s not found: %s" % (kind, name))


def _groups(backend, cluster):
    return backend.db_cluster_parameter_groups if cluster else backend.db_parameter_groups


def _family(group):
    if isinstance(group, DBClusterParameterGroup):
        return group.db_parameter_group_family
    return group.family


def _default_family(name):
    if name and name.lower().startswith("default."):
        family = name[len("default."):].lower()
        if catalogue.parameters(family) is not None:
            return family
    return None


def _get_group(backend, name, cluster):
    """The named group; default.<family> groups exist implicitly, as they do in AWS."""
    groups = _groups(backend, cluster)
    if name in groups:
        return groups[name]
    family = _default_family(name)
    if family is None:
        raise DBParameterGroupNotFound(name, cluster)
    if cluster:
        group = DBClusterParameterGroup(
            backend=backend, db_cluster_parameter_group_name=name,
            description="Default cluster parameter group for %s" % family,
            db_parameter_group_family=family)
    else:
        group = DBParameterGroup(
            backend=backend, db_parameter_group_name=name,
            description="Default parameter group for %s" % family,
            db_parameter_group_family=family)
    groups[name] = group
    return group


def catalogue_for(family, cluster):
    """The catalogue parameters a group of this kind holds (Aurora splits them by scope)."""
    params = catalogue.parameters(family) or {}
    if family and family.startswith("aurora-"):
        wanted = "cluster" if cluster else "instance"
        return {n: p for n, p in params.items() if p.get("Scope") in (wanted, "both")}
    return params


def _shape(meta, **overrides):
    merged = dict(meta, **overrides)
    return {k: merged[k] for k in PARAMETER_FIELDS if merged.get(k) is not None}


def value_error(meta, value):
    """The RDS error message for a value the parameter does not accept, or None."""
    allowed, data_type = meta.get("AllowedValues"), meta["DataType"]
    message = "Invalid parameter value: %s for: %s allowed values are: %s" % (
        value, meta["ParameterName"], allowed)
    if data_type in ("integer", "float"):
        if _FORMULA.match(value):
            return None
        try:
            number = int(value) if data_type == "integer" else float(value)
        except ValueError:
            return message
        bounds = _RANGE.match(allowed or "")
        if bounds and not float(bounds.group(1)) <= number <= float(bounds.group(2)):
            return message
        return None
    if allowed is None:
        return None
    choices = allowed.split(",")
    if data_type == "boolean":
        return None if value in choices else message
    lowered = {c.lower() for c in choices}
    items = [v.strip() for v in value.split(",") if v.strip()] if data_type == "list" else [value]
    return None if all(i.lower() in lowered for i in items) else message


def _default_method(meta):
    return "pending-reboot" if meta["ApplyType"] == "static" else "immediate"


def _check_method(meta, method):
    if method not in APPLY_METHODS:
        raise InvalidParameterValue(
            "Invalid apply method: %s. Valid values are: %s" % (method, ", ".join(APPLY_METHODS)))
    if method == "immediate" and meta["ApplyType"] == "static":
        raise InvalidParameterCombination(
            "cannot use immediate apply method for static parameter")


def _known(known, name):
    meta = known.get(name)
    if meta is None:
        raise InvalidParameterValue("Could not find parameter with name: %s" % name)
    return meta


def _writable_group(account_id, region, name, cluster):
    group = _get_group(rds_backends[account_id][region], name, cluster)
    if group.name.startswith("default."):
        raise InvalidParameterValue(
            "Default parameter groups cannot be modified: %s" % group.name)
    return group


def _publish(account_id, region, group_name, changes):
    if not changes:
        return
    try:
        hooks.publish("parameter_group_modified", account_id=account_id, region=region,
                      group_name=group_name, changes=changes)
    except Exception:
        log.exception("a parameter_group_modified subscriber failed for %s", group_name)


def modify(account_id, region, name, requested, cluster=False):
    """Validate and store user values; publish those that changed. Returns the group."""
    with _lock["lock"]:
        group = _writable_group(account_id, region, name, cluster)
        if not requested:
            raise InvalidParameterValue("At least one parameter must be specified.")
        if len(requested) > MAX_PARAMETERS_PER_CALL:
            raise InvalidParameterValue(
                "You can modify a maximum of %d parameters in a single request."
                % MAX_PARAMETERS_PER_CALL)
        known = catalogue_for(_family(group), cluster)
        updates = {}
        for item in requested:
            meta = _known(known, item.get("ParameterName"))
            if not meta["IsModifiable"]:
                raise InvalidParameterValue(
                    "The parameter %s cannot be modified." % meta["ParameterName"])
            method = item.get("ApplyMethod") or _default_method(meta)
            _check_method(meta, method)
            value = item.get("ParameterValue")
            if value is None:
                raise InvalidParameterValue(
                    "The parameter value for parameter %s must be provided."
                    % meta["ParameterName"])
            error = value_error(meta, str(value))
            if error:
                raise InvalidParameterValue(error)
            updates[meta["ParameterName"]] = (str(value), method, meta["ApplyType"])
        changes = {}
        for pname, (value, method, apply_type) in updates.items():
            old = group.parameters.get(pname, {}).get("ParameterValue")
            group.parameters[pname] = {"ParameterName": pname, "ParameterValue": value,
                                       "ApplyMethod": method}
            if old != value:
                changes[pname] = {"value": value, "apply_type": apply_type,
                                  "apply_method": method}
    _publish(account_id, region, group.name, changes)
    return group


def reset(account_id, region, name, reset_all, requested, cluster=False):
    """Drop user values (all, or the named ones); publish each dropped one with value None."""
    with _lock["lock"]:
        group = _writable_group(account_id, region, name, cluster)
        known = catalogue_for(_family(group), cluster)
        if reset_all and requested:
            raise InvalidParameterCombination(
                "Cannot reset all parameters and specify parameters at the same time.")
        if not reset_all and not requested:
            raise InvalidParameterValue(
                "Either ResetAllParameters must be true or Parameters must be specified.")
        methods = {}
        if reset_all:
            for pname in group.parameters:
                meta = known.get(pname, {"ApplyType": "static"})
                methods[pname] = _default_method(meta)
        for item in requested or []:
            meta = _known(known, item.get("ParameterName"))
            method = item.get("ApplyMethod") or _default_method(meta)
            _check_method(meta, method)
            methods[meta["ParameterName"]] = method
        changes = {}
        for pname, method in methods.items():
            if group.parameters.pop(pname, None) is not None:
                apply_type = known.get(pname, {}).get("ApplyType", "static")
                changes[pname] = {"value": None, "apply_type": apply_type,
                                  "apply_method": method}
    _publish(account_id, region, group.name, changes)
    return group


def describe(account_id, region, name, cluster=False, source=None):
    """All parameters of a group: catalogue defaults merged with the group's user values."""
    if source is not None and source not in SOURCES:
        raise InvalidParameterValue(
            "Invalid source: %s. Valid values are: %s" % (source, ", ".join(SOURCES)))
    with _lock["lock"]:
        group = _get_group(rds_backends[account_id][region], name, cluster)
        user = {n: dict(p) for n, p in group.parameters.items()
                if p.get("ParameterValue") is not None}
    known = catalogue_for(_family(group), cluster)
    result = []
    for pname in sorted(set(known) | set(user), key=str.lower):
        meta = known.get(pname, {"ParameterName": pname})
        if pname in user:
            shaped = _shape(meta, Source="user", ParameterValue=user[pname]["ParameterValue"],
                            ApplyMethod=user[pname].get("ApplyMethod") or "pending-reboot")
        else:
            shaped = _shape(meta, ApplyMethod="pending-reboot")
        if source is None or shaped.get("Source") == source:
            result.append(shaped)
    return result


def engine_defaults(family, cluster=False):
    if catalogue.parameters(family) is None:
        raise InvalidParameterValue(
            "Invalid DB parameter group family: %s. Valid families: %s"
            % (family, ", ".join(catalogue.families())))
    known = catalogue_for(family, cluster)
    return [_shape(known[name], ApplyMethod="pending-reboot") for name in sorted(known, key=str.lower)]


def user_parameters(account_id, region, group_name, cluster=False):
    """The group's user-set values (name -> value); {} for default.* groups."""
    if group_name.lower().startswith("default."):
        return {}
    with _lock["lock"]:
        group = _groups(rds_backends[account_id][region], cluster).get(group_name)
        if group is None:
            raise KeyError("no %s parameter group %s in %s/%s"
                           % ("cluster" if cluster else "DB", group_name, account_id, region))
        return {n: p["ParameterValue"] for n, p in group.parameters.items()
                if p.get("ParameterValue") is not None}


def family_of(account_id, region, group_name, cluster=False):
    """The group's family, or None when there is no such group."""
    group = _groups(rds_backends[account_id][region], cluster).get(group_name)
    if group is not None:
        return _family(group)
    return _default_family(group_name)


# RDSResponse methods (moto dispatches Action=XyzAbc to xyz_abc).

def _describe_params_action(key, cluster):
    def action(self):
        items = describe(self.current_account, self.region, self.params.get(key), cluster,
                         self.params.get("Source"))
        page, marker = paginate(items, self.params)
        return ActionResult({"Parameters": page, "Marker": marker})
    return action


def _engine_defaults_action(cluster):
    def action(self):
        family = self.params.get("DBParameterGroupFamily")
        page, marker = paginate(engine_defaults(family, cluster), self.params)
        return ActionResult({"EngineDefaults": {"DBParameterGroupFamily": family,
                                                "Parameters": page, "Marker": marker}})
    return action


def _modify_action(key, cluster):
    def action(self):
        group = modify(self.current_account, self.region, self.params.get(key),
                       param(self.params, "Parameters", []), cluster)
        return ActionResult({key: group.name})
    return action


def _reset_action(key, cluster):
    def action(self):
        group = reset(self.current_account, self.region, self.params.get(key),
                      bool(self.params.get("ResetAllParameters")),
                      param(self.params, "Parameters", []), cluster)
        return ActionResult({key: group.name})
    return action


def _describe_groups_action(key, result_key, cluster):
    def action(self):
        backend = rds_backends[self.current_account][self.region]
        name = self.params.get(key)
        with _lock["lock"]:
            if name:
                groups = [_get_group(backend, name, cluster)]
            else:
                groups = list(_groups(backend, cluster).values())
        page, marker = paginate(groups, self.params)
        return ActionResult({result_key: page, "Marker": marker})
    return action


def _create_action(original):
    def action(self):
        family = self.params.get("DBParameterGroupFamily")
        if family and catalogue.parameters(family.lower()) is None:
            raise InvalidParameterValue(
                "Invalid DB parameter group family: %s. Valid families: %s"
                % (family, ", ".join(catalogue.families())))
        return original(self)
    return action


class InvalidDBParameterGroupState(RDSClientError):
    def __init__(self, name, kind):
        super().__init__(
            "InvalidDBParameterGroupState",
            "One or more database %s are still members of this parameter group %s, so the group "
            "cannot be deleted" % (kind, name))


def _refuse_delete_in_use(original, cluster):
    """RDS refuses to delete a parameter group that instances or clusters still use."""
    def delete(backend, *args, **kwargs):
        name = args[0] if args else next(iter(kwargs.values()))
        if cluster:
            users = [c for c in backend.clusters.values() if getattr(c, "parameter_group", None) == name]
        else:
            users = [d for d in backend.databases.values() if getattr(d, "db_parameter_group_name", None) == name]
        if users:
            raise InvalidDBParameterGroupState(name, "clusters" if cluster else "instances")
        return original(backend, *args, **kwargs)
    return delete


def install(context):
    """Patch moto's RDS responses; mutations share ``context.lock`` with the other extensions."""
    _lock["lock"] = context.lock
    patches = {
        "describe_db_parameters": _describe_params_action("DBParameterGroupName", False),
        "describe_db_cluster_parameters":
            _describe_params_action("DBClusterParameterGroupName", True),
        "describe_engine_default_parameters": _engine_defaults_action(False),
        "describe_engine_default_cluster_parameters": _engine_defaults_action(True),
        "modify_db_parameter_group": _modify_action("DBParameterGroupName", False),
        "modify_db_cluster_parameter_group":
            _modify_action("DBClusterParameterGroupName", True),
        "reset_db_parameter_group": _reset_action("DBParameterGroupName", False),
        "reset_db_cluster_parameter_group": _reset_action("DBClusterParameterGroupName", True),
        "describe_db_parameter_groups":
            _describe_groups_action("DBParameterGroupName", "DBParameterGroups", False),
        "describe_db_cluster_parameter_groups": _describe_groups_action(
            "DBClusterParameterGroupName", "DBClusterParameterGroups", True),
    }
    for method in ("create_db_parameter_group", "create_db_cluster_parameter_group"):
        original = _originals.setdefault(method, getattr(RDSResponse, method))
        patches[method] = _create_action(original)
    for method, function in patches.items():
        setattr(RDSResponse, method, function)
    for method, cluster in (("delete_db_parameter_group", False), ("delete_db_cluster_parameter_group", True)):
        original = _originals.setdefault("backend." + method, getattr(RDSBackend, method))
        setattr(RDSBackend, method, _refuse_delete_in_use(original, cluster))
