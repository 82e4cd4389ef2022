# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turn AWS SDK exceptions into one readable message, never a traceback.

``describe_error(exc, doing)`` gives the message, for example
``RDS DeleteDBParameterGroup failed: InvalidDBParameterGroupState: ... (while deleting
parameter group app)``; ``fail_aws(module, exc, doing)`` ends the module with it, the AWS error
code and the SDK versions. ``is_error(exc, code, ...)`` tests the code of a ``ClientError``; ``describe_one`` reads one
resource or None when AWS says it does not exist.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import boto3
    import botocore
    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError, WaiterError
    from botocore.parsers import ResponseParserError

    _SDK_EXCEPTIONS = (ClientError, BotoCoreError, ResponseParserError)
except ImportError:
    boto3 = botocore = None
    _SDK_EXCEPTIONS = ()

    class _BotocoreMissing(Exception):
        """Stands in for the botocore exceptions when botocore is not installed (never raised)."""

    BotoCoreError = ClientError = EndpointConnectionError = NoCredentialsError = _BotocoreMissing
    WaiterError = ResponseParserError = _BotocoreMissing


class AwsConfigurationError(Exception):
    """The connection options cannot make a working client (for example: no region)."""


class AwsWaitTimeout(Exception):
    """A wait ended without reaching the awaited state."""

    def __init__(self, what, timeout, last_state=None, reason=None):
        self.what = what
        self.timeout = timeout
        self.last_state = last_state
        self.reason = reason
        message = "timed out after %ss waiting for %s" % (timeout, what)
        if reason:
            message = "gave up waiting for %s: %s" % (what, reason)
        message += "; last observed state: %s" % (last_state if last_state else "unknown (no response)")
        super(AwsWaitTimeout, self).__init__(message)


def _first_line(exc):
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def error_code(exc):
    """The AWS error code of a ``ClientError`` (``None`` for any other exception)."""
    if isinstance(exc, ClientError):
        return (exc.response or {}).get("Error", {}).get("Code")
    return None


def is_error(exc, *codes):
    """True when ``exc`` is a ``ClientError`` whose code is one of ``codes``."""
    code = error_code(exc)
    return code is not None and code in codes


def _service_of(exc):
    return (exc.response or {}).get("ResponseMetadata", {}).get("ServiceId")


def describe_error(exc, doing=None):
    """One line describing ``exc``: what failed, the AWS code and message, and what we were doing."""
    if isinstance(exc, ClientError):
        error = (exc.response or {}).get("Error", {})
        service = _service_of(exc)
        operation = getattr(exc, "operation_name", None) or "request"
        message = "%s%s failed: %s: %s" % (
            (service + " ") if service else "",
            operation,
            error.get("Code", "Unknown"),
            error.get("Message") or "(no message from AWS)",
        )
    elif isinstance(exc, NoCredentialsError):
        message = (
            "no AWS credentials found: set access_key and secret_key, a profile, or the standard AWS "
            "environment variables (%s)" % exc
        )
    elif isinstance(exc, EndpointConnectionError):
        message = "cannot reach AWS: %s (check endpoint_url, region and network)" % exc
    elif isinstance(exc, WaiterError):
        message = "waiting for %s failed: %s" % (exc.kwargs.get("name", "a resource"), exc.kwargs.get("reason", exc))
    elif isinstance(exc, BotoCoreError):
        message = "AWS SDK error (%s): %s" % (type(exc).__name__, exc)
    elif isinstance(exc, ResponseParserError):
        message = "AWS sent a response that cannot be read (%s)" % _first_line(exc)
    elif isinstance(exc, (AwsConfigurationError, AwsWaitTimeout)):
        message = str(exc)
    else:
        message = "%s: %s" % (type(exc).__name__, exc)
    if doing:
        message += " (while %s)" % doing
    return message


def sdk_versions():
    """The boto3 and botocore versions in use (``None`` when a library is missing)."""
    return dict(
        boto3_version=getattr(boto3, "__version__", None),
        botocore_version=getattr(botocore, "__version__", None),
    )


def failure_details(exc, doing=None):
    """The keyword arguments ``fail_json`` receives for ``exc``."""
    details = dict(msg=describe_error(exc, doing=doing))
    code = error_code(exc)
    if code:
        details["error_code"] = code
        details["operation"] = getattr(exc, "operation_name", None)
        request_id = (exc.response or {}).get("ResponseMetadata", {}).get("RequestId")
        if request_id:
            details["request_id"] = request_id
    details.update(sdk_versions())
    return details


def fail_aws(module, exc, doing=None, **extra):
    """End the module run with a readable message for ``exc`` (no traceback)."""
    details = failure_details(exc, doing=doing)
    details.update(extra)
    module.fail_json(**details)


# The exceptions a module catches around AWS calls.
AWS_EXCEPTIONS = _SDK_EXCEPTIONS + (AwsConfigurationError, AwsWaitTimeout)


def describe_one(call, result_key, not_found_codes, **request):
    """The first entry under ``result_key`` of ``call(**request)``, or None when there is none.

    An error whose code is one of ``not_found_codes`` also means "none"; any other error is raised.
    With ``result_key`` None the whole response is the entry.
    """
    try:
        response = call(**request)
    except ClientError as e:
        if is_error(e, *not_found_codes):
            return None
        raise
    if result_key is None:
        return response
    entries = response.get(result_key) or []
    if isinstance(entries, dict):
        return entries
    return entries[0] if entries else None
