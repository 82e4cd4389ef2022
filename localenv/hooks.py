"""A tiny publish/subscribe registry linking emulator extensions without importing each other.

Events (keyword arguments in brackets):
- ``parameter_group_modified`` (account_id, region, group_name, changes): ``changes`` maps each
  parameter whose user value changed (set or reset) to ``{"value": str or None, "apply_type":
  "static"|"dynamic", "apply_method": "immediate"|"pending-reboot"}``; ``value`` None means reset
  to the engine default.
"""

import collections

_subscribers = collections.defaultdict(list)


def subscribe(event, callback):
    _subscribers[event].append(callback)


def publish(event, **payload):
    for callback in list(_subscribers[event]):
        callback(**payload)


def clear():
    _subscribers.clear()
