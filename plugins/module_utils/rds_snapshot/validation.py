# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Input checks of ``rds_snapshot``, made before any request; every problem is reported at once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_SNAPSHOT_ID = re.compile(r"^[a-z](?:[a-z0-9]|-(?!-))*$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d$")
_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
                  r"(?P<type>snapshot|cluster-snapshot):(?P<id>[^:]+)$")

SNAPSHOT_RULE = "1 to 255 letters, digits and hyphens, starting with a letter, without a trailing hyphen or two consecutive hyphens"
SOURCE_RULE = "1 to 63 letters, digits and hyphens, starting with a letter, without a trailing hyphen or two consecutive hyphens"


def valid_identifier(value, longest, automated=False):
    """Whether ``value`` is a valid identifier; with ``automated``, an automated snapshot's ``rds:NAME`` too."""
    value = (value or "").lower()
    if automated and value.startswith("rds:"):
        value = value[4:]
    return 0 < len(value) <= longest and bool(_SNAPSHOT_ID.match(value)) and not value.endswith("-")


def parse_snapshot_arn(value):
    """``dict(partition, region, account, kind, identifier)`` for a DB or DB cluster snapshot ARN, else None."""
    match = _ARN.match(value or "")
    if not match:
        return None
    kind = "cluster" if match.group("type") == "cluster-snapshot" else "instance"
    return dict(partition=match.group("partition"), region=match.group("region"), account=match.group("account"),
                kind=kind, identifier=match.group("id"))


def _identifier_errors(params):
    errors = []
    snapshot = params.get("snapshot_identifier")
    if snapshot is not None and not valid_identifier(snapshot, 255, automated=True):
        errors.append("snapshot_identifier: %r is not a valid snapshot identifier; use %s" % (snapshot, SNAPSHOT_RULE))
    for option in ("db_instance_identifier", "db_cluster_identifier"):
        value = params.get(option)
        if value is not None and not valid_identifier(value, 63):
            errors.append("%s: %r is not a valid identifier; use %s" % (option, value, SOURCE_RULE))
    source = params.get("source_snapshot")
    if source is not None and not parse_snapshot_arn(source) and not valid_identifier(source, 255, automated=True):
        errors.append("source_snapshot: %r is neither a snapshot ARN (arn:aws:rds:REGION:ACCOUNT:snapshot:ID or :cluster-snapshot:ID) "
                      "nor a snapshot identifier (%s)" % (source, SNAPSHOT_RULE))
    region = params.get("source_region")
    if region is not None and not _REGION.match(region):
        errors.append("source_region: %r is not a region name such as us-west-2" % (region,))
    arn = parse_snapshot_arn(source)
    if arn and region and arn["region"] != region:
        errors.append("source_region: %s differs from the region of source_snapshot (%s); leave source_region out or make "
                      "them agree" % (region, arn["region"]))
    return errors


def _mode_errors(params):
    errors = []
    mode = params.get("mode")
    has_source = params.get("db_instance_identifier") or params.get("db_cluster_identifier")
    if mode == "prune":
        if not has_source:
            errors.append("mode=prune needs db_instance_identifier or db_cluster_identifier (whose manual snapshots are pruned)")
        if not params.get("name_prefix"):
            errors.append("mode=prune needs name_prefix: only the manual snapshots whose identifier starts with it are pruned")
        if params.get("keep_count") is None and params.get("keep_days") is None:
            errors.append("mode=prune needs keep_count, keep_days or both (what to keep)")
        for option in ("snapshot_identifier", "source_snapshot", "shared_accounts", "tags", "kms_key_id"):
            if params.get(option) is not None:
                errors.append("%s: not used with mode=prune (which only deletes old snapshots); leave it out" % option)
    else:
        if not params.get("snapshot_identifier"):
            errors.append("snapshot_identifier is required with mode=snapshot")
        for option in ("name_prefix", "keep_count", "keep_days"):
            if params.get(option) is not None:
                errors.append("%s: only used with mode=prune" % option)
        creates = params.get("db_instance_identifier") or params.get("db_cluster_identifier") or params.get("source_snapshot")
        if params.get("state") == "present" and creates and (params.get("snapshot_identifier") or "").lower().startswith("rds:"):
            errors.append("snapshot_identifier: the prefix 'rds:' is reserved for automated snapshots; a manual snapshot needs %s"
                          % SNAPSHOT_RULE)
        if params.get("state") == "absent":
            for option in ("source_snapshot", "shared_accounts", "tags", "kms_key_id"):
                if params.get(option) is not None:
                    errors.append("%s: not used with state=absent (which deletes the snapshot); leave it out" % option)
    keep_count = params.get("keep_count")
    if keep_count is not None and keep_count < 1:
        errors.append("keep_count: %s is not accepted; keep at least 1 snapshot (to prune by age only, set keep_days alone)"
                      % keep_count)
    keep_days = params.get("keep_days")
    if keep_days is not None and keep_days < 1:
        errors.append("keep_days: %s is not accepted; give a number of days of at least 1" % keep_days)
    if params.get("source_region") and not params.get("source_snapshot"):
        errors.append("source_region is only used with source_snapshot (a copy)")
    if params.get("kms_key_id") is not None and not params.get("source_snapshot"):
        errors.append("kms_key_id is only used with source_snapshot (a copy is encrypted with it); a new snapshot keeps the key "
                      "of its instance or cluster")
    if params.get("copy_tags") and not params.get("source_snapshot"):
        errors.append("copy_tags is only used with source_snapshot (a copy)")
    timeout = params.get("wait_timeout")
    if timeout is not None and timeout < 1:
        errors.append("wait_timeout: %s is not accepted; give a number of seconds of at least 1" % timeout)
    return errors


def _account_errors(params):
    errors = []
    for account in params.get("shared_accounts") or []:
        if str(account).lower() == "all":
            errors.append("shared_accounts: 'all' (a public snapshot) is not offered; name the 12-digit account ids to share with")
        elif not _ACCOUNT.match(str(account)):
            errors.append("shared_accounts: %r is not an AWS account id (12 digits)" % (account,))
    return errors


def input_errors(params):
    """Every problem with the task's options (an empty list when there is none)."""
    return _identifier_errors(params) + _mode_errors(params) + _account_errors(params)
