# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rotate a managed master password (``RotateMasterUserPassword``) and wait until the secret holds the new one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, AwsWaitTimeout
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.waiters import poll_until
from ansible_collections.innovate.aws_postgres.plugins.module_utils.master_password.api import Target, current_version


def _target(params):
    if params.get("db_instance_identifier"):
        return Target("instance", params["db_instance_identifier"])
    return Target("cluster", params["db_cluster_identifier"])


def run(module):
    params = module.params
    target = _target(params)
    rds = module.client("rds")
    secrets = module.client("secretsmanager")
    try:
        record = target.describe(rds)
    except AWS_EXCEPTIONS as exc:
        module.fail_aws(exc, doing="describing %s" % target.what)
    if record is None:
        module.fail_json(msg="%s does not exist; give the identifier of an existing %s" % (
            target.what, "instance (db_instance_identifier)" if target.kind == "instance" else "Aurora cluster (db_cluster_identifier)"))
    summary = target.summary(record)
    if not summary["secret_arn"]:
        module.fail_json(msg="%s has no master password managed in Secrets Manager; enable manage_master_user_password "
                             "(rds_instance / aurora_cluster) before rotating it this way" % target.what)
    try:
        previous = current_version(secrets, summary["secret_arn"])
    except AWS_EXCEPTIONS as exc:
        module.fail_aws(exc, doing="reading the versions of %s" % summary["secret_arn"])
    result = dict(changed=params["rotate"], identifier=target.identifier, kind=target.kind, previous_version_id=previous, version_id=None, **summary)
    if module.check_mode or not params["rotate"]:
        return result
    if summary["status"] != "available":
        module.fail_json(msg="%s is %s; the master password can only be rotated while it is available" % (target.what, summary["status"]),
                         **result)
    try:
        target.rotate(rds)
    except AWS_EXCEPTIONS as exc:
        module.fail_aws(exc, doing="rotating the master password of %s" % target.what)
    if not params["wait"]:
        return result

    def observe():
        return dict(version=current_version(secrets, summary["secret_arn"]), record=target.describe(rds))

    def done(observed):
        return observed["version"] != previous and target.summary(observed["record"] or {})["status"] == "available"

    try:
        observed = poll_until(observe, done, params["wait_timeout"], what="the new master password of %s" % target.what,
                              state_of=lambda o: "secret version %s, status %s" % (
                                  o["version"], target.summary(o["record"] or {})["status"]))
    except AwsWaitTimeout as exc:
        module.fail_json(msg=str(exc), **result)
    except AWS_EXCEPTIONS as exc:
        module.fail_aws(exc, doing="waiting for the rotation of %s" % target.what)
    result.update(version_id=observed["version"], status=target.summary(observed["record"])["status"])
    return result
