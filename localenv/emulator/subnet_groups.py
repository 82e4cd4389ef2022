"""ModifyDBSubnetGroup keeps the group (moto 5.2 pops it from the backend and never puts it back).

Without this, a DB subnet group disappears from DescribeDBSubnetGroups after its first
modification (for example when rds_network adds a subnet), although the call reports success.
"""

from moto.rds.exceptions import DBSubnetGroupNotFoundError
from moto.rds.models import RDSBackend

_originals = {}


def _modify_db_subnet_group(self, subnet_name, description, subnets):
    subnet_group = self.subnet_groups.get(subnet_name)
    if subnet_group is None:
        raise DBSubnetGroupNotFoundError(subnet_name)
    subnet_group.subnets = subnets
    if description is not None:
        subnet_group.description = description
    return subnet_group


def install(context):  # pylint: disable=unused-argument
    """Patch moto's RDS backend (idempotent)."""
    _originals.setdefault("modify_subnet_group", RDSBackend.modify_db_subnet_group)
    RDSBackend.modify_db_subnet_group = _modify_db_subnet_group
