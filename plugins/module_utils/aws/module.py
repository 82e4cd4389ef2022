# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``AwsModule``: an ``AnsibleModule`` with the AWS connection options, clients and error reporting.

    module = AwsModule(argument_spec=dict(name=dict(required=True)), supports_check_mode=True)
    rds = module.client("rds")
    try:
        rds.describe_db_parameter_groups(DBParameterGroupName=module.params["name"])
    except AWS_EXCEPTIONS as e:  # from module_utils.aws.errors
        module.fail_aws(e, doing="reading parameter group %s" % module.params["name"])

Every other attribute (``params``, ``check_mode``, ``exit_json``, ``warn``...) is the wrapped
``AnsibleModule``'s.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.compat.version import LooseVersion

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.connection import (
    AWS_CONNECTION_ARGUMENT_SPEC,
    AWS_CONNECTION_REQUIRED_BY,
    AWS_CONNECTION_REQUIRED_TOGETHER,
    AwsSession,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS, fail_aws

try:
    import boto3
    import botocore

    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None
except ImportError:
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = traceback.format_exc()

MINIMUM_BOTO3_VERSION = "1.34.0"
MINIMUM_BOTOCORE_VERSION = "1.34.0"


class AwsModule(object):
    """A thin wrapper around ``AnsibleModule`` for modules that call AWS."""

    def __init__(self, argument_spec=None, required_together=None, required_by=None, **kwargs):
        spec = dict(AWS_CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec or {})
        together = list(AWS_CONNECTION_REQUIRED_TOGETHER) + list(required_together or [])
        by = dict(AWS_CONNECTION_REQUIRED_BY)
        by.update(required_by or {})
        self.module = AnsibleModule(argument_spec=spec, required_together=together, required_by=by, **kwargs)
        self.aws_session = None
        if not HAS_BOTO3:
            self.module.fail_json(msg=missing_required_lib("boto3 and botocore"), exception=BOTO3_IMPORT_ERROR)
        for library, minimum in ((boto3, MINIMUM_BOTO3_VERSION), (botocore, MINIMUM_BOTOCORE_VERSION)):
            if LooseVersion(library.__version__) < LooseVersion(minimum):
                self.module.fail_json(
                    msg="%s %s or later is required, found %s" % (library.__name__, minimum, library.__version__)
                )

    def __getattr__(self, name):
        if name == "module":
            raise AttributeError(name)
        return getattr(self.module, name)

    @property
    def session(self):
        if self.aws_session is None:
            try:
                self.aws_session = AwsSession(self.module.params)
            except AWS_EXCEPTIONS as e:
                self.fail_aws(e, doing="reading the AWS connection options")
        return self.aws_session

    def client(self, service, region=None):
        """A boto3 client for ``service`` (cached per service and region for this run)."""
        session = self.session
        doing = "creating the %s client" % service
        if session.params["assume_role_arn"] and session.assumed_role_user is None:
            doing = "assuming role %s" % session.params["assume_role_arn"]
        try:
            return session.client(service, region=region)
        except AWS_EXCEPTIONS as e:
            self.fail_aws(e, doing=doing)

    def fail_aws(self, exc, doing=None, **extra):
        """Fail with a readable message for an AWS SDK exception."""
        fail_aws(self.module, exc, doing=doing, **extra)
