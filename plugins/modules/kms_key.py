#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kms_key
short_description: Manage a customer managed KMS key for PostgreSQL encryption, with its alias, rotation and key policy
version_added: 0.1.0
description:
  - Creates or updates a customer managed, symmetric KMS key found by its alias, with its description,
    automatic rotation, key policy and tags, in one task.
  - The key policy is built from simple options (O(key_administrators), O(key_users), O(allow_rds),
    O(allow_backup), O(grant_accounts)), so that for example a security account owns the key that
    RDS and AWS Backup in a data account use. An explicit O(policy) can be given instead.
    Policies are compared by meaning (statement, action and principal order do not matter).
  - A key is never deleted at once. O(state=absent) schedules the deletion after
    O(deletion_window_days) days; the key is unusable (disabled) while the deletion is pending.
    O(state=present) on a key pending deletion cancels the deletion, which the diff announces.
author:
  - Innovate platform team (@innovate-platform)
options:
  alias:
    description:
      - The alias that identifies the key, V(alias/NAME) or V(NAME) (the V(alias/) prefix is added).
      - Letters, digits, V(/), V(_) and V(-); the V(alias/aws/) namespace is reserved for AWS managed keys.
    type: str
    required: true
  description:
    description:
      - The description of the key. When not set, an existing key keeps its description and a new
        key gets V(Managed by innovate.aws_postgres).
    type: str
  enabled:
    description:
      - Whether the key can be used.
    type: bool
    default: true
  enable_key_rotation:
    description:
      - Whether KMS rotates the key material automatically.
    type: bool
    default: true
  rotation_period_days:
    description:
      - The number of days between automatic rotations, V(90) to V(2560). When not set, the
        period of an existing key is left as it is and a new key gets AWS's default (365 days).
      - Only with O(enable_key_rotation=true).
    type: int
  key_administrators:
    description:
      - IAM principal ARNs (roles, users, account roots) that may administer the key but not use it
        for cryptography.
      - Setting this or any of O(key_users), O(allow_rds), O(allow_backup), O(grant_accounts) makes
        the module manage the whole key policy. When none of them and no O(policy) is set, the
        policy of an existing key is left as it is (a new key gets the KMS default policy).
      - The built policy always gives the key's own account full access (the statement KMS
        requires so that the key cannot become unmanageable).
    type: list
    elements: str
  key_users:
    description:
      - IAM principal ARNs that may use the key to encrypt and decrypt, and create grants for AWS resources.
    type: list
    elements: str
  allow_rds:
    description:
      - Allow Amazon RDS to use the key (and create the grants it needs for encrypted instances,
        clusters and snapshots) on behalf of principals of the key's account and of O(grant_accounts),
        through C(kms:ViaService) V(rds.REGION.amazonaws.com).
    type: bool
  allow_backup:
    description:
      - Allow AWS Backup to use the key (and create grants) on behalf of principals of the key's
        account and of O(grant_accounts), through C(kms:ViaService) V(backup.REGION.amazonaws.com).
    type: bool
  grant_accounts:
    description:
      - IDs of other AWS accounts whose principals may use the key (encrypt, decrypt, create grants for
        AWS resources), for example the data account that encrypts its databases with a key the
        security account owns. Their own IAM policies must also allow it.
    type: list
    elements: str
  policy:
    description:
      - An explicit key policy (a JSON text or a dict) used instead of the built one. Cannot be
        combined with O(key_administrators), O(key_users), O(allow_rds), O(allow_backup) or O(grant_accounts).
    type: json
  deletion_window_days:
    description:
      - With O(state=absent), the waiting period before KMS deletes the key, V(7) to V(30) days.
    type: int
    default: 30
  state:
    description:
      - V(present) creates or updates the key (and cancels a pending deletion).
      - V(absent) schedules the deletion of the key. The alias stays until the key is deleted.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the result shows the key as it would be.
  diff_mode:
    support: full
    description: The diff shows the description, state, rotation, policy (canonical form), tags and any deletion schedule.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and manages the key through the AWS KMS API.
notes:
  - A run that changes nothing makes four read requests (the key by alias, its policy, its rotation status, its tags).
seealso:
  - module: innovate.aws_postgres.db_secret
  - module: innovate.aws_postgres.rds_instance
"""

EXAMPLES = r"""
- name: Key for the orders databases, usable by RDS and AWS Backup
  innovate.aws_postgres.kms_key:
    alias: alias/orders-db
    description: Encrypts the orders databases, their snapshots and backups
    rotation_period_days: 180
    key_administrators:
      - arn:aws:iam::123456789012:root
    allow_rds: true
    allow_backup: true
    tags:
      team: orders
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599
  register: orders_key

- name: Key owned by the security account and used from the data account
  innovate.aws_postgres.kms_key:
    alias: alias/shared-db
    allow_rds: true
    grant_accounts: ["111111111111"]
    assume_role_arn: arn:aws:iam::222222222222:role/InnovateAutomation
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599

- name: Schedule the deletion of a key that is no longer used
  innovate.aws_postgres.kms_key:
    alias: alias/shared-db
    state: absent
    deletion_window_days: 7
    assume_role_arn: arn:aws:iam::222222222222:role/InnovateAutomation
    region: us-east-1
    endpoint_url: http://127.0.0.1:4599
"""

RETURN = r"""
key:
  description: The key after the run (in check mode, as it would be); V(null) with O(state=absent) when there is no key.
  returned: always
  type: dict
  contains:
    key_id:
      description: The key ID; V(null) for a key that check mode would create.
      type: str
      sample: 1234abcd-12ab-34cd-56ef-1234567890ab
    arn:
      description: The key ARN; V(null) for a key that check mode would create.
      type: str
      sample: arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab
    alias:
      description: The alias, with its V(alias/) prefix.
      type: str
      sample: alias/orders-db
    description:
      description: The key description.
      type: str
    enabled:
      description: Whether the key can be used.
      type: bool
    key_state:
      description: The KMS key state, for example V(Enabled), V(Disabled) or V(PendingDeletion).
      type: str
    deletion_date:
      description: When KMS deletes the key, for a key pending deletion.
      type: str
    policy:
      description: The key policy document.
      type: dict
    rotation:
      description: Automatic rotation, C(enabled) and C(period_days).
      type: dict
      sample: {enabled: true, period_days: 180}
    tags:
      description: The key's tags.
      type: dict
actions:
  description: The KMS changes made (or, in check mode, that would be made), in order.
  returned: when O(state=present)
  type: list
  elements: str
  sample: [cancel_deletion, enable, policy]
deletion_window_days:
  description: The waiting period of a deletion scheduled by this run.
  returned: when this run schedules a deletion
  type: int
  sample: 30
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.kms_key.converge import KmsKeyConverger

ARGUMENT_SPEC = dict(
    alias=dict(type="str", required=True),
    description=dict(type="str"),
    enabled=dict(type="bool", default=True),
    enable_key_rotation=dict(type="bool", default=True),
    rotation_period_days=dict(type="int"),
    key_administrators=dict(type="list", elements="str", no_log=False),
    key_users=dict(type="list", elements="str", no_log=False),
    allow_rds=dict(type="bool"),
    allow_backup=dict(type="bool"),
    grant_accounts=dict(type="list", elements="str"),
    policy=dict(type="json"),
    deletion_window_days=dict(type="int", default=30),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.exit_json(**KmsKeyConverger(module).run())


if __name__ == "__main__":
    main()
