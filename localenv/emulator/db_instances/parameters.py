"""The DB parameter group values that configure an instance's server."""

import logging

from localenv.emulator import parameter_groups

log = logging.getLogger("localenv.emulator.db_instances")


def group_name(database):
    """The instance's DB parameter group name (the engine's default group when none was given)."""
    groups = database.db_parameter_groups()
    return groups[0].name if groups else None


def user_parameters(database):
    name = group_name(database)
    if not name:
        return {}
    try:
        return parameter_groups.user_parameters(database.account_id, database.region, name)
    except KeyError:
        log.warning("parameter group %s of %s not found; using engine defaults", name, database.db_instance_identifier)
        return {}


def needs_reboot(changes):
    """True when any changed parameter is static (RDS applies those at the next reboot)."""
    return any(
        change.get("apply_type") == "static" or change.get("apply_method") == "pending-reboot"
        for change in (changes or {}).values()
    )
