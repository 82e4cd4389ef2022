"""Emulator-side state of one DB instance: transitional statuses, parameter apply status, pending
modifications, and instances that are still reported as ``deleting`` after DeleteDBInstance.

Transitional statuses are computed from timestamps when an instance is described (no background
threads): an instance reports ``creating`` for ``context.transitions.creating`` seconds after
CreateDBInstance, ``modifying`` after ModifyDBInstance, ``rebooting`` after RebootDBInstance (also
used for ``stopping``/``starting``), and ``deleting`` for ``transitions.deleting`` seconds after
DeleteDBInstance before it is gone.
"""

import dataclasses
import time


@dataclasses.dataclass
class InstanceState:
    owner_id: int
    has_server: bool = False
    transition: str = ""
    transition_until: float = 0.0
    parameter_apply_status: str = "in-sync"
    applying_until: float = 0.0
    pending: dict = dataclasses.field(default_factory=dict)
    password_pending_until: float = 0.0
    deleted: bool = False
    #: The Availability Zone of a Multi-AZ instance's standby (swapped by a forced failover).
    secondary_az: str = ""


def now():
    return time.monotonic()


def get(database):
    """The state of ``database`` (created on first use; copies made by moto get their own)."""
    state = database.__dict__.get("_localenv_state")
    if state is None or state.owner_id != id(database):
        state = InstanceState(owner_id=id(database))
        database.__dict__["_localenv_state"] = state
    return state


def begin(database, transition, seconds):
    state = get(database)
    if seconds and seconds > 0:
        state.transition = transition
        state.transition_until = now() + seconds


def status(database):
    """DBInstanceStatus as RDS would report it at this moment."""
    state = get(database)
    if state.deleted:
        return "deleting"
    if state.transition and state.transition_until > now():
        return state.transition
    return database.status


def parameter_apply_status(database):
    state = get(database)
    if state.parameter_apply_status == "in-sync" and state.applying_until > now():
        return "applying"
    return state.parameter_apply_status


class Ghosts:
    """Deleted instances still reported (as ``deleting``) for the configured number of seconds."""

    def __init__(self):
        self._items = {}

    def add(self, account_id, region, database, seconds):
        if seconds and seconds > 0:
            key = (account_id, region, database.db_instance_identifier)
            self._items[key] = (database, now() + seconds)

    def live(self, account_id, region):
        current = now()
        for key, (_database, until) in list(self._items.items()):
            if until <= current:
                self._items.pop(key, None)
        return {
            key[2]: database
            for key, (database, _until) in self._items.items()
            if key[0] == account_id and key[1] == region
        }

    def discard(self, account_id, region, identifier):
        self._items.pop((account_id, region, identifier.lower()), None)
