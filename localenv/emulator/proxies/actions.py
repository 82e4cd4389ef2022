"""The RDSResponse actions of DB proxies (moto dispatches Action=XyzAbc to ``xyz_abc``)."""

from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.rds.exceptions import DBProxyAlreadyExistsFault, DBProxyNotFoundFault, InvalidParameterValue
from moto.rds.models import DBProxyTargetGroup, rds_backends
from moto.rds.responses import RDSResponse

from localenv.emulator.proxies import faults, state, targets, validation

_originals = {}


def plain(value):
    """Request data as plain Python (moto hands nested values over as XFormedDict)."""
    if hasattr(value, "original_dict"):
        return dict((key, plain(item)) for key, item in value.original_dict().items())
    if isinstance(value, dict):
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def _backend(response):
    return rds_backends[response.current_account][response.region]


def _proxy(response, name):
    proxy = _backend(response).db_proxies.get(name)
    if proxy is None:
        raise DBProxyNotFoundFault(name)
    return proxy


def _require_available(proxy, action):
    if proxy.status != "available":
        raise faults.InvalidDBProxyStateFault(proxy.db_proxy_name, proxy.status, action)


def _group(proxy, name):
    group = proxy.proxy_target_groups.get(name or "default")
    if group is None:
        raise faults.DBProxyTargetGroupNotFoundFault(proxy.db_proxy_name, name)
    return group


def _endpoint(proxy):
    return "%s.proxy-%s.%s.rds.amazonaws.com" % (proxy.db_proxy_name, proxy.url_identifier, proxy.region)


def create_db_proxy(self):
    params = self.params
    name, family = params.get("DBProxyName"), params.get("EngineFamily")
    validation.name(name)
    validation.engine_family(family)
    auth = plain(params.get("Auth") or [])
    validation.auth(auth, family)
    validation.role_arn(params.get("RoleArn"))
    vpc_id = validation.subnets(self.current_account, self.region, plain(params.get("VpcSubnetIds") or []))
    validation.security_groups(self.current_account, self.region, plain(params.get("VpcSecurityGroupIds") or []), vpc_id)
    validation.idle_client_timeout(params.get("IdleClientTimeout"))
    state.forget_ghost(self.current_account, self.region, name)
    result = _originals["create_db_proxy"](self)
    proxy = _backend(self).db_proxies[name]
    proxy.auth = validation.stored_auth(auth, family)
    proxy.require_tls = bool(params.get("RequireTLS"))
    proxy.endpoint = _endpoint(proxy)
    state.begin(proxy, "creating")
    return result


def describe_db_proxies(self):
    name = self.params.get("DBProxyName")
    live = _backend(self).db_proxies
    ghosts = state.ghosts(self.current_account, self.region)
    if name:
        proxy = live.get(name) or ghosts.get(name)
        if proxy is None:
            raise DBProxyNotFoundFault(name)
        proxies = [proxy]
    else:
        proxies = list(live.values()) + [proxy for key, proxy in ghosts.items() if key not in live]
    return ActionResult({"DBProxies": proxies})


def modify_db_proxy(self):
    params = self.params
    proxy = _proxy(self, params.get("DBProxyName"))
    _require_available(proxy, "modify")
    backend = _backend(self)
    new_name = params.get("NewDBProxyName")
    if new_name is not None and new_name != proxy.db_proxy_name:
        validation.name(new_name, "NewDBProxyName")
        if new_name in backend.db_proxies:
            raise DBProxyAlreadyExistsFault(new_name)
    auth = plain(params.get("Auth"))
    if auth is not None:
        validation.auth(auth, proxy.engine_family)
    if params.get("RoleArn") is not None:
        validation.role_arn(params.get("RoleArn"))
    validation.idle_client_timeout(params.get("IdleClientTimeout"))
    groups = plain(params.get("SecurityGroups"))
    if groups is not None:
        validation.security_groups(self.current_account, self.region, groups, proxy.vpc_id)
    # validated: apply
    if auth is not None:
        proxy.auth = validation.stored_auth(auth, proxy.engine_family)
    for key, attribute in (("RequireTLS", "require_tls"), ("DebugLogging", "debug_logging"), ("RoleArn", "role_arn")):
        if params.get(key) is not None:
            setattr(proxy, attribute, params.get(key))
    if params.get("IdleClientTimeout") is not None:
        proxy.idle_client_timeout = int(params.get("IdleClientTimeout"))
    if groups:
        proxy.vpc_security_group_ids = list(groups)
    if new_name is not None and new_name != proxy.db_proxy_name:
        backend.db_proxies.pop(proxy.db_proxy_name)
        proxy.db_proxy_name = new_name
        for group in proxy.proxy_target_groups.values():
            group.db_proxy_name = new_name
        proxy.endpoint = _endpoint(proxy)
        backend.db_proxies[new_name] = proxy
    proxy.updated_date = utcnow()
    state.begin(proxy, "modifying")
    return ActionResult({"DBProxy": proxy})


