"""Patches of moto's DB cluster operations for Aurora PostgreSQL.

What changes (other engines keep moto's behaviour): RDS's checks (engine version, master user,
Serverless v2 capacity range, parameter group family, KMS key), the default cluster parameter
group of the engine version, KmsKeyId reported as the key's ARN (``aws/rds`` by default),
``EnableIAMDatabaseAuthentication`` and ``CloudwatchLogsExportConfiguration`` applied by
ModifyDBCluster, master password changes reaching the server, a missing cluster reported as
``DBClusterNotFoundFault``, clusters in a global database refused by DeleteDBCluster, the
``SkipFinalSnapshot``/``FinalDBSnapshotIdentifier`` rule, FailoverDBCluster moving the server to the
new writer, and transitional statuses (``context.transitions``).
"""

from moto.rds.exceptions import (
    DBClusterNotFoundError,
    DBSubnetGroupNotFoundError,
    InvalidDBClusterStateFault,
    InvalidParameterCombination,
    InvalidParameterValue,
    RDSClientError,
)
from moto.rds.models import DBCluster, RDSBackend
from moto.rds.responses import RDSResponse

from localenv.emulator.aurora import lookup, servers, state, validation
from localenv.emulator.db_instances import credentials

env = {"context": None}
_originals = {}


class GlobalClusterNotFoundFault(RDSClientError):
    def __init__(self, identifier):
        super().__init__("GlobalClusterNotFoundFault", "Global cluster %s not found." % identifier)


def _seconds(name):
    context = env["context"]
    return getattr(context.transitions, name) if context is not None else 0


def _lock():
    return env["context"].lock


# -- create --------------------------------------------------------------------------------------
def _prepare_create(backend, kwargs):
    """Validate an Aurora PostgreSQL CreateDBCluster request; return its global cluster (or None)."""
    kwargs["engine_version"] = validation.resolve_version(kwargs.get("engine_version"))
    version = kwargs["engine_version"]
    validation.check_scaling(kwargs.get("serverless_v2_scaling_configuration"))
    validation.check_database_name(kwargs.get("database_name"))
    global_cluster = None
    if kwargs.get("global_cluster_identifier"):
        global_cluster = lookup.find_global(backend.account_id, kwargs["global_cluster_identifier"])
        if global_cluster is None:
            raise GlobalClusterNotFoundFault(kwargs["global_cluster_identifier"])
        if global_cluster.engine != lookup.AURORA_ENGINE:
            raise InvalidParameterCombination("The engine of global cluster %s is %s, not %s." % (
                global_cluster.global_cluster_identifier, global_cluster.engine, lookup.AURORA_ENGINE))
        if validation.major(global_cluster.engine_version) != validation.major(version):
            raise InvalidParameterCombination(
                "The engine version %s does not match the version %s of global cluster %s."
                % (version, global_cluster.engine_version, global_cluster.global_cluster_identifier))
    secondary = global_cluster is not None and lookup.primary_of(global_cluster) is not None
    if secondary:
        given = [name for name, key in (("MasterUsername", "master_username"), ("MasterUserPassword", "master_user_password"),
                                        ("ManageMasterUserPassword", "manage_master_user_password"), ("DatabaseName", "database_name"))
                 if kwargs.get(key)]
        if given:
            raise InvalidParameterCombination(
                "%s cannot be specified for a secondary cluster of a global database: it uses the primary's."
                % ", ".join(given))
    else:
        validation.check_master_user(kwargs.get("master_username"), kwargs.get("master_user_password"),
                                     bool(kwargs.get("manage_master_user_password")))
    subnet_group = kwargs.get("db_subnet_group_name")
    if subnet_group and subnet_group.lower() != "default" and subnet_group not in backend.subnet_groups \
            and subnet_group.lower() not in backend.subnet_groups:
        raise DBSubnetGroupNotFoundError(subnet_group)
    group = kwargs.get("db_cluster_parameter_group_name")
    if group:
        validation.check_cluster_parameter_group(backend, group, version)
    else:
        kwargs["db_cluster_parameter_group_name"] = "default.%s%s" % (lookup.AURORA_ENGINE, validation.major(version))
    if global_cluster is not None and global_cluster.storage_encrypted:
        kwargs["storage_encrypted"] = True
    if kwargs.get("storage_encrypted") or kwargs.get("kms_key_id"):
        if kwargs.get("kms_key_id") and not kwargs.get("storage_encrypted"):
            raise InvalidParameterCombination("KmsKeyId can only be specified when StorageEncrypted is true.")
        kwargs["storage_encrypted"] = True
        kwargs["kms_key_id"] = backend._validate_kms_key(kwargs.get("kms_key_id") or "alias/aws/rds")
    secret_key = kwargs.get("master_user_secret_kms_key_id")
    if secret_key:
        backend._validate_kms_key(secret_key)
    return global_cluster, secondary


