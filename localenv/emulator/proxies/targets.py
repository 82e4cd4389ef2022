"""The targets of a proxy's target group: registration rules and their live description.

A target group holds at most one target, a DB instance or a DB cluster of the proxy's engine
family (registrations are kept on the moto target group as ``_localenv_targets``). Targets are
described from the instance or cluster as it is now: endpoint, port, ARN, role and health.
"""

import json

from moto.iam.models import iam_backends
from moto.rds.exceptions import DBClusterNotFoundError, DBInstanceNotFoundError, InvalidParameterValue
from moto.secretsmanager.models import secretsmanager_backends

from localenv.emulator.proxies import faults, state
from localenv.emulator.proxies.validation import TARGET_ENGINES

INSTANCE, CLUSTER = "instance", "cluster"


def registered(group):
    """``[{"kind", "id", "since"}]`` registered with ``group``."""
    return group.__dict__.setdefault("_localenv_targets", [])


def _kind_label(kind):
    return "DB instance" if kind == INSTANCE else "DB cluster"


def resolve(backend, kind, identifier):
    """The moto instance or cluster, or raise the RDS not-found fault."""
    if kind == INSTANCE:
        database = backend.databases.get(identifier)
        if database is None:
            raise DBInstanceNotFoundError(identifier)
        return database
    cluster = backend.clusters.get(identifier)
    if cluster is None:
        raise DBClusterNotFoundError(identifier)
    return cluster


def check_registrable(backend, proxy, group, kind, identifier):
    resource = resolve(backend, kind, identifier)
    engines = TARGET_ENGINES.get(proxy.engine_family, ())
    if resource.engine not in engines:
        raise InvalidParameterValue("%s %s runs engine %s, which a %s proxy cannot front (it fronts %s)."
                                    % (_kind_label(kind), identifier, resource.engine, proxy.engine_family, ", ".join(engines)))
    if kind == INSTANCE and getattr(resource, "db_cluster_identifier", None):
        raise InvalidParameterValue("DB instance %s is a member of DB cluster %s; register the cluster instead."
                                    % (identifier, resource.db_cluster_identifier))
    status = getattr(resource, "status", "available")
    if status != "available":
        fault = faults.InvalidDBInstanceState if kind == INSTANCE else faults.InvalidDBClusterStateFault
        raise fault("%s %s is %s; a proxy target must be available." % (_kind_label(kind), identifier, status))
    for target in registered(group):
        if (target["kind"], target["id"]) == (kind, identifier):
            raise faults.DBProxyTargetAlreadyRegisteredFault(
                "The proxy %s is already associated with %s %s." % (proxy.db_proxy_name, _kind_label(kind), identifier))
        raise faults.DBProxyTargetAlreadyRegisteredFault(
            "Target group %s of proxy %s already has a target (%s %s); a target group fronts one DB instance or "
            "cluster: deregister it first." % (group.target_group_name, proxy.db_proxy_name, _kind_label(target["kind"]), target["id"]))


def register(group, kind, identifier):
    registered(group).append(dict(kind=kind, id=identifier, since=state.now()))


def deregister(proxy, group, kind, identifier):
    targets = registered(group)
    for index, target in enumerate(targets):
        if (target["kind"], target["id"]) == (kind, identifier):
            del targets[index]
            return
    raise faults.DBProxyTargetNotFoundFault("%s %s is not registered with target group %s of proxy %s."
                                            % (_kind_label(kind), identifier, group.target_group_name, proxy.db_proxy_name))


def _secret_problem(account_id, region, secret_arn):
    backend = secretsmanager_backends[account_id][region]
    try:
        value = backend.get_secret_value(secret_id=secret_arn, version_id=None, version_stage=None)
    except Exception:  # pylint: disable=broad-except  # any failure to read the secret is what RDS reports
        return "The proxy can't read secret %s." % secret_arn
    try:
        parsed = json.loads(value.get("SecretString") or "")
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not parsed.get("username") or not parsed.get("password"):
        return "Secret %s does not hold a JSON username and password." % secret_arn
    return None


def _role_problem(account_id, role_arn):
    name = (role_arn or "").rsplit("/", 1)[-1]
    try:
        iam_backends[account_id]["global"].get_role(name)
    except Exception:  # pylint: disable=broad-except  # unknown role
        return "The proxy can't assume IAM role %s: it does not exist." % role_arn
    return None


def health(proxy, target, resource, status):
    """TargetHealth of one registered target now."""
    if state.now() < target["since"] + state.seconds("creating"):
        return {"State": "REGISTERING"}
    if resource is None:
        return {"State": "UNAVAILABLE", "Reason": "UNREACHABLE",
                "Description": "%s %s was not found." % (_kind_label(target["kind"]), target["id"])}
    if status != "available":
        return {"State": "UNAVAILABLE", "Reason": "CONNECTION_FAILED",
                "Description": "%s %s is %s." % (_kind_label(target["kind"]), target["id"], status)}
    problem = _role_problem(proxy.account_id, proxy.role_arn)
    if problem is None:
        problems = [_secret_problem(proxy.account_id, proxy.region, entry["SecretArn"]) for entry in proxy.auth]
        problem = problems[0] if problems and all(problems) else None
    if problem:
        return {"State": "UNAVAILABLE", "Reason": "AUTH_FAILURE", "Description": problem}
    return {"State": "AVAILABLE"}


def _instance_entry(proxy, target, database, tracked_cluster=None):
    status = getattr(database, "status", "available") if database is not None else None
    entry = {"RdsResourceId": target["id"] if database is None else database.db_instance_identifier,
             "Type": "RDS_INSTANCE", "Role": "READ_WRITE"}
    if database is not None:
        entry.update(TargetArn=database.db_instance_arn, Endpoint=database.address, Port=int(database.port))
        if tracked_cluster is not None:
            entry["TrackedClusterId"] = tracked_cluster
            entry["Role"] = "READ_WRITE" if getattr(database, "is_cluster_writer", False) else "READ_ONLY"
        elif getattr(database, "source_db_identifier", None):
            entry["Role"] = "READ_ONLY"
    entry["TargetHealth"] = health(proxy, target, database, status)
    return entry


def describe(backend, proxy, group):
    """DBProxyTarget entries of ``group``: an instance, or a tracked cluster and its instances."""
    result = []
    for target in registered(group):
        if target["kind"] == INSTANCE:
            result.append(_instance_entry(proxy, target, backend.databases.get(target["id"])))
            continue
        cluster = backend.clusters.get(target["id"])
        entry = {"RdsResourceId": target["id"], "Type": "TRACKED_CLUSTER", "TrackedClusterId": target["id"]}
        if cluster is not None:
            entry.update(TargetArn=cluster.db_cluster_arn, Endpoint=cluster.endpoint, Port=int(cluster.port))
        result.append(entry)
        for member in (cluster.members if cluster is not None else []):
            result.append(_instance_entry(proxy, target, member, tracked_cluster=target["id"]))
    return result
