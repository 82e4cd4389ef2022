"""Transitional statuses of DB proxies (computed when described, no background threads) and
proxies that are still reported as ``deleting`` after DeleteDBProxy."""

import threading
import time

from moto.rds.models import DBProxy

env = {"context": None}
_ghosts = {}


_fallback_lock = threading.RLock()


def lock():
    """The environment's lock, shared with the other extensions that change RDS state."""
    context = env["context"]
    return context.lock if context is not None else _fallback_lock


def now():
    return time.monotonic()


def seconds(name):
    context = env["context"]
    return getattr(context.transitions, name) if context is not None else 0


def begin(proxy, transition):
    """Report ``transition`` for the configured number of seconds (no-op when it is 0)."""
    duration = seconds(transition)
    proxy.__dict__["_localenv_transition"] = transition
    proxy.__dict__["_localenv_until"] = now() + duration if duration and duration > 0 else 0.0


def _get_status(proxy):
    if proxy.__dict__.get("_localenv_deleted"):
        return "deleting"
    transition = proxy.__dict__.get("_localenv_transition")
    if transition and proxy.__dict__.get("_localenv_until", 0.0) > now():
        return transition
    return proxy.__dict__.get("_localenv_status", "available")


def _set_status(proxy, value):
    proxy.__dict__["_localenv_status"] = value


def add_ghost(account_id, region, proxy):
    """Keep a deleted proxy visible as ``deleting`` for ``transitions.deleting`` seconds."""
    proxy.__dict__["_localenv_deleted"] = True
    duration = seconds("deleting")
    if duration and duration > 0:
        _ghosts[(account_id, region, proxy.db_proxy_name)] = (proxy, now() + duration)


def ghosts(account_id, region):
    """``{name: proxy}`` of the deleted proxies still reported in this account and region."""
    current = now()
    for key, (_proxy, until) in list(_ghosts.items()):
        if until <= current:
            _ghosts.pop(key, None)
    return dict((key[2], proxy) for key, (proxy, _until) in _ghosts.items() if key[:2] == (account_id, region))


def forget_ghost(account_id, region, name):
    _ghosts.pop((account_id, region, name), None)


def install(context):
    env["context"] = context
    DBProxy.status = property(_get_status, _set_status)
