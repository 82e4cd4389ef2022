# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Desired versus current state of a proxy: what to modify, what cannot change, which target to swap.

Every function is pure: facts in (see ``api``), plans out. Options left unset (``None``) are not
managed and never cause a change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy.api import POOL_KEYS

# (option, DescribeDBProxies fact, ModifyDBProxy parameter)
PROXY_SETTINGS = (
    ("require_tls", "require_tls", "RequireTLS"),
    ("idle_client_timeout", "idle_client_timeout", "IdleClientTimeout"),
    ("debug_logging", "debug_logging", "DebugLogging"),
    ("role_arn", "role_arn", "RoleArn"),
)
KIND_LABELS = {"instance": "DB instance", "cluster": "DB cluster"}


def desired_auth(auth, current=None):
    """The task's auth entries as facts; a missing description keeps the one the secret has now."""
    if auth is None:
        return None
    descriptions = dict((entry["secret_arn"], entry["description"]) for entry in current or [])
    return [dict(secret_arn=entry["secret_arn"], iam_auth=entry["iam_auth"], client_password_auth_type=entry["client_password_auth_type"],
                 description=entry["description"] if entry.get("description") is not None else descriptions.get(entry["secret_arn"], ""))
            for entry in auth]


def auth_request(auth):
    """The ``Auth`` parameter of CreateDBProxy / ModifyDBProxy."""
    request = []
    for entry in auth:
        item = dict(AuthScheme="SECRETS", SecretArn=entry["secret_arn"], IAMAuth=entry["iam_auth"],
                    ClientPasswordAuthType=entry["client_password_auth_type"])
        if entry.get("description"):
            item["Description"] = entry["description"]
        request.append(item)
    return request


def _auth_key(auth):
    return sorted((entry["secret_arn"], entry["iam_auth"], entry["client_password_auth_type"], entry.get("description") or "")
                  for entry in auth or [])


def immutable_errors(current, engine_family, subnet_ids, subnet_source):
    """Changes AWS cannot apply to an existing proxy, each explained."""
    errors = []
    if current["engine_family"] != engine_family:
        errors.append("engine_family: proxy %s is a %s proxy and the task asks for %s; the engine family of a proxy cannot "
                      "change. Use another name, or delete this proxy (state=absent) and create it again"
                      % (current["name"], current["engine_family"], engine_family))
    if subnet_ids is not None and sorted(set(subnet_ids)) != current["vpc_subnet_ids"]:
        errors.append("%s: proxy %s is in subnets %s and the task asks for %s; RDS cannot move an existing proxy to other "
                      "subnets. To move it, delete it (state=absent) and create it again with the new subnets: its endpoint "
                      "changes, so clients must be re-pointed; this module never replaces a proxy on its own"
                      % (subnet_source, current["name"], ", ".join(current["vpc_subnet_ids"]), ", ".join(sorted(set(subnet_ids)))))
    return errors


def proxy_changes(current, params, auth):
    """``(request, changed)``: the ModifyDBProxy parameters and the option names they change."""
    request, changed = {}, []
    for option, fact, api_key in PROXY_SETTINGS:
        value = params.get(option)
        if value is not None and value != current.get(fact):
            request[api_key] = value
            changed.append(option)
    groups = params.get("vpc_security_group_ids")
    if groups is not None and sorted(set(groups)) != current["vpc_security_group_ids"]:
        request["SecurityGroups"] = sorted(set(groups))
        changed.append("vpc_security_group_ids")
    if auth is not None and _auth_key(auth) != _auth_key(current["auth"]):
        request["Auth"] = auth_request(auth)
        changed.append("auth")
    return request, changed


def pool_changes(current, params):
    """``(config, changed, after)`` for ModifyDBProxyTargetGroup (``config`` None: nothing to change).

    The whole configuration is sent, as AWS requires MaxConnectionsPercent with
    MaxIdleConnectionsPercent. When only the maximum is lowered below the current idle share, the
    idle share becomes half the maximum (the AWS default) and the diff shows it.
    """
    after = dict(current)
    for key, _api_key in POOL_KEYS:
        value = params.get(key)
        if value is None:
            continue
        after[key] = sorted(set(value)) if key == "session_pinning_filters" else value
    if params.get("max_idle_connections_percent") is None and after["max_idle_connections_percent"] is not None \
            and after["max_connections_percent"] is not None and after["max_idle_connections_percent"] > after["max_connections_percent"]:
        after["max_idle_connections_percent"] = after["max_connections_percent"] // 2
    changed = [key for key, _api_key in POOL_KEYS if after.get(key) != current.get(key)]
    if not changed:
        return None, [], after
    config = dict((api_key, after[key]) for key, api_key in POOL_KEYS
                  if key != "init_query" and after.get(key) is not None)
    if "init_query" in changed:
        config["InitQuery"] = after["init_query"]
    return config, changed, after


def desired_target(target):
    """``("instance", id)``, ``("cluster", id)`` (lower case, as RDS stores them) or ``None`` (not managed)."""
    if not target:
        return None
    if target.get("db_cluster_identifier"):
        return ("cluster", target["db_cluster_identifier"].lower())
    return ("instance", target["db_instance_identifier"].lower())


def target_changes(current, desired):
    """``(deregister, register)``: the target to remove and the one to add (each may be None)."""
    if desired is None or current == desired:
        return None, None
    return current, desired


def describe_target(target):
    return "%s %s" % (KIND_LABELS[target[0]], target[1]) if target else None
