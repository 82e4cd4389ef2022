#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_posture_info
short_description: Read-only posture audit of RDS for PostgreSQL and Aurora PostgreSQL against AWS FSBP and the project baseline
version_added: 0.1.0
description:
  - Audits, in one account (the credentials, or O(assume_role_arn)) and one region (O(region)), every RDS for PostgreSQL
    instance (read replicas included), Aurora PostgreSQL cluster and its instances, DB snapshot, DB cluster snapshot,
    PostgreSQL RDS Proxy and parameter group in use, and returns one finding per control and resource.
  - Nothing is changed. The AWS reads are one paginated list per resource type (never a describe of a resource a list
    already returned), plus one read per parameter group in use, per manual snapshot (its sharing attributes), per KMS
    key of the audited account (DescribeKey; keys of other accounts are customer managed by construction), per AWS
    Backup plan and selection, and per database inspected (its master user secret). RV(requests) counts them.
  - "AWS Foundational Security Best Practices controls evaluated (Security Hub ids, titles and severities):
    RDS.1 (snapshots private), RDS.2 (instances not public), RDS.3 (instances encrypted), RDS.4 (snapshots encrypted),
    RDS.5 (instances Multi-AZ; production only), RDS.6 (enhanced monitoring), RDS.7 (cluster deletion protection),
    RDS.8 (instance deletion protection), RDS.9 (instance log exports postgresql and upgrade), RDS.10 (instance IAM
    authentication), RDS.11 (automatic backups of at least 7 days; not for read replicas), RDS.12 (cluster IAM
    authentication), RDS.13 (auto minor version upgrade), RDS.15 (clusters in several availability zones; production
    only), RDS.16 (Aurora cluster copies tags to snapshots), RDS.17 (instance copies tags to snapshots), RDS.19 to
    RDS.22 (event subscriptions for cluster, instance, parameter group and security group events), RDS.23 (not the
    default port 5432), RDS.24 and RDS.25 (administrator not C(postgres) or C(admin)), RDS.26 (protected by an AWS
    Backup plan), RDS.27 (cluster encrypted), RDS.35 (cluster auto minor version upgrade), RDS.36 (PostgreSQL instance
    exports the postgresql log), RDS.37 (Aurora PostgreSQL cluster exports the postgresql log), RDS.38 (rds.force_ssl=1),
    RDS.43 (proxies require TLS), RDS.46 (no subnet with a route to an internet gateway), RDS.47 (RDS for PostgreSQL
    Multi-AZ DB clusters copy tags to snapshots; NOT_APPLICABLE for Aurora, which RDS.16 covers), RDS.50 (cluster
    backup retention of at least 7 days); with O(include_tagging_controls) also RDS.28, RDS.29, RDS.30 and RDS.32
    (clusters, cluster snapshots, instances and snapshots carry O(required_tag_keys))."
  - "FSBP RDS controls not evaluated, and why: RDS.14, RDS.34, RDS.45 (Aurora MySQL only), RDS.39 to RDS.42, RDS.44,
    RDS.48 (MySQL, MariaDB, SQL Server only), RDS.18 (EC2-Classic is retired: every instance is in a VPC), RDS.31 (DB
    security groups are EC2-Classic), RDS.33 (DB subnet groups are not an audited resource type)."
  - "Project baseline controls (stable ids): IAP.1 rds.force_ssl=1 in the parameter group in use (cluster parameter
    group for Aurora), IAP.2 pgaudit in shared_preload_libraries and pgaudit.log set, IAP.3 log_connections,
    log_disconnections and log_min_duration_statement set, IAP.4 backup retention of at least
    O(min_backup_retention_days) (default 14 in production, 7 otherwise), IAP.5 Performance Insights on, IAP.6
    deletion protection, IAP.7 customer managed KMS key (not C(aws/rds)), IAP.8 protected by an AWS Backup plan with a
    copy to another region, IAP.9 Multi-AZ (production only), IAP.10 IAM database authentication, IAP.11 administrator
    not a default name (postgres, admin, root, administrator, master, sa, rdsadmin, superuser, dba), IAP.12 proxies
    require TLS, IAP.13 certificate authority not expiring within O(certificate_expiry_days) (from
    C(CertificateDetails.ValidTill), else the published expiry of the RDS CA named by C(CACertificateIdentifier);
    an unknown CA is NOT_APPLICABLE)."
  - "Inside PostgreSQL (O(inspect_databases)), for every available instance that is not a replica and every Aurora
    cluster (its writer endpoint): IAP.14 PUBLIC has no CREATE on schema public, IAP.15 no application role is superuser
    or member of rds_superuser, IAP.16 every password login has a C(valid_until) or logs in with IAM (member of
    rds_iam). The module logs in as the master user with the managed master user secret (C(MasterUserSecret)) over
    TLS C(verify-full). A database it cannot reach gives NOT_APPLICABLE findings whose evidence says why; the module
    does not fail."
  - Read replicas are not evaluated for automated backups, backup retention and backup plans (RDS.11, RDS.26, IAP.4,
    IAP.8 give NOT_APPLICABLE), nor for the administrator name they inherit. Instances of Aurora clusters are evaluated
    only for the instance-level controls RDS.2, RDS.6, RDS.13, RDS.46, IAP.5 and IAP.13; their cluster carries the rest.
