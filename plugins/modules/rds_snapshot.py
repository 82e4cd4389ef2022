#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_snapshot
short_description: Manual RDS snapshots - create, copy across regions, share with accounts, prune, delete
version_added: 0.1.0
description:
  - Takes a manual snapshot of a DB instance (O(db_instance_identifier)) or an Aurora DB cluster
    (O(db_cluster_identifier)), copies a snapshot (O(source_snapshot)) within the region or from another region,
    re-encrypted with a KMS key of the copy's region (O(kms_key_id)), shares a snapshot with other AWS accounts
    (O(shared_accounts)) and keeps its tags, in one task.
  - A snapshot cannot change. An existing snapshot with the same identifier is left as it is when it matches the task
    (same instance or cluster, same source snapshot, same key); a difference fails with an explanation.
  - O(state=absent) deletes a manual snapshot. Automated snapshots belong to RDS and cannot be deleted; asking to fails.
  - O(mode=prune) applies a retention rule to the manual snapshots of one instance or cluster whose identifier starts
    with O(name_prefix) - it keeps the O(keep_count) newest and those younger than O(keep_days) days and deletes the
    others. With O(prune_dry_run=true) or in check mode it only lists what it would delete (RV(deleted)).
  - Snapshots encrypted with the AWS managed key C(aws/rds) cannot be shared (AWS refuses it); the task fails before
    any change and explains to copy the snapshot with a customer managed key first.
author:
  - Innovate platform team (@innovate-platform)
options:
  mode:
    description:
      - V(snapshot) manages the snapshot O(snapshot_identifier) (see O(state)).
      - V(prune) deletes old manual snapshots of O(db_instance_identifier) or O(db_cluster_identifier) (see
        O(name_prefix), O(keep_count), O(keep_days)).
    type: str
    choices: [snapshot, prune]
    default: snapshot
  state:
    description:
      - With O(mode=snapshot), V(present) creates (or copies) the snapshot when it does not exist and converges its
        sharing and tags; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  snapshot_identifier:
    description:
      - The identifier of the snapshot (stored in lower case). Required with O(mode=snapshot).
      - 1 to 255 letters, digits and hyphens, starting with a letter, without a trailing hyphen or two consecutive
        hyphens.
    type: str
    aliases: [db_snapshot_identifier, db_cluster_snapshot_identifier]
  db_instance_identifier:
    description:
      - The DB instance to snapshot (when the snapshot does not exist yet), or whose snapshots O(mode=prune) prunes.
      - An existing snapshot must have been taken from it.
    type: str
  db_cluster_identifier:
    description:
      - The Aurora DB cluster to snapshot (a DB cluster snapshot), or whose cluster snapshots O(mode=prune) prunes.
    type: str
  source_snapshot:
    description:
      - Makes the snapshot a copy of this snapshot when it does not exist. In the same region its identifier or ARN;
        in another region its ARN (or its identifier with O(source_region)).
      - A snapshot of another account that account shared with this one (its C(restore) attribute) is given by its ARN;
        it is found among the snapshots shared with this account (C(SnapshotType=shared)). When it is encrypted,
        O(kms_key_id) (a key of this account) is required, and its own key must be a customer managed key whose policy
        lets this account use it (RDS refuses the copy otherwise).
      - A DB cluster snapshot is recognised by its ARN (C(:cluster-snapshot:)) or found by its identifier.
      - The source must be available (with O(wait=true) the task waits for it).
    type: str
  source_region:
    description:
      - The region of O(source_snapshot), when it is given by identifier. Taken from the ARN otherwise.
    type: str
  kms_key_id:
    description:
      - The KMS key of the copy (key ARN, key id, alias or alias ARN), a key of the task's region.
      - Required to copy an encrypted snapshot from another region (a KMS key belongs to one region). Within a region
        the copy keeps the source's key when not set.
      - An existing copy encrypted with another key fails (the key of a snapshot cannot change).
    type: str
  copy_tags:
    description:
      - Whether a copy gets the tags of its source snapshot (when O(tags) is not set).
    type: bool
    default: false
  shared_accounts:
    description:
      - The AWS accounts (12-digit ids) that may restore the snapshot (its C(restore) attribute). When not set,
        sharing is left as it is.
      - Public snapshots (C(all)) are not offered.
      - Sharing a snapshot encrypted with the AWS managed key C(aws/rds) fails; encrypt a copy with a customer managed
        key whose policy grants those accounts (see M(innovate.aws_postgres.kms_key)) and share the copy.
    type: list
    elements: str
  purge_shared_accounts:
    description:
      - Whether accounts that are not in O(shared_accounts) lose access. Has no effect when O(shared_accounts) is not set.
    type: bool
    default: true
  name_prefix:
    description:
      - With O(mode=prune), only manual snapshots whose identifier starts with this prefix are considered (required,
        so that snapshots made by other tools or by hand are never pruned).
    type: str
  keep_count:
    description:
      - With O(mode=prune), the number of newest snapshots to keep (at least 1).
    type: int
  keep_days:
    description:
      - With O(mode=prune), snapshots younger than this many days are kept.
      - With O(keep_count) as well, a snapshot is kept when either rule keeps it.
    type: int
  prune_dry_run:
    description:
      - With O(mode=prune), only list what would be deleted (RV(deleted)); the task reports no change.
    type: bool
    default: false
  wait:
    description:
      - Whether to wait until a new snapshot is available (C(creating) -> C(available)) or a deleted one is gone.
      - Sharing always waits for the snapshot to be available, as RDS requires.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait at most, for each wait.
    type: int
    default: 1800
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the result shows the changes that would be made (for O(mode=prune), the
      snapshots that would be deleted).
  diff_mode:
    support: full
    description: The diff shows the snapshot (source, key, shared accounts, tags) before and after.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and manages snapshots through the AWS RDS API.
