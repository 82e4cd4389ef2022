"""Patches of moto's RDS backend and DBInstance model that put a real server behind an instance.

Backend operations (create, modify, reboot, stop, start, delete, describe) keep moto's validation
and bookkeeping and add the data plane: the fleet server, the parameter group, deferred changes
and transitional statuses. Model properties fill what moto does not report (the real endpoint,
status, parameter apply status, PendingModifiedValues, Performance Insights, LatestRestorableTime,
SecondaryAvailabilityZone). Read replicas, snapshots and restores live in replicas.py,
snapshots.py and restores.py; the events they record in events.py.
"""

import logging
import re
import secrets

from moto.core.responses import ActionResult
from moto.rds.exceptions import (
    DBInstanceAlreadyExists,
    DBInstanceNotFoundError,
    InvalidParameterCombination,
    InvalidParameterValue,
    RDSClientError,
)
from moto.rds.models import DBInstance, RDSBackend
from moto.rds.responses import RDSResponse
from moto.rds.utils import merge_filters

from localenv.dataplane import bootstrap_sql
from localenv.emulator.db_instances import (
    credentials,
    events,
    parameters,
    pending,
    replicas,
    restores,
    snapshots,
    state,
)

log = logging.getLogger("localenv.emulator.db_instances")

env = {"context": None, "fleet": None}
ghosts = state.Ghosts()
_originals = {}

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")


def wants_server(database):
    """RDS for PostgreSQL instances get a server (Aurora writers will be added here)."""
    return database.engine == "postgres" and database.db_cluster_identifier is None


def key_of(database):
    return (database.account_id, database.region, database.db_instance_identifier)


def _seconds(name):
    return getattr(env["context"].transitions, name)


def _fleet():
    return env["fleet"]


def _require_status(database, allowed, action):
    current = state.status(database)
    if current not in allowed:
        raise RDSClientError(
            "InvalidDBInstanceState",
            "Cannot %s DB instance %s: it is %s, not %s."
            % (action, database.db_instance_identifier, current, " or ".join(allowed)),
        )


# -- create ------------------------------------------------------------------------------------
def _validate_create(db_kwargs):
    if db_kwargs.get("engine") != "postgres" or db_kwargs.get("db_cluster_identifier"):
        return
    username = db_kwargs.get("master_username")
    if not username:
        raise InvalidParameterValue("The parameter MasterUsername must be provided and must not be blank.")
    if not _IDENTIFIER.match(username):
        raise InvalidParameterValue(
            "The parameter MasterUsername is not a valid identifier. Identifiers must begin with a letter; "
            "must contain only ASCII letters, digits, and underscores; and must be 1 to 63 characters long."
        )
    db_name = db_kwargs.get("db_name")
    if db_name and not _IDENTIFIER.match(db_name):
        raise InvalidParameterValue(
            "The parameter DBName is not a valid identifier. Identifiers must begin with a letter; "
            "must contain only ASCII letters, digits, and underscores; and must be 1 to 63 characters long."
        )
    if username.lower() in bootstrap_sql.RESERVED_USERNAMES or username.lower().startswith("pg_"):
        raise InvalidParameterValue(
            "MasterUsername %s cannot be used as it is a reserved word used by the engine" % username
        )
    if not db_kwargs.get("manage_master_user_password"):
        password = db_kwargs.get("master_user_password")
        if not password:
            raise InvalidParameterValue("The parameter MasterUserPassword must be provided and must not be blank.")
        if len(password) < 8:
            raise InvalidParameterValue(
                "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters."
            )


def _fill_gaps(database, db_kwargs):
    database.enable_performance_insights = bool(db_kwargs.get("enable_performance_insights"))
    database.performance_insights_kms_key_id = db_kwargs.get("performance_insights_kms_key_id")
    retention = db_kwargs.get("performance_insights_retention_period")
    if retention is None and database.enable_performance_insights:
        retention = 7
    database.performance_insights_retention_period = retention
    database.dbi_resource_id = "db-" + "".join(secrets.choice(_BASE32) for _position in range(26))


