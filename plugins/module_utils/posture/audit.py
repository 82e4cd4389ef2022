# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One posture audit: validate the options, collect the inventory, evaluate every control."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.connection import AwsSession
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS
from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture import controls_baseline, controls_fsbp, database_checks
from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture.collect import Collector, Inventory
from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture.summary import sort_findings, summarize

REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$")
RESOURCE_KEYS = (("db_instances", ("instances", "members")), ("db_clusters", ("clusters",)), ("db_snapshots", ("snapshots",)),
                 ("db_cluster_snapshots", ("cluster_snapshots",)), ("db_proxies", ("proxies",)),
                 ("db_parameter_groups", ("parameter_groups",)), ("db_cluster_parameter_groups", ("cluster_parameter_groups",)),
                 ("databases", ("databases",)))


def validate(params):
    """Every problem with the options, as messages naming the option, the value and what is accepted."""
    errors = []
    region = params.get("region")
    if region and not REGION.match(region):
        errors.append("region=%r is not an AWS region name (for example us-east-1, eu-west-2)" % region)
    for name in ("min_backup_retention_days", "certificate_expiry_days", "connect_timeout"):
        value = params.get(name)
        if value is not None and value < 0:
            errors.append("%s=%s must be 0 or more" % (name, value))
    if params.get("min_backup_retention_days") is not None and params["min_backup_retention_days"] > 35:
        errors.append("min_backup_retention_days=%s: RDS keeps automated backups at most 35 days (use 0 to 35)"
                      % params["min_backup_retention_days"])
    for key in params.get("required_tag_keys") or []:
        if not key or key.startswith("aws:"):
            errors.append("required_tag_keys: %r is not a tag key users can set (non-empty, not starting with aws:)" % key)
    bundle = params.get("ca_bundle")
    if params.get("inspect_databases") and bundle and not os.path.isfile(bundle):
        errors.append("ca_bundle=%s does not exist or is not a file (the CA bundle that signs the database certificates)" % bundle)
    return errors


class PostureAudit(object):
    def __init__(self, module):
        self.module = module

    def _session(self):
        params = dict(self.module.params)
        # ca_bundle is the PostgreSQL CA here; the AWS endpoints are verified with aws_ca_bundle.
        params["ca_bundle"] = params.get("aws_ca_bundle")
        try:
            self.module.aws_session = AwsSession(params)
        except AWS_EXCEPTIONS as exc:
            self.module.fail_aws(exc, doing="reading the AWS connection options")

    def run(self):
        errors = validate(self.module.params)
        if errors:
            self.module.fail_json(msg="; ".join(errors), errors=errors)
        self._session()
        region = self.module.aws_session.region
        collector = Collector(self.module, region)
        inventory = Inventory(self.module, collector, self.module.params)
        context = inventory.build()
        findings = controls_fsbp.findings(context) + controls_baseline.findings(context) + database_checks.findings(context)
        findings = sort_findings(findings)
        for warning in collector.warnings:
            self.module.warn(warning)
        resources = dict((name, sum(len(context.get(kind) or []) for kind in kinds)) for name, kinds in RESOURCE_KEYS)
        return dict(changed=False, findings=findings, summary=summarize(findings), resources=resources,
                    account_id=context["account_id"], region=region, requests=collector.requests)
