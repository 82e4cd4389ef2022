# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Re-pointing clients at the new writer: a Route 53 CNAME (UPSERT) and db_secret-shaped connection secrets.

Both compare first and write only what differs, so a re-run changes nothing. In check mode nothing is
written; the result shows what would change. Secret values are never returned: only host and port.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_failover import api

SECRET_FIELDS = ("host", "port")


class RepointError(Exception):
    """A record or secret that cannot be re-pointed (message names it and says why)."""


def fqdn(name):
    return name.strip().rstrip(".").lower() + "."


def find_zone(route53, spec):
    """The hosted zone id of ``spec`` (route53 option): its hosted_zone_id, or the only zone named zone_name."""
    if spec.get("hosted_zone_id"):
        zone_id = spec["hosted_zone_id"].split("/")[-1]
        zone = route53.get_hosted_zone(Id=zone_id)["HostedZone"]
        return zone_id, zone["Name"]
    name = fqdn(spec["zone_name"])
    zones = [z for z in route53.list_hosted_zones_by_name(DNSName=name)["HostedZones"] if z["Name"].lower() == name]
    if not zones:
        raise RepointError("route53.zone_name: no hosted zone is named %s" % name)
    if len(zones) > 1:
        raise RepointError("route53.zone_name: %d hosted zones are named %s (%s); give route53.hosted_zone_id"
                           % (len(zones), name, ", ".join(z["Id"].split("/")[-1] for z in zones)))
    return zones[0]["Id"].split("/")[-1], zones[0]["Name"]


def current_record(route53, zone_id, name, record_type):
    found = route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=name, StartRecordType=record_type, MaxItems="1")
    for record in found.get("ResourceRecordSets", []):
        if fqdn(record["Name"]) == name and record["Type"] == record_type:
            return record
    return None


def check_route53(route53, spec):
    """(zone id, record name) of the route53 option; RepointError when the zone is missing or the record outside it."""
    zone_id, zone_name = find_zone(route53, spec)
    name = fqdn(spec["record_name"])
    if not (name == zone_name.lower() or name.endswith("." + zone_name.lower())):
        raise RepointError("route53.record_name %s is not in hosted zone %s (%s)" % (name, zone_name, zone_id))
    return zone_id, name


def route53_change(route53, spec, target, check_mode, wait=False, waiter=None):
    """Point the record at ``target`` (an endpoint address); returns the route53_change result."""
    zone_id, name = check_route53(route53, spec)
    if not target:
        raise RepointError("the new writer has no endpoint address to point %s at" % name)
    record = current_record(route53, zone_id, name, spec["type"])
    before = None
    if record is not None:
        values = [item["Value"] for item in record.get("ResourceRecords", [])]
        before = {"value": values[0] if len(values) == 1 else values, "ttl": record.get("TTL")}
    after = {"value": fqdn(target).rstrip(".") if target else None, "ttl": spec["ttl"]}
    comparable = dict(before or {}, value=str((before or {}).get("value") or "").rstrip(".").lower())
    changed = before is None or comparable != {"value": after["value"].lower(), "ttl": after["ttl"]}
    result = {"hosted_zone_id": zone_id, "record_name": name, "type": spec["type"], "ttl": spec["ttl"],
              "before": before, "after": after, "changed": changed, "change_id": None, "status": None}
    if not changed or check_mode:
        return result
    change = route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
        "Comment": "innovate.aws_postgres.rds_failover: point at the new writer",
        "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": name, "Type": spec["type"], "TTL": spec["ttl"], "ResourceRecords": [{"Value": after["value"]}]}}]})["ChangeInfo"]
    result["change_id"] = change["Id"].split("/")[-1]
    result["status"] = change.get("Status")
    if wait and waiter is not None and change.get("Status") != "INSYNC":
        result["status"] = waiter(lambda: route53.get_change(Id=change["Id"])["ChangeInfo"],
                                  lambda info: info.get("Status") == "INSYNC",
                                  "Route 53 change %s to be INSYNC" % result["change_id"],
                                  lambda info: "Status=%s" % (info or {}).get("Status"))["Status"]
    return result


def secret_region(secret_id, default):
    return api.arn_region(secret_id) or default


def read_secret(client, secret_id):
    """(GetSecretValue response, parsed value); RepointError when the value is not db_secret-shaped."""
    stored = client.get_secret_value(SecretId=secret_id)
    try:
        value = json.loads(stored.get("SecretString") or "")
    except ValueError:
        value = None
    if not isinstance(value, dict) or "host" not in value:
        raise RepointError("secrets: %s does not hold a JSON object with a host key (the db_secret shape): it cannot be re-pointed"
                           % secret_id)
    return stored, value


def repoint_secret(client, secret_id, writer, check_mode):
    """Set host and port of one db_secret-shaped secret to the writer's, keeping every other key."""
    stored, value = read_secret(client, secret_id)
    before = dict((key, value.get(key)) for key in SECRET_FIELDS)
    after = {"host": writer["endpoint_address"], "port": writer["endpoint_port"]}
    if not after["host"] or not after["port"]:
        raise RepointError("the new writer has no endpoint to point secret %s at" % secret_id)
    changed = before != after
    if changed and not check_mode:
        updated = dict(value)
        updated.update(after)
        client.put_secret_value(SecretId=stored["ARN"], SecretString=json.dumps(updated))
    return {"secret": secret_id, "arn": stored["ARN"], "changed": changed, "before": before, "after": after}
