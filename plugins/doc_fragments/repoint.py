# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The re-pointing options of the modules that move clients to another writer (rds_failover,
    # aurora_migration); see plugins/module_utils/rds_failover/repoint.py.
    DOCUMENTATION = r"""
options:
  route53:
    description:
      - A Route 53 CNAME record to point (UPSERT) at the endpoint address the task moves clients to.
    type: dict
    suboptions:
      hosted_zone_id:
        description: The hosted zone (one of O(route53.hosted_zone_id) and O(route53.zone_name)).
        type: str
      zone_name:
        description: The name of the hosted zone; it must be the only zone with that name.
        type: str
      record_name:
        description: The record, inside the zone.
        type: str
        required: true
      ttl:
        description: The TTL of the record in seconds.
        type: int
        default: 30
      type:
        description: The record type.
        type: str
        choices: [CNAME]
        default: CNAME
  secrets:
    description:
      - Names or ARNs of connection secrets in the shape M(innovate.aws_postgres.db_secret) writes (JSON with C(host),
        C(port), ...). Their C(host) and C(port) are set to the endpoint the task moves clients to; every other key is
        kept.
      - A secret given by ARN is read in the ARN's region, one given by name in O(secrets_region).
    type: list
    elements: str
    default: []
  secrets_region:
    description: The region of the secrets given by name (default - the task's region).
    type: str
"""
