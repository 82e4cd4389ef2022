"""Aurora global databases: what moto gets wrong and the calls it lacks.

- Global clusters live in the us-east-1 backend of the account (as moto's responses keep them)
  and are visible from every region; DescribeGlobalClusters honours GlobalClusterIdentifier and
  the ``global-cluster-id`` filter, and answers ``GlobalClusterNotFoundFault``.
- CreateGlobalCluster: the source cluster (ARN, any region) becomes the writer member
  (``IsWriter``) and reports the global cluster's identifier; it inherits StorageEncrypted.
- RemoveFromGlobalCluster works from any region, refuses the primary while secondaries remain,
  and turns the removed cluster into a standalone, writable cluster.
- DeleteGlobalCluster refuses while deletion protection is on.
- ModifyGlobalCluster (deletion protection, rename, engine version), SwitchoverGlobalCluster and
  FailoverGlobalCluster (``AllowDataLoss`` or ``Switchover``) are added. Switchover and failover
  make the target the writer at once; the old primary becomes a secondary. With
  ``context.transitions.rebooting`` > 0 the global cluster reports ``switching-over`` /
  ``failing-over`` and a ``FailoverState`` for that long.

Data plane (global_replication.py): a secondary's server is a streaming hot standby of the
primary's server (the primary's data, master user and password; writes fail). A planned
switchover fences the old primary, waits until the target has replayed its last WAL position
(RPO 0; the call fails and nothing changes when it does not within a few seconds), promotes the
target's server (``pg_promote``) and rebuilds the old primary and the other secondaries as
standbys of it (a base backup of the new primary; port, certificate and endpoints stay). An
unplanned failover (``AllowDataLoss``) promotes at once: what the target had not replayed is
lost. RemoveFromGlobalCluster promotes the detached cluster's server. Each writer change still
publishes the hook event ``aurora_global_writer_changed`` (account_id,
global_cluster_identifier, old_writer, new_writer: the DBCluster objects, planned: bool).
"""

from moto.core.responses import ActionResult
from moto.rds.exceptions import (
    DBClusterNotFoundError,
    InvalidDBClusterStateFault,
    InvalidGlobalClusterStateFault,
    InvalidParameterCombination,
    InvalidParameterValue,
    RDSClientError,
)
from moto.rds.models import GlobalCluster, RDSBackend
from moto.rds.responses import RDSResponse

from localenv import hooks
from localenv.emulator import paginate, param
from localenv.emulator.aurora import lookup, servers, state, validation
from localenv.emulator.aurora.clusters import GlobalClusterNotFoundFault

env = {"context": None}
_originals = {}
WRITER_CHANGED = "aurora_global_writer_changed"


class GlobalClusterAlreadyExistsFault(RDSClientError):
    def __init__(self, identifier):
        super().__init__("GlobalClusterAlreadyExistsFault", "Global cluster %s already exists." % identifier)


class InvalidGlobalClusterState(RDSClientError):
    def __init__(self, message):
        super().__init__("InvalidGlobalClusterStateFault", message)


def _seconds(name):
    context = env["context"]
    return getattr(context.transitions, name) if context is not None else 0


def _get_global(account_id, identifier):
    if not identifier:
        raise InvalidParameterValue("The parameter GlobalClusterIdentifier must be provided.")
    found = lookup.find_global(account_id, identifier)
    if found is None:
        raise GlobalClusterNotFoundFault(identifier)
    return found


def _member(global_cluster, account_id, identifier, region):
    cluster = lookup.find_cluster(account_id, identifier, region)
    if cluster is None:
        raise DBClusterNotFoundError(identifier)
    if not any(member is cluster for member in global_cluster.members):
        raise DBClusterNotFoundError(
            identifier, "DB cluster %s is not a member of global cluster %s." % (identifier, global_cluster.global_cluster_identifier))
    return cluster


