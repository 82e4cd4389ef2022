"""RDS blue/green deployments of RDS for PostgreSQL instances on real servers.

moto 5.2 answers CreateBlueGreenDeployment by creating an empty new instance and
SwitchoverBlueGreenDeployment by renaming at once. Here, for an RDS for PostgreSQL instance with a
server (engine ``postgres``, not an Aurora member):

- **Create**: the green instance ``<blue>-green-<6 letters>`` is a streaming hot standby of blue,
  made like a read replica (``PostgresFleet.create_replica``: base backup, WAL streaming over
  TLS), with the target DB instance class and DB parameter group (its family must be that of the
  target engine version) and blue's tags, backup retention and Multi-AZ setting. It is not listed
  as blue's read replica (as on RDS). Only PostgreSQL 15 binaries exist locally, so a major
  version upgrade is emulated in metadata: the green instance reports ``TargetEngineVersion`` as
  ``EngineVersion`` and its server carries the label ``localenv.engine_version`` (``SHOW
  localenv.engine_version``); its PostgreSQL is still 15. The deployment is ``PROVISIONING`` for
  ``transitions.creating`` seconds, then ``AVAILABLE``.
- **Refused like RDS** (``SourceDatabaseNotSupportedFault`` / ``InvalidParameterCombination``):
  a source with a managed master user password (Secrets Manager), a read replica as source, a
  source with cross-Region or cascading read replicas, a source that is not ``available``, a
  target engine version lower than blue's, a target parameter group of another family. Same-Region
  read replicas of blue are not copied into the green environment here: refused too (RDS would
  create green replicas).
- **Switchover** (asynchronous, ``SWITCHOVER_IN_PROGRESS`` meanwhile): blue stops taking writes
  (``default_transaction_read_only`` and its client sessions ended), green must replay blue's last
  WAL position within ``SwitchoverTimeout`` seconds - otherwise blue takes writes again and the
  deployment returns to ``AVAILABLE`` with ``StatusDetails`` saying the switchover timed out and
  was rolled back. Then green is promoted, takes blue's port (the endpoint: servers are restarted
  on swapped ports), blue is renamed ``<blue>-old1`` and green ``<blue>``; the old blue stays
  read-only. ``SWITCHOVER_COMPLETED``.
- **Delete**: before a switchover, ``DeleteTarget=true`` deletes the green instance, otherwise it is
  promoted to a standalone instance; after a switchover ``DeleteTarget`` is refused as on RDS and
  both instances stay.
"""

import logging
import random
import string
import threading
import time

from moto.core.utils import utcnow
from moto.rds.exceptions import (
    BlueGreenDeploymentAlreadyExistsFault,
    BlueGreenDeploymentNotFoundFault,
    DBParameterGroupNotFoundError,
    InvalidParameterCombination,
    RDSClientError,
)
from moto.rds.models import BlueGreenDeployment, RDSBackend

from localenv.dataplane import runas
from localenv.emulator import parameter_groups

log = logging.getLogger("localenv.emulator.blue_green")

env = {"context": None}
_originals = {}
LABEL = "localenv.engine_version"


def _major(version):
    return str(version or "").split(".", maxsplit=1)[0]


def _version_key(version):
    return tuple(int(part) if part.isdigit() else 0 for part in str(version or "0").split("."))


def _fleet():
    try:
        from localenv.emulator import db_instances
    except ImportError:  # pragma: no cover - the data plane is optional
        return None
    return db_instances.fleet()


def _helpers():
    from localenv.emulator.db_instances import patches, replicas, state

    return patches, replicas, state


def _has_server(database):
    if _fleet() is None:
        return False
    patches, _replicas, state = _helpers()
    return state.get(database).has_server and patches.key_of(database) in _fleet()


