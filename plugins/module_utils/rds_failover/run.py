# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One rds_failover task: validate, preflight, act, re-point, report (see the module's documentation)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover import actions, preflight, repoint, spec
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover.timeline import Timeline

RTO_MEASURE = "describe reports the new writer available"


class FailoverRun(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.timeline = Timeline()
        self.result = {
            "changed": False, "action": self.params["action"], "msg": "", "preflight": [], "plan": [], "timeline": [],
            "rto_seconds": None, "rto_measured_until": RTO_MEASURE, "replica_lag_seconds": None, "old_writer": None, "new_writer": None,
            "route53_change": None, "secrets_repointed": [], "secret_changes": [],
        }

    # -- helpers used by preflight/actions ----------------------------------------------------
    @property
    def region(self):
        return self.module.session.region

    def client(self, service, region=None):
        return self.module.client(service, region=region)

    def _partial(self):
        partial = dict(self.result)
        partial["timeline"] = self.timeline.as_list()
        partial.pop("msg", None)
        return partial

    def call(self, function, doing, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except AWS_EXCEPTIONS as e:
            self.module.fail_aws(e, doing=doing, **self._partial())
        except repoint.RepointError as e:
            self.fail(str(e))
        return None

    def wait(self, describe, done, what, state_of):
        try:
            return actions.wait_until(lambda: self.call(describe, "waiting for %s" % what), done, self.params["wait_timeout"], what, state_of)
        except AwsWaitTimeout as e:
            self.fail(str(e))
        return None

    def fail(self, msg):
        self.module.fail_json(msg=msg, **self._partial())

    # -- the run --------------------------------------------------------------------------------
    def run(self):
        errors = spec.validate(self.params)
        if errors:
            self.fail("; ".join(errors))
        refusal = spec.check_data_loss(self.params)
        if refusal:
            self.result["preflight"] = [{"name": "data loss accepted", "passed": False, "detail": refusal}]
            self.fail(refusal)
        with self.timeline.step("preflight"):
            plan = preflight.PREFLIGHTS[self.params["action"]](self)
            self._check_repoint(plan)
        self.result.update(preflight=plan.checks, old_writer=plan.old_writer, new_writer=plan.new_writer, replica_lag_seconds=plan.lag_seconds)
        failed = plan.failed(force=self.params["force"])
        if failed:
            self.fail("preflight failed, nothing was changed: %s" % "; ".join("%s: %s" % (c["name"], c["detail"]) for c in failed))
        messages = []
        if plan.noop:
            messages.append(plan.noop + "; nothing to do for action=%s" % self.params["action"])
        else:
            self.result["plan"].append(self.params["action"])
            self.result["changed"] = True
            if self.module.check_mode:
                messages.append("check mode: preflight passed; would run action=%s" % self.params["action"])
            else:
                self._act(plan)
                messages.append("action=%s done" % self.params["action"])
        self._repoint()
        self.result["msg"] = "; ".join(messages)
        self.result["timeline"] = self.timeline.as_list()
        self.result["diff"] = self._diff(plan)
        return self.result

    def _check_repoint(self, plan):
        """Read the Route 53 zone and the secrets before any change, so that a mistake there stops the task first."""
        if self.params.get("route53"):
            spec_ = self.params["route53"]
            try:
                zone_id, name = repoint.check_route53(self.client("route53"), spec_)
                plan.check("route53 record", True, "%s in hosted zone %s" % (name, zone_id))
            except repoint.RepointError as e:
                plan.check("route53 record", False, str(e))
            except AWS_EXCEPTIONS as e:
                self.module.fail_aws(e, doing="reading Route 53 hosted zone %s" % (spec_.get("hosted_zone_id") or spec_.get("zone_name")),
                                     **self._partial())
        default_region = self.params.get("secrets_region") or self.region
        for secret_id in self.params["secrets"]:
            try:
                repoint.read_secret(self.client("secretsmanager", repoint.secret_region(secret_id, default_region)), secret_id)
                plan.check("secret %s" % secret_id, True, "readable, with a host to re-point")
            except repoint.RepointError as e:
                plan.check("secret %s" % secret_id, False, str(e))
            except AWS_EXCEPTIONS as e:
                plan.check("secret %s" % secret_id, False, "cannot be read: %s" % (str(e).splitlines()[0] if str(e) else type(e).__name__))

    def _act(self, plan):
        step = self.params["action"]
        with self.timeline.step(step):
            writer = actions.ACTIONS[step](self, plan)
        self.result["new_writer"] = writer
        if self.params["wait"]:
            self.result["rto_seconds"] = round(self.timeline.finished(step) - self.timeline.started(step), 3)

    def _repoint(self):
        writer = self.result["new_writer"] or {}
        check_mode = self.module.check_mode
        if self.params.get("route53"):
            route53 = self.client("route53")
            with self.timeline.step("route53"):
                change = self.call(repoint.route53_change, "re-pointing Route 53 record %s" % self.params["route53"]["record_name"],
                                   route53, self.params["route53"], writer.get("endpoint_address"), check_mode,
                                   wait=self.params["wait"], waiter=self.wait)
            self.result["route53_change"] = change
            if change["changed"]:
                self.result["changed"] = True
                self.result["plan"].append("route53")
        if self.params["secrets"]:
            default_region = self.params.get("secrets_region") or self.region
            with self.timeline.step("secrets"):
                for secret_id in self.params["secrets"]:
                    client = self.client("secretsmanager", repoint.secret_region(secret_id, default_region))
                    change = self.call(repoint.repoint_secret, "re-pointing secret %s" % secret_id, client, secret_id, writer, check_mode)
                    self.result["secret_changes"].append(change)
                    if change["changed"]:
                        self.result["secrets_repointed"].append(secret_id)
            if self.result["secrets_repointed"]:
                self.result["changed"] = True
                self.result["plan"].append("secrets")

    def _diff(self, plan):
        before = {"writer": plan.old_writer, "route53": None, "secrets": {}}
        after = {"writer": self.result["new_writer"], "route53": None, "secrets": {}}
        if self.result["route53_change"]:
            before["route53"] = self.result["route53_change"]["before"]
            after["route53"] = self.result["route53_change"]["after"]
        for change in self.result["secret_changes"]:
            before["secrets"][change["secret"]] = change["before"]
            after["secrets"][change["secret"]] = change["after"]
        return {"before": before, "after": after}