def create_db_cluster(self, kwargs):
    if kwargs.get("engine") != lookup.AURORA_ENGINE:
        return _originals["create_db_cluster"](self, kwargs)
    with _lock():
        identifier = (kwargs.get("db_cluster_identifier") or "").lower()
        if identifier in self.clusters:
            raise RDSClientError("DBClusterAlreadyExistsFault", "DB Cluster already exists")
        global_cluster, secondary = _prepare_create(self, kwargs)
        cluster = _originals["create_db_cluster"](self, kwargs)
        if global_cluster is not None:
            cluster.global_cluster_identifier = global_cluster.global_cluster_identifier
            if not any(member is cluster for member in global_cluster.members):
                global_cluster.members.append(cluster)
            cluster.is_writer = not secondary
            if secondary:
                primary = lookup.primary_of(global_cluster)
                cluster.master_username = primary.master_username
                cluster.database_name = primary.database_name
        state.begin(cluster, "creating", _seconds("creating"))
        return cluster


# -- modify --------------------------------------------------------------------------------------
def _cluster(backend, identifier):
    cluster = backend.clusters.get((identifier or "").lower())
    if cluster is None:
        raise DBClusterNotFoundError(identifier)
    return cluster


def _plain(value):
    """A request structure as a dict with the API's member names (moto hands over XFormedDict)."""
    if value is None:
        return {}
    return value.original_dict() if hasattr(value, "original_dict") else dict(value)


def _prepare_modify(backend, cluster, kwargs):
    """Validate; apply what moto ignores; return the changes the server must follow."""
    version = kwargs.get("engine_version")
    if version:
        version = kwargs["engine_version"] = validation.resolve_version(version)
        validation.check_upgrade(cluster.engine_version, version, bool(kwargs.get("allow_major_version_upgrade")))
    if kwargs.get("port") is not None and int(kwargs["port"]) != cluster.port:
        raise InvalidParameterValue("The local environment cannot change the port of DB cluster %s." % cluster.db_cluster_identifier)
    kwargs.pop("port", None)
    scaling = kwargs.get("serverless_v2_scaling_configuration")
    if scaling:
        merged = _plain(cluster.serverless_v2_scaling_configuration)
        merged.update(_plain(scaling))
        validation.check_scaling(merged)
        kwargs["serverless_v2_scaling_configuration"] = merged
    elif scaling is not None:
        kwargs.pop("serverless_v2_scaling_configuration")
    group = kwargs.get("db_cluster_parameter_group_name")
    if group:
        validation.check_cluster_parameter_group(backend, group, version or cluster.engine_version)
    if kwargs.get("master_user_password"):
        if kwargs.get("manage_master_user_password"):
            raise InvalidParameterCombination("MasterUserPassword can't be specified when ManageMasterUserPassword is enabled.")
        if getattr(cluster, "manage_master_user_password", False) and kwargs.get("manage_master_user_password") is None:
            raise InvalidParameterCombination(
                "You can't specify MasterUserPassword for a DB cluster whose master password is managed in Secrets Manager.")
        validation.check_password(kwargs["master_user_password"])
    if kwargs.get("master_user_secret_kms_key_id"):
        self_check = backend._validate_kms_key(kwargs["master_user_secret_kms_key_id"])
        kwargs["master_user_secret_kms_key_id"] = self_check
    iam = kwargs.pop("enable_iam_database_authentication", None)
    if iam is not None:
        cluster.iam_auth = bool(iam)
    logs = kwargs.pop("cloudwatch_logs_export_configuration", None) or {}
    exported = [name for name in cluster.enabled_cloudwatch_logs_exports if name not in logs.get("DisableLogTypes", [])]
    exported += [name for name in logs.get("EnableLogTypes", []) if name not in exported]
    cluster.enabled_cloudwatch_logs_exports = exported
    for transient in ("apply_immediately", "allow_major_version_upgrade", "allow_engine_mode_change"):
        kwargs.pop(transient, None)
    return {
        "group": (group or "").lower() != (cluster.parameter_group or "").lower() and bool(group),
        "password": kwargs.get("master_user_password"),
        "managed": bool(kwargs.get("manage_master_user_password") or kwargs.get("rotate_master_user_password")),
    }