def _start_server(database):
    """Start the instance's server: restored (when a restore plan runs) or from the template."""
    plan = restores.current_plan()
    if plan is not None:
        started = plan(database)
        if started is not None:
            return started
    return _fleet().create(
        key_of(database),
        database.master_username,
        credentials.initial_password(database),
        db_name=database.db_name,
        parameters=parameters.user_parameters(database),
        instance_class=database.db_instance_class,
        allocated_storage=database.allocated_storage,
    )


def create_db_instance(self, db_kwargs):
    if restores.current_plan() is None:
        _validate_create(db_kwargs)
    with env["context"].lock:
        database = _originals["create_db_instance"](self, db_kwargs)
        ghosts.discard(self.account_id, self.region_name, database.db_instance_identifier)
        _fill_gaps(database, db_kwargs)
        st = state.get(database)
        if wants_server(database):
            try:
                _address, port = _start_server(database)
            except Exception as error:
                self.databases.pop(database.db_instance_identifier, None)
                snapshots.discard_pending(self, database)
                if getattr(database, "master_user_secret", None) is not None:
                    database.master_user_secret.delete_secret()
                if isinstance(error, ValueError):
                    raise RDSClientError("InvalidRestoreFault" if restores.current_plan() else "InvalidParameterValue",
                                         str(error)) from error
                raise
            database.port = port
            st.has_server = True
            # the automated backup moto recorded at creation (RDS's first automated backup)
            snapshots.start_pending(self, database)
        state.begin(database, "creating", _seconds("creating"))
        return database


# -- modify ------------------------------------------------------------------------------------
def modify_db_instance(self, db_instance_identifier, db_kwargs):
    with env["context"].lock:
        database = self.describe_db_instances(db_instance_identifier)[0]
        # "You can't modify a stopped DB instance" (RDS User Guide, stopping limitations).
        _require_status(database, ("available",), "modify")
        st = state.get(database)
        apply_now = bool(db_kwargs.get("apply_immediately"))
        if apply_now:
            for argument, value in st.pending.items():
                if db_kwargs.get(argument) is None:
                    db_kwargs[argument] = value
            st.pending.clear()
            deferred = {}
        else:
            deferred = pending.split(database, db_kwargs)
        new_id = db_kwargs.get("new_db_instance_identifier")
        if new_id and new_id.lower() != database.db_instance_identifier and new_id in self.databases:
            raise DBInstanceAlreadyExists()
        before = {
            "key": key_of(database),
            "group": parameters.group_name(database),
            "class": database.db_instance_class,
            "storage": database.allocated_storage,
        }
        database = _originals["modify_db_instance"](self, db_instance_identifier, db_kwargs)
        if database.db_instance_identifier != before["key"][2]:
            replicas.follow_rename(database, before["key"][2])
        st.pending.update(deferred)
        if st.has_server:
            _sync_server(database, st, before, db_kwargs)
        state.begin(database, "modifying", _seconds("modifying"))
        return database


def _sync_server(database, st, before, db_kwargs):
    fleet = _fleet()
    key = key_of(database)
    if key != before["key"]:
        fleet.rename(before["key"], key)
    group = parameters.group_name(database)
    if group != before["group"]:
        fleet.apply_parameters(key, parameters.user_parameters(database))
        st.parameter_apply_status = "pending-reboot"
    password = db_kwargs.get("master_user_password")
    if db_kwargs.get("manage_master_user_password") or db_kwargs.get("rotate_master_user_password"):
        password = credentials.managed_password(database) or password
    if password:
        fleet.set_master_password(key, database.master_username, password)
        st.password_pending_until = state.now() + _seconds("modifying")
    resized = database.db_instance_class != before["class"]
    if resized or database.allocated_storage != before["storage"]:
        if resized and database.status != "stopped":
            # A class change restarts the instance on RDS; memory formulas are re-evaluated.
            fleet.reboot(
                key,
                parameters.user_parameters(database),
                instance_class=database.db_instance_class,
                allocated_storage=database.allocated_storage,
            )
            st.parameter_apply_status = "in-sync"
        else:
            fleet.apply_parameters(
                key,
                parameters.user_parameters(database),
                instance_class=database.db_instance_class,
                allocated_storage=database.allocated_storage,
            )