# -- create --------------------------------------------------------------------------------------
def create_global_cluster(self, global_cluster_identifier, source_db_cluster_identifier, engine, engine_version,
                          storage_encrypted, deletion_protection):
    with env["context"].lock:
        identifier = global_cluster_identifier.lower()
        if identifier in lookup.global_clusters(self.account_id):
            raise GlobalClusterAlreadyExistsFault(global_cluster_identifier)
        source = None
        if source_db_cluster_identifier:
            if not source_db_cluster_identifier.startswith("arn:"):
                raise InvalidParameterValue("Malformed db cluster arn %s: SourceDBClusterIdentifier must be the cluster's ARN."
                                            % source_db_cluster_identifier)
            source = lookup.find_cluster(self.account_id, source_db_cluster_identifier, self.region_name)
            if source is None:
                raise DBClusterNotFoundError(source_db_cluster_identifier)
            if engine is not None or engine_version is not None:
                raise InvalidParameterCombination(
                    "When creating global cluster from existing db cluster, value for engineName and engineVersion "
                    "should not be specified since they are inherited from the source cluster")
            if lookup.global_of(source) is not None:
                raise InvalidDBClusterStateFault(
                    "DB cluster %s is already a member of global cluster %s." % (source.db_cluster_identifier, source.global_cluster_identifier))
            engine, engine_version = source.engine, source.engine_version
            storage_encrypted = bool(source.storage_encrypted)
        elif engine is None:
            raise InvalidParameterValue("When creating standalone global cluster, value for engineName should be specified")
        elif engine == lookup.AURORA_ENGINE:
            engine_version = validation.resolve_version(engine_version)
        global_cluster = GlobalCluster(
            backend=lookup.backend(self.account_id, lookup.GLOBAL_REGION),
            global_cluster_identifier=identifier,
            engine=engine,
            engine_version=engine_version,
            storage_encrypted=storage_encrypted,
            deletion_protection=deletion_protection,
        )
        lookup.global_clusters(self.account_id)[identifier] = global_cluster
        if source is not None:
            source.global_cluster_identifier = identifier
            source.is_writer = True
            global_cluster.members.append(source)
        return global_cluster


# -- describe / delete / remove ------------------------------------------------------------------------
def _describe_global_clusters(self):
    params = self.params
    wanted = params.get("GlobalClusterIdentifier")
    for item in param(params, "Filters", []) or []:
        if item.get("Name") == "global-cluster-id":
            wanted = (item.get("Values") or [None])[0]
    if wanted:
        clusters = [_get_global(self.current_account, wanted)]
    else:
        clusters = list(lookup.global_clusters(self.current_account).values())
    page, marker = paginate(clusters, params)
    return ActionResult({"GlobalClusters": page, "Marker": marker})


def _delete_global_cluster(self):
    with env["context"].lock:
        global_cluster = _get_global(self.current_account, self.params.get("GlobalClusterIdentifier"))
        if global_cluster.deletion_protection:
            raise InvalidParameterCombination(
                "Cannot delete protected Global Cluster, please disable deletion protection and try again.")
        if global_cluster.members:
            raise InvalidGlobalClusterStateFault(global_cluster.global_cluster_arn)
        lookup.global_clusters(self.current_account).pop(global_cluster.global_cluster_identifier, None)
        return ActionResult({"GlobalCluster": global_cluster})


def detach(global_cluster, cluster):
    """Make ``cluster`` a standalone cluster (its server accepts writes)."""
    global_cluster.members.remove(cluster)
    cluster.global_cluster_identifier = None
    cluster.is_writer = False
    servers.set_read_only(cluster, False)


def _remove_from_global_cluster(self):
    with env["context"].lock:
        global_cluster = _get_global(self.current_account, self.params.get("GlobalClusterIdentifier"))
        cluster = _member(global_cluster, self.current_account, self.params.get("DbClusterIdentifier"), self.region)
        if cluster.is_writer and len(global_cluster.members) > 1:
            raise InvalidGlobalClusterState(
                "The primary cluster %s cannot be removed from global cluster %s while it has secondary clusters; "
                "remove them first." % (cluster.db_cluster_identifier, global_cluster.global_cluster_identifier))
        detach(global_cluster, cluster)
        return ActionResult({"GlobalCluster": global_cluster})


# -- modify ----------------------------------------------------------------------------------------
def _modify_global_cluster(self):
    params = self.params
    with env["context"].lock:
        global_cluster = _get_global(self.current_account, params.get("GlobalClusterIdentifier"))
        version = params.get("EngineVersion")
        if version and version != global_cluster.engine_version:
            version = validation.resolve_version(version) if global_cluster.engine == lookup.AURORA_ENGINE else version
            validation.check_upgrade(global_cluster.engine_version, version, bool(params.get("AllowMajorVersionUpgrade")))
        new_identifier = (params.get("NewGlobalClusterIdentifier") or "").lower()
        store = lookup.global_clusters(self.current_account)
        if new_identifier and new_identifier != global_cluster.global_cluster_identifier and new_identifier in store:
            raise GlobalClusterAlreadyExistsFault(new_identifier)
        if params.get("DeletionProtection") is not None:
            global_cluster.deletion_protection = bool(params["DeletionProtection"])
        if version and version != global_cluster.engine_version:
            global_cluster.engine_version = version
            for member in global_cluster.members:
                member.engine_version = version
        if new_identifier and new_identifier != global_cluster.global_cluster_identifier:
            store.pop(global_cluster.global_cluster_identifier, None)
            global_cluster.global_cluster_identifier = new_identifier
            store[new_identifier] = global_cluster
            for member in global_cluster.members:
                member.global_cluster_identifier = new_identifier
        return ActionResult({"GlobalCluster": global_cluster})


