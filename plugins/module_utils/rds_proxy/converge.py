# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one RDS Proxy for PostgreSQL (the work of ``rds_proxy``).

Reads the proxy, its default target group, its targets and its tags; plans the proxy settings
(one ModifyDBProxy), the pool (one ModifyDBProxyTargetGroup), the target (deregister the old one,
register the new one) and the tags; in check mode stops there. Changes AWS cannot make in place
(engine family, subnets) fail with an explanation before anything is written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import apply_tag_changes, compare_tags, normalize_tags
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy.api import ProxyApi, proxy_facts, registered_target
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy.plan import (
    KIND_LABELS,
    auth_request,
    describe_target,
    desired_auth,
    desired_target,
    immutable_errors,
    pool_changes,
    proxy_changes,
    target_changes,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy.validation import input_errors, security_warnings
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_proxy.wait import ProxyWaiter

DEFAULT_POOL = dict(max_connections_percent=100, max_idle_connections_percent=50, connection_borrow_timeout=120,
                    session_pinning_filters=[], init_query="")
DEFAULT_IDLE_CLIENT_TIMEOUT = 1800
TARGET_ENGINES = {"instance": ("postgres",), "cluster": ("aurora-postgresql",)}


def settings(proxy, pool, target, tags):
    """The comparable state shown in the diff."""
    return dict(
        engine_family=proxy["engine_family"], vpc_subnet_ids=proxy["vpc_subnet_ids"],
        vpc_security_group_ids=proxy["vpc_security_group_ids"], role_arn=proxy["role_arn"], auth=proxy["auth"],
        require_tls=proxy["require_tls"], idle_client_timeout=proxy["idle_client_timeout"], debug_logging=proxy["debug_logging"],
        pool=dict((key, value) for key, value in (pool or {}).items() if key in DEFAULT_POOL),
        target=describe_target(target), tags=tags,
    )


class RdsProxyConverger(Converger):
    def __init__(self, module):
        super(RdsProxyConverger, self).__init__(module)
        self.name = self.params["name"]
        self.api = None
        self.waiter = None
        self.actions = []

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        if self.params["state"] == "present":
            for warning in security_warnings(self.params):
                self.module.warn(warning)
        self.api = ProxyApi(self.module.client("rds"), lambda: self.module.client("ec2"))
        self.waiter = ProxyWaiter(self, time.monotonic() + self.params["wait_timeout"])
        raw = self.step("reading DB proxy %s" % self.name, self.api.proxy, self.name)
        if raw is not None and raw.get("Status") == "deleting":
            if self.params["state"] == "absent":
                if self.params["wait"]:
                    self.waiter.gone(self.name)
                return dict(changed=False, proxy=proxy_facts(raw), actions=[], diff=dict(before={}, after={}))
            if not self.params["wait"]:
                self.fail("DB proxy %s is being deleted; wait until it is gone (or set wait=true) before creating it again" % self.name)
            if not self.check_mode:
                self.waiter.gone(self.name)
            raw = None
        if self.params["state"] == "absent":
            return self.ensure_absent(raw)
        if raw is None:
            return self.create()
        return self.update(raw)

    # inputs that need a read

    def desired_subnets(self):
        """``(subnet ids or None, the option that chose them)``."""
        if self.params.get("vpc_subnet_ids") is not None:
            return sorted(set(self.params["vpc_subnet_ids"])), "vpc_subnet_ids"
        group = self.params.get("db_subnet_group_name")
        if group is None:
            return None, None
        subnets = self.step("reading DB subnet group %s" % group, self.api.subnet_group_subnets, group)
        if subnets is None:
            self.fail("db_subnet_group_name: there is no DB subnet group %r in this account and region; create it first "
                      "(innovate.aws_postgres.rds_network) or give vpc_subnet_ids" % group)
        return subnets, "db_subnet_group_name (the subnets of %s)" % group

    def check_network(self, subnet_ids, group_ids):
        """The VPC of the subnets; fails unless they exist in one VPC and two AZs and the groups are in it."""
        found = self.step("reading subnets %s" % ", ".join(subnet_ids), self.api.subnets, subnet_ids)
        errors = ["vpc_subnet_ids: subnet %s does not exist" % subnet for subnet in subnet_ids if subnet not in found]
        vpcs = sorted(set(vpc for vpc, _zone in found.values()))
        zones = set(zone for _vpc, zone in found.values())
        if len(vpcs) > 1:
            errors.append("vpc_subnet_ids: the subnets are in several VPCs (%s); a proxy's subnets must be in one VPC" % ", ".join(vpcs))
        elif found and len(zones) < 2:
            errors.append("vpc_subnet_ids: the subnets are all in %s; a proxy needs subnets in at least two availability zones"
                          % ", ".join(sorted(zones)))
        if group_ids:
            groups = self.step("reading security groups %s" % ", ".join(group_ids), self.api.security_groups, group_ids)
            errors += ["vpc_security_group_ids: security group %s does not exist" % group for group in group_ids if group not in groups]
            errors += ["vpc_security_group_ids: security group %s is in VPC %s, not in the subnets' VPC %s" % (group, groups[group], vpcs[0])
                       for group in group_ids if group in groups and len(vpcs) == 1 and groups[group] != vpcs[0]]
        if errors:
            self.fail(errors)
        return vpcs[0] if vpcs else None

    def check_target(self, target):
        """Fail unless the target exists, runs PostgreSQL and can be registered; wait for it to be available."""
        kind, identifier = target
        option = "target.db_%s_identifier" % kind
        read = self.api.db_instance if kind == "instance" else self.api.db_cluster
        status_key = "DBInstanceStatus" if kind == "instance" else "Status"
        described = self.step("reading %s" % describe_target(target), read, identifier)
        if described is None:
            self.fail("%s: there is no %s %r in this account and region" % (option, KIND_LABELS[kind], identifier))
        if described.get("Engine") not in TARGET_ENGINES[kind]:
            self.fail("%s: %s runs engine %s; a PostgreSQL proxy fronts %s only" % (
                option, describe_target(target), described.get("Engine"), " or ".join(TARGET_ENGINES[kind])))
        if kind == "instance" and described.get("DBClusterIdentifier"):
            self.fail("%s: %s is a member of Aurora cluster %s; give target.db_cluster_identifier=%s instead" % (
                option, describe_target(target), described["DBClusterIdentifier"], described["DBClusterIdentifier"]))
        if described.get(status_key) != "available" and not self.check_mode:
            if not self.params["wait"]:
                self.fail("%s: %s is %s; it must be available to be registered (set wait=true to wait for it)" % (
                    option, describe_target(target), described.get(status_key)))
            self.waiter.target_resource(target, read, status_key)

    # state=absent

    def ensure_absent(self, raw):
        if raw is None:
            return dict(changed=False, proxy=None, actions=[], diff=dict(before={}, after={}))
        proxy = proxy_facts(raw)
        if not self.check_mode:
            self.write("delete", "deleting DB proxy %s" % self.name, self.api.delete, self.name)
            if self.params["wait"]:
                self.waiter.gone(self.name)
            proxy["status"] = "deleting"
        before = dict(name=self.name, endpoint=proxy["endpoint"], vpc_subnet_ids=proxy["vpc_subnet_ids"])
        return dict(changed=True, proxy=proxy, actions=["delete"], diff=dict(before=before, after={}))

    # state=present

    def create(self):
        params = self.params
        subnet_ids, _source = self.desired_subnets()
        missing = [option for option, value in (("role_arn", params.get("role_arn")), ("auth", params.get("auth")),
                                                ("vpc_subnet_ids or db_subnet_group_name", subnet_ids)) if not value]
        if missing:
            self.fail("%s: required to create DB proxy %s" % (", ".join(missing), self.name))
        group_ids = sorted(set(params.get("vpc_security_group_ids") or []))
        vpc_id = self.check_network(subnet_ids, group_ids)
        target = desired_target(params.get("target"))
        if target is not None:
            self.check_target(target)
        auth = desired_auth(params["auth"])
        tags = normalize_tags(params.get("tags"))
        pool_config, pool_changed, pool_after = pool_changes(DEFAULT_POOL, params)
        self.actions = ["create"] + (["modify_pool"] if pool_changed else []) + (["register"] if target else [])
        if self.check_mode:
            proxy = dict(name=self.name, arn=None, status=None, engine_family=params["engine_family"], endpoint=None, vpc_id=vpc_id,
                         vpc_subnet_ids=subnet_ids, vpc_security_group_ids=group_ids, role_arn=params["role_arn"], auth=auth,
                         require_tls=params["require_tls"],
                         idle_client_timeout=params.get("idle_client_timeout") or DEFAULT_IDLE_CLIENT_TIMEOUT,
                         debug_logging=bool(params.get("debug_logging")), created_date=None, updated_date=None, tags=tags)
            pool = dict(pool_after, name="default", arn=None, status=None, is_default=True)
            targets = [dict(type="TRACKED_CLUSTER" if target[0] == "cluster" else "RDS_INSTANCE", rds_resource_id=target[1])] if target else []
            return self.result(True, proxy, pool, targets, target, dict(before={}, after=settings(proxy, pool_after, target, tags)))
        self.write("create", "creating DB proxy %s" % self.name, self.api.create, self.name, params["engine_family"], auth_request(auth),
                   params["role_arn"], subnet_ids, group_ids, params["require_tls"], params.get("idle_client_timeout"),
                   params.get("debug_logging"), tags)
        if pool_config is not None or target is not None or params["wait"]:
            self.waiter.available(self.name)
        if pool_config is not None:
            self.write("modify_pool", "setting the connection pool of %s" % self.name, self.api.modify_pool, self.name, pool_config)
        if target is not None:
            self.write("register", "registering %s with %s" % (describe_target(target), self.name), self.api.register, self.name, *target)
        return self.final(target, before={})

    def update(self, raw):
        params = self.params
        current = proxy_facts(raw)
        tags_now = self.step("reading the tags of %s" % self.name, self.api.tags, current["arn"])
        pool_now = self.step("reading the target group of %s" % self.name, self.api.target_group, self.name)
        targets_now = self.step("reading the targets of %s" % self.name, self.api.targets, self.name)
        subnet_ids, subnet_source = self.desired_subnets()
        errors = immutable_errors(current, params["engine_family"], subnet_ids, subnet_source)
        if errors:
            self.fail(errors)
        auth = desired_auth(params.get("auth"), current["auth"])
        request, changed_settings = proxy_changes(current, params, auth)
        pool_config, pool_changed, pool_after = pool_changes(pool_now, params)
        target_now = registered_target(targets_now)
        deregister, register = target_changes(target_now, desired_target(params.get("target")))
        if register is not None:
            self.check_target(register)
        to_set, to_remove = compare_tags(tags_now, params.get("tags"), params["purge_tags"])
        self.actions = (["modify: %s" % ", ".join(changed_settings)] if changed_settings else []) \
            + (["modify_pool: %s" % ", ".join(pool_changed)] if pool_changed else []) \
            + (["deregister: %s" % describe_target(deregister)] if deregister else []) \
            + (["register: %s" % describe_target(register)] if register else []) \
            + (["untag"] if to_remove else []) + (["tag"] if to_set else [])
        before = settings(current, pool_now, target_now, tags_now)
        tags_after = apply_tag_changes(tags_now, to_set, to_remove)
        if not self.actions:
            current["tags"] = tags_now
            return self.result(False, current, pool_now, targets_now, target_now, dict(before=before, after=before))
        if self.check_mode:
            after_proxy = dict(current, auth=auth if auth is not None else current["auth"], tags=tags_after)
            for option in (option for option in changed_settings if option != "auth"):
                after_proxy[option] = sorted(set(params[option])) if option == "vpc_security_group_ids" else params[option]
            target_after = register or target_now
            targets = targets_now if register is None else [dict(type="TRACKED_CLUSTER" if register[0] == "cluster" else "RDS_INSTANCE",
                                                                 rds_resource_id=register[1])]
            pool = dict(pool_now, **pool_after)
            return self.result(True, after_proxy, pool, targets, target_after,
                               dict(before=before, after=settings(after_proxy, pool_after, target_after, tags_after)))
        self.apply(current, request, pool_config, deregister, register, to_set, to_remove)
        return self.final(register or target_now, before=before)

    def apply(self, current, request, pool_config, deregister, register, to_set, to_remove):
        if current["status"] != "available" and (request or pool_config is not None or deregister or register):
            self.waiter.available(self.name)
        if request:
            self.write("modify", "modifying %s of DB proxy %s" % (", ".join(sorted(request)), self.name), self.api.modify, self.name, request)
            if pool_config is not None or deregister or register:
                self.waiter.available(self.name)
        if pool_config is not None:
            self.write("modify_pool", "setting the connection pool of %s" % self.name, self.api.modify_pool, self.name, pool_config)
        if deregister:
            self.write("deregister", "deregistering %s from %s" % (describe_target(deregister), self.name), self.api.deregister,
                       self.name, *deregister)
        if register:
            self.write("register", "registering %s with %s" % (describe_target(register), self.name), self.api.register, self.name, *register)
        if to_remove:
            self.write("untag", "removing tags %s from %s" % (", ".join(to_remove), self.name), self.api.remove_tags, current["arn"], to_remove)
        if to_set:
            self.write("tag", "tagging %s" % self.name, self.api.add_tags, current["arn"], to_set)
        if request and self.params["wait"]:
            self.waiter.available(self.name)

    def final(self, target, before):
        """Read the proxy back after writes; wait for a new target's registration when asked."""
        targets = None
        if self.params["wait"] and "register" in self.applied:
            targets = self.waiter.registered(self.name)
        raw = self.step("reading DB proxy %s" % self.name, self.api.proxy, self.name)
        proxy = proxy_facts(raw)
        proxy["tags"] = self.step("reading the tags of %s" % self.name, self.api.tags, proxy["arn"])
        pool = self.step("reading the target group of %s" % self.name, self.api.target_group, self.name)
        if targets is None:
            targets = self.step("reading the targets of %s" % self.name, self.api.targets, self.name)
        for entry in targets:
            health = entry.get("health") or {}
            if health.get("state") == "UNAVAILABLE":
                self.module.warn("target %s of proxy %s is UNAVAILABLE (%s): %s" % (
                    entry["rds_resource_id"], self.name, health.get("reason"), health.get("description")))
        return self.result(True, proxy, pool, targets, target, dict(before=before, after=settings(proxy, pool, target, proxy["tags"])))

    def result(self, changed, proxy, pool, targets, target, diff):
        return dict(changed=changed, proxy=proxy, endpoint=proxy.get("endpoint"), target_group=pool, targets=targets,
                    target=dict(type=target[0], identifier=target[1]) if target else None,
                    actions=list(self.actions), diff=diff)
