"""Application Auto Scaling for Aurora reader counts: RDS's checks on the scalable target.

RegisterScalableTarget for ``rds:cluster:ReadReplicaCount`` needs an existing Aurora cluster
(``cluster:<identifier>`` in the caller's account and region) and a capacity range within
0..15 replicas with MinCapacity <= MaxCapacity; a new target needs both bounds.
"""

from moto.applicationautoscaling.exceptions import AWSValidationException
from moto.applicationautoscaling.models import ApplicationAutoscalingBackend

from localenv.emulator.aurora import lookup

DIMENSION = "rds:cluster:ReadReplicaCount"
MAX_READERS = 15
_originals = {}


def _check(backend, r_id, dimension, min_capacity, max_capacity):
    identifier = r_id[len("cluster:"):] if r_id.startswith("cluster:") else None
    cluster = lookup.backend(backend.account_id, backend.region_name).clusters.get((identifier or "").lower())
    if cluster is None or not cluster.engine.startswith("aurora"):
        raise AWSValidationException("Unable to find Aurora DB cluster for resource ID %s (expected cluster:<identifier>)." % r_id)
    existing = backend.targets.get(dimension, {}).get(r_id)
    if existing is None and (min_capacity is None or max_capacity is None):
        raise AWSValidationException("MinCapacity and MaxCapacity are required to register a new scalable target.")
    low = min_capacity if min_capacity is not None else existing.min_capacity
    high = max_capacity if max_capacity is not None else existing.max_capacity
    if not 0 <= int(low) <= MAX_READERS or not 0 <= int(high) <= MAX_READERS:
        raise AWSValidationException("The capacity of %s must be between 0 and %d Aurora Replicas." % (DIMENSION, MAX_READERS))
    if int(low) > int(high):
        raise AWSValidationException("Minimum capacity cannot be greater than maximum capacity.")


def register_scalable_target(self, namespace, r_id, dimension, min_capacity, max_capacity, role_arn, suspended_state):
    if namespace == "rds" and dimension == DIMENSION:
        _check(self, r_id, dimension, min_capacity, max_capacity)
    original = _originals["register_scalable_target"]
    return original(self, namespace, r_id, dimension, min_capacity, max_capacity, role_arn, suspended_state)


def install(context):  # pylint: disable=unused-argument
    _originals.setdefault("register_scalable_target", ApplicationAutoscalingBackend.register_scalable_target)
    ApplicationAutoscalingBackend.register_scalable_target = register_scalable_target