# -- switchover / failover ---------------------------------------------------------------------------
def change_writer(global_cluster, target, planned, allow_data_loss=False):
    """Make ``target`` (a secondary member) the writer of ``global_cluster``."""
    old = lookup.primary_of(global_cluster)
    if old is target:
        raise InvalidDBClusterStateFault(
            "DB cluster %s is already the primary cluster of global cluster %s."
            % (target.db_cluster_identifier, global_cluster.global_cluster_identifier))
    if target.writer is None and not target._members:
        raise InvalidDBClusterStateFault(
            "DB cluster %s has no DB instance to promote." % target.db_cluster_identifier)
    if old is not None:
        old.is_writer = False
        servers.set_read_only(old, True)
    target.is_writer = True
    servers.set_read_only(target, False)
    seconds = _seconds("rebooting")
    if seconds and seconds > 0:
        gst = state.get(global_cluster)
        gst.transition = "switching-over" if planned else "failing-over"
        gst.transition_until = state.now() + seconds
        global_cluster.__dict__["_localenv_failover"] = {
            "Status": "failing-over",
            "FromDbClusterArn": old.db_cluster_arn if old is not None else None,
            "ToDbClusterArn": target.db_cluster_arn,
            "IsDataLossAllowed": bool(allow_data_loss),
        }
    hooks.publish(WRITER_CHANGED, account_id=target.account_id,
                  global_cluster_identifier=global_cluster.global_cluster_identifier,
                  old_writer=old, new_writer=target, planned=planned)


def _switchover_global_cluster(self):
    with env["context"].lock:
        global_cluster = _get_global(self.current_account, self.params.get("GlobalClusterIdentifier"))
        target = _member(global_cluster, self.current_account, self.params.get("TargetDbClusterIdentifier"), self.region)
        _check_versions(global_cluster, target)
        change_writer(global_cluster, target, planned=True)
        return ActionResult({"GlobalCluster": global_cluster})


def _failover_global_cluster(self):
    params = self.params
    with env["context"].lock:
        global_cluster = _get_global(self.current_account, params.get("GlobalClusterIdentifier"))
        target = _member(global_cluster, self.current_account, params.get("TargetDbClusterIdentifier"), self.region)
        allow, switchover = bool(params.get("AllowDataLoss")), bool(params.get("Switchover"))
        if allow == switchover:
            raise InvalidParameterCombination("Specify exactly one of AllowDataLoss and Switchover.")
        if switchover:
            _check_versions(global_cluster, target)
        change_writer(global_cluster, target, planned=switchover, allow_data_loss=allow)
        return ActionResult({"GlobalCluster": global_cluster})


def _check_versions(global_cluster, target):
    versions = {member.engine_version for member in global_cluster.members}
    if len(versions) > 1:
        raise InvalidGlobalClusterState(
            "The members of global cluster %s run different engine versions (%s); a switchover to %s needs the same version."
            % (global_cluster.global_cluster_identifier, ", ".join(sorted(versions)), target.db_cluster_identifier))


# -- model properties ------------------------------------------------------------------------------
def _global_status(self):
    transition = state.transition(self)
    return transition or self.__dict__.get("_status", "available")


def _set_global_status(self, value):
    self.__dict__["_status"] = value


def _failover_state(self):
    if state.transition(self):
        return self.__dict__.get("_localenv_failover")
    return None


RESPONSE_PATCHES = {
    "describe_global_clusters": _describe_global_clusters,
    "delete_global_cluster": _delete_global_cluster,
    "remove_from_global_cluster": _remove_from_global_cluster,
    "modify_global_cluster": _modify_global_cluster,
    "switchover_global_cluster": _switchover_global_cluster,
    "failover_global_cluster": _failover_global_cluster,
}


def install(context):
    env["context"] = context
    _originals.setdefault("create_global_cluster", RDSBackend.create_global_cluster)
    RDSBackend.create_global_cluster = create_global_cluster
    for name, function in RESPONSE_PATCHES.items():
        setattr(RDSResponse, name, function)
    GlobalCluster.status = property(_global_status, _set_global_status)
    GlobalCluster.failover_state = property(_failover_state)
