# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of ``rds_blue_green``: the task's input (before any request) and the source instance (before any write).

``source_problems`` lists why RDS blue/green deployments cannot take a source, from the RDS User Guide
("Limitations and considerations for Amazon RDS blue/green deployments"): master user passwords managed
in Secrets Manager, a source that is itself a read replica (cascading replicas), cross-Region read
replicas, replicas with replicas of their own, Aurora members (this module handles RDS for PostgreSQL
instances), a source that is not available, a target version lower than the source's, and a major
version upgrade (logical replication) without ``rds.logical_replication=1`` in the source's group.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*$")
_IDENTIFIER = re.compile(r"^[a-z](?:[a-z0-9]|-(?!-))*$")
_ARN = re.compile(r"^arn:aws[a-z-]*:rds:(?P<region>[a-z0-9-]+):\d{12}:db:(?P<id>[^:]+)$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")
NAME_RULE = "1 to 60 letters, digits and hyphens, starting with a letter, without a trailing hyphen or two consecutive hyphens"
MINIMUM_SWITCHOVER_TIMEOUT = 30


def version_key(version):
    return tuple(int(part) for part in re.findall(r"\d+", str(version or "0")))


def major(version):
    return str(version or "").split(".", maxsplit=1)[0]


def parse_source(value):
    """``(region or None, identifier)`` of an identifier or a DB instance ARN; None when it is neither."""
    match = _ARN.match(value or "")
    if match:
        return match.group("region"), match.group("id")
    if value and len(value) <= 63 and _IDENTIFIER.match(value.lower()) and not value.endswith("-"):
        return None, value.lower()
    return None


def input_errors(params):
    """Every problem with the task's options (no request made yet)."""
    errors = []
    name = params["blue_green_deployment_name"]
    if not (0 < len(name) <= 60 and _NAME.match(name) and not name.endswith("-")):
        errors.append("blue_green_deployment_name: %r is not a valid name; use %s" % (name, NAME_RULE))
    source = params.get("source")
    if source is not None and parse_source(source) is None:
        errors.append("source: %r is neither a DB instance identifier (1 to 63 letters, digits and hyphens, starting with a letter) "
                      "nor a DB instance ARN (arn:aws:rds:REGION:ACCOUNT:db:ID)" % (source,))
    version = params.get("target_engine_version")
    if version is not None and not _VERSION.match(version):
        errors.append("target_engine_version: %r is not an engine version such as 16.4 or 16" % (version,))
    timeout = params.get("switchover_timeout")
    if timeout is not None and timeout < MINIMUM_SWITCHOVER_TIMEOUT:
        errors.append("switchover_timeout: %s seconds is below the minimum RDS accepts (%d)" % (timeout, MINIMUM_SWITCHOVER_TIMEOUT))
    if params.get("wait_timeout") is not None and params["wait_timeout"] <= 0:
        errors.append("wait_timeout: %s must be a positive number of seconds" % params["wait_timeout"])
    if params["state"] == "present" and source is None:
        errors.append("source: required with state=present (the blue DB instance)")
    return errors


def _replica_problems(source, replicas, region):
    problems = []
    for reference in source.get("ReadReplicaDBInstanceIdentifiers") or []:
        parsed = parse_source(reference)
        if reference.startswith("arn:") and parsed and parsed[0] != region:
            problems.append("it has the cross-Region read replica %s; blue/green deployments do not support cross-Region read replicas "
                            "(delete the replica or promote it first)" % reference)
            continue
        replica = replicas.get(reference.split(":")[-1])
        if replica and replica.get("ReadReplicaDBInstanceIdentifiers"):
            problems.append("its read replica %s has read replicas of its own (cascading read replicas are not supported by blue/green "
                            "deployments)" % reference)
    return problems


def source_problems(source, replicas, region, target_version, logical_replication):
    """Why RDS cannot make a blue/green deployment of ``source`` (a DescribeDBInstances record); [] when it can.

    ``replicas`` maps the same-Region replica identifiers to their records; ``logical_replication`` is the
    value of ``rds.logical_replication`` in the source's DB parameter group (None: the default, 0).
    """
    identifier = source["DBInstanceIdentifier"]
    problems = []
    if source.get("Engine") != "postgres" or source.get("DBClusterIdentifier"):
        problems.append("its engine is %s%s; this module handles RDS for PostgreSQL DB instances (engine postgres)"
                        % (source.get("Engine"), " (a member of DB cluster %s)" % source["DBClusterIdentifier"]
                           if source.get("DBClusterIdentifier") else ""))
    if source.get("MasterUserSecret"):
        problems.append("its master user password is managed in AWS Secrets Manager (ManageMasterUserPassword, secret %s); blue/green "
                        "deployments do not support managed master user passwords - switch to a password you manage "
                        "(modify the instance with ManageMasterUserPassword=false) or upgrade in place"
                        % source["MasterUserSecret"].get("SecretArn"))
    if source.get("ReadReplicaSourceDBInstanceIdentifier"):
        problems.append("it is a read replica of %s; create the blue/green deployment of the primary instance"
                        % source["ReadReplicaSourceDBInstanceIdentifier"])
    problems.extend(_replica_problems(source, replicas, region))
    if source.get("DBInstanceStatus") != "available":
        problems.append("it is %s; it must be available" % source.get("DBInstanceStatus"))
    current = source.get("EngineVersion")
    if target_version and version_key(target_version) < version_key(current):
        problems.append("target_engine_version %s is lower than its engine version %s; the green environment cannot run an older "
                        "version" % (target_version, current))
    elif target_version and major(target_version) != major(current) and str(logical_replication) != "1":
        problems.append("a major version upgrade (%s to %s) replicates logically, which needs rds.logical_replication=1 in its DB "
                        "parameter group (now %s; it takes effect after a reboot)" % (current, target_version, logical_replication or "0"))
    return ["source %s cannot be the blue instance of a blue/green deployment: %s" % (identifier, problem) for problem in problems]


def parameter_group_problems(group_name, group, target_version):
    if group is None:
        return ["target_db_parameter_group_name: DB parameter group %s does not exist" % group_name]
    wanted = "postgres%s" % major(target_version)
    if group.get("DBParameterGroupFamily") != wanted:
        return ["target_db_parameter_group_name: %s is of family %s; engine version %s needs a %s group"
                % (group_name, group.get("DBParameterGroupFamily"), target_version, wanted)]
    return []
