#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: backup_restore_testing
short_description: Manage an AWS Backup restore testing plan and its selections in one task
version_added: 0.1.0
description:
  - Converges, in one task, an AWS Backup restore testing plan found by its name (schedule and time
    zone, start window, which recovery point is restored (algorithm, included and excluded vaults,
    recovery point types, selection window), tags) and its restore testing selections (protected
    resource type, IAM role, resource ARNs or tag conditions, restore metadata overrides, validation
    window). AWS Backup then restores a recovery point of the selected resources on the schedule,
    keeps the restored resource for the validation window and deletes it.
  - Idempotent where other tools are not. The defaults AWS fills in (time zone V(Etc/UTC), 24 hour
    start window, 30 day selection window, 0 hour validation window, no excluded vaults) compare
    equal to options that were not set; V(UTC) and its aliases are V(Etc/UTC); vault and IAM role
    names compare equal to their ARNs in the module's account and region; list order does not matter;
    restore metadata override keys compare without case (as AWS does) and JSON list values such as
    security group IDs compare by their sorted items.
  - Every field of a plan but its name can be updated in place, and every field of a selection but
    its name and O(selections[].protected_resource_type). A selection whose protected resource type
    differs is replaced (deleted, then created with the same name); the diff and RV(actions) say so.
    A selection is configuration only, so the replacement restores or deletes nothing.
  - Inputs are checked before any request against AWS Backup's rules (names of letters, digits and
    underscores, six-field cron schedules, IANA time zones, window ranges, vault names and ARNs, at
    most 30 resource ARNs of the selection's type, ARNs or tag conditions but not both, tag condition
    keys). All problems are reported at once and nothing is changed.
author:
  - Innovate platform team (@innovate-platform)
