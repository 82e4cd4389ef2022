# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Dump each database of a deployment and upload the dumps (the work of ``pg_logical_backup``).

Check mode resolves the endpoint and checks the bucket but dumps and uploads nothing. Every dump
is written to a private temporary directory that is removed afterwards, also on failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import shutil
import tempfile

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.connection import AwsSession
from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS
from ansible_collections.innovate.aws_postgres.plugins.module_utils.logical_backup.dump import (
    DumpError,
    dump_command,
    dump_environment,
    run_dump,
    sha256_of,
)
from ansible_collections.innovate.aws_postgres.plugins.module_utils.logical_backup.upload import upload


def object_key(prefix, deployment, database, stamp):
    parts = [part.strip("/") for part in (prefix, deployment, stamp, "%s.dump" % database) if part and part.strip("/")]
    return "/".join(parts)


def input_errors(params):
    errors = []
    if not params["databases"]:
        errors.append("databases: at least one database name is required")
    if params["login_host"] is None and not (params["db_instance_identifier"] or params["db_cluster_identifier"]):
        errors.append("login_host: give login_host, db_instance_identifier or db_cluster_identifier to find the endpoint")
    if not os.path.isfile(params["pg_dump_path"]) or not os.access(params["pg_dump_path"], os.X_OK):
        errors.append("pg_dump_path: %r is not an executable file; install the PostgreSQL client of the server's major "
                      "version (e.g. /usr/lib/postgresql/15/bin/pg_dump)" % params["pg_dump_path"])
    if params["ssl_root_cert"] and not os.path.isfile(params["ssl_root_cert"]):
        errors.append("ssl_root_cert: %r does not exist" % params["ssl_root_cert"])
    if params["sslmode"] == "verify-full" and not params["ssl_root_cert"]:
        errors.append("ssl_root_cert: required with sslmode verify-full (the CA bundle that signs the server's certificate)")
    return errors


class LogicalBackup(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.written = []

    def fail(self, msg, **extra):
        self.module.fail_json(msg=msg, changed=bool(self.written), objects=self.written, **extra)

    def aws(self, doing, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except AWS_EXCEPTIONS as e:
            self.module.fail_aws(e, doing=doing, changed=bool(self.written), objects=self.written)
        return None

    def endpoint(self):
        """``(host, port)`` of the deployment's writer."""
        if self.params["login_host"]:
            return self.params["login_host"], self.params["login_port"]
        session_params = dict(self.module.params)
        if self.params["db_assume_role_arn"]:
            session_params["assume_role_arn"] = self.params["db_assume_role_arn"]
        rds = self.aws("connecting to RDS", lambda: AwsSession(session_params).client("rds"))
        if self.params["db_instance_identifier"]:
            name = self.params["db_instance_identifier"]
            found = self.aws("reading DB instance %s" % name, rds.describe_db_instances, DBInstanceIdentifier=name)["DBInstances"][0]
            endpoint = found.get("Endpoint") or {}
            return endpoint.get("Address"), endpoint.get("Port")
        name = self.params["db_cluster_identifier"]
        found = self.aws("reading DB cluster %s" % name, rds.describe_db_clusters, DBClusterIdentifier=name)["DBClusters"][0]
        return found.get("Endpoint"), found.get("Port")

    def run(self):
        errors = input_errors(self.params)
        if errors:
            self.fail(errors[0] if len(errors) == 1 else "%d problems: %s" % (len(errors), " | ".join(errors)))
        host, port = self.endpoint()
        if not host:
            self.fail("the deployment has no endpoint yet (it is still being created?); nothing was dumped")
        s3 = self.module.client("s3")
        bucket = self.params["bucket"]
        self.aws("reading bucket %s" % bucket, s3.head_bucket, Bucket=bucket)
        stamp = self.params["timestamp"] or datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        deployment = self.params["deployment"] or self.params["db_instance_identifier"] or self.params["db_cluster_identifier"] or host
        planned = [object_key(self.params["key_prefix"], deployment, database, stamp) for database in self.params["databases"]]
        if self.module.check_mode:
            return dict(changed=True, objects=[dict(key=key) for key in planned], endpoint=dict(host=host, port=port))
        workdir = tempfile.mkdtemp(prefix="pg-logical-backup-", dir=self.params["work_dir"])
        os.chmod(workdir, 0o700)
        try:
            for database, key in zip(self.params["databases"], planned):
                self.one(s3, host, port, database, key, os.path.join(workdir, "%s.dump" % database.replace("/", "_")))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return dict(changed=True, objects=self.written, endpoint=dict(host=host, port=port))

    def one(self, s3, host, port, database, key, path):
        password = self.params["login_password"]
        command = dump_command(self.params["pg_dump_path"], host, port, self.params["login_user"], database, path)
        try:
            run_dump(self.module.run_command, command, dump_environment(password, self.params["sslmode"], self.params["ssl_root_cert"]),
                     self.params["dump_timeout"], password)
        except DumpError as e:
            self.fail(str(e))
        sha256 = sha256_of(path)
        metadata = dict(database=database, format="pg_dump-custom")
        written = self.aws("uploading %s to s3://%s" % (key, self.params["bucket"]), upload, s3, path, self.params["bucket"], key,
                           self.params["kms_key_id"], sha256, metadata)
        written["database"] = database
        self.written.append(written)
        os.remove(path)