author:
  - Innovate platform team (@innovate-platform)
options:
  environment_tier:
    description:
      - The tier of the audited databases. Production-only checks (RDS.5, RDS.15, IAP.9) give NOT_APPLICABLE outside
        production, and the minimum backup retention of IAP.4 is 14 days in production, 7 otherwise.
    type: str
    choices: [production, non-production]
    default: non-production
  min_backup_retention_days:
    description:
      - Overrides the minimum backup retention of IAP.4 (0 to 35 days).
    type: int
  include_tagging_controls:
    description:
      - Also evaluate the tagging controls RDS.28, RDS.29, RDS.30 and RDS.32 with O(required_tag_keys).
    type: bool
    default: false
  required_tag_keys:
    description:
      - The tag keys every resource must carry for the tagging controls.
    type: list
    elements: str
    default: [environment, owner]
  identifiers:
    description:
      - Restricts the audit to these DB instance and DB cluster identifiers (an Aurora cluster brings its instances);
        snapshots, proxies and parameter groups are restricted to those of the audited databases.
      - Restricting proxies reads the targets of each proxy (one request per proxy).
    type: list
    elements: str
  inspect_databases:
    description:
      - Log in to each available database (not read replicas) to run IAP.14 to IAP.16.
    type: bool
    default: true
  ca_bundle:
    description:
      - The CA bundle that signs the database server certificates (for RDS the global bundle, for the local
        environment its CA), used with C(sslmode=verify-full) when O(inspect_databases=true).
      - In this module it does not verify the AWS endpoints; use O(aws_ca_bundle) for that.
    type: path
  aws_ca_bundle:
    description:
      - The CA bundle that verifies the AWS API endpoints (what O(ca_bundle) is in the other AWS modules).
    type: path
  connect_timeout:
    description:
      - Seconds to wait for each database connection.
    type: int
    default: 10
  certificate_expiry_days:
    description:
      - IAP.13 fails when the certificate authority of an instance expires within this many days.
    type: int
    default: 90
extends_documentation_fragment:
  - innovate.aws_postgres.aws_connection
attributes:
  check_mode:
    support: full
    description: The module only reads; check mode runs the same audit.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller and reads the RDS, EC2, KMS, AWS Backup and Secrets Manager APIs.
notes:
  - Needs read permissions only (rds:Describe*, ec2:DescribeRouteTables, kms:DescribeKey, backup:List*/Get*,
    secretsmanager:GetSecretValue on the master user secrets, sts:GetCallerIdentity). A read that is denied for route
    tables, KMS, AWS Backup or a snapshot's attributes gives a warning and NOT_APPLICABLE (or FAIL for backup
    coverage) instead of failing the audit.
  - Secrets are never returned.
