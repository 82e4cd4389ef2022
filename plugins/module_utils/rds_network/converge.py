# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the DB subnet group and the database security group of one deployment (``rds_network``).

A run that changes nothing reads four things: the subnets, the subnet group, its tags, and the
security groups of the VPC (which gives the database group, its rules and tags, and resolves the
application groups named in the task). Everything that can be wrong with the input is checked
before the first write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, AwsWaitTimeout, is_error
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.tags import apply_tag_changes, compare_tags, normalize_tags
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.waiters import poll_until
from ansible_collections.innovate.aws_postgres.plugins.module_utils.converger import Converger
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_network.api import NetworkApi, security_group_facts
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_network.rules import (
    cidr_kind,
    describe_rule,
    make_rule,
    plan_rules,
    rules_after,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_network.validation import (
    input_errors,
    security_group_name,
    subnet_filters,
    subnet_group_name,
)

SUBNET_GROUP_DESCRIPTION = "PostgreSQL subnet group managed by innovate.aws_postgres"
SECURITY_GROUP_DESCRIPTION = "PostgreSQL access managed by innovate.aws_postgres"
_DELETING = ("deleting",)
_POLL_DELAY = 10


def find_group(groups, reference):
    """The security group of ``groups`` whose id or name is ``reference`` (``None`` if absent)."""
    for group in groups:
        if group["GroupId"] == reference or (not reference.startswith("sg-") and group.get("GroupName") == reference):
            return group
    return None


class RdsNetworkConverger(Converger):
    def __init__(self, module):
        super(RdsNetworkConverger, self).__init__(module)
        self.subnet_group_name = subnet_group_name(self.params)
        self.security_group_name = security_group_name(self.params)
        self.api = None

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors)
        self.api = NetworkApi(self.module.client("ec2"), self.module.client("rds"))
        if self.params["state"] == "absent":
            return self.ensure_absent()
        return self.ensure_present()

    # reading

    def read_subnets(self):
        """``(subnet ids, vpc id, zones)`` of the subnets the task names by id or by ``subnet_filters``."""
        if self.params.get("subnet_filters") is not None:
            return self.check_subnets("subnet_filters", *self.find_subnets())
        subnet_ids = sorted(set(self.params["subnet_ids"]))
        try:
            subnets = self.api.subnets(subnet_ids)
        except AWS_EXCEPTIONS as e:
            if is_error(e, "InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed"):
                self.fail("subnet_ids: %s (region %s); give existing private subnets" % (
                    getattr(e, "response", {}).get("Error", {}).get("Message", "subnet not found"), self.module.session.region))
            self.module.fail_aws(e, doing="reading subnets %s" % ", ".join(subnet_ids))
        missing = [subnet for subnet in subnet_ids if subnet not in subnets]
        if missing:
            self.fail("subnet_ids: %s not found in region %s" % (", ".join(missing), self.module.session.region))
        return self.check_subnets("subnet_ids", subnet_ids, subnets)

    def find_subnets(self):
        """The subnets that match ``subnet_filters`` (narrowed to ``vpc_id``); fails when none does."""
        filters = subnet_filters(self.params)
        shown = ", ".join("%s=%s" % (entry["Name"], ",".join(entry["Values"])) for entry in filters)
        try:
            subnets = self.api.subnets_matching(filters)
        except AWS_EXCEPTIONS as e:
            if is_error(e, "InvalidParameterValue", "InvalidFilter"):
                self.fail("subnet_filters: %s (%s); use EC2 DescribeSubnets filter names such as 'tag:tier', 'vpc-id' or "
                          "'availability-zone'" % (getattr(e, "response", {}).get("Error", {}).get("Message", "invalid filter"), shown))
            self.module.fail_aws(e, doing="finding the subnets that match %s" % shown)
        if not subnets:
            self.fail("subnet_filters: no subnet in region %s matches %s; check the tags and the VPC of the private subnets" % (
                self.module.session.region, shown))
        return sorted(subnets), subnets

    def check_subnets(self, option, subnet_ids, subnets):
        vpcs = sorted(set(subnet["vpc_id"] for subnet in subnets.values()))
        errors = []
        if len(vpcs) > 1:
            hint = "; add a 'vpc-id' filter or give vpc_id" if option == "subnet_filters" else ""
            errors.append("%s: the subnets are in several VPCs (%s); a DB subnet group's subnets must all be in one VPC%s" % (
                option, ", ".join("%s: %s" % (vpc, ", ".join(s for s in subnet_ids if subnets[s]["vpc_id"] == vpc)) for vpc in vpcs), hint))
        if self.params.get("vpc_id") and vpcs and self.params["vpc_id"] not in vpcs:
            errors.append("vpc_id: %s is not the VPC of the subnets (%s)" % (self.params["vpc_id"], ", ".join(vpcs)))
        zones = sorted(set(subnet["availability_zone"] for subnet in subnets.values()))
        if len(zones) < 2:
            verb = "is" if len(subnet_ids) == 1 else "are"
            errors.append("%s: RDS requires subnets in at least two availability zones; %s %s all in %s: add a "
                          "subnet of another availability zone" % (option, ", ".join(subnet_ids), verb, ", ".join(zones)))
        if errors:
            self.fail(errors)
        return subnet_ids, vpcs[0], zones

    def resolve_groups(self, references, vpc_groups, vpc_id, option):
        """``{reference: group id}`` for ids or names; fails naming every unknown one."""
        resolved, missing_ids, errors = {}, [], []
        for reference in references:
            group = find_group(vpc_groups, reference)
            if group is not None:
                resolved[reference] = group["GroupId"]
            elif reference.startswith("sg-"):
                missing_ids.append(reference)
            else:
                errors.append("%s: no security group named %r in %s" % (option, reference, vpc_id))
        if missing_ids:
            try:
                found = self.api.security_groups_by_id(missing_ids)
            except AWS_EXCEPTIONS as e:
                if not is_error(e, "InvalidGroup.NotFound", "InvalidGroupId.Malformed", "InvalidGroupId.NotFound"):
                    self.module.fail_aws(e, doing="reading security groups %s" % ", ".join(missing_ids))
                found = []
            found_ids = set(group["GroupId"] for group in found)
            for reference in missing_ids:
                if reference in found_ids:
                    resolved[reference] = reference
                else:
                    errors.append("%s: security group %s does not exist" % (option, reference))
        return resolved, errors

    # desired rules

    def desired_ingress(self, resolved):
        port = self.params["port"]
        rules = [make_rule("tcp", port, port, "group", resolved[reference], "PostgreSQL from %s" % reference)
                 for reference in self.params.get("allowed_security_groups") or []]
        rules += [make_rule("tcp", port, port, cidr_kind(cidr), cidr, "PostgreSQL from %s" % cidr)
                  for cidr in self.params.get("allowed_cidrs") or []]
        return rules

    def desired_egress(self, resolved):
        rules = []
        for rule in self.params.get("egress_rules") or []:
            from_port = rule.get("from_port")
            to_port = rule.get("to_port") if rule.get("to_port") is not None else from_port
            if rule.get("cidr") is not None:
                rules.append(make_rule(rule["protocol"], from_port, to_port, cidr_kind(rule["cidr"]), rule["cidr"], rule.get("description")))
            else:
                rules.append(make_rule(rule["protocol"], from_port, to_port, "group", resolved[rule["security_group"]],
                                       rule.get("description")))
        return rules

    # state=present

    def ensure_present(self):
        subnet_ids, vpc_id, zones = self.read_subnets()
        name = self.subnet_group_name
        subnet_group = self.step("reading DB subnet group %s" % name, self.api.subnet_group, name)
        if subnet_group is not None and subnet_group["vpc_id"] and subnet_group["vpc_id"] != vpc_id:
            option = "subnet_filters" if self.params.get("subnet_filters") is not None else "subnet_ids"
            self.fail("%s: DB subnet group %s is in %s and the subnets are in %s; a subnet group cannot move to another VPC: "
                      "remove it (state=absent) or choose another subnet_group_name" % (option, name, subnet_group["vpc_id"], vpc_id))
        subnet_group_tags = {}
        if subnet_group is not None and subnet_group["arn"]:
            subnet_group_tags = self.step("reading the tags of DB subnet group %s" % name, self.api.rds_tags, subnet_group["arn"])
        vpc_groups = self.step("reading the security groups of %s" % vpc_id, self.api.vpc_security_groups, vpc_id)
        own = find_group([group for group in vpc_groups if group.get("GroupName") == self.security_group_name], self.security_group_name)
        references = list(self.params.get("allowed_security_groups") or [])
        references += [rule["security_group"] for rule in self.params.get("egress_rules") or [] if rule.get("security_group")]
        references = [reference for reference in references if reference != self.security_group_name]
        resolved, errors = self.resolve_groups(sorted(set(references)), vpc_groups, vpc_id, "allowed_security_groups")
        if errors:
            self.fail(errors)
        own_id = own["GroupId"] if own is not None else None
        resolved[self.security_group_name] = own_id or "(%s)" % self.security_group_name
        plan = self.plan(subnet_group, subnet_group_tags, subnet_ids, vpc_id, own, resolved)
        if not self.check_mode:
            self.apply(plan, subnet_ids, vpc_id)
        return self.present_result(plan, subnet_ids, zones)

    def plan(self, subnet_group, subnet_group_tags, subnet_ids, vpc_id, own, resolved):
        tags, purge_tags = self.params.get("tags"), self.params["purge_tags"]
        description = self.params.get("description")
        plan = dict(subnet_group=subnet_group, subnet_group_before=subnet_group, own=own)
        if subnet_group is None:
            plan["subnet_group_action"] = "create"
            plan["subnet_group_description"] = description or SUBNET_GROUP_DESCRIPTION
            plan["subnet_group_tags"] = (normalize_tags(tags), [])
            plan["subnet_group_tags_before"] = {}
        else:
            new_description = description if description is not None else subnet_group["description"]
            modify = new_description != subnet_group["description"] or subnet_ids != subnet_group["subnet_ids"]
            plan["subnet_group_action"] = "modify" if modify else None
            plan["subnet_group_description"] = new_description
            plan["subnet_group_tags"] = compare_tags(subnet_group_tags, tags, purge_tags)
            plan["subnet_group_tags_before"] = subnet_group_tags
        ingress = self.desired_ingress(resolved)
        egress = self.desired_egress(resolved) if self.params.get("egress_rules") is not None else None
        if own is None:
            facts = dict(id=None, name=self.security_group_name, arn=None, vpc_id=vpc_id, description=SECURITY_GROUP_DESCRIPTION,
                         ingress=[], egress=[make_rule("all", None, None, "cidr", "0.0.0.0/0")], tags={})
            if description is not None:
                facts["description"] = description
            plan["security_group_action"] = "create"
            plan["security_group_tags"] = (normalize_tags(tags), [])
        else:
            facts = security_group_facts(own)
            if description is not None and description != facts["description"]:
                self.module.warn("description: security group %s keeps its description %r; AWS cannot change a security "
                                 "group's description (the task asks for %r)" % (facts["id"], facts["description"], description))
            plan["security_group_action"] = None
            plan["security_group_tags"] = compare_tags(facts["tags"], tags, purge_tags)
        plan["security_group_before"] = facts
        plan["ingress"] = plan_rules(facts["ingress"], ingress, self.params["purge_rules"])
        plan["egress"] = plan_rules(facts["egress"], egress, True) if egress is not None else ([], [])
        return plan

    def apply(self, plan, subnet_ids, vpc_id):
        name = self.subnet_group_name
        if plan["subnet_group_action"] == "create":
            plan["subnet_group"] = self.write("create_subnet_group", "creating DB subnet group %s" % name, self.api.create_subnet_group,
                                              name, plan["subnet_group_description"], subnet_ids, plan["subnet_group_tags"][0])
        else:
            if plan["subnet_group_action"] == "modify":
                plan["subnet_group"] = self.write("modify_subnet_group", "modifying DB subnet group %s" % name,
                                                  self.api.modify_subnet_group, name, plan["subnet_group_description"], subnet_ids)
            to_set, to_remove = plan["subnet_group_tags"]
            arn = plan["subnet_group"]["arn"]
            if to_remove:
                self.write("untag_subnet_group", "removing tags from DB subnet group %s" % name, self.api.remove_rds_tags, arn, to_remove)
            if to_set:
                self.write("tag_subnet_group", "tagging DB subnet group %s" % name, self.api.add_rds_tags, arn, to_set)
        facts = plan["security_group_before"]
        if plan["security_group_action"] == "create":
            group_id, arn = self.write("create_security_group", "creating security group %s in %s" % (self.security_group_name, vpc_id),
                                       self.api.create_security_group, self.security_group_name, facts["description"], vpc_id,
                                       plan["security_group_tags"][0])
            facts.update(id=group_id, arn=arn)
            self._fix_self_references(plan, group_id)
        else:
            to_set, to_remove = plan["security_group_tags"]
            if to_remove:
                self.write("untag_security_group", "removing tags from %s" % facts["id"], self.api.remove_ec2_tags, facts["id"], to_remove)
            if to_set:
                self.write("tag_security_group", "tagging %s" % facts["id"], self.api.add_ec2_tags, facts["id"], to_set)
        for direction, egress in (("ingress", False), ("egress", True)):
            to_add, to_remove = plan[direction]
            if to_remove:
                self.write("revoke_" + direction, "revoking %s rules %s of %s" % (
                    direction, "; ".join(describe_rule(rule) for rule in to_remove), facts["id"]), self.api.revoke, facts["id"], to_remove, egress)
            if to_add:
                self.write("authorize_" + direction, "authorizing %s rules %s on %s" % (
                    direction, "; ".join(describe_rule(rule) for rule in to_add), facts["id"]), self.api.authorize, facts["id"], to_add, egress)

    def _fix_self_references(self, plan, group_id):
        placeholder = "(%s)" % self.security_group_name
        for direction in ("ingress", "egress"):
            for rule in plan[direction][0]:
                if rule["source"] == placeholder:
                    rule["source"] = group_id

    def present_result(self, plan, subnet_ids, zones):
        facts = plan["security_group_before"]
        subnet_group = plan["subnet_group"] or {}
        sg_tags_after = apply_tag_changes(facts["tags"], *plan["security_group_tags"])
        sn_tags_after = apply_tag_changes(plan["subnet_group_tags_before"], *plan["subnet_group_tags"])
        ingress_after = rules_after(facts["ingress"], *plan["ingress"])
        egress_after = rules_after(facts["egress"], *plan["egress"])
        changed = bool(plan["subnet_group_action"] or plan["security_group_action"] or any(plan["subnet_group_tags"])
                       or any(plan["security_group_tags"]) or any(plan["ingress"]) or any(plan["egress"]))
        result_subnet_group = dict(
            name=self.subnet_group_name, arn=subnet_group.get("arn"), description=plan["subnet_group_description"],
            vpc_id=facts["vpc_id"], subnet_ids=subnet_ids, availability_zones=zones, tags=sn_tags_after,
        )
        result_security_group = dict(
            id=facts["id"], name=facts["name"], arn=facts.get("arn"), vpc_id=facts["vpc_id"], description=facts["description"],
            ingress=ingress_after, egress=egress_after, tags=sg_tags_after,
        )
        before = {}
        previous = plan["subnet_group_before"]
        if previous is not None:
            before["subnet_group"] = dict(description=previous["description"], subnet_ids=previous["subnet_ids"],
                                          tags=plan["subnet_group_tags_before"])
        if plan["security_group_action"] != "create":
            before["security_group"] = dict(ingress=[describe_rule(rule) for rule in facts["ingress"]],
                                            egress=[describe_rule(rule, "to") for rule in facts["egress"]], tags=facts["tags"])
        after = dict(
            subnet_group=dict(description=plan["subnet_group_description"], subnet_ids=subnet_ids, tags=sn_tags_after),
            security_group=dict(ingress=[describe_rule(rule) for rule in ingress_after],
                                egress=[describe_rule(rule, "to") for rule in egress_after], tags=sg_tags_after),
        )
        return dict(changed=changed, subnet_group=result_subnet_group, security_group=result_security_group,
                    rules_added=[describe_rule(rule) for rule in plan["ingress"][0]] + [describe_rule(rule, "to") for rule in plan["egress"][0]],
                    rules_removed=[describe_rule(rule) for rule in plan["ingress"][1]] + [describe_rule(rule, "to") for rule in plan["egress"][1]],
                    diff=dict(before=before, after=after))

    # state=absent

    def find_own_group(self, subnet_group):
        vpc_id = self.params.get("vpc_id") or (subnet_group or {}).get("vpc_id")
        groups = self.step("reading security group %s" % self.security_group_name, self.api.vpc_security_groups,
                           vpc_id, self.security_group_name)
        groups = [group for group in groups if group.get("GroupName") == self.security_group_name]
        if len(groups) > 1:
            self.fail("vpc_id: security groups named %s exist in several VPCs (%s); give vpc_id to choose one" % (
                self.security_group_name, ", ".join(sorted(group["VpcId"] for group in groups))))
        return groups[0] if groups else None

    def users(self, subnet_group, own):
        """``(blocking, transient)`` descriptions of what uses the subnet group or the security group."""
        blocking, transient = [], []
        own_id = own["GroupId"] if own else None
        if subnet_group is not None or own_id:
            instances = self.step("listing DB instances", self.api.db_instances)
            clusters = self.step("listing DB clusters", self.api.db_clusters)
            for kind, items, id_key, status_key in (("DB instance", instances, "DBInstanceIdentifier", "DBInstanceStatus"),
                                                    ("DB cluster", clusters, "DBClusterIdentifier", "Status")):
                for item in items:
                    group = item.get("DBSubnetGroup")
                    group_name = group.get("DBSubnetGroupName") if isinstance(group, dict) else group
                    sg_ids = [entry.get("VpcSecurityGroupId") for entry in item.get("VpcSecurityGroups") or []]
                    uses = []
                    if subnet_group is not None and group_name == subnet_group["name"]:
                        uses.append("subnet group")
                    if own_id and own_id in sg_ids:
                        uses.append("security group")
                    if uses:
                        text = "%s %s (%s; status %s)" % (kind, item[id_key], " and ".join(uses), item.get(status_key))
                        (transient if item.get(status_key) in _DELETING else blocking).append(text)
        if own_id:
            for interface in self.step("listing the network interfaces of %s" % own_id, self.api.network_interfaces, own_id):
                text = "network interface %s (%s)" % (interface["NetworkInterfaceId"], interface.get("Description") or "no description")
                (transient if interface.get("RequesterManaged") else blocking).append(text)
            vpc_groups = self.step("reading the security groups of %s" % own.get("VpcId"), self.api.vpc_security_groups, own.get("VpcId"))
            for group in vpc_groups:
                if group["GroupId"] == own_id:
                    continue
                permissions = (group.get("IpPermissions") or []) + (group.get("IpPermissionsEgress") or [])
                if any(pair.get("GroupId") == own_id for permission in permissions for pair in permission.get("UserIdGroupPairs") or []):
                    blocking.append("security group %s (%s) has rules that reference it" % (group["GroupId"], group.get("GroupName")))
        return blocking, transient

    def wait_for_users(self, subnet_group, own):
        blocking, transient = self.users(subnet_group, own)
        if transient and not blocking and self.params["wait"]:
            try:
                blocking, transient = poll_until(lambda: self.users(subnet_group, own), lambda found: not found[0] and not found[1],
                                                 self.params["wait_timeout"], delay=_POLL_DELAY, what="the users of the network to go away",
                                                 state_of=lambda found: "; ".join(found[0] + found[1]))
            except AwsWaitTimeout as e:
                self.fail("cannot remove %s: %s" % (self.subnet_group_name, e))
        in_use = blocking + transient
        if in_use:
            hint = "" if blocking or self.params["wait"] else " (they are being deleted; set wait=true to wait for them)"
            self.fail("cannot remove DB subnet group %s / security group %s: still in use by %s%s; delete or move those first" % (
                self.subnet_group_name, self.security_group_name, "; ".join(in_use), hint))

    def ensure_absent(self):
        subnet_group = self.step("reading DB subnet group %s" % self.subnet_group_name, self.api.subnet_group, self.subnet_group_name)
        own = self.find_own_group(subnet_group)
        if subnet_group is None and own is None:
            return dict(changed=False, subnet_group=None, security_group=None, diff=dict(before={}, after={}))
        self.wait_for_users(subnet_group, own)
        if not self.check_mode:
            if subnet_group is not None:
                self.write("delete_subnet_group", "deleting DB subnet group %s" % self.subnet_group_name, self.api.delete_subnet_group,
                           self.subnet_group_name)
            if own is not None:
                self.write("delete_security_group", "deleting security group %s" % own["GroupId"], self.api.delete_security_group, own["GroupId"])
        before = {}
        if subnet_group is not None:
            before["subnet_group"] = dict(name=subnet_group["name"], subnet_ids=subnet_group["subnet_ids"])
        own_facts = security_group_facts(own) if own is not None else None
        if own_facts is not None:
            before["security_group"] = dict(id=own_facts["id"], name=own_facts["name"],
                                            ingress=[describe_rule(rule) for rule in own_facts["ingress"]])
        return dict(changed=True, subnet_group=subnet_group, security_group=own_facts, diff=dict(before=before, after={}))
