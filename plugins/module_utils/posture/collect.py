# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read the RDS estate of one account and region into the normalized inventory the controls read.

One paginated list call per resource type (instances, clusters, snapshots, cluster snapshots,
proxies, parameter groups, event subscriptions, route tables, backup plans), never a describe of a
resource the list already returned. Reads that lists cannot answer are made once per distinct
object, not per database: the parameters of each parameter group in use, the sharing attributes of
each manual snapshot, KMS DescribeKey once per key of this account, each backup plan and selection,
and, for the checks inside PostgreSQL, the managed master user secret of each database inspected.
``requests`` counts every AWS request made (each page counts).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, describe_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture.finding import resource
from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture import database_checks, rules

POSTGRES_ENGINES = ("postgres", "aurora-postgresql")
AURORA = "aurora-postgresql"


class Collector(object):
    """AWS reads for one account and region, counted."""

    def __init__(self, module, region):
        self.module = module
        self.region = region
        self.requests = 0
        self.warnings = []

    def _client(self, service):
        return self.module.client(service, region=self.region)

    def call(self, service, operation, doing, soft=False, **params):
        """One request; a failure ends the module (or, with ``soft``, gives None and a warning)."""
        client = self._client(service)
        self.requests += 1
        try:
            return getattr(client, operation)(**params)
        except AWS_EXCEPTIONS as exc:
            if soft:
                self.warnings.append(describe_error(exc, doing=doing))
                return None
            self.module.fail_aws(exc, doing=doing)
        return None

    def pages(self, service, operation, key, doing, soft=False, **params):
        """Every item of ``key`` over the pages of ``operation`` (each page is one request)."""
        client = self._client(service)
        items = []
        try:
            for page in client.get_paginator(operation).paginate(**params):
                self.requests += 1
                items.extend(page.get(key) or [])
        except AWS_EXCEPTIONS as exc:
            self.requests += 1
            if soft:
                self.warnings.append(describe_error(exc, doing=doing))
                return None
            self.module.fail_aws(exc, doing=doing)
        return items


def _arn_account(arn):
    parts = str(arn or "").split(":")
    return parts[4] if len(parts) > 5 else None


def _arn_region(arn):
    parts = str(arn or "").split(":")
    return parts[3] if len(parts) > 5 else None


def subnet_internet_routes(route_tables):
    """``{subnet_id: True}`` for every subnet whose route table sends 0.0.0.0/0 or ::/0 to an internet gateway.

    Subnets without an explicit association use their VPC's main route table (key ``main:<vpc>``).
    """
    public = {}
    for table in route_tables or []:
        to_igw = any(str(route.get("GatewayId") or "").startswith("igw-")
                     and (route.get("DestinationCidrBlock") == "0.0.0.0/0" or route.get("DestinationIpv6CidrBlock") == "::/0")
                     for route in table.get("Routes") or [])
        for association in table.get("Associations") or []:
            if association.get("Main"):
                public["main:%s" % table.get("VpcId")] = to_igw
            elif association.get("SubnetId"):
                public[association["SubnetId"]] = to_igw
    return public


def resolve_subnets(routes, instances):
    """``{subnet_id: bool}`` for the subnets of the instances' subnet groups (main table when not associated)."""
    resolved = {}
    for target in instances:
        group = target["record"].get("DBSubnetGroup") or {}
        for subnet in group.get("Subnets") or []:
            subnet_id = subnet.get("SubnetIdentifier")
            resolved[subnet_id] = routes.get(subnet_id, routes.get("main:%s" % group.get("VpcId"), False))
    return resolved