def modify_db_cluster(self, kwargs):
    with _lock():
        cluster = _cluster(self, kwargs.get("db_cluster_identifier"))
        if not lookup.is_aurora(cluster):
            return _originals["modify_db_cluster"](self, kwargs)
        follow = _prepare_modify(self, cluster, kwargs)
        if kwargs.get("manage_master_user_password") is False and not getattr(cluster, "manage_master_user_password", False):
            kwargs.pop("manage_master_user_password")
        result = _originals["modify_db_cluster"](self, kwargs)
        cluster = self.clusters[result.db_cluster_identifier]
        if follow["group"]:
            servers.apply_parameters(cluster, static_changed=True)
        password = follow["password"]
        if follow["managed"]:
            password = credentials.managed_password(cluster) or password
        servers.set_master_password(cluster, password)
        state.begin(cluster, "modifying", _seconds("modifying"))
        return result


# -- delete --------------------------------------------------------------------------------------
def delete_db_cluster(self, cluster_identifier, snapshot_name=None):
    with _lock():
        cluster = _cluster(self, cluster_identifier)
        if not lookup.is_aurora(cluster):
            return _originals["delete_db_cluster"](self, cluster_identifier, snapshot_name)
        if lookup.global_of(cluster) is not None and not cluster.deletion_protection:
            raise InvalidDBClusterStateFault(
                "This cluster is a part of a global cluster, please remove it from globalcluster first")
        result = _originals["delete_db_cluster"](self, cluster.db_cluster_identifier, snapshot_name)
        servers.delete(cluster)
        result.status = "deleting"
        return result


def _delete_db_cluster_action(self):
    skip = self.params.get("SkipFinalSnapshot")
    final = self.params.get("FinalDBSnapshotIdentifier")
    if skip and final:
        raise InvalidParameterCombination("FinalDBSnapshotIdentifier can't be specified when SkipFinalSnapshot is enabled.")
    if not skip and not final:
        raise InvalidParameterValue("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
    return _originals["response.delete_db_cluster"](self)


# -- failover --------------------------------------------------------------------------------------
def failover_db_cluster(self, db_cluster_identifier, target_db_instance_identifier=None):
    with _lock():
        cluster = _cluster(self, db_cluster_identifier)
        if target_db_instance_identifier:
            target = self.databases.get(target_db_instance_identifier.lower())
            if target is None or getattr(target, "db_cluster_identifier", None) != cluster.db_cluster_identifier:
                raise InvalidParameterValue(
                    "Cannot find target instance %s in DB cluster %s." % (target_db_instance_identifier, cluster.db_cluster_identifier))
        if lookup.is_secondary(cluster):
            raise InvalidDBClusterStateFault(
                "DB cluster %s is a secondary cluster of a global database; use FailoverGlobalCluster." % cluster.db_cluster_identifier)
        result = _originals["failover_db_cluster"](self, cluster.db_cluster_identifier, target_db_instance_identifier)
        servers.sync(cluster)
        state.begin(cluster, "failing-over", _seconds("rebooting"))
        return result


# -- model properties ------------------------------------------------------------------------------
def _status(self):
    if lookup.is_aurora(self):
        transition = state.transition(self)
        if transition:
            return transition
    return _originals["status"].fget(self)


def _set_status(self, value):
    _originals["status"].fset(self, value)


def _endpoint(self):
    if servers.has_server(self):
        return "127.0.0.1"
    return _originals["endpoint"].fget(self)


def _reader_endpoint(self):
    if servers.has_server(self):
        return "127.0.0.1"
    return _originals["reader_endpoint"].fget(self)


def _db_cluster_members(self):
    members = _originals["db_cluster_members"].fget(self)
    if lookup.is_aurora(self) and state.get(self).pending_reboot:
        for member in members:
            if member["IsClusterWriter"]:
                member["DBClusterParameterGroupStatus"] = "pending-reboot"
    return members


BACKEND_PATCHES = {
    "create_db_cluster": create_db_cluster,
    "modify_db_cluster": modify_db_cluster,
    "delete_db_cluster": delete_db_cluster,
    "failover_db_cluster": failover_db_cluster,
}


def install(context):
    env["context"] = context
    if not _originals:
        for name in BACKEND_PATCHES:
            _originals[name] = getattr(RDSBackend, name)
        for name in ("status", "endpoint", "reader_endpoint", "db_cluster_members"):
            _originals[name] = DBCluster.__dict__[name]
        _originals["response.delete_db_cluster"] = RDSResponse.delete_db_cluster
    for name, function in BACKEND_PATCHES.items():
        setattr(RDSBackend, name, function)
    RDSResponse.delete_db_cluster = _delete_db_cluster_action
    DBCluster.status = property(_status, _set_status)
    DBCluster.endpoint = property(_endpoint)
    DBCluster.reader_endpoint = property(_reader_endpoint)
    DBCluster.db_cluster_members = property(_db_cluster_members)