seealso:
  - module: innovate.aws_postgres.rds_instance
  - module: innovate.aws_postgres.aurora_cluster
  - module: innovate.aws_postgres.rds_alarms
"""

EXAMPLES = r"""
- name: Audit the production databases of the data account in us-east-1
  innovate.aws_postgres.rds_posture_info:
    region: us-east-1
    assume_role_arn: arn:aws:iam::111111111111:role/InnovateAutomation
    environment_tier: production
    ca_bundle: /etc/ssl/rds/global-bundle.pem
  register: posture

- name: Fail when a critical or high finding fails
  ansible.builtin.assert:
    that: posture.summary.failed_by_severity.CRITICAL + posture.summary.failed_by_severity.HIGH == 0

- name: Audit one deployment without logging in to it, with the tagging controls
  innovate.aws_postgres.rds_posture_info:
    region: us-east-1
    identifiers: [app-db]
    inspect_databases: false
    include_tagging_controls: true
    required_tag_keys: [environment, owner, cost-center]
"""

RETURN = r"""
findings:
  description: One finding per control and resource, failures first (then by severity and control id).
  returned: always
  type: list
  elements: dict
  contains:
    control_id:
      description: The FSBP control id (C(RDS.n)) or the project baseline id (C(IAP.n)).
      type: str
      sample: RDS.3
    title:
      description: What the control requires.
      type: str
    resource_type:
      description: One of db_instance, db_cluster, db_snapshot, db_cluster_snapshot, db_proxy, db_parameter_group,
        db_cluster_parameter_group, database.
      type: str
    resource_id:
      description: The identifier (for a database C(<instance or cluster>/<database name>)).
      type: str
    resource_arn:
      description: The ARN (for a database, its instance's or cluster's).
      type: str
    account_id:
      description: The audited account.
      type: str
    region:
      description: The audited region.
      type: str
    status:
      description: PASS, FAIL or NOT_APPLICABLE.
      type: str
    severity:
      description: CRITICAL, HIGH, MEDIUM, LOW or INFORMATIONAL (Security Hub's for FSBP controls).
      type: str
    evidence:
      description: The API field or SQL checked (C(field)) and the value seen (C(value)).
      type: dict
      sample: {field: StorageEncrypted, value: false}
    remediation:
      description: The module and option that fix a failure.
      type: str
      sample: "innovate.aws_postgres.rds_instance: deletion_protection: true"
summary:
  description: Counts of the findings.
  returned: always
  type: dict
  sample: {total: 80, by_status: {PASS: 70, FAIL: 3, NOT_APPLICABLE: 7},
           failed_by_severity: {CRITICAL: 1, HIGH: 0, MEDIUM: 2, LOW: 0, INFORMATIONAL: 0}}
resources:
  description: How many resources of each type were audited.
  returned: always
  type: dict
  sample: {db_instances: 2, db_clusters: 0, db_snapshots: 1, db_cluster_snapshots: 0, db_proxies: 0,
           db_parameter_groups: 1, db_cluster_parameter_groups: 0, databases: 1}
account_id:
  description: The audited account.
  returned: always
  type: str
region:
  description: The audited region.
  returned: always
  type: str
requests:
  description: The number of AWS API requests the audit made (each page of a list counts).
  returned: always
  type: int
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture.audit import PostureAudit

ARGUMENT_SPEC = dict(
    environment_tier=dict(type="str", choices=["production", "non-production"], default="non-production"),
    min_backup_retention_days=dict(type="int"),
    include_tagging_controls=dict(type="bool", default=False),
    required_tag_keys=dict(type="list", elements="str", default=["environment", "owner"], no_log=False),
    identifiers=dict(type="list", elements="str"),
    inspect_databases=dict(type="bool", default=True),
    ca_bundle=dict(type="path"),
    aws_ca_bundle=dict(type="path"),
    connect_timeout=dict(type="int", default=10),
    certificate_expiry_days=dict(type="int", default=90),
)


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.exit_json(**PostureAudit(module).run())


if __name__ == "__main__":
    main()