class Inventory(object):
    """Builds the context (see rules.py) for one account and region."""

    def __init__(self, module, collector, options):
        self.module = module
        self.aws = collector
        self.options = options
        self.account_id = None
        self.context = None

    def _restrict(self, instances, clusters):
        wanted = self.options.get("identifiers")
        if not wanted:
            return instances, clusters
        wanted = set(name.lower() for name in wanted)
        clusters = [item for item in clusters if item["DBClusterIdentifier"].lower() in wanted]
        kept = set(item["DBClusterIdentifier"] for item in clusters)
        instances = [item for item in instances
                     if item["DBInstanceIdentifier"].lower() in wanted or item.get("DBClusterIdentifier") in kept]
        return instances, clusters

    def _res(self, kind, identifier, arn, record):
        return resource(kind, identifier, arn, self.account_id, self.aws.region, record)

    def build(self):
        identity = self.aws.call("sts", "get_caller_identity", "reading the account id")
        self.account_id = identity["Account"]
        raw_instances = [item for item in self.aws.pages("rds", "describe_db_instances", "DBInstances", "listing DB instances")
                         if item.get("Engine") in POSTGRES_ENGINES]
        raw_clusters = [item for item in self.aws.pages("rds", "describe_db_clusters", "DBClusters", "listing DB clusters")
                        if item.get("Engine") in POSTGRES_ENGINES]
        raw_instances, raw_clusters = self._restrict(raw_instances, raw_clusters)
        instances = [self._res("db_instance", item["DBInstanceIdentifier"], item.get("DBInstanceArn"), item)
                     for item in raw_instances if item.get("Engine") != AURORA]
        members = [self._res("db_instance", item["DBInstanceIdentifier"], item.get("DBInstanceArn"), item)
                   for item in raw_instances if item.get("Engine") == AURORA]
        clusters = [self._cluster(item, raw_instances) for item in raw_clusters]
        context = dict(
            account_id=self.account_id, region=self.aws.region, tier=self.options["environment_tier"],
            min_backup_retention_days=self.options.get("min_backup_retention_days"),
            include_tagging_controls=self.options.get("include_tagging_controls"),
            required_tag_keys=self.options.get("required_tag_keys") or [],
            certificate_expiry_days=self.options.get("certificate_expiry_days"),
            instances=instances, members=members, clusters=clusters,
        )
        context["snapshots"], context["cluster_snapshots"] = self._snapshots(raw_instances, raw_clusters)
        context["proxies"] = self._proxies(raw_instances, raw_clusters)
        self._parameters(context, raw_instances, raw_clusters)
        context["event_subscriptions"] = self.aws.pages("rds", "describe_event_subscriptions", "EventSubscriptionsList",
                                                        "listing event subscriptions")
        context["key_managers"] = self._key_managers(raw_instances + raw_clusters)
        context["subnet_internet_routes"] = self._routes(instances + members)
        context["backup_plans"] = self._backup_plans() if raw_instances or raw_clusters else []
        context["databases"] = self._databases(instances, clusters) if self.options.get("inspect_databases") else []
        self.context = context
        return context

    def _cluster(self, record, raw_instances):
        target = self._res("db_cluster", record["DBClusterIdentifier"], record.get("DBClusterArn"), record)
        by_id = dict((item["DBInstanceIdentifier"], item) for item in raw_instances)
        target["member_settings"] = {}
        for member in record.get("DBClusterMembers") or []:
            instance = by_id.get(member.get("DBInstanceIdentifier")) or {}
            target["member_settings"][member.get("DBInstanceIdentifier")] = dict(
                AvailabilityZone=instance.get("AvailabilityZone"), AutoMinorVersionUpgrade=instance.get("AutoMinorVersionUpgrade"))
            if member.get("IsClusterWriter"):
                target["writer_parameter_group"] = rules.parameter_group_of(instance)
        return target

    def _snapshots(self, raw_instances, raw_clusters):
        instance_ids = set(item["DBInstanceIdentifier"] for item in raw_instances)
        cluster_ids = set(item["DBClusterIdentifier"] for item in raw_clusters)
        restricted = bool(self.options.get("identifiers"))
        snapshots = []
        for item in self.aws.pages("rds", "describe_db_snapshots", "DBSnapshots", "listing DB snapshots"):
            if item.get("Engine") != "postgres" or (restricted and item.get("DBInstanceIdentifier") not in instance_ids):
                continue
            target = self._res("db_snapshot", item["DBSnapshotIdentifier"], item.get("DBSnapshotArn"), item)
            if item.get("SnapshotType") != "automated":
                target["restore_attribute"] = self._restore_attribute(
                    "describe_db_snapshot_attributes", "DBSnapshotAttributesResult", "DBSnapshotAttributes",
                    DBSnapshotIdentifier=item["DBSnapshotIdentifier"])
            snapshots.append(target)
        cluster_snapshots = []
        for item in self.aws.pages("rds", "describe_db_cluster_snapshots", "DBClusterSnapshots", "listing DB cluster snapshots"):
            if item.get("Engine") not in POSTGRES_ENGINES or (restricted and item.get("DBClusterIdentifier") not in cluster_ids):
                continue
            target = self._res("db_cluster_snapshot", item["DBClusterSnapshotIdentifier"], item.get("DBClusterSnapshotArn"), item)
            if item.get("SnapshotType") != "automated":
                target["restore_attribute"] = self._restore_attribute(
                    "describe_db_cluster_snapshot_attributes", "DBClusterSnapshotAttributesResult", "DBClusterSnapshotAttributes",
                    DBClusterSnapshotIdentifier=item["DBClusterSnapshotIdentifier"])
            cluster_snapshots.append(target)
        return snapshots, cluster_snapshots

    def _restore_attribute(self, operation, result_key, list_key, **params):
        response = self.aws.call("rds", operation, "reading the sharing of snapshot %s" % list(params.values())[0], soft=True, **params)
        if response is None:
            return None
        for attribute in (response.get(result_key) or {}).get(list_key) or []:
            if attribute.get("AttributeName") == "restore":
                return sorted(attribute.get("AttributeValues") or [])
        return []

    def _proxies(self, raw_instances, raw_clusters):
        proxies = [item for item in self.aws.pages("rds", "describe_db_proxies", "DBProxies", "listing DB proxies")
                   if item.get("EngineFamily") == "POSTGRESQL"]
        if self.options.get("identifiers"):
            names = set(item["DBInstanceIdentifier"] for item in raw_instances) | set(item["DBClusterIdentifier"] for item in raw_clusters)
            kept = []
            for item in proxies:
                targets = self.aws.pages("rds", "describe_db_proxy_targets", "Targets", "reading the targets of proxy %s" % item["DBProxyName"],
                                         soft=True, DBProxyName=item["DBProxyName"]) or []
                if any(target.get("RdsResourceId") in names for target in targets):
                    kept.append(item)
            proxies = kept
        return [self._res("db_proxy", item["DBProxyName"], item.get("DBProxyArn"), item) for item in proxies]

    def _parameters(self, context, raw_instances, raw_clusters):
        instance_groups = sorted(set(rules.parameter_group_of(item) for item in raw_instances) - set([None]))
        cluster_groups = sorted(set(item.get("DBClusterParameterGroup") for item in raw_clusters) - set([None]))
        context["instance_parameters"] = {}
        context["cluster_parameters"] = {}
        context["parameter_groups"] = []
        context["cluster_parameter_groups"] = []
        if instance_groups:
            arns = dict((item["DBParameterGroupName"], item.get("DBParameterGroupArn")) for item in self.aws.pages(
                "rds", "describe_db_parameter_groups", "DBParameterGroups", "listing DB parameter groups"))
            for name in instance_groups:
                parameters = self.aws.pages("rds", "describe_db_parameters", "Parameters", "reading parameter group %s" % name,
                                            DBParameterGroupName=name)
                context["instance_parameters"][name] = dict((item["ParameterName"], item.get("ParameterValue")) for item in parameters)
                context["parameter_groups"].append(self._res("db_parameter_group", name, arns.get(name), dict(DBParameterGroupName=name)))
        if cluster_groups:
            arns = dict((item["DBClusterParameterGroupName"], item.get("DBClusterParameterGroupArn")) for item in self.aws.pages(
                "rds", "describe_db_cluster_parameter_groups", "DBClusterParameterGroups", "listing DB cluster parameter groups"))
            for name in cluster_groups:
                parameters = self.aws.pages("rds", "describe_db_cluster_parameters", "Parameters", "reading cluster parameter group %s" % name,
                                            DBClusterParameterGroupName=name)
                context["cluster_parameters"][name] = dict((item["ParameterName"], item.get("ParameterValue")) for item in parameters)
                context["cluster_parameter_groups"].append(
                    self._res("db_cluster_parameter_group", name, arns.get(name), dict(DBClusterParameterGroupName=name)))

    def _key_managers(self, records):
        managers = {}
        for key in sorted(set(item.get("KmsKeyId") for item in records if item.get("StorageEncrypted") and item.get("KmsKeyId"))):
            if _arn_account(key) and _arn_account(key) != self.account_id:
                # AWS managed keys (aws/rds) belong to the resource's own account: a key of another account is customer managed.
                managers[key] = "CUSTOMER"
                continue
            response = self.aws.call("kms", "describe_key", "reading KMS key %s" % key, soft=True, KeyId=key)
            managers[key] = ((response or {}).get("KeyMetadata") or {}).get("KeyManager")
        return managers

    def _routes(self, instances):
        vpcs = sorted(set((target["record"].get("DBSubnetGroup") or {}).get("VpcId") for target in instances) - set([None]))
        if not vpcs:
            return {}
        tables = self.aws.pages("ec2", "describe_route_tables", "RouteTables", "listing route tables", soft=True,
                                Filters=[dict(Name="vpc-id", Values=vpcs)])
        if tables is None:
            return None
        return resolve_subnets(subnet_internet_routes(tables), instances)

    def _backup_plans(self):
        plans = []
        listed = self.aws.pages("backup", "list_backup_plans", "BackupPlansList", "listing AWS Backup plans", soft=True)
        for item in listed or []:
            plan_id = item["BackupPlanId"]
            document = self.aws.call("backup", "get_backup_plan", "reading backup plan %s" % item.get("BackupPlanName"), soft=True,
                                     BackupPlanId=plan_id) or {}
            destinations = [action.get("DestinationBackupVaultArn") for rule in (document.get("BackupPlan") or {}).get("Rules") or []
                            for action in rule.get("CopyActions") or []]
            selections = []
            for listed_selection in self.aws.pages("backup", "list_backup_selections", "BackupSelectionsList",
                                                   "listing the selections of backup plan %s" % item.get("BackupPlanName"), soft=True,
                                                   BackupPlanId=plan_id) or []:
                selection = self.aws.call("backup", "get_backup_selection", "reading backup selection %s" % listed_selection.get("SelectionName"),
                                          soft=True, BackupPlanId=plan_id, SelectionId=listed_selection["SelectionId"])
                if selection:
                    selections.append(selection.get("BackupSelection") or {})
            plans.append(dict(name=item.get("BackupPlanName"), selections=selections,
                              cross_region=any(_arn_region(arn) and _arn_region(arn) != self.aws.region for arn in destinations)))
        return plans

    def _databases(self, instances, clusters):
        targets = []
        for target in instances + clusters:
            record = target["record"]
            if rules.is_replica(record):
                continue
            if target["type"] == "db_cluster":
                endpoint = dict(Address=record.get("Endpoint"), Port=record.get("Port"))
                status = record.get("Status")
                dbname = record.get("DatabaseName") or "postgres"
            else:
                endpoint = record.get("Endpoint") or {}
                status = record.get("DBInstanceStatus")
                dbname = record.get("DBName") or "postgres"
            database = resource("database", "%s/%s" % (target["id"], dbname), target["arn"], self.account_id, self.aws.region)
            database["inspection"] = self._inspect(record, endpoint, status, dbname)
            targets.append(database)
        return targets

    def _inspect(self, record, endpoint, status, dbname):
        if status != "available":
            return dict(error="status is %s, not available" % status)
        secret_arn = (record.get("MasterUserSecret") or {}).get("SecretArn")
        if not secret_arn:
            return dict(error="no managed master user secret (MasterUserSecret): the master password is not in Secrets Manager")
        if not endpoint.get("Address"):
            return dict(error="no endpoint address")
        response = self.aws.call("secretsmanager", "get_secret_value", "reading the master user secret %s" % secret_arn, soft=True,
                                 SecretId=secret_arn)
        if response is None:
            return dict(error="the master user secret %s cannot be read: %s" % (secret_arn, self.aws.warnings[-1]))
        try:
            secret = json.loads(response.get("SecretString") or "{}")
        except ValueError:
            return dict(error="the master user secret %s is not JSON" % secret_arn)
        username = secret.get("username") or record.get("MasterUsername")
        params = dict(login_host=endpoint["Address"], login_port=endpoint.get("Port") or 5432, login_db=dbname, login_user=username,
                      login_password=secret.get("password"), sslmode="verify-full", ca_bundle=self.options.get("ca_bundle"),
                      connect_timeout=self.options.get("connect_timeout"), application_name="innovate.aws_postgres.rds_posture_info")
        return database_checks.inspect(params, username)