notes:
  - A cross-region copy is requested in the task's region (O(region)) from the source's region; boto3 signs the
    pre-signed URL RDS needs.
  - Copying a snapshot shared by another account needs its ARN; this module reads it among the snapshots shared with
    this account first and fails, before any change, when it is not shared (or does not exist). Cross-account copies are
    made within one region.
seealso:
  - module: innovate.aws_postgres.rds_instance
  - module: innovate.aws_postgres.kms_key
  - module: innovate.aws_postgres.backup_plan
"""

EXAMPLES = r"""
- name: Take a manual snapshot before a change
  innovate.aws_postgres.rds_snapshot:
    snapshot_identifier: orders-db-before-upgrade
    db_instance_identifier: orders-db
    tags:
      reason: upgrade

- name: Copy it to the DR region, re-encrypted with that region's key, and share it with the backup account
  innovate.aws_postgres.rds_snapshot:
    region: us-west-2
    snapshot_identifier: orders-db-before-upgrade
    source_snapshot: arn:aws:rds:us-east-1:111111111111:snapshot:orders-db-before-upgrade
    kms_key_id: alias/orders-db-rds
    copy_tags: true
    shared_accounts: ["333333333333"]

- name: In the nonprod account, copy a snapshot the data account shared with it, encrypted with a nonprod key
  innovate.aws_postgres.rds_snapshot:
    assume_role_arn: arn:aws:iam::555555555555:role/InnovateAutomation
    snapshot_identifier: orders-db-restore-test
    source_snapshot: arn:aws:rds:us-east-1:111111111111:snapshot:orders-db-restore-test
    kms_key_id: alias/restore-test-rds

- name: Snapshot an Aurora cluster
  innovate.aws_postgres.rds_snapshot:
    snapshot_identifier: reports-nightly-20250301
    db_cluster_identifier: reports

- name: See which nightly snapshots a 7-copy, 14-day rule would delete
  innovate.aws_postgres.rds_snapshot:
    mode: prune
    db_instance_identifier: orders-db
    name_prefix: orders-db-nightly-
    keep_count: 7
    keep_days: 14
    prune_dry_run: true
  register: would_prune

- name: Delete a manual snapshot
  innovate.aws_postgres.rds_snapshot:
    snapshot_identifier: orders-db-before-upgrade
    state: absent
