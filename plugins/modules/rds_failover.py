#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_failover
short_description: One DR action as one task - Multi-AZ failover, Aurora failover, replica promotion, Global Database switchover/failover
version_added: 0.1.0
description:
  - Runs one disaster-recovery action (O(action)) after preflight checks, optionally re-points a Route 53 CNAME
    (O(route53)) and connection secrets (O(secrets)) at the new writer, and returns the timeline of the steps and the
    measured RTO.
  - V(multi_az) reboots a Multi-AZ DB instance with failover to its standby. V(aurora_failover) fails an Aurora DB cluster
    over to a reader (O(target_db_instance_identifier), or the one RDS picks). V(promote_replica) promotes a read
    replica (for example the cross-region one in the DR region) to a standalone, writable instance.
    V(global_switchover) makes a secondary cluster of an Aurora Global Database the primary without data loss (the old
    primary becomes a secondary; it needs a healthy primary). V(global_failover) does it without waiting for the
    secondary to catch up (the primary region may be down); it loses the writes not yet replicated and is refused
    unless O(allow_data_loss=true).
  - "Preflight checks (returned in RV(preflight)): the target exists and is available; engine versions are compatible
    (same major version; the same version for a global switchover); the replica lag is at most
    O(max_replica_lag_seconds) (CloudWatch C(ReplicaLag) for a read replica, C(AuroraReplicaLag) for an Aurora reader,
    C(AuroraGlobalDBReplicationLag) for a global secondary, the latest datapoint of the last 5 minutes; without a
    datapoint the check passes and says the lag was not measured); the target is a read replica (promote_replica), a
    reader (aurora_failover) or a member (global actions); the instance is Multi-AZ (multi_az). A failed check stops
    the task before any change; only the lag check can be overridden with O(force=true)."
  - "Idempotence: V(promote_replica) of an instance that is no longer a replica (its events show the promotion within 14
    days), V(global_switchover)/V(global_failover) when the target already is the primary, and V(aurora_failover) to a
    target that already is the writer report changed=false with the reason in RV(msg), and still re-point DNS and
    secrets to the current writer. V(multi_az) and V(aurora_failover) without a target are actions: each run fails
    over again (changed=true)."
author:
  - Innovate platform team (@innovate-platform)
options:
  action:
    description: The DR action to run (see the description).
    type: str
    required: true
    choices: [multi_az, aurora_failover, promote_replica, global_switchover, global_failover]
  db_instance_identifier:
    description:
      - With V(multi_az) the Multi-AZ DB instance; with V(promote_replica) the read replica to promote (in the task's
        region, for a cross-region replica the DR region).
    type: str
  db_cluster_identifier:
    description: With V(aurora_failover), the Aurora DB cluster.
    type: str
  target_db_instance_identifier:
    description: With V(aurora_failover), the reader to become the writer (default - the one RDS picks by promotion tier).
    type: str
  global_cluster_identifier:
    description: With V(global_switchover) or V(global_failover), the global cluster.
    type: str
  target_db_cluster_identifier:
    description:
      - With V(global_switchover) or V(global_failover), the ARN or identifier of the secondary cluster to become the
        primary. The request is made in that cluster's region.
    type: str
  allow_data_loss:
    description: Required true for V(global_failover), which loses the writes the secondary had not received.
    type: bool
    default: false
  max_replica_lag_seconds:
    description: The largest replica lag, in seconds, the preflight accepts.
    type: int
    default: 60
  force:
    description: Run the action even when the replica lag is above O(max_replica_lag_seconds) (the other checks still apply).
    type: bool
    default: false
  wait:
    description:
      - Wait until the new writer is available (and a Route 53 change is C(INSYNC)). Without waiting RV(rto_seconds)
        is null.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait at most, for each wait.
    type: int
    default: 1800
extends_documentation_fragment:
  - innovate.aws_postgres.repoint
  - innovate.aws_postgres.aws_connection
attributes:
  check_mode:
    support: full
    description: Only the preflight runs (read requests); the result shows the plan, the Route 53 and secret changes that would be made.
  diff_mode:
    support: full
    description: The diff shows the writer, the Route 53 record and the secrets' host and port before and after.
  platform:
    support: full
    platforms: aws
    description: Runs on the controller and calls the RDS, CloudWatch, Route 53 and Secrets Manager APIs.
