"""KMS key rotation periods (moto keeps only an on/off flag).

EnableKeyRotation accepts ``RotationPeriodInDays`` (90..2560, default 365) as KMS does, and
GetKeyRotationStatus returns it (with ``KeyId``) while rotation is enabled.
"""

import json

from moto.kms.exceptions import ValidationException
from moto.kms.responses import KmsResponse

DEFAULT_PERIOD, MIN_PERIOD, MAX_PERIOD = 365, 90, 2560
_originals = {}


def _enable_key_rotation(self):
    period = self._get_param("RotationPeriodInDays")
    if period is not None and not MIN_PERIOD <= int(period) <= MAX_PERIOD:
        raise ValidationException(
            "1 validation error detected: Value '%s' at 'rotationPeriodInDays' failed to satisfy "
            "constraint: Member must have value between %d and %d" % (period, MIN_PERIOD, MAX_PERIOD))
    result = _originals["enable_key_rotation"](self)
    key = self.kms_backend.keys[self.kms_backend.get_key_id(self._get_param("KeyId"))]
    key.rotation_period_in_days = int(period) if period is not None else DEFAULT_PERIOD
    return result


def _get_key_rotation_status(self):
    result = json.loads(_originals["get_key_rotation_status"](self))
    key = self.kms_backend.keys[self.kms_backend.get_key_id(self._get_param("KeyId"))]
    result["KeyId"] = key.id
    if result.get("KeyRotationEnabled"):
        result["RotationPeriodInDays"] = getattr(key, "rotation_period_in_days", DEFAULT_PERIOD)
    return json.dumps(result)


def install(context):  # pylint: disable=unused-argument
    """Patch moto's KMS responses (idempotent)."""
    for name, function in (("enable_key_rotation", _enable_key_rotation),
                           ("get_key_rotation_status", _get_key_rotation_status)):
        _originals.setdefault(name, getattr(KmsResponse, name))
        setattr(KmsResponse, name, function)
