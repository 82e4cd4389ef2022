"""Finding clusters and global clusters of one account across regions.

Global clusters live in the us-east-1 backend of their account (where moto's responses keep
them); clusters are found by identifier in a region, or by ARN in any region.
"""

from moto.rds.models import rds_backends

GLOBAL_REGION = "us-east-1"
AURORA_ENGINE = "aurora-postgresql"


def backend(account_id, region):
    return rds_backends[account_id][region]


def global_clusters(account_id):
    return backend(account_id, GLOBAL_REGION).global_clusters


def _last_part(identifier):
    return identifier.rsplit(":", 1)[-1].lower()


def find_global(account_id, identifier):
    """The global cluster named by identifier or ARN, or None."""
    if not identifier:
        return None
    return global_clusters(account_id).get(_last_part(identifier))


def find_cluster(account_id, identifier, region):
    """The DB cluster named by identifier (in ``region``) or ARN (in its own region), or None."""
    if not identifier:
        return None
    if identifier.startswith("arn:"):
        parts = identifier.split(":")
        if len(parts) < 7 or parts[5] != "cluster" or parts[4] != account_id:
            return None
        region = parts[3]
    return backend(account_id, region).clusters.get(_last_part(identifier))


def is_aurora(cluster):
    return getattr(cluster, "engine", None) == AURORA_ENGINE


def global_of(cluster):
    """The global cluster ``cluster`` belongs to, or None."""
    found = find_global(cluster.account_id, getattr(cluster, "global_cluster_identifier", None))
    if found is not None and any(member is cluster for member in found.members):
        return found
    return None


def primary_of(global_cluster):
    """The writer member of a global cluster, or None."""
    return next((member for member in global_cluster.members if member.is_writer), None)


def is_secondary(cluster):
    return global_of(cluster) is not None and not cluster.is_writer
