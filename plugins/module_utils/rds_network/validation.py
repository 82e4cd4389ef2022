# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the ``rds_network`` options that need no AWS request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import reserved_tag_errors
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_network.rules import is_public_cidr

_SUBNET_GROUP_NAME = re.compile(r"^[a-z0-9 ._-]{1,255}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]+$")
PROTOCOLS = ("tcp", "udp", "icmp", "all")


def subnet_group_name(params):
    return (params.get("subnet_group_name") or params["name"]).lower()


def security_group_name(params):
    return params.get("security_group_name") or params["name"]


def _cidr_errors(option, cidr, allow_public):
    try:
        public = is_public_cidr(cidr)
    except ValueError as e:
        return ["%s: %r is not a valid CIDR block (%s); expected for example 10.0.0.0/16 or fd00::/8" % (option, cidr, e)]
    if public and not allow_public:
        return ["%s: %r opens the database to the whole internet; use the application security groups or private "
                "CIDR blocks instead, or set allow_public_cidr=true if this is really intended" % (option, cidr)]
    return []


def egress_errors(rules, allow_public):
    errors = []
    for index, rule in enumerate(rules or []):
        option = "egress_rules[%d]" % index
        if (rule.get("cidr") is None) == (rule.get("security_group") is None):
            errors.append("%s: give exactly one of cidr and security_group" % option)
        if rule.get("cidr") is not None:
            errors += _cidr_errors(option + ".cidr", rule["cidr"], allow_public=True)
        if rule.get("protocol") != "all":
            if rule.get("from_port") is None:
                errors.append("%s: from_port is required for protocol %s" % (option, rule.get("protocol")))
            else:
                to_port = rule["from_port"] if rule.get("to_port") is None else rule["to_port"]
                if not -1 <= rule["from_port"] <= 65535 or not -1 <= to_port <= 65535 or to_port < rule["from_port"]:
                    errors.append("%s: ports must be between -1 and 65535, from_port <= to_port" % option)
    return errors


def filter_values(value):
    """The ``Values`` list of one filter: a list as it is, a scalar as a one-element list (booleans in lower case)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return [str(item).lower() if isinstance(item, bool) else str(item) for item in values]


def subnet_filters(params):
    """The EC2 ``Filters`` for ``subnet_filters`` (sorted by name), narrowed to ``vpc_id`` when it is given."""
    filters = dict((str(name), filter_values(value)) for name, value in (params.get("subnet_filters") or {}).items())
    if params.get("vpc_id") and "vpc-id" not in filters:
        filters["vpc-id"] = [params["vpc_id"]]
    return [{"Name": name, "Values": filters[name]} for name in sorted(filters)]


def subnet_filter_errors(filters):
    if not filters:
        return ["subnet_filters: give at least one filter, for example {'tag:tier': 'private', 'vpc-id': 'vpc-...'}"]
    errors = []
    for name, value in filters.items():
        if not str(name).strip():
            errors.append("subnet_filters: filter names must not be empty; use EC2 DescribeSubnets filter names such as "
                          "'tag:tier', 'vpc-id' or 'availability-zone'")
        elif value is None or isinstance(value, dict) or not filter_values(value) or any(item == "" for item in filter_values(value)):
            errors.append("subnet_filters: %s=%r is not a filter value; give a string or a non-empty list of strings" % (name, value))
    return errors


def input_errors(params):
    """Every problem with the task's options that can be found without calling AWS."""
    errors = []
    name = subnet_group_name(params)
    if not _SUBNET_GROUP_NAME.match(name) or name == "default":
        errors.append("subnet_group_name: %r is not a valid DB subnet group name; use 1 to 255 letters, digits, spaces, "
                      "periods, underscores and hyphens, other than 'default'" % name)
    sg_name = security_group_name(params)
    if len(sg_name) > 255 or sg_name.lower().startswith("sg-"):
        errors.append("security_group_name: %r is not a valid security group name; at most 255 characters, "
                      "not starting with 'sg-'" % sg_name)
    if params["state"] == "absent":
        return errors
    subnet_ids = params.get("subnet_ids") or []
    if params.get("subnet_filters") is not None:
        errors += subnet_filter_errors(params["subnet_filters"])
    elif not subnet_ids:
        errors.append("subnet_ids: required with state=present (or subnet_filters); give private subnets in at least two "
                      "availability zones")
    errors += ["subnet_ids: %r is not a subnet id (subnet-...)" % subnet for subnet in subnet_ids if not _SUBNET_ID.match(subnet)]
    port = params["port"]
    if not 1 <= port <= 65535:
        errors.append("port: %d is not a TCP port; expected 1 to 65535" % port)
    for cidr in params.get("allowed_cidrs") or []:
        errors += _cidr_errors("allowed_cidrs", cidr, params["allow_public_cidr"])
    errors += ["allowed_security_groups: empty names are not accepted" for group in params.get("allowed_security_groups") or [] if not group]
    errors += egress_errors(params.get("egress_rules"), params["allow_public_cidr"])
    errors += reserved_tag_errors(params.get("tags"))
    return errors
