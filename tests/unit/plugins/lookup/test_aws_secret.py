# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import boto3
import pytest
from ansible.errors import AnsibleLookupError
from moto.server import ThreadedMotoServer

from ansible_collections.innovate.aws_postgres.plugins.lookup.aws_secret import read_secrets, session_params

VALUE = {"username": "dbadmin", "password": "s3cr3t-Value-never-shown"}
DATA_ROLE = "arn:aws:iam::111111111111:role/InnovateAutomation"


@pytest.fixture(scope="module")
def moto_url():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield "http://%s:%d" % (host, port)
    server.stop()


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))


def options(moto_url, **overrides):
    values = dict(region="us-east-1", profile=None, access_key="testing", secret_key="testing", session_token=None,
                  assume_role_arn=None, external_id=None, role_session_name=None, endpoint_url=moto_url,
                  db_instance_identifier=None, db_cluster_identifier=None, key=None, version_stage="AWSCURRENT")
    values.update(overrides)
    return values


def client(moto_url, service, region="us-east-1", role_arn=None):
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    if role_arn:
        creds = session.client("sts", endpoint_url=moto_url).assume_role(RoleArn=role_arn, RoleSessionName="unit")["Credentials"]
        session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                aws_session_token=creds["SessionToken"], region_name=region)
    return session.client(service, endpoint_url=moto_url)


def put(moto_url, name, value, region="us-east-1", role_arn=None):
    text = value if isinstance(value, str) else json.dumps(value)
    return client(moto_url, "secretsmanager", region, role_arn).create_secret(Name=name, SecretString=text)["ARN"]


def failure(moto_url, terms, **overrides):
    with pytest.raises(AnsibleLookupError) as caught:
        read_secrets(options(moto_url, **overrides), terms)
    message = str(caught.value)
    assert VALUE["password"] not in message and "Traceback" not in message
    return message


def test_a_json_secret_comes_back_parsed_by_name_and_by_arn(env, moto_url):
    arn = put(moto_url, "unit/app-db/master", VALUE)
    assert read_secrets(options(moto_url), ["unit/app-db/master"]) == [VALUE]
    assert read_secrets(options(moto_url), [arn, "unit/app-db/master"]) == [VALUE, VALUE]
    assert read_secrets(options(moto_url, key="username"), ["unit/app-db/master"]) == ["dbadmin"]


def test_a_secret_arn_is_read_in_its_own_region(env, moto_url):
    arn = put(moto_url, "unit/west", {"password": "w"}, region="us-west-2")
    assert read_secrets(options(moto_url, region="us-east-1"), [arn]) == [{"password": "w"}]


def test_assume_role_reads_the_secret_of_that_account(env, moto_url):
    put(moto_url, "unit/data-only", VALUE, role_arn=DATA_ROLE)
    assert read_secrets(options(moto_url, assume_role_arn=DATA_ROLE), ["unit/data-only"]) == [VALUE]
    message = failure(moto_url, ["unit/data-only"])
    assert "reading secret unit/data-only failed: ResourceNotFoundException" in message and "(region us-east-1)" in message


def test_the_master_user_secret_of_an_instance_and_of_a_cluster(env, moto_url):
    rds = client(moto_url, "rds")
    rds.create_db_instance(DBInstanceIdentifier="unit-db", DBInstanceClass="db.t4g.medium", Engine="postgres",
                           MasterUsername="dbadmin", ManageMasterUserPassword=True, AllocatedStorage=20)
    value = read_secrets(options(moto_url, db_instance_identifier="unit-db"), [])[0]
    # Plain moto writes a fixed user name; the local environment writes the real one (tested there).
    assert set(value) >= {"username", "password"} and value["password"]
    rds.create_db_cluster(DBClusterIdentifier="unit-cluster", Engine="aurora-postgresql", MasterUsername="clusteradmin",
                          ManageMasterUserPassword=True)
    assert read_secrets(options(moto_url, db_cluster_identifier="unit-cluster", key="password"), [])[0]
    rds.create_db_instance(DBInstanceIdentifier="unit-plain", DBInstanceClass="db.t4g.medium", Engine="postgres",
                           MasterUsername="dbadmin", MasterUserPassword="Plain-password-1", AllocatedStorage=20)
    assert "DB instance unit-plain in us-east-1 has no master user secret managed by RDS" in failure(
        moto_url, [], db_instance_identifier="unit-plain")
    assert "finding the master user secret of no-such-db failed: DBInstanceNotFound" in failure(
        moto_url, [], db_instance_identifier="no-such-db")


def test_values_never_appear_in_errors(env, moto_url):
    put(moto_url, "unit/not-json", "plain " + VALUE["password"])
    assert failure(moto_url, ["unit/not-json"]) == "aws_secret: the value of secret unit/not-json is not JSON"
    put(moto_url, "unit/keys", VALUE)
    message = failure(moto_url, ["unit/keys"], key="host")
    assert message == "aws_secret: secret unit/keys has no key 'host'; its keys are password, username"
    put(moto_url, "unit/list", ["a", VALUE["password"]])
    assert "the value is not a JSON object" in failure(moto_url, ["unit/list"], key="password")


@pytest.mark.parametrize("terms, overrides, expected", [
    ([], {}, "give a secret name or ARN as a term"),
    (["x"], dict(db_instance_identifier="db"), "not several"),
    ([], dict(db_instance_identifier="db", db_cluster_identifier="c"), "not several"),
    ([""], {}, "a secret name or ARN is empty"),
    (["x"], dict(secret_key=None), "access_key and secret_key must be given together"),
    (["x"], dict(region=None), "no region"),
])
def test_bad_input_fails_cleanly(env, moto_url, terms, overrides, expected):
    assert expected in failure(moto_url, terms, **overrides)


def test_empty_connection_options_count_as_not_set():
    params = session_params(dict(region="us-east-1", endpoint_url="", assume_role_arn="", access_key="", secret_key=""))
    assert params["endpoint_url"] is None and params["assume_role_arn"] is None and params["access_key"] is None
    assert params["role_session_name"] == "innovate-aws-postgres"