class LocalBlueGreenDeployment(BlueGreenDeployment):
    """moto's model with a computed status and a green standby instead of an empty instance."""

    def __init__(self, backend, blue_green_deployment_name, source, tags=None, **kwargs):
        self._status = "PROVISIONING"
        self._ready_at = 0.0
        self._blue = None
        super().__init__(backend, blue_green_deployment_name, source, tags=tags, **kwargs)
        self._status = "PROVISIONING"
        self._ready_at = time.monotonic() + float(env["context"].transitions.creating or 0)
        self.target_engine_version = kwargs.get("target_engine_version")

    @property
    def status(self):
        if self._status == "PROVISIONING" and time.monotonic() >= self._ready_at:
            self._status = "AVAILABLE"
        return self._status

    @status.setter
    def status(self, value):
        self._status = value

    @property
    def switchover_details(self):
        member_status = {"PROVISIONING": "PROVISIONING", "AVAILABLE": "AVAILABLE",
                         "SWITCHOVER_IN_PROGRESS": "SWITCHOVER_IN_PROGRESS",
                         "SWITCHOVER_COMPLETED": "SWITCHOVER_COMPLETED"}.get(self.status, self.status)
        return [{"SourceMember": self.source, "TargetMember": self.target, "Status": member_status}]

    @switchover_details.setter
    def switchover_details(self, value):
        pass

    def _create_green_instance(self, target_engine_version, target_db_parameter_group_name, target_db_cluster_parameter_group_name,
                               target_db_instance_class, target_iops, target_storage_type, target_allocated_storage,
                               target_storage_throughput):
        blue = self.backend.find_db_from_id(self.source)
        self._blue = blue
        green_id = "%s-green-%s" % (blue.db_instance_identifier, "".join(random.choices(string.ascii_lowercase, k=6)))
        kwargs = {
            "db_instance_identifier": green_id,
            "source_db_instance_identifier": blue.db_instance_identifier,
            "db_instance_class": target_db_instance_class or blue.db_instance_class,
            "db_parameter_group_name": target_db_parameter_group_name or blue.db_parameter_group_name,
            "multi_az": blue.multi_az,
            "tags": list(blue.tags or []),
        }
        green = self.backend.create_db_instance_read_replica(kwargs)
        _patches, replicas, _state = _helpers()
        replicas._remove_replica(blue, green)
        green.is_replica = False
        green.source_db_instance_identifier = None
        green.backup_retention_period = blue.backup_retention_period
        green.tags = list(blue.tags or [])
        if target_engine_version:
            green.engine_version = target_engine_version
        if target_allocated_storage:
            green.allocated_storage = int(target_allocated_storage)
        if target_storage_type:
            green.storage_type = target_storage_type
        if _has_server(green):
            _label(green, green.engine_version)
        return green.db_instance_arn


def _label(database, version):
    """Write the version label into the server's postgresql.auto.conf (a placeholder setting) and reload."""
    patches, _replicas, _state = _helpers()
    member = _fleet()._member(patches.key_of(database))  # pylint: disable=protected-access
    with member.lock:
        path = member.server.data_dir / "postgresql.auto.conf"
        lines = [line for line in (path.read_text() if path.exists() else "").splitlines() if not line.startswith(LABEL)]
        lines.append("%s = '%s'" % (LABEL, str(version).replace("'", "")))
        runas.write_file(path, "\n".join(lines) + "\n")
        member.server.reload()


def _unsupported(blue, reason):
    return RDSClientError("SourceDatabaseNotSupportedFault",
                          "The source DB instance %s isn't supported for a blue/green deployment: %s" % (blue.db_instance_arn, reason))