options:
  name:
    description:
      - The restore testing plan's name, 1 to 50 letters, digits or V(_), starting with a letter (AWS
        Backup refuses V(-) here). It identifies the plan and cannot change.
    type: str
    required: true
  schedule_expression:
    description:
      - When restore tests run, as a six-field cron expression
        C(cron(minutes hours day-of-month month day-of-week year)), for example V(cron(0 6 1 * ? *))
        for 06:00 on the 1st of every month. Exactly one of day-of-month and day-of-week is V(?).
      - When not set, AWS's default V(cron(0 5 ? * * *)) (every day at 05:00).
    type: str
    aliases: [schedule]
  schedule_expression_timezone:
    description:
      - The IANA time zone of O(schedule_expression), default V(Etc/UTC).
    type: str
    aliases: [timezone]
  start_window_hours:
    description:
      - Hours after the scheduled time within which a restore job must start, 1 to 168 (default 24).
    type: int
  recovery_point_selection:
    description:
      - Which recovery point each restore test restores. Required with O(state=present).
    type: dict
    suboptions:
      algorithm:
        description:
          - V(LATEST_WITHIN_WINDOW) restores the newest recovery point of the selection window,
            V(RANDOM_WITHIN_WINDOW) a random one (which also tests older backups).
        type: str
        choices: [LATEST_WITHIN_WINDOW, RANDOM_WITHIN_WINDOW]
        required: true
      include_vaults:
        description:
          - The vaults whose recovery points may be restored, as vault names (in the module's account
            and region), vault ARNs (V(*) wildcards allowed, for example
            V(arn:aws:backup:*:111111111111:backup-vault:prod-*)) or V(*) for every vault.
        type: list
        elements: str
        required: true
      exclude_vaults:
        description:
          - Vaults (names or ARNs) whose recovery points are never restored. Default none.
        type: list
        elements: str
      recovery_point_types:
        description:
          - V(SNAPSHOT) restores snapshot recovery points, V(CONTINUOUS) continuous ones (a point in
            time restore); both let the algorithm choose among either.
        type: list
        elements: str
        choices: [CONTINUOUS, SNAPSHOT]
        required: true
      selection_window_days:
        description:
          - How many days back a recovery point may be, 1 to 365 (default 30).
        type: int
  selections:
    description:
      - The plan's restore testing selections. With O(purge_selections=true) (the default) the plan gets
        exactly these; with V(false) the selections not listed are kept.
      - When not set, the plan's selections are left as they are.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The selection name, 1 to 50 letters, digits or V(_), starting with a letter; unique in the plan.
        type: str
        required: true
      protected_resource_type:
        description:
          - The type of the resources restored, V(RDS) for DB instances and V(Aurora) for DB clusters.
          - It cannot be updated; a different type replaces the selection.
        type: str
        choices: [RDS, Aurora]
        required: true
      iam_role:
        description:
          - The IAM role AWS Backup assumes to restore the resources, as a role name (with its path, for
            example V(service-role/AWSBackupDefaultServiceRole), in the module's account) or an ARN.
        type: str
        required: true
      protected_resource_arns:
        description:
          - At most 30 ARNs of resources of O(selections[].protected_resource_type) (DB instance ARNs
            for V(RDS), DB cluster ARNs for V(Aurora)), or V([*]) for every resource of the type.
          - Give this, or O(selections[].protected_resource_conditions), not both (conditions narrow V(*)).
        type: list
        elements: str
      protected_resource_conditions:
        description:
          - Tag conditions (all must hold) choosing among every resource of the type.
        type: dict
        suboptions:
          string_equals:
            description: The tag must have the value.
            type: list
            elements: dict
            suboptions:
              key:
                description:
                  - The tag key, for example V(backup); the prefix C(aws:ResourceTag/) that AWS expects is
                    added when missing (both forms compare equal).
                type: str
                required: true
              value:
                description: The tag value.
                type: str
                required: true
          string_not_equals:
            description: The tag must not have the value.
            type: list
            elements: dict
            suboptions:
              key:
                description: The tag key (see O(selections[].protected_resource_conditions.string_equals[].key)).
                type: str
                required: true
              value:
                description: The tag value.
                type: str
                required: true
      restore_metadata_overrides:
        description:
          - Restore parameters AWS Backup would otherwise infer from the backup, for example
            V(dbsubnetgroupname), V(vpcsecuritygroupids) (a list, sent as a JSON list), V(dbinstanceclass),
            V(availabilityzone). Keys are case-insensitive (sent in lower case).
          - When not set (or empty), AWS Backup infers every restore parameter.
        type: dict
      validation_window_hours:
        description:
          - Hours the restored resource is kept for validation before AWS Backup deletes it, 0 to 168 (default 0).
        type: int
  purge_selections:
    description:
      - With O(selections), delete the plan's selections that are not listed.
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the plan and its selections.
      - V(absent) deletes the plan's selections, then the plan (AWS refuses to delete a plan that has selections).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
  - innovate.aws_postgres.tags
attributes:
  check_mode:
    support: full
    description: Only read requests are made; the result and the diff show the plan and selections as they would be.
  diff_mode:
    support: full
    description: The diff shows the plan (canonical form, tags) and its selections before and after.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller (or an execution environment) and uses the AWS Backup API (and STS for the account ID).
notes:
  - O(tags) apply to the plan (AWS Backup does not tag restore testing selections).
  - AWS Backup's configuration calls take effect at once; there is nothing to wait for, so the module has no C(wait) option.
  - A run that changes nothing reads the plan, its tags and each of its selections, and the caller identity when a vault or
    IAM role is given by name.
  - The restore jobs themselves (their results, the restored resources) are not this module's; see the AWS Backup console
    or C(aws backup list-restore-jobs-by-protected-resource).
seealso:
  - module: innovate.aws_postgres.backup_plan
  - name: AWS Backup restore testing
    description: How restore testing plans choose and restore recovery points.
    link: https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html
  - name: Restore testing inferred metadata
    description: The keys of O(selections[].restore_metadata_overrides).
    link: https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing-inferred-metadata.html
"""

EXAMPLES = r"""
- name: Monthly restore test of a random recent snapshot of the orders database
  innovate.aws_postgres.backup_restore_testing:
    name: prod_databases
    schedule_expression: cron(0 6 1 * ? *)
    schedule_expression_timezone: Europe/Berlin
    start_window_hours: 24
    recovery_point_selection:
      algorithm: RANDOM_WITHIN_WINDOW
      include_vaults: [prod-databases]
      recovery_point_types: [SNAPSHOT]
      selection_window_days: 7
    selections:
      - name: orders
        protected_resource_type: RDS
        iam_role: service-role/AWSBackupDefaultServiceRole
        protected_resource_arns:
          - arn:aws:rds:us-east-1:111111111111:db:orders
        restore_metadata_overrides:
          dbsubnetgroupname: orders-db
          vpcsecuritygroupids: ["sg-0123456789abcdef0"]
          dbinstanceclass: db.t4g.medium
        validation_window_hours: 4
    tags:
      team: dba
    region: us-east-1

- name: Aurora clusters tagged restore-test=true, keeping the selections other tasks manage
  innovate.aws_postgres.backup_restore_testing:
    name: prod_databases
    schedule_expression: cron(0 6 1 * ? *)
    recovery_point_selection:
      algorithm: LATEST_WITHIN_WINDOW
      include_vaults: ["*"]
      exclude_vaults: [prod-legal-hold]
      recovery_point_types: [CONTINUOUS, SNAPSHOT]
    selections:
      - name: tagged_clusters
        protected_resource_type: Aurora
        iam_role: arn:aws:iam::111111111111:role/RestoreTesting
        protected_resource_conditions:
          string_equals:
            - {key: restore-test, value: "true"}
    purge_selections: false

- name: Remove the plan and its selections
  innovate.aws_postgres.backup_restore_testing:
    name: prod_databases
    state: absent
"""

RETURN = r"""
plan:
  description: The plan after the run (in check mode, as it would be), in canonical form; V(null) with O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: The plan name.
      type: str
    arn:
      description: The plan ARN; V(null) for a plan that check mode would create.
      type: str
    schedule_expression:
      description: The schedule.
      type: str
    schedule_expression_timezone:
      description: The time zone (V(Etc/UTC) for UTC and its aliases).
      type: str
    start_window_hours:
      description: The start window.
      type: int
    recovery_point_selection:
      description: >-
        C(algorithm), C(include_vaults) and C(exclude_vaults) (ARNs, sorted), C(recovery_point_types) (sorted),
        C(selection_window_days).
      type: dict
    tags:
      description: The plan's tags.
      type: dict
  sample:
    name: prod_databases
    arn: arn:aws:backup:us-east-1:111111111111:restore-testing-plan:prod_databases-8d7d2a
    schedule_expression: cron(0 6 1 * ? *)
    schedule_expression_timezone: Etc/UTC
    start_window_hours: 24
    recovery_point_selection:
      algorithm: RANDOM_WITHIN_WINDOW
      include_vaults: ["arn:aws:backup:us-east-1:111111111111:backup-vault:prod-databases"]
      exclude_vaults: []
      recovery_point_types: [SNAPSHOT]
      selection_window_days: 7
    tags: {team: dba}
selections:
  description: Every selection of the plan after the run, sorted by name; empty with O(state=absent).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The selection name.
      type: str
    protected_resource_type:
      description: V(RDS) or V(Aurora).
      type: str
    iam_role_arn:
      description: The IAM role ARN.
      type: str
    protected_resource_arns:
      description: The resource ARNs, sorted (V([*]) with tag conditions).
      type: list
      elements: str
    protected_resource_conditions:
      description: C(string_equals) and C(string_not_equals), lists of C(key) (with the C(aws:ResourceTag/) prefix) and C(value).
      type: dict
    restore_metadata_overrides:
      description: The overrides, keys in lower case.
      type: dict
    validation_window_hours:
      description: The validation window.
      type: int
actions:
  description:
    - The changes made (in check mode, that would be made), in order, for example V(create_plan), V(update_plan),
      V(tag_plan), V(untag_plan), V(delete_selection NAME (REASON)), V(update_selection NAME), V(create_selection NAME),
      V(delete_plan).
  returned: always
  type: list
  elements: str
  sample: [update_plan, "delete_selection app_db (replaced: protected_resource_type RDS -> Aurora cannot be updated)",
           "create_selection app_db"]
errors:
  description: Every problem found with the task's input, when it fails validation.
  returned: on input validation failure
  type: list
  elements: str
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.backup_restore_testing.converge import RestoreTestingConverger

CONDITION = dict(type="list", elements="dict", options=dict(
    key=dict(type="str", required=True, no_log=False),
    value=dict(type="str", required=True),
))

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    schedule_expression=dict(type="str", aliases=["schedule"]),
    schedule_expression_timezone=dict(type="str", aliases=["timezone"]),
    start_window_hours=dict(type="int"),
    recovery_point_selection=dict(type="dict", options=dict(
        algorithm=dict(type="str", required=True, choices=["LATEST_WITHIN_WINDOW", "RANDOM_WITHIN_WINDOW"]),
        include_vaults=dict(type="list", elements="str", required=True),
        exclude_vaults=dict(type="list", elements="str"),
        recovery_point_types=dict(type="list", elements="str", required=True, choices=["CONTINUOUS", "SNAPSHOT"]),
        selection_window_days=dict(type="int"),
    )),
    selections=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        protected_resource_type=dict(type="str", required=True, choices=["RDS", "Aurora"]),
        iam_role=dict(type="str", required=True),
        protected_resource_arns=dict(type="list", elements="str"),
        protected_resource_conditions=dict(type="dict", options=dict(string_equals=CONDITION, string_not_equals=CONDITION)),
        restore_metadata_overrides=dict(type="dict"),
        validation_window_hours=dict(type="int"),
    )),
    purge_selections=dict(type="bool", default=True),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                       required_if=[("state", "present", ["recovery_point_selection"])])
    module.exit_json(**RestoreTestingConverger(module).run())


if __name__ == "__main__":
    main()
