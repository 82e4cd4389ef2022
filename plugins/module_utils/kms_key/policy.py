# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build a KMS key policy from simple options, and compare policies by meaning.

``build_policy`` turns key administrators, key users, RDS and AWS Backup service use and other
accounts into a policy document. The owning account's root always keeps full access, so the key
can never become unmanageable (KMS refuses such policies anyway). ``canonical_policy`` gives a
form in which two policies that mean the same compare equal: statement, action and principal
order, single values versus one-element lists and duplicate entries do not matter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

POLICY_VERSION = "2012-10-17"

ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
]
USE_ACTIONS = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
]
GRANT_ACTIONS = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
GRANT_FOR_AWS_RESOURCE = {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def root_arn(account_id, partition="aws"):
    return "arn:%s:iam::%s:root" % (partition, account_id)


def _principal(arns):
    arns = sorted(set(arns))
    return {"AWS": arns[0] if len(arns) == 1 else arns}


def _service_statements(sid, service, region, accounts, partition):
    """Use of the key through ``service`` by any principal of ``accounts`` (kms:ViaService)."""
    condition = {
        "StringEquals": {
            "kms:ViaService": "%s.%s.amazonaws.com" % (service, region),
            "kms:CallerAccount": sorted(set(accounts)) if len(set(accounts)) > 1 else accounts[0],
        }
    }
    grant_condition = {
        "StringEquals": dict(condition["StringEquals"]),
        "Bool": dict(GRANT_FOR_AWS_RESOURCE["Bool"]),
    }
    principal = _principal([root_arn(account, partition) for account in accounts])
    return [
        {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": list(USE_ACTIONS), "Resource": "*",
         "Condition": condition},
        {"Sid": sid + "Grants", "Effect": "Allow", "Principal": principal, "Action": list(GRANT_ACTIONS),
         "Resource": "*", "Condition": grant_condition},
    ]


def build_policy(owner_account, region, key_administrators=None, key_users=None, allow_rds=False,
                 allow_backup=False, grant_accounts=None, partition="aws"):
    """The key policy document (a dict) for the given options."""
    grant_accounts = sorted(set(account for account in (grant_accounts or []) if account != owner_account))
    statements = [{
        "Sid": "EnableRootAccountAccess",
        "Effect": "Allow",
        "Principal": {"AWS": root_arn(owner_account, partition)},
        "Action": "kms:*",
        "Resource": "*",
    }]
    if key_administrators:
        statements.append({"Sid": "KeyAdministrators", "Effect": "Allow", "Principal": _principal(key_administrators),
                           "Action": list(ADMIN_ACTIONS), "Resource": "*"})
    if key_users:
        statements.append({"Sid": "KeyUsers", "Effect": "Allow", "Principal": _principal(key_users),
                           "Action": list(USE_ACTIONS), "Resource": "*"})
        statements.append({"Sid": "KeyUsersGrantsForAwsResources", "Effect": "Allow", "Principal": _principal(key_users),
                           "Action": list(GRANT_ACTIONS), "Resource": "*", "Condition": GRANT_FOR_AWS_RESOURCE})
    service_accounts = [owner_account] + grant_accounts
    if allow_rds:
        statements.extend(_service_statements("AllowRdsUse", "rds", region, service_accounts, partition))
    if allow_backup:
        statements.extend(_service_statements("AllowBackupUse", "backup", region, service_accounts, partition))
    if grant_accounts:
        principal = _principal([root_arn(account, partition) for account in grant_accounts])
        statements.append({"Sid": "OtherAccountsUse", "Effect": "Allow", "Principal": principal,
                           "Action": list(USE_ACTIONS), "Resource": "*"})
        statements.append({"Sid": "OtherAccountsGrantsForAwsResources", "Effect": "Allow", "Principal": principal,
                           "Action": list(GRANT_ACTIONS), "Resource": "*", "Condition": GRANT_FOR_AWS_RESOURCE})
    return {"Version": POLICY_VERSION, "Statement": statements}


def parse_policy(policy):
    """A policy given as a JSON text or a dict, as a dict; ``ValueError`` when it is not a JSON object."""
    if isinstance(policy, dict):
        return policy
    try:
        parsed = json.loads(policy)
    except (TypeError, ValueError) as e:
        raise ValueError("not valid JSON (%s)" % e)
    if not isinstance(parsed, dict):
        raise ValueError("a policy is a JSON object, got %s" % type(parsed).__name__)
    return parsed


def _canonical(value):
    if isinstance(value, dict):
        return dict((key, _canonical(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        items = [_canonical(item) for item in value]
        unique = {}
        for item in items:
            unique[json.dumps(item, sort_keys=True)] = item
        ordered = [unique[key] for key in sorted(unique)]
        return ordered[0] if len(ordered) == 1 else ordered
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def canonical_policy(policy):
    """``policy`` (dict or JSON) in a form where equal meaning gives equal values."""
    if policy is None:
        return None
    document = _canonical(parse_policy(policy))
    statements = document.get("Statement")
    if isinstance(statements, dict):
        document["Statement"] = statements
    return document


def policies_equal(first, second):
    return json.dumps(canonical_policy(first), sort_keys=True) == json.dumps(canonical_policy(second), sort_keys=True)


def policy_text(policy):
    """The JSON text sent to KMS (stable key order)."""
    return json.dumps(parse_policy(policy), sort_keys=True)