def _validate(backend, bg_kwargs):
    _patches, replicas, state = _helpers()
    name = bg_kwargs.get("blue_green_deployment_name") or ""
    for existing in backend.blue_green_deployments.values():
        if existing.blue_green_deployment_name == name:
            raise BlueGreenDeploymentAlreadyExistsFault(name)
    blue = backend.find_db_from_id(bg_kwargs.get("source") or "")
    if blue.engine != "postgres" or blue.db_cluster_identifier:
        return blue
    if "master_user_secret" in blue.__dict__ or getattr(blue, "manage_master_user_password", False):
        raise _unsupported(blue, "its master user password is managed in AWS Secrets Manager.")
    if blue.is_replica or blue.source_db_instance_identifier:
        raise _unsupported(blue, "it is a read replica.")
    for reference in blue.replicas:
        replica = replicas.find(blue.account_id, reference, blue.region)
        if replica is not None and replica.region != blue.region:
            raise _unsupported(blue, "it has the cross-Region read replica %s." % reference)
        if replica is not None and replica.replicas:
            raise _unsupported(blue, "its read replica %s has read replicas (cascading)." % reference)
    if blue.replicas:
        raise _unsupported(blue, "it has read replicas (%s); the local environment does not create green replicas."
                           % ", ".join(blue.replicas))
    current = state.status(blue)
    if current != "available":
        raise RDSClientError("InvalidDBInstanceState", "DB instance %s is %s, not available." % (blue.db_instance_identifier, current))
    target = bg_kwargs.get("target_engine_version")
    if target and _version_key(target) < _version_key(blue.engine_version):
        raise InvalidParameterCombination("The target engine version %s is lower than the source's %s." % (target, blue.engine_version))
    group = bg_kwargs.get("target_db_parameter_group_name")
    if group:
        family = parameter_groups.family_of(backend.account_id, backend.region_name, group)
        if family is None:
            raise DBParameterGroupNotFoundError(group)
        wanted = "postgres%s" % _major(target or blue.engine_version)
        if family != wanted:
            raise InvalidParameterCombination(
                "The DB parameter group %s is of family %s; engine version %s needs %s." % (group, family, target or blue.engine_version, wanted))
    return blue


def create_blue_green_deployment(self, bg_kwargs):
    with env["context"].lock:
        _validate(self, bg_kwargs)
        kwargs = dict(bg_kwargs)
        tags = kwargs.pop("tags", None)
        deployment = LocalBlueGreenDeployment(self, kwargs.pop("blue_green_deployment_name"), kwargs.pop("source"), tags=tags, **kwargs)
        self.blue_green_deployments[deployment.blue_green_deployment_identifier] = deployment
        return deployment


def _find(backend, identifier):
    deployment = backend.blue_green_deployments.get(identifier)
    if deployment is None:
        raise BlueGreenDeploymentNotFoundFault(identifier)
    return deployment


def _admin(database):
    patches, _replicas, _state = _helpers()
    return _fleet().connect_admin(patches.key_of(database))


def _execute(database, *statements):
    conn = _admin(database)
    try:
        rows = None
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                rows = cursor.fetchall() if cursor.description else None
        return rows
    finally:
        conn.close()


def _block_writes(blue, blocked):
    if blocked:
        _execute(blue, "ALTER SYSTEM SET default_transaction_read_only = on", "SELECT pg_reload_conf()",
                 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                 "AND pid <> pg_backend_pid() AND usename NOT IN ('rdsadmin', 'rdsrepladmin')")
    else:
        _execute(blue, "ALTER SYSTEM RESET default_transaction_read_only", "SELECT pg_reload_conf()")


def _caught_up(blue, green, deadline):
    """Wait until green has replayed blue's current WAL position; False when ``deadline`` passes first."""
    position = _execute(blue, "SELECT pg_current_wal_lsn()::text")[0][0]
    while True:
        try:
            done = _execute(green, "SELECT pg_last_wal_replay_lsn() >= '%s'::pg_lsn" % position)[0][0]
        except Exception:  # pylint: disable=broad-except
            done = False
        if done:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _swap_ports(blue, green):
    patches, _replicas, _state = _helpers()
    fleet = _fleet()
    blue_member = fleet._member(patches.key_of(blue))  # pylint: disable=protected-access
    green_member = fleet._member(patches.key_of(green))  # pylint: disable=protected-access
    with blue_member.lock, green_member.lock:
        blue_port, green_port = blue_member.server.port, green_member.server.port
        blue_member.server.stop(mode="fast")
        green_member.server.stop(mode="fast")
        green_member.server.port = blue_port
        fleet._render(green_member)  # pylint: disable=protected-access
        green_member.server.start()
        blue_member.server.port = green_port
        fleet._render(blue_member)  # pylint: disable=protected-access
        blue_member.server.start()


