"""Patches of moto's DB instance operations for the instances of Aurora PostgreSQL clusters.

They wrap whatever is installed (moto's methods as patched by ``localenv.emulator.db_instances``,
which gives servers only to RDS for PostgreSQL instances): a new writer gets the cluster's server
(or takes it over, see servers.py), deleting the writer promotes a reader, a writer reboot
restarts the server, a new DB parameter group or class of the writer reaches the server. Every
member reports the server's address and port, and the cluster's IAM database authentication.
Checks RDS makes that moto does not: ``db.serverless`` needs the cluster's Serverless v2 scaling
configuration, the DB parameter group must exist and be of the cluster's family.
"""

from moto.rds.exceptions import DBParameterGroupNotFoundError, InvalidParameterCombination, InvalidParameterValue
from moto.rds.models import DBInstance, DBInstanceClustered, RDSBackend

from localenv.emulator.aurora import lookup, servers, validation
from localenv.emulator.db_instances import parameters as instance_parameters

env = {"context": None}
_previous = {}
SERVERLESS_CLASS = "db.serverless"


def _cluster_of(backend, db_kwargs):
    identifier = (db_kwargs.get("db_cluster_identifier") or "").lower()
    cluster = backend.clusters.get(identifier)
    return cluster if cluster is not None and lookup.is_aurora(cluster) else None


def _check_group(backend, name, cluster):
    if not name or name.lower().startswith("default."):
        return
    group = backend.db_parameter_groups.get(name)
    if group is None:
        raise DBParameterGroupNotFoundError(name)
    wanted = "%s%s" % (lookup.AURORA_ENGINE, validation.major(cluster.engine_version))
    if group.family and group.family != wanted:
        raise InvalidParameterCombination(
            "The parameter group %s with DBParameterGroupFamily %s can't be used for this instance. "
            "Use a parameter group with DBParameterGroupFamily %s." % (name, group.family, wanted))


def _check_class(instance_class, cluster):
    if instance_class == SERVERLESS_CLASS and not cluster.serverless_v2_scaling_configuration:
        raise InvalidParameterCombination(
            "Set the Serverless v2 scaling configuration on the parent DB cluster before creating a Serverless v2 DB instance.")


def create_db_instance(self, db_kwargs):
    cluster = _cluster_of(self, db_kwargs)
    if cluster is None:
        return _previous["create_db_instance"](self, db_kwargs)
    with env["context"].lock:
        if db_kwargs.get("engine") != lookup.AURORA_ENGINE:
            raise InvalidParameterCombination(
                "The engine name requested for your DB instance (%s) doesn't match the engine name of your DB cluster (%s)."
                % (db_kwargs.get("engine"), cluster.engine))
        _check_class(db_kwargs.get("db_instance_class"), cluster)
        _check_group(self, db_kwargs.get("db_parameter_group_name"), cluster)
        for ignored in ("master_username", "master_user_password", "engine_version", "storage_encrypted", "kms_key_id"):
            db_kwargs.pop(ignored, None)
        db_kwargs["engine_version"] = cluster.engine_version
        database = _previous["create_db_instance"](self, db_kwargs)
        try:
            servers.sync(cluster)
        except Exception as error:
            self.databases.pop(database.db_instance_identifier, None)
            if isinstance(error, ValueError):
                raise InvalidParameterValue(str(error)) from error
            raise
        return database


def _member_cluster(backend, identifier):
    database = backend.databases.get((identifier or "").lower())
    cluster = getattr(database, "cluster", None) if isinstance(database, DBInstanceClustered) else None
    if cluster is None or not lookup.is_aurora(cluster):
        return database, None
    return database, cluster


def delete_db_instance(self, db_instance_identifier, *args, **kwargs):
    with env["context"].lock:
        _database, cluster = _member_cluster(self, db_instance_identifier)
        result = _previous["delete_db_instance"](self, db_instance_identifier, *args, **kwargs)
        if cluster is not None:
            servers.sync(cluster)
        return result


def modify_db_instance(self, db_instance_identifier, db_kwargs):
    with env["context"].lock:
        database, cluster = _member_cluster(self, db_instance_identifier)
        if cluster is None:
            return _previous["modify_db_instance"](self, db_instance_identifier, db_kwargs)
        if db_kwargs.get("db_instance_class"):
            _check_class(db_kwargs["db_instance_class"], cluster)
        _check_group(self, db_kwargs.get("db_parameter_group_name"), cluster)
        was_writer = database.is_cluster_writer
        before = (instance_parameters.group_name(database), database.db_instance_class)
        result = _previous["modify_db_instance"](self, db_instance_identifier, db_kwargs)
        servers.sync(cluster)
        if was_writer and servers.is_running(cluster):
            after = (instance_parameters.group_name(result), result.db_instance_class)
            if after[1] != before[1]:
                servers.reboot(cluster)
            elif after[0] != before[0]:
                servers.apply_parameters(cluster, static_changed=True)
        return result


def reboot_db_instance(self, db_instance_identifier, *args, **kwargs):
    with env["context"].lock:
        database, cluster = _member_cluster(self, db_instance_identifier)
        result = _previous["reboot_db_instance"](self, db_instance_identifier, *args, **kwargs)
        if cluster is not None and database.is_cluster_writer:
            servers.reboot(cluster)
        return result


def _address(self):
    cluster = getattr(self, "cluster", None) if isinstance(self, DBInstanceClustered) else None
    if cluster is not None and servers.has_server(cluster):
        return "127.0.0.1"
    return _previous["address"].fget(self)


def _iam_enabled(self):
    return bool(getattr(getattr(self, "cluster", None), "iam_auth", False))


def _ignore(self, value):  # pylint: disable=unused-argument
    """Aurora instances take IAM database authentication from their cluster."""


BACKEND_PATCHES = {
    "create_db_instance": create_db_instance,
    "delete_db_instance": delete_db_instance,
    "modify_db_instance": modify_db_instance,
    "reboot_db_instance": reboot_db_instance,
}


def install(context):
    """Wrap the currently installed methods (run after ``db_instances.install``)."""
    env["context"] = context
    for name, function in BACKEND_PATCHES.items():
        current = getattr(RDSBackend, name)
        if current is not function:
            _previous[name] = current
        setattr(RDSBackend, name, function)
    current = DBInstance.__dict__["address"]
    if current.fget is not _address:
        _previous["address"] = current
    DBInstance.address = property(_address)
    DBInstanceClustered.enable_iam_database_authentication = property(_iam_enabled, _ignore)
