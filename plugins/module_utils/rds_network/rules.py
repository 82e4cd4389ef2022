# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Security group rules as flat, comparable values, and the plan that converges them.

A rule is a dict ``{"protocol", "from_port", "to_port", "kind", "source", "description"}`` with
``kind`` one of ``group``, ``cidr`` (IPv4), ``cidr6`` (IPv6) and ``prefix_list``, ``protocol``
``tcp``/``udp``/``icmp``/``all`` (or another IP protocol number) and ports ``None`` for ``all``.
Two rules are the same rule when everything but the description matches (AWS identifies
permissions the same way; descriptions are set when a rule is added).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

PROTOCOL_NAMES = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
PROTOCOL_NUMBERS = {"all": "-1"}
_SOURCE_FIELDS = (
    ("UserIdGroupPairs", "group", "GroupId"),
    ("IpRanges", "cidr", "CidrIp"),
    ("Ipv6Ranges", "cidr6", "CidrIpv6"),
    ("PrefixListIds", "prefix_list", "PrefixListId"),
)


def protocol_name(protocol):
    protocol = str(protocol).lower()
    return PROTOCOL_NAMES.get(protocol, protocol)


def make_rule(protocol, from_port, to_port, kind, source, description=None):
    protocol = protocol_name(protocol)
    if protocol == "all":
        from_port = to_port = None
    return dict(protocol=protocol, from_port=from_port, to_port=to_port, kind=kind, source=source, description=description)


def rule_key(rule):
    return (rule["protocol"], rule["from_port"], rule["to_port"], rule["kind"], rule["source"])


def rules_from_permissions(permissions):
    """Flat rules from an ``IpPermissions`` or ``IpPermissionsEgress`` list."""
    rules = []
    for permission in permissions or []:
        protocol = protocol_name(permission.get("IpProtocol", "-1"))
        from_port, to_port = permission.get("FromPort"), permission.get("ToPort")
        for field, kind, id_key in _SOURCE_FIELDS:
            for entry in permission.get(field) or []:
                if entry.get(id_key):
                    rules.append(make_rule(protocol, from_port, to_port, kind, entry[id_key], entry.get("Description")))
    return sorted(rules, key=_sort_key)


def _sort_key(rule):
    return tuple("" if part is None else str(part) for part in rule_key(rule))


def permissions_from_rules(rules):
    """``IpPermissions`` for authorize/revoke calls: one permission per protocol and port range."""
    grouped = {}
    for rule in sorted(rules, key=_sort_key):
        key = (rule["protocol"], rule["from_port"], rule["to_port"])
        permission = grouped.get(key)
        if permission is None:
            permission = {"IpProtocol": PROTOCOL_NUMBERS.get(rule["protocol"], rule["protocol"])}
            if rule["from_port"] is not None:
                permission["FromPort"] = rule["from_port"]
                permission["ToPort"] = rule["to_port"]
            grouped[key] = permission
        for field, kind, id_key in _SOURCE_FIELDS:
            if rule["kind"] == kind:
                entry = {id_key: rule["source"]}
                if rule.get("description"):
                    entry["Description"] = rule["description"]
                permission.setdefault(field, []).append(entry)
    return [grouped[key] for key in sorted(grouped, key=lambda k: tuple("" if p is None else str(p) for p in k))]


def cidr_kind(cidr):
    return "cidr6" if ipaddress.ip_network(cidr, strict=True).version == 6 else "cidr"


def is_public_cidr(cidr):
    """True for a CIDR that covers every address (``0.0.0.0/0``, ``::/0``)."""
    return ipaddress.ip_network(cidr, strict=True).prefixlen == 0


def describe_rule(rule, direction="from"):
    """``tcp 5432 from sg-0123`` / ``all to 0.0.0.0/0``: a rule in one line, for diffs."""
    if rule["protocol"] == "all":
        ports = "all traffic"
    elif rule["from_port"] == rule["to_port"]:
        ports = "%s %s" % (rule["protocol"], rule["from_port"])
    else:
        ports = "%s %s-%s" % (rule["protocol"], rule["from_port"], rule["to_port"])
    return "%s %s %s" % (ports, direction, rule["source"])


def plan_rules(current, desired, purge):
    """``(to_add, to_remove)``: rules to authorize and to revoke so ``current`` becomes ``desired``."""
    current_keys = set(rule_key(rule) for rule in current)
    desired_keys = set(rule_key(rule) for rule in desired)
    to_add, seen = [], set()
    for rule in desired:
        key = rule_key(rule)
        if key not in current_keys and key not in seen:
            to_add.append(rule)
            seen.add(key)
    to_remove = [rule for rule in current if rule_key(rule) not in desired_keys] if purge else []
    return sorted(to_add, key=_sort_key), sorted(to_remove, key=_sort_key)


def rules_after(current, to_add, to_remove):
    removed = set(rule_key(rule) for rule in to_remove)
    return sorted([rule for rule in current if rule_key(rule) not in removed] + list(to_add), key=_sort_key)