# -- reboot / stop / start -------------------------------------------------------------------------
def reboot_db_instance(self, db_instance_identifier, *args, force_failover=None, **kwargs):
    with env["context"].lock:
        database = self.describe_db_instances(db_instance_identifier)[0]
        _require_status(database, ("available",), "reboot")
        if force_failover and not database.multi_az:
            raise InvalidParameterCombination(
                "ForceFailover cannot be used for DB instance %s: it is not configured for Multi-AZ."
                % database.db_instance_identifier
            )
        st = state.get(database)
        if st.pending:
            # storage_type first: moto keeps a throughput only on gp3 storage
            deferred = dict(sorted(st.pending.items(), key=lambda item: item[0] != "storage_type"))
            st.pending.clear()
            deferred["apply_immediately"] = True
            modify_db_instance(self, db_instance_identifier, deferred)
        database = _originals["reboot_db_instance"](self, database.db_instance_identifier)
        if force_failover:
            events.record(database, "DB_INSTANCE_FAILOVER_STARTED")
        if st.has_server:
            restart = _fleet().failover if force_failover else _fleet().reboot
            restart(
                key_of(database),
                parameters.user_parameters(database),
                instance_class=database.db_instance_class,
                allocated_storage=database.allocated_storage,
            )
        if force_failover:
            # the standby takes over: same endpoint, the Availability Zones swap
            database.availability_zone, st.secondary_az = _secondary_az(database), database.availability_zone
            events.record(database, "DB_INSTANCE_FAILOVER_COMPLETED")
        events.record(database, "DB_INSTANCE_RESTARTED")
        st.parameter_apply_status = "in-sync"
        st.applying_until = 0.0
        state.begin(database, "rebooting", _seconds("rebooting"))
        return database


def stop_db_instance(self, db_instance_identifier, db_snapshot_identifier=None):
    with env["context"].lock:
        database = self.describe_db_instances(db_instance_identifier)[0]
        _require_status(database, ("available",), "stop")
        replicas.require_stoppable(database)
        database = _originals["stop_db_instance"](self, db_instance_identifier, db_snapshot_identifier)
        if state.get(database).has_server:
            _fleet().stop(key_of(database))
        events.record(database, "DB_INSTANCE_STOPPED")
        state.begin(database, "stopping", _seconds("rebooting"))
        return database


def start_db_instance(self, db_instance_identifier):
    with env["context"].lock:
        database = self.describe_db_instances(db_instance_identifier)[0]
        _require_status(database, ("stopped",), "start")
        database = _originals["start_db_instance"](self, db_instance_identifier)
        st = state.get(database)
        if st.has_server:
            _fleet().start(key_of(database), parameters.user_parameters(database))
            st.parameter_apply_status = "in-sync"
        events.record(database, "DB_INSTANCE_STARTED")
        state.begin(database, "starting", _seconds("rebooting"))
        return database


# -- delete / describe ---------------------------------------------------------------------------
def delete_db_instance(self, db_instance_identifier, *args, **kwargs):
    with env["context"].lock:
        existing = self.databases.get(db_instance_identifier.lower())
        if existing is not None and not existing.deletion_protection:
            # RDS promotes the replicas of a deleted source to standalone instances
            replicas.promote_replicas_of(existing)
        snapshots.env["internal"] += 1
        try:
            database = _originals["delete_db_instance"](self, db_instance_identifier, *args, **kwargs)
        finally:
            snapshots.env["internal"] -= 1
        st = state.get(database)
        st.deleted = True
        if st.has_server:
            _fleet().delete(key_of(database))
            st.has_server = False
        ghosts.add(self.account_id, self.region_name, database, _seconds("deleting"))
        return database


def describe_db_instances(self, db_instance_identifier=None, filters=None):
    live = ghosts.live(self.account_id, self.region_name)
    try:
        result = _originals["describe_db_instances"](self, db_instance_identifier, filters)
    except DBInstanceNotFoundError:
        if not live:
            raise
        result = []
    if live:
        wanted = filters
        if db_instance_identifier:
            wanted = merge_filters(wanted, {"db-instance-id": [db_instance_identifier]})
        matched = self._filter_resources(live, wanted, DBInstance) if wanted else live
        result += [database for database in matched.values() if all(database is not r for r in result)]
        if db_instance_identifier and not result:
            raise DBInstanceNotFoundError(db_instance_identifier)
    return result