def _run_switchover(backend, deployment, timeout):
    _patches, replicas, state = _helpers()
    blue = backend.find_db_from_id(deployment.source)
    green = backend.find_db_from_id(deployment.target)
    started = time.monotonic()
    servers = _has_server(blue) and _has_server(green)
    try:
        if servers:
            _block_writes(blue, True)
            if not _caught_up(blue, green, started + timeout):
                _block_writes(blue, False)
                deployment.status = "AVAILABLE"
                deployment.status_details = ("Switchover timed out after %d seconds: the green environment did not catch up; "
                                             "rolled back, no changes were made." % timeout)
                log.info("blue/green %s: switchover timed out", deployment.blue_green_deployment_identifier)
                return
        with env["context"].lock:
            name = blue.db_instance_identifier
            replicas.promote(green, blue.backup_retention_period)
            if servers:
                _swap_ports(blue, green)
                blue.port, green.port = green.port, blue.port
            backend.modify_db_instance(name, {"new_db_instance_identifier": "%s-old1" % name, "apply_immediately": True})
            backend.modify_db_instance(green.db_instance_identifier, {"new_db_instance_identifier": name, "apply_immediately": True})
            state.get(blue).transition = state.get(green).transition = ""
            deployment.source = blue.db_instance_arn
            deployment.target = green.db_instance_arn
            deployment.status = "SWITCHOVER_COMPLETED"
            deployment.status_details = "Switchover completed in %.1f seconds" % (time.monotonic() - started)
    except Exception as error:  # pylint: disable=broad-except
        log.exception("blue/green %s: switchover failed", deployment.blue_green_deployment_identifier)
        deployment.status = "SWITCHOVER_FAILED"
        deployment.status_details = "Switchover failed: %s" % error


def switchover_blue_green_deployment(self, blue_green_deployment_identifier, switchover_timeout=300):
    with env["context"].lock:
        deployment = _find(self, blue_green_deployment_identifier)
        if deployment.status != "AVAILABLE":
            raise RDSClientError("InvalidBlueGreenDeploymentStateFault",
                                 "The blue/green deployment %s is %s; only an AVAILABLE deployment can be switched over."
                                 % (blue_green_deployment_identifier, deployment.status))
        deployment.status = "SWITCHOVER_IN_PROGRESS"
        deployment.status_details = None
        worker = threading.Thread(target=_run_switchover, args=(self, deployment, int(switchover_timeout or 300)),
                                  name="blue-green-switchover", daemon=True)
        worker.start()
        return deployment


def delete_blue_green_deployment(self, blue_green_deployment_identifier, delete_target=False):
    _patches, replicas, _state = _helpers()
    with env["context"].lock:
        deployment = _find(self, blue_green_deployment_identifier)
        if deployment.status == "SWITCHOVER_IN_PROGRESS":
            raise RDSClientError("InvalidBlueGreenDeploymentStateFault",
                                 "The blue/green deployment %s is switching over; it can't be deleted now." % blue_green_deployment_identifier)
        switched = deployment.status == "SWITCHOVER_COMPLETED"
        if delete_target and switched:
            raise InvalidParameterCombination("DeleteTarget can't be true for a blue/green deployment that was switched over.")
        green = _find_instance(self, deployment.target)
        if green is not None and not switched:
            if delete_target:
                self.delete_db_instance(green.db_instance_identifier)
            else:
                replicas.promote(green, green.backup_retention_period)
        del self.blue_green_deployments[blue_green_deployment_identifier]
        deployment.status = "DELETING"
        deployment.deletion_time = utcnow()
        return deployment


def _find_instance(backend, reference):
    try:
        return backend.find_db_from_id(reference)
    except RDSClientError:
        return None


def install(context):
    env["context"] = context
    for name in ("create_blue_green_deployment", "switchover_blue_green_deployment", "delete_blue_green_deployment"):
        _originals.setdefault(name, getattr(RDSBackend, name))
    RDSBackend.create_blue_green_deployment = create_blue_green_deployment
    RDSBackend.switchover_blue_green_deployment = switchover_blue_green_deployment
    RDSBackend.delete_blue_green_deployment = delete_blue_green_deployment
