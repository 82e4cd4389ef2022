"""Helpers shared by the AWS Backup extensions: request parameters, routes and errors."""

import json
import time
from urllib.parse import unquote

from moto.backup import urls
from moto.backup.exceptions import BackupClientError, InvalidParameterValueException, InvalidRequestException
from moto.backup.responses import BackupResponse

__all__ = ["InvalidParameterValueException", "InvalidRequestException", "ResourceNotFound", "add_routes",
           "add_methods", "body", "uri", "query", "now", "page"]


class ResourceNotFound(BackupClientError):
    """AWS Backup's ResourceNotFoundException (HTTP 404)."""

    code = 404

    def __init__(self, msg):
        super().__init__("ResourceNotFoundException", msg)


def add_routes(*patterns):
    """Route more URL paths of the backup service to moto's dispatcher (before the app is built)."""
    for pattern in patterns:
        urls.url_paths.setdefault(pattern, BackupResponse.dispatch)


def add_methods(methods, originals=None):
    """Set ``BackupResponse.<name>`` for each (name, function), keeping any original once."""
    for name, function in methods.items():
        if originals is not None and hasattr(BackupResponse, name):
            originals.setdefault(name, getattr(BackupResponse, name))
        setattr(BackupResponse, name, function)


def body(response):
    """The JSON body of a request as a dict (empty when there is none)."""
    if not response.body:
        return {}
    try:
        data = json.loads(response.body)
    except ValueError:
        raise InvalidParameterValueException("The request body is not valid JSON")
    return data if isinstance(data, dict) else {}


def uri(response, name):
    """A path parameter (``backupPlanId``...), URL-decoded."""
    value = (getattr(response, "uri_match", None) or {}).get(name)
    return unquote(value) if value is not None else None


def query(response, name):
    values = response.querystring.get(name)
    return values[0] if values else None


def now():
    return time.time()


def page(response, items):
    """(items of this page, next token) with AWS Backup's MaxResults (1..1000) and NextToken."""
    max_results = query(response, "maxResults")
    size = int(max_results) if max_results else 1000
    if not 1 <= size <= 1000:
        raise InvalidParameterValueException("MaxResults must be between 1 and 1000")
    token = query(response, "nextToken")
    start = int(token) if token and token.isdigit() else 0
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)
