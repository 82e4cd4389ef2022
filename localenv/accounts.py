"""The emulated AWS accounts and regions, and the automation role seeded in each member account.

Base credentials (any access key) land in moto's default account, the management account; the
others are reached with sts:AssumeRole on their InnovateAutomation role.
"""

import json

MANAGEMENT_ACCOUNT = "123456789012"  # moto.core.DEFAULT_ACCOUNT_ID
ACCOUNTS = {
    "management": MANAGEMENT_ACCOUNT,
    "data": "111111111111",
    "security": "222222222222",
    "backup": "333333333333",
    "app": "444444444444",
    # Non-production: where the monthly restore tests restore production backups (roles/restore_test).
    "nonprod": "555555555555",
}
REGIONS = ("us-east-1", "us-west-2")
ROLE_NAME = "InnovateAutomation"


def role_arn(account_id):
    return "arn:aws:iam::%s:role/%s" % (account_id, ROLE_NAME)


def trust_policy():
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::%s:root" % MANAGEMENT_ACCOUNT},
            "Action": "sts:AssumeRole",
        }],
    })


def seed():
    """Create the InnovateAutomation role in every member account (idempotent)."""
    # Imported here so that the CLI, which only reads the constants, does not load moto.
    from moto.iam.models import iam_backends

    for name, account_id in ACCOUNTS.items():
        if account_id == MANAGEMENT_ACCOUNT:
            continue
        iam = iam_backends[account_id]["aws"]
        if any(role.name == ROLE_NAME for role in iam.get_roles()):
            continue
        iam.create_role(
            role_name=ROLE_NAME,
            assume_role_policy_document=trust_policy(),
            path="/",
            permissions_boundary=None,
            description="Automation role assumed from the management account (%s)" % name,
            tags=[{"Key": "innovate:account", "Value": name}],
            max_session_duration="3600",
        )


def inventory():
    """Accounts as written to state.json: name -> account id and the role to assume."""
    return {name: {"account_id": account_id,
                   "role_arn": None if account_id == MANAGEMENT_ACCOUNT else role_arn(account_id)}
            for name, account_id in ACCOUNTS.items()}
