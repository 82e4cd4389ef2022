# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS connection options and the one boto3 session a module run uses.

``AWS_CONNECTION_ARGUMENT_SPEC`` is merged into every AWS module's argument spec (the options are
documented once, in the ``innovate.aws_postgres.aws_connection`` doc fragment). ``AwsSession``
builds a single boto3 session from those options, assumes a role through STS when asked (through
the same ``endpoint_url``), and hands out clients cached per (service, region), each configured
with botocore's retry mode (adaptive by default) and the collection's user agent. Retries are
botocore's own; nothing here loops.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws import credential_cache
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AwsConfigurationError
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.version import USER_AGENT_EXTRA

try:
    import boto3
    import botocore.session
    from botocore.config import Config
    from botocore.loaders import create_loader
except ImportError:
    pass  # the module reports the missing library (see module.py)

DEFAULT_ROLE_SESSION_NAME = "innovate-aws-postgres"
RETRY_MODES = ("adaptive", "standard", "legacy")

AWS_CONNECTION_ARGUMENT_SPEC = dict(
    region=dict(type="str", aliases=["aws_region", "ec2_region"], fallback=(env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION"])),
    profile=dict(type="str", aliases=["aws_profile"]),
    access_key=dict(type="str", aliases=["aws_access_key_id", "aws_access_key"], no_log=False),
    secret_key=dict(type="str", aliases=["aws_secret_access_key", "aws_secret_key"], no_log=True),
    session_token=dict(type="str", aliases=["aws_session_token"], no_log=True),
    endpoint_url=dict(type="str", aliases=["aws_endpoint_url"], fallback=(env_fallback, ["AWS_ENDPOINT_URL"])),
    assume_role_arn=dict(type="str"),
    external_id=dict(type="str", no_log=True),
    role_session_name=dict(type="str", default=DEFAULT_ROLE_SESSION_NAME),
    max_attempts=dict(type="int", default=10),
    retry_mode=dict(type="str", choices=list(RETRY_MODES), default="adaptive"),
    validate_certs=dict(type="bool", default=True),
    ca_bundle=dict(type="path"),
)

AWS_CONNECTION_REQUIRED_TOGETHER = [["access_key", "secret_key"]]
AWS_CONNECTION_REQUIRED_BY = {"external_id": "assume_role_arn"}


_SHARED = {}


def shared_loader():
    """The botocore data loader of this process, shared by every session made here.

    Each boto3 session otherwise gets a loader of its own and reads and parses the service models
    (the EC2 model alone is megabytes of JSON) again. The loaded data is never modified.
    """
    if "loader" not in _SHARED:
        _SHARED["loader"] = create_loader()
    return _SHARED["loader"]


def _botocore_session():
    session = botocore.session.get_session()
    session.register_component("data_loader", shared_loader())
    return session


def share_assumed_roles(directory):
    """Let the module runs of this process and its forks reuse assumed-role credentials kept in ``directory``."""
    _SHARED["credential_cache_dir"] = directory


def warm(services):
    """Load the models of ``services`` into the shared loader (clients are built, nothing is sent).

    Called in ``ansible-playbook`` before it forks workers (see plugin_utils/in_process.py), so
    every module run in a worker finds the models already parsed.
    """
    session = boto3.session.Session(aws_access_key_id="warm", aws_secret_access_key="warm",
                                    region_name="us-east-1", botocore_session=_botocore_session())
    for service in services:
        if service not in _SHARED.setdefault("warm", set()):
            session.client(service, endpoint_url="http://127.0.0.1:9")
            _SHARED["warm"].add(service)


def _annotate_error_with_service(parsed=None, model=None, **kwargs):
    """Record the service on an error response so that error messages can name it."""
    if isinstance(parsed, dict) and "Error" in parsed and model is not None:
        parsed.setdefault("ResponseMetadata", {})["ServiceId"] = model.service_model.service_id


class AwsSession(object):
    """One boto3 session per module run, with clients cached per (service, region)."""

    def __init__(self, params):
        self.params = dict((name, params.get(name)) for name in AWS_CONNECTION_ARGUMENT_SPEC)
        if self.params["max_attempts"] is None:
            self.params["max_attempts"] = 10
        if self.params["retry_mode"] is None:
            self.params["retry_mode"] = "adaptive"
        if self.params["validate_certs"] is None:
            self.params["validate_certs"] = True
        if self.params["max_attempts"] < 1:
            raise AwsConfigurationError("max_attempts must be at least 1, got %d" % self.params["max_attempts"])
        self._base_session = None
        self._session = None
        self._clients = {}
        self.assumed_role_user = None

    def client_config(self):
        return Config(
            retries={"mode": self.params["retry_mode"], "total_max_attempts": self.params["max_attempts"]},
            user_agent_extra=USER_AGENT_EXTRA,
        )

    def _verify(self):
        if not self.params["validate_certs"]:
            return False
        return self.params["ca_bundle"] or None

    def _client_kwargs(self, region):
        kwargs = dict(region_name=region, config=self.client_config())
        if self.params["endpoint_url"]:
            kwargs["endpoint_url"] = self.params["endpoint_url"]
        verify = self._verify()
        if verify is not None:
            kwargs["verify"] = verify
        return kwargs

    @property
    def base_session(self):
        """The session built from the given credentials or profile (before any role is assumed)."""
        if self._base_session is None:
            self._base_session = boto3.session.Session(
                botocore_session=_botocore_session(),
                profile_name=self.params["profile"],
                aws_access_key_id=self.params["access_key"],
                aws_secret_access_key=self.params["secret_key"],
                aws_session_token=self.params["session_token"],
                region_name=self.params["region"],
            )
        return self._base_session

    @property
    def region(self):
        return self.params["region"] or self.base_session.region_name

    @property
    def session(self):
        """The session clients are made from: the base session, or the assumed role's."""
        if self._session is None:
            if self.params["assume_role_arn"]:
                self._session = self._assume_role()
            else:
                self._session = self.base_session
        return self._session

    def _assume_role(self):
        request = dict(RoleArn=self.params["assume_role_arn"], RoleSessionName=self.params["role_session_name"] or DEFAULT_ROLE_SESSION_NAME)
        if self.params["external_id"]:
            request["ExternalId"] = self.params["external_id"]
        cache_dir = _SHARED.get("credential_cache_dir")
        base_credentials = self.base_session.get_credentials() if cache_dir else None
        key = response = None
        if base_credentials is not None:
            key = credential_cache.cache_key(base_credentials, request, self.params["endpoint_url"])
            response = credential_cache.load(cache_dir, key)
        if response is None:
            sts = self.base_session.client("sts", **self._client_kwargs(self.region or "us-east-1"))
            sts.meta.events.register("after-call", _annotate_error_with_service)
            response = sts.assume_role(**request)
            if key is not None:
                credential_cache.store(cache_dir, key, response)
        credentials = response["Credentials"]
        self.assumed_role_user = response.get("AssumedRoleUser", {}).get("Arn")
        return boto3.session.Session(
            botocore_session=_botocore_session(),
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.region,
        )

    def client(self, service, region=None):
        """A boto3 client for ``service`` in ``region`` (default: the module's region)."""
        region = region or self.region
        if not region:
            raise AwsConfigurationError(
                "no AWS region: set the region option (or its aliases aws_region, ec2_region), "
                "the AWS_REGION or AWS_DEFAULT_REGION environment variable, or a region in the profile"
            )
        key = (service, region)
        if key not in self._clients:
            new_client = self.session.client(service, **self._client_kwargs(region))
            new_client.meta.events.register("after-call", _annotate_error_with_service)
            self._clients[key] = new_client
        return self._clients[key]


def session_for(module):
    """The ``AwsSession`` of this module run, created on first use from the module's params."""
    existing = getattr(module, "aws_session", None)
    if existing is None:
        existing = AwsSession(module.params)
        module.aws_session = existing
    return existing


def client(module, service, region=None):
    """A cached boto3 client for ``service`` built from ``module``'s connection options."""
    return session_for(module).client(service, region=region)