notes:
  - "RV(rto_seconds) is measured from the failover request until the describe call reports the new writer available
    (and, for Aurora, as the writer): the service's side. It does not include DNS propagation or client reconnects;
    the playbook C(dr_failover.yml) also measures until a write succeeds on the new primary."
  - Freezing and re-enabling application writes is not done by this module; see C(playbooks/dr_failover.yml).
  - During a regional outage the old primary may not be reachable; V(promote_replica) and V(global_failover) then
    report what is known of it (RV(old_writer) with a null endpoint) and do not fail for it.
seealso:
  - module: innovate.aws_postgres.rds_instance
  - module: innovate.aws_postgres.aurora_global_cluster
  - module: innovate.aws_postgres.db_secret
"""

EXAMPLES = r"""
- name: Promote the cross-region replica in the DR region and re-point DNS and the application secrets
  innovate.aws_postgres.rds_failover:
    region: us-west-2
    action: promote_replica
    db_instance_identifier: app-db-dr
    max_replica_lag_seconds: 30
    route53:
      zone_name: db.innovate.internal
      record_name: app-db.db.innovate.internal
    secrets:
      - arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/app-db/app_rw-AbCdEf
  register: failover

- name: Planned switchover of an Aurora Global Database (no data loss)
  innovate.aws_postgres.rds_failover:
    action: global_switchover
    global_cluster_identifier: orders-global
    target_db_cluster_identifier: arn:aws:rds:us-west-2:111111111111:cluster:orders-aurora-dr

- name: Unplanned failover of the global database while us-east-1 is down
  innovate.aws_postgres.rds_failover:
    region: us-west-2
    action: global_failover
    global_cluster_identifier: orders-global
    target_db_cluster_identifier: orders-aurora-dr
    allow_data_loss: true

- name: Rehearse an AZ failure
  innovate.aws_postgres.rds_failover:
    action: multi_az
    db_instance_identifier: app-db
"""

RETURN = r"""
action:
  description: The action of the task.
  returned: always
  type: str
  sample: promote_replica
msg:
  description: What was done, or why nothing was (the action's result already in place).
  returned: always
  type: str
preflight:
  description: The preflight checks, in order.
  returned: always
  type: list
  elements: dict
  sample: [{name: replica lag, passed: true, detail: "replica app-db-dr is 0.0s behind (ReplicaLag), within max_replica_lag_seconds=60"}]
plan:
  description: The steps that ran (or, in check mode, would run) and changed something - the action, V(route53), V(secrets).
  returned: always
  type: list
  elements: str
timeline:
  description: Each step (V(preflight), the action, V(route53), V(secrets)) with ISO-8601 UTC start and end and its duration.
  returned: always
  type: list
  elements: dict
  sample: [{step: promote_replica, started_at: "2025-03-01T10:00:00.120Z", finished_at: "2025-03-01T10:00:03.480Z", seconds: 3.36}]
rto_seconds:
  description: Seconds from the failover request until the new writer was reported available (null without a failover or wait).
  returned: always
  type: float
  sample: 3.36
rto_measured_until:
  description: What RV(rto_seconds) measures until.
  returned: always
  type: str
  sample: describe reports the new writer available
replica_lag_seconds:
  description: The replica lag the preflight measured, in seconds (null when not measured or not applicable).
  returned: always
  type: float
  sample: 0.0
old_writer:
  description: The writer before the action (identifier, endpoint_address, endpoint_port, region, arn); null when unknown.
  returned: always
  type: dict
new_writer:
  description:
    - The writer after the action (in check mode, the planned one) - C(identifier) (the instance; for global actions
      the cluster), C(endpoint_address), C(endpoint_port) (for Aurora the cluster's writer endpoint), C(region), C(arn).
  returned: always
  type: dict
  sample: {identifier: app-db-dr, endpoint_address: app-db-dr.abc.us-west-2.rds.amazonaws.com, endpoint_port: 5432, region: us-west-2,
           arn: "arn:aws:rds:us-west-2:111111111111:db:app-db-dr"}
route53_change:
  description: The record (hosted_zone_id, record_name, type, ttl), its value before and after, changed, change_id and status.
  returned: when O(route53) is set
  type: dict
secrets_repointed:
  description: The secrets (as given in O(secrets)) whose host or port changed (or would change).
  returned: always
  type: list
  elements: str
secret_changes:
  description: For each secret - secret, arn, changed, and host and port before and after (never the password).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.module import AwsModule
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover.run import FailoverRun
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover.spec import ARGUMENT_SPEC, REQUIRED_IF


def main():
    module = AwsModule(argument_spec=ARGUMENT_SPEC, required_if=REQUIRED_IF, supports_check_mode=True)
    module.exit_json(**FailoverRun(module).run())


if __name__ == "__main__":
    main()
