# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Assumed-role credentials shared by the module runs of one ``ansible-playbook`` run.

Only used when modules run inside the worker processes (plugin_utils/in_process.py): the
playbook process creates a private directory (mode 0700, removed when the playbook ends) and
every module run that assumes the same role with the same base credentials reuses the
credentials another run stored there (file mode 0600, like the AWS CLI's own cache), until five
minutes before they expire. The cache key is a SHA-256 digest; no base secret is stored.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
import json
import os
import tempfile

REFRESH_MARGIN = datetime.timedelta(minutes=5)


def cache_key(base_credentials, request, endpoint_url):
    """Digest of everything that decides which credentials AssumeRole returns."""
    frozen = base_credentials.get_frozen_credentials()
    material = json.dumps([frozen.access_key, frozen.secret_key, frozen.token,
                           request.get("RoleArn"), request.get("ExternalId"), request.get("RoleSessionName"),
                           endpoint_url])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _expiration(value):
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def load(directory, key):
    """The cached AssumeRole response for ``key`` if it is still fresh, else None."""
    try:
        with open(os.path.join(directory, key + ".json")) as handle:
            entry = json.load(handle)
        expires = _expiration(entry["Credentials"]["Expiration"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if expires - datetime.datetime.now(datetime.timezone.utc) < REFRESH_MARGIN:
        return None
    return entry


def store(directory, key, response):
    """Write the credentials and assumed-role user of an AssumeRole response (0600, atomically)."""
    credentials = dict(response["Credentials"])
    credentials["Expiration"] = _expiration(credentials["Expiration"]).isoformat()
    entry = dict(Credentials=credentials, AssumedRoleUser=response.get("AssumedRoleUser", {}))
    try:
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".%s." % key)
    except OSError:
        return
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(entry, handle)
        os.replace(temporary, os.path.join(directory, key + ".json"))
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