def delete_db_proxy(self):
    backend = _backend(self)
    proxy = _proxy(self, self.params.get("DBProxyName"))
    backend.db_proxies.pop(proxy.db_proxy_name)
    state.add_ghost(self.current_account, self.region, proxy)
    return ActionResult({"DBProxy": proxy})


def describe_db_proxy_target_groups(self):
    proxy = _proxy(self, self.params.get("DBProxyName"))
    name = self.params.get("TargetGroupName")
    groups = [_group(proxy, name)] if name else list(proxy.proxy_target_groups.values())
    return ActionResult({"TargetGroups": groups})


def modify_db_proxy_target_group(self):
    proxy = _proxy(self, self.params.get("DBProxyName"))
    group = _group(proxy, self.params.get("TargetGroupName"))
    _require_available(proxy, "modify the target group of")
    if self.params.get("NewName") not in (None, group.target_group_name):
        raise InvalidParameterValue("The default target group of a proxy cannot be renamed.")
    config = plain(self.params.get("ConnectionPoolConfig") or {})
    validation.pool_config(config)
    if config.get("MaxConnectionsPercent") is not None:
        group.max_connections = int(config["MaxConnectionsPercent"])
    if config.get("MaxIdleConnectionsPercent") is not None:
        group.max_idle_connections = int(config["MaxIdleConnectionsPercent"])
    if config.get("ConnectionBorrowTimeout") is not None:
        group.borrow_timeout = int(config["ConnectionBorrowTimeout"])
    if config.get("SessionPinningFilters") is not None:
        group.session_pinning_filters = list(config["SessionPinningFilters"])
    if config.get("InitQuery") is not None:
        group.__dict__["_localenv_init_query"] = config["InitQuery"]
    group.updated_date = utcnow()
    return ActionResult({"DBProxyTargetGroup": group})


def _identifiers(params):
    return ([(targets.INSTANCE, identifier) for identifier in plain(params.get("DBInstanceIdentifiers") or [])]
            + [(targets.CLUSTER, identifier) for identifier in plain(params.get("DBClusterIdentifiers") or [])])


def register_db_proxy_targets(self):
    backend = _backend(self)
    proxy = _proxy(self, self.params.get("DBProxyName"))
    group = _group(proxy, self.params.get("TargetGroupName"))
    _require_available(proxy, "register targets with")
    requested = _identifiers(self.params)
    if not requested:
        raise InvalidParameterValue("Give DBInstanceIdentifiers or DBClusterIdentifiers.")
    if len(requested) > 1:
        raise faults.DBProxyTargetAlreadyRegisteredFault(
            "A target group fronts one DB instance or cluster; %d were given." % len(requested))
    kind, identifier = requested[0]
    targets.check_registrable(backend, proxy, group, kind, identifier)
    targets.register(group, kind, identifier)
    return ActionResult({"DBProxyTargets": targets.describe(backend, proxy, group)})


def deregister_db_proxy_targets(self):
    proxy = _proxy(self, self.params.get("DBProxyName"))
    group = _group(proxy, self.params.get("TargetGroupName"))
    _require_available(proxy, "deregister targets from")
    requested = _identifiers(self.params)
    for kind, identifier in requested:
        targets.deregister(proxy, group, kind, identifier)
    return EmptyResult()


def describe_db_proxy_targets(self):
    backend = _backend(self)
    proxy = _proxy(self, self.params.get("DBProxyName"))
    group = _group(proxy, self.params.get("TargetGroupName"))
    return ActionResult({"Targets": targets.describe(backend, proxy, group)})


def _connection_pool_config(group):
    config = {
        "MaxConnectionsPercent": group.max_connections,
        "MaxIdleConnectionsPercent": group.max_idle_connections,
        "ConnectionBorrowTimeout": group.borrow_timeout,
        "SessionPinningFilters": list(group.session_pinning_filters),
    }
    init_query = group.__dict__.get("_localenv_init_query")
    if init_query:
        config["InitQuery"] = init_query
    return config


ACTIONS = {
    "create_db_proxy": create_db_proxy,
    "describe_db_proxies": describe_db_proxies,
    "modify_db_proxy": modify_db_proxy,
    "delete_db_proxy": delete_db_proxy,
    "describe_db_proxy_target_groups": describe_db_proxy_target_groups,
    "modify_db_proxy_target_group": modify_db_proxy_target_group,
    "register_db_proxy_targets": register_db_proxy_targets,
    "deregister_db_proxy_targets": deregister_db_proxy_targets,
    "describe_db_proxy_targets": describe_db_proxy_targets,
}


def _locked(action):
    def locked(self):
        with state.lock():
            return action(self)
    locked.__name__ = action.__name__
    locked.__doc__ = action.__doc__
    return locked


def install():
    _originals.setdefault("create_db_proxy", RDSResponse.create_db_proxy)
    for method, function in ACTIONS.items():
        setattr(RDSResponse, method, _locked(function))
    DBProxyTargetGroup.connection_pool_config = property(_connection_pool_config)
