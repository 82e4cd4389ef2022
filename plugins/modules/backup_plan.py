#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: backup_plan
short_description: Manage an AWS Backup vault, backup plan and resource selection in one task
version_added: 0.1.0
description:
  - Converges, in one task, an AWS Backup vault (KMS key, access policy, Vault Lock, tags), a backup
    plan found by its name (rules with schedule and time zone, start and completion windows,
    lifecycle with cold storage, continuous backup for point-in-time restore, recovery point tags,
    copy actions to vaults in other regions and accounts) and the plan's resource selection
    (IAM role, resource ARNs, excluded ARNs, tag conditions).
  - Any of the three parts can be left out. A vault in another account or region, for example the
    destination of a copy action, is managed by a task with only O(vault) and that account's
    O(assume_role_arn) or that O(region).
  - Idempotent where other tools are not. The defaults AWS fills in (schedule V(cron(0 5 ? * * *)),
    time zone V(Etc/UTC), 480 and 10080 minute windows) and the empty values it answers with (an
    empty lifecycle, a copy action's empty lifecycle, empty condition lists, false flags) compare
    equal to options that were not set; rule, copy action, resource and condition order does not
    matter; access policies are compared by meaning.
  - AWS Backup selections cannot be changed. A selection whose settings differ from the task is
    replaced (deleted, then created with the same name); the diff and RV(actions) say so.
  - Inputs are checked before any request against AWS Backup's rules (names, six-field cron
    schedules at most hourly, IANA time zones, windows, at least 90 days in cold storage before
    deletion, 1 to 35 days for continuous backups, ARNs), and against the target vaults (which must
    exist and whose Vault Lock must accept each rule's retention). All problems are reported at once
    and nothing is changed.
author:
  - Innovate platform team (@innovate-platform)
options:
  vault:
    description:
      - The backup vault to create or update. When not set, no vault is managed and every rule needs
        O(plan.rules[].target_vault).
    type: dict
    suboptions:
      name:
        description:
          - The vault name, 2 to 50 letters, digits, V(-) or V(_). Unique per account and region.
        type: str
        required: true
      kms_key_arn:
        description:
          - The ARN of the KMS key that encrypts the vault's recovery points (an alias is not accepted).
          - Only used when the vault is created; a vault's key cannot be changed, so a different key
            for an existing vault fails with a message.
          - When not set, a new vault uses the account's AWS managed key C(aws/backup).
        type: str
      access_policy:
        description:
          - The vault's resource-based access policy (JSON text or a dict), for example allowing
            another account to copy into this vault with C(backup:CopyIntoBackupVault).
          - Compared by meaning (statement, action and principal order do not matter).
          - When not set, the vault's policy is left as it is. An empty value (V({}) or V("")) removes it.
        type: json
      lock:
        description:
          - AWS Backup Vault Lock on the vault. When not set, the lock is left as it is.
          - Without O(vault.lock.changeable_for_days) the lock is in governance mode (it can be changed
            later); with it, in compliance mode, it can be changed only during that many days, after
            which AWS refuses every change or removal.
          - Lowering a lock (a lower O(vault.lock.min_retention_days) or
            O(vault.lock.max_retention_days), compliance mode to governance mode, or removal) is refused
            unless O(vault.lock.allow_lowering=true). A lock whose grace time is over cannot be changed
            at all; the task then fails before any change and says so.
          - AWS does not report C(ChangeableForDays) back; a compliance-mode lock is compared by its
            retention settings only, so a re-run with the same options does not restart the grace time.
        type: dict
        suboptions:
          state:
            description:
              - V(present) puts the lock; V(absent) removes it (a lowering, see O(vault.lock.allow_lowering)).
            type: str
            choices: [present, absent]
            default: present
          min_retention_days:
            description:
              - The shortest retention a recovery point in the vault may have, 1 to 36500 days.
            type: int
          max_retention_days:
            description:
              - The longest retention a recovery point in the vault may have, 1 to 36500 days.
            type: int
          changeable_for_days:
            description:
              - Compliance mode; the number of days (at least 3) during which the lock can still be
                changed or removed.
            type: int
          allow_lowering:
            description:
              - Allow the task to lower or remove a lock that can still be changed.
            type: bool
            default: false
  plan:
    description:
      - The backup plan, found by its name. When not set, no plan is managed.
    type: dict
    suboptions:
      name:
        description:
          - The plan name, 1 to 50 letters, digits, V(-), V(_) or V(.). It must identify one plan.
        type: str
        required: true
      rules:
        description:
          - The plan's rules; the plan gets exactly these (a rule not listed is removed from the plan).
          - Required with O(state=present).
        type: list
        elements: dict
        suboptions:
          name:
            description:
              - The rule name, unique within the plan.
            type: str
            required: true
          target_vault:
            description:
              - The name of the vault (in the task's account and region) the rule's backups go to.
                Default O(vault.name). The vault must exist or be created by this task.
            type: str
          schedule_expression:
            description:
              - When the rule runs, as a six-field cron expression
                C(cron(minutes hours day-of-month month day-of-week year)), for example
                V(cron(0 5 ? * * *)) for every day at 05:00. The minutes field is one number
                (AWS Backup runs a rule at most once an hour) and exactly one of day-of-month and
                day-of-week is V(?).
              - When not set, AWS's default V(cron(0 5 ? * * *)).
            type: str
            aliases: [schedule]
          schedule_expression_timezone:
            description:
              - The IANA time zone of O(plan.rules[].schedule_expression), default V(Etc/UTC).
            type: str
            aliases: [timezone]
          start_window_minutes:
            description:
              - Minutes after the scheduled time within which a job must start, at least 60 (default 480).
            type: int
          completion_window_minutes:
            description:
              - Minutes after the scheduled time within which a job must complete, at least 60 more
                than the start window (default 10080).
            type: int
          lifecycle:
            description:
              - When recovery points move to cold storage and when they are deleted. When not set
                (or empty), they are kept forever.
            type: dict
            suboptions:
              move_to_cold_storage_after_days:
                description:
                  - Days after creation until the recovery point moves to cold storage (for resource
                    types that support it; RDS does not).
                type: int
              delete_after_days:
                description:
                  - Days after creation until the recovery point is deleted. With cold storage, at least
                    90 more than O(plan.rules[].lifecycle.move_to_cold_storage_after_days).
                type: int
              opt_in_to_archive_for_supported_resources:
                description:
                  - Move to the archive tier the resources that support it.
                type: bool
          enable_continuous_backup:
            description:
              - Continuous backups for point-in-time restore (PITR). They are kept 1 to 35 days
                (O(plan.rules[].lifecycle.delete_after_days) is required) and never go to cold storage.
            type: bool
            default: false
          recovery_point_tags:
            description:
              - Tags given to each recovery point the rule creates.
            type: dict
          copy_actions:
            description:
              - Copies of each recovery point to other vaults, in other regions or accounts. The
                destination vault must allow the copy (in another account, through its access policy).
            type: list
            elements: dict
            suboptions:
              destination_vault_arn:
                description:
                  - The ARN of the destination vault,
                    V(arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME).
                type: str
                required: true
              lifecycle:
                description:
                  - The lifecycle of the copies, with the same keys as O(plan.rules[].lifecycle).
                    When not set, the copies keep the source's lifecycle.
                type: dict
                suboptions:
                  move_to_cold_storage_after_days:
                    description: Days after creation until the copy moves to cold storage.
                    type: int
                  delete_after_days:
                    description: Days after creation until the copy is deleted.
                    type: int
                  opt_in_to_archive_for_supported_resources:
                    description: Move to the archive tier the resources that support it.
                    type: bool
  selection:
    description:
      - The plan's resource selection (requires O(plan)). AWS Backup selections cannot be modified;
        a selection with this name whose settings differ is replaced.
      - When not set, the plan's selections are left as they are.
    type: dict
    suboptions:
      name:
        description:
          - The selection name, 1 to 50 letters, digits, V(-), V(_) or V(.).
        type: str
        required: true
      iam_role_arn:
        description:
          - The IAM role AWS Backup assumes to back up the selected resources.
        type: str
        required: true
      resources:
        description:
          - ARNs of the resources to back up (V(*) and wildcards allowed), for example
            V(arn:aws:rds:us-east-1:111111111111:db:orders).
        type: list
        elements: str
      not_resources:
        description:
          - ARNs excluded from the selection.
        type: list
        elements: str
      list_of_tags:
        description:
          - Resources with any of these tags are selected (OR).
        type: list
        elements: dict
        suboptions:
          key:
            description: The tag key.
            type: str
            required: true
          value:
            description: The tag value.
            type: str
            required: true
          type:
            description: The condition type; AWS accepts only V(STRINGEQUALS).
            type: str
            choices: [STRINGEQUALS]
            default: STRINGEQUALS
      conditions:
        description:
          - Tag conditions that every selected resource must meet (AND), each a list of
            C(key)/C(value) pairs; keys are like V(aws:ResourceTag/backup).
        type: dict
        suboptions:
          string_equals:
            description: The tag must equal the value.
            type: list
            elements: dict
            suboptions:
              key:
                description: The condition key, for example V(aws:ResourceTag/backup).
                type: str
                required: true
              value:
                description: The value.
                type: str
                required: true
          string_not_equals:
            description: The tag must not equal the value.
            type: list
            elements: dict
            suboptions:
              key:
                description: The condition key.
                type: str
                required: true
              value:
                description: The value.
                type: str
                required: true
          string_like:
            description: The tag must match the value (V(*) wildcards).
            type: list
            elements: dict
            suboptions:
              key:
                description: The condition key.
                type: str
                required: true
              value:
                description: The pattern.
                type: str
                required: true
          string_not_like:
            description: The tag must not match the value.
            type: list
            elements: dict
            suboptions:
              key:
                description: The condition key.
                type: str
                required: true
              value:
                description: The pattern.
                type: str
                required: true
  purge_selections:
    description:
      - With O(selection), delete the plan's other selections (those with another name).
    type: bool
    default: true
  delete_vault:
    description:
      - With O(state=absent), also delete O(vault.name). AWS Backup deletes only empty vaults; a vault
        that still holds recovery points makes the task fail before any change.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates what the task names.
      - V(absent) deletes the plan's selections and the plan, and the vault when O(delete_vault=true).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the result and the diff show the vault, plan and selection as they would be.
  diff_mode:
    support: full
    description: The diff shows the vault (policy in canonical form, lock, tags), the plan's rules in canonical form and its selections.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and uses the AWS Backup API.
notes:
  - O(tags) apply to the vault and the plan the task manages.
  - AWS Backup's configuration calls take effect at once; there is nothing to wait for, so the module has no C(wait) option.
  - A run that changes nothing reads the vault, its access policy and tags, the plan list, the plan and its tags, and
    each selection of the plan.
seealso:
  - module: innovate.aws_postgres.kms_key
  - module: innovate.aws_postgres.rds_instance
  - name: AWS Backup Vault Lock
    description: Governance and compliance modes of Vault Lock.
    link: https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
"""

EXAMPLES = r"""
- name: Vault in the backup account that the data account may copy into
  innovate.aws_postgres.backup_plan:
    vault:
      name: orders-dr
      kms_key_arn: "{{ dr_key_arn }}"
      access_policy:
        Version: "2012-10-17"
        Statement:
          - Sid: AllowCopyFromDataAccount
            Effect: Allow
            Principal: {AWS: "arn:aws:iam::111111111111:root"}
            Action: backup:CopyIntoBackupVault
            Resource: "*"
    assume_role_arn: arn:aws:iam::333333333333:role/InnovateAutomation
    region: us-east-1

- name: Daily, weekly and monthly tiers with PITR and copies to another region and account
  innovate.aws_postgres.backup_plan:
    vault:
      name: orders
      kms_key_arn: "{{ backup_key_arn }}"
      lock:
        min_retention_days: 7
        max_retention_days: 400
    plan:
      name: orders-tiers
      rules:
        - name: daily
          schedule_expression: cron(0 5 ? * * *)
          schedule_expression_timezone: America/New_York
          lifecycle: {delete_after_days: 14}
          copy_actions:
            - destination_vault_arn: arn:aws:backup:us-west-2:111111111111:backup-vault:orders-west
              lifecycle: {delete_after_days: 14}
        - name: weekly
          schedule_expression: cron(0 6 ? * SUN *)
          lifecycle: {delete_after_days: 56}
          copy_actions:
            - destination_vault_arn: arn:aws:backup:us-east-1:333333333333:backup-vault:orders-dr
        - name: monthly
          schedule_expression: cron(0 7 1 * ? *)
          lifecycle: {delete_after_days: 365}
        - name: pitr
          enable_continuous_backup: true
          lifecycle: {delete_after_days: 14}
    selection:
      name: orders-databases
      iam_role_arn: arn:aws:iam::111111111111:role/service-role/AWSBackupDefaultServiceRole
      resources:
        - arn:aws:rds:us-east-1:111111111111:db:orders
      conditions:
        string_equals:
          - {key: "aws:ResourceTag/backup", value: "tiers"}
    tags:
      team: orders
    region: us-east-1

- name: Remove the plan and its selection, and the vault when it is empty
  innovate.aws_postgres.backup_plan:
    plan: {name: orders-tiers}
    vault: {name: orders}
    delete_vault: true
    state: absent
    region: us-east-1
"""

RETURN = r"""
vault:
  description: The vault after the run (in check mode, as it would be); V(null) when the task manages no vault or with O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: The vault name.
      type: str
    arn:
      description: The vault ARN; V(null) for a vault that check mode would create.
      type: str
    kms_key_arn:
      description: The encryption key of the vault.
      type: str
    access_policy:
      description: The access policy (canonical form), or V(null).
      type: dict
    lock:
      description: The Vault Lock, or V(null) when the vault is not locked.
      type: dict
      contains:
        min_retention_days:
          description: Minimum retention.
          type: int
        max_retention_days:
          description: Maximum retention.
          type: int
        lock_date:
          description: When a compliance-mode lock becomes unchangeable; V(null) in governance mode.
          type: str
        immutable:
          description: Whether that date has passed (the lock can no longer change).
          type: bool
    recovery_points:
      description: The number of recovery points in the vault.
      type: int
    tags:
      description: The vault's tags.
      type: dict
plan:
  description: The plan after the run; V(null) when the task manages no plan or with O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: The plan name.
      type: str
    id:
      description: The plan ID; V(null) for a plan that check mode would create.
      type: str
    arn:
      description: The plan ARN.
      type: str
    version_id:
      description: The plan version, new after each update.
      type: str
    rules:
      description:
        - The rules in canonical form (defaults filled in, empty values left out), sorted by name, with keys
          C(rule_name), C(target_backup_vault_name), C(schedule_expression), C(schedule_expression_timezone),
          C(start_window_minutes), C(completion_window_minutes) and, when set, C(lifecycle), C(enable_continuous_backup),
          C(recovery_point_tags), C(copy_actions).
      type: list
      elements: dict
    tags:
      description: The plan's tags.
      type: dict
selection:
  description: The selection after the run; V(null) when the task manages none.
  returned: always
  type: dict
  contains:
    name:
      description: The selection name.
      type: str
    id:
      description: The selection ID (new after a replacement); V(null) in check mode when it would be created.
      type: str
    iam_role_arn:
      description: The IAM role.
      type: str
    resources:
      description: Selected ARNs, sorted.
      type: list
      elements: str
    not_resources:
      description: Excluded ARNs, sorted.
      type: list
      elements: str
    list_of_tags:
      description: Tag conditions (OR), with C(condition_type), C(condition_key), C(condition_value).
      type: list
      elements: dict
    conditions:
      description: Tag conditions (AND) by kind (C(string_equals)...), only the kinds that are set.
      type: dict
actions:
  description:
    - The changes made (in check mode, that would be made), in order, for example V(create_vault),
      V(put_vault_access_policy), V(put_vault_lock), V(delete_vault_lock), V(tag_vault), V(create_plan),
      V(update_plan), V(tag_plan), V(delete_selection NAME (replaced)), V(replace_selection NAME),
      V(create_selection NAME), V(delete_plan), V(delete_vault).
  returned: always
  type: list
  elements: str
  sample: [update_plan, "delete_selection orders-databases (replaced)", "replace_selection orders-databases"]
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_plan.converge import BackupPlanConverger

LIFECYCLE = dict(
    type="dict",
    options=dict(
        move_to_cold_storage_after_days=dict(type="int"),
        delete_after_days=dict(type="int"),
        opt_in_to_archive_for_supported_resources=dict(type="bool"),
    ),
)
CONDITION = dict(type="list", elements="dict", options=dict(
    key=dict(type="str", required=True, no_log=False),
    value=dict(type="str", required=True),
))

ARGUMENT_SPEC = dict(
    vault=dict(type="dict", options=dict(
        name=dict(type="str", required=True),
        kms_key_arn=dict(type="str", no_log=False),
        access_policy=dict(type="json"),
        lock=dict(type="dict", options=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            min_retention_days=dict(type="int"),
            max_retention_days=dict(type="int"),
            changeable_for_days=dict(type="int"),
            allow_lowering=dict(type="bool", default=False),
        )),
    )),
    plan=dict(type="dict", options=dict(
        name=dict(type="str", required=True),
        rules=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            target_vault=dict(type="str"),
            schedule_expression=dict(type="str", aliases=["schedule"]),
            schedule_expression_timezone=dict(type="str", aliases=["timezone"]),
            start_window_minutes=dict(type="int"),
            completion_window_minutes=dict(type="int"),
            lifecycle=LIFECYCLE,
            enable_continuous_backup=dict(type="bool", default=False),
            recovery_point_tags=dict(type="dict"),
            copy_actions=dict(type="list", elements="dict", options=dict(
                destination_vault_arn=dict(type="str", required=True),
                lifecycle=LIFECYCLE,
            )),
        )),
    )),
    selection=dict(type="dict", options=dict(
        name=dict(type="str", required=True),
        iam_role_arn=dict(type="str", required=True),
        resources=dict(type="list", elements="str"),
        not_resources=dict(type="list", elements="str"),
        list_of_tags=dict(type="list", elements="dict", options=dict(
            key=dict(type="str", required=True, no_log=False),
            value=dict(type="str", required=True),
            type=dict(type="str", choices=["STRINGEQUALS"], default="STRINGEQUALS"),
        )),
        conditions=dict(type="dict", options=dict(
            string_equals=CONDITION, string_not_equals=CONDITION, string_like=CONDITION, string_not_like=CONDITION,
        )),
    )),
    purge_selections=dict(type="bool", default=True),
    delete_vault=dict(type="bool", default=False),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.exit_json(**BackupPlanConverger(module).run())


if __name__ == "__main__":
    main()
