"""RDS Proxy as RDS behaves, where moto 5.2 falls short.

moto keeps DB proxies and their default target group but has no ModifyDBProxy, answers unknown
proxy names with a server error on most calls, accepts any target (unknown, duplicate, several per
target group, MySQL behind a PostgreSQL proxy), reports no endpoint or ARN for instance targets,
ignores ``InitQuery``, clamps bad values instead of refusing them and reports every proxy as
``available`` at once. This package replaces those actions (see ``actions``):

- CreateDBProxy validates names, auth entries, the role ARN, subnets (one VPC, two AZs), security
  groups and the idle timeout; the proxy is ``creating`` for ``transitions.creating`` seconds.
- ModifyDBProxy (Auth, RequireTLS, IdleClientTimeout, DebugLogging, RoleArn, SecurityGroups,
  NewDBProxyName): the proxy is ``modifying`` for ``transitions.modifying`` seconds.
- DeleteDBProxy: the proxy is reported as ``deleting`` for ``transitions.deleting`` seconds.
- Targets: one instance or cluster per target group, of the proxy's engine family, ``available``;
  described from the live instance or cluster (endpoint, port, ARN, role, health: ``REGISTERING``
  for ``transitions.creating`` seconds, then ``AVAILABLE`` or ``UNAVAILABLE`` with the reason, for
  example a secret that does not hold a username and password).
- ModifyDBProxyTargetGroup validates the pool settings and keeps ``InitQuery``.

Tags on proxies (AddTagsToResource / ListTagsForResource with the proxy ARN) work in moto as is.
"""

from localenv.emulator.proxies import actions, state


def install(context):
    """Patch moto's RDS responses and the proxy models (idempotent)."""
    state.install(context)
    actions.install()