"""

RETURN = r"""
snapshot:
  description:
    - The snapshot after the run as DescribeDBSnapshots (or DescribeDBClusterSnapshots) reports it, in snake_case,
      with C(tags) as a dict.
    - V(null) when it does not exist (after O(state=absent), in check mode before a creation, and with O(mode=prune)).
  returned: always
  type: dict
  sample:
    db_snapshot_identifier: orders-db-before-upgrade
    db_instance_identifier: orders-db
    status: available
    snapshot_type: manual
    encrypted: true
    kms_key_id: arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab
    tags: {reason: upgrade}
shared_accounts:
  description: The accounts the snapshot is shared with after the run (or, in check mode, would be).
  returned: always
  type: list
  elements: str
  sample: ["333333333333"]
changes:
  description:
    - What changed (or, in check mode, would change), in order. Each item has an C(action) - V(create), V(copy),
      V(tag) (C(set), C(remove)), V(share) (C(add), C(remove)) or V(delete) - and its details.
  returned: always
  type: list
  elements: dict
  sample:
    - {action: copy, snapshot: orders-db-before-upgrade, source: "arn:aws:rds:us-east-1:111111111111:snapshot:orders-db-before-upgrade",
       source_region: us-east-1, kms_key_id: "arn:aws:kms:us-west-2:111111111111:key/1234abcd", copy_tags: true}
    - {action: share, add: ["333333333333"], remove: []}
deleted:
  description:
    - With O(mode=prune), the snapshots deleted, newest first - or, in check mode and with O(prune_dry_run=true), the
      snapshots that would be deleted.
  returned: when O(mode=prune)
  type: list
  elements: str
  sample: [orders-db-nightly-20250201, orders-db-nightly-20250131]
kept:
  description: With O(mode=prune), the available snapshots the rule keeps, newest first.
  returned: when O(mode=prune)
  type: list
  elements: str
skipped:
  description: With O(mode=prune), the matching snapshots that are not available (being created or copied); never deleted.
  returned: when O(mode=prune)
  type: list
  elements: str
dry_run:
  description: With O(mode=prune), whether nothing was deleted because of check mode or O(prune_dry_run).
  returned: when O(mode=prune)
  type: bool
rule:
  description: With O(mode=prune), the retention rule applied, in words.
  returned: when O(mode=prune)
  type: str
  sample: "manual snapshots starting with 'orders-db-nightly-': keep the 7 newest and those younger than 14 days"
errors:
  description: Every problem found with the task, when it fails before any change.
  returned: on failure
  type: list
  elements: str
applied_changes:
  description: The requests already made when a later one failed; the next run converges the rest.
  returned: on failure after a change
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_snapshot.converge import SnapshotConverger

ARGUMENT_SPEC = dict(
    mode=dict(type="str", choices=["snapshot", "prune"], default="snapshot"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    snapshot_identifier=dict(type="str", aliases=["db_snapshot_identifier", "db_cluster_snapshot_identifier"]),
    db_instance_identifier=dict(type="str"),
    db_cluster_identifier=dict(type="str"),
    source_snapshot=dict(type="str"),
    source_region=dict(type="str"),
    kms_key_id=dict(type="str"),
    copy_tags=dict(type="bool", default=False),
    shared_accounts=dict(type="list", elements="str"),
    purge_shared_accounts=dict(type="bool", default=True),
    name_prefix=dict(type="str"),
    keep_count=dict(type="int"),
    keep_days=dict(type="int"),
    prune_dry_run=dict(type="bool", default=False),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=1800),
)
MUTUALLY_EXCLUSIVE = [["db_instance_identifier", "db_cluster_identifier"], ["db_instance_identifier", "source_snapshot"],
                      ["db_cluster_identifier", "source_snapshot"]]
REQUIRED_IF = [["mode", "snapshot", ["snapshot_identifier"]], ["mode", "prune", ["name_prefix"]]]


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, required_if=REQUIRED_IF,
                       supports_check_mode=True)
    module.exit_json(**SnapshotConverger(module).run())


if __name__ == "__main__":
    main()