# -- model properties ----------------------------------------------------------------------------
def _address(self):
    if state.get(self).has_server:
        return _fleet().endpoint(key_of(self))[0]
    return _originals["address"].fget(self)


def _status(self):
    return state.status(self)


def _parameter_groups(self):
    return [
        {"DBParameterGroupName": group.name, "ParameterApplyStatus": state.parameter_apply_status(self)}
        for group in self.db_parameter_groups()
    ]


def _pending_modified_values(self):
    st = state.get(self)
    return pending.render(st.pending, st.password_pending_until > state.now())


def _performance_insights_enabled(self):
    return bool(getattr(self, "enable_performance_insights", False))


def _secondary_az(database):
    """Another Availability Zone of the instance's region (a, b, c...)."""
    current = database.availability_zone or "%sa" % database.region
    return current[:-1] + ("b" if current.endswith("a") else "a")


def _secondary_availability_zone(self):
    if not self.multi_az or self.db_cluster_identifier:
        return None
    return state.get(self).secondary_az or _secondary_az(self)


def _latest_restorable_time(self):
    """Only instances whose server has an automated backup can be restored to a point in time."""
    st = state.get(self)
    if not st.has_server:
        return _originals["latest_restorable_time"].fget(self)
    if not int(self.backup_retention_period or 0):
        return None
    try:
        latest = _fleet().latest_restorable_time(key_of(self))
    except KeyError:
        return None
    return latest.replace(tzinfo=None) if latest is not None else None


BACKEND_PATCHES = {
    "create_db_instance": create_db_instance,
    "modify_db_instance": modify_db_instance,
    "reboot_db_instance": reboot_db_instance,
    "stop_db_instance": stop_db_instance,
    "start_db_instance": start_db_instance,
    "delete_db_instance": delete_db_instance,
    "describe_db_instances": describe_db_instances,
}

MODEL_PROPERTIES = {
    "address": _address,
    "db_instance_status": _status,
    "db_parameter_group_status_list": _parameter_groups,
    "pending_modified_values": _pending_modified_values,
    "performance_insights_enabled": _performance_insights_enabled,
    "latest_restorable_time": _latest_restorable_time,
    "secondary_availability_zone": _secondary_availability_zone,
}


def _reboot_response(self):
    """moto's RebootDBInstance response, passing ForceFailover on to the backend."""
    database = self.backend.reboot_db_instance(
        self.params.get("DBInstanceIdentifier"), force_failover=bool(self.params.get("ForceFailover"))
    )
    return ActionResult({"DBInstance": database})


def install(context, fleet):
    env["context"], env["fleet"] = context, fleet
    if not _originals:
        for name in BACKEND_PATCHES:
            _originals[name] = getattr(RDSBackend, name)
        _originals["address"] = DBInstance.__dict__["address"]
        _originals["latest_restorable_time"] = DBInstance.__dict__["latest_restorable_time"]
    for name, function in BACKEND_PATCHES.items():
        setattr(RDSBackend, name, function)
    for name, getter in MODEL_PROPERTIES.items():
        setattr(DBInstance, name, property(getter))
    RDSResponse.reboot_db_instance = _reboot_response
    helpers = {"key_of": key_of, "wants_server": wants_server, "fill_gaps": _fill_gaps}
    events.install()
    snapshots.install(context, fleet, wants_server, key_of, RDSBackend)
    replicas.install(context, fleet, helpers, RDSBackend)
    restores.install(context, fleet, helpers, RDSBackend)


def on_parameter_group_modified(account_id, region, group_name, changes):
    """Apply a parameter group change to the servers of the instances that use the group."""
    from moto.rds.models import rds_backends

    if env["fleet"] is None:
        return
    with env["context"].lock:
        backend = rds_backends[account_id][region]
        for database in list(backend.databases.values()):
            st = state.get(database)
            if not st.has_server or parameters.group_name(database) != group_name.lower():
                continue
            waiting = _fleet().apply_parameters(key_of(database), parameters.user_parameters(database))
            if parameters.needs_reboot(changes) or waiting:
                st.parameter_apply_status = "pending-reboot"
            elif st.parameter_apply_status != "pending-reboot":
                st.applying_until = state.now() + _seconds("modifying")
