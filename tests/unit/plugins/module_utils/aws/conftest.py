"""A real moto server on loopback for the AWS helper tests, and credentials that reach it."""

import pytest
from moto.server import ThreadedMotoServer


@pytest.fixture(scope="session")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield "http://%s:%d" % (host, port)
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, moto_endpoint, tmp_path):
    """Credentials and region for moto in the environment; no shared config file interferes."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return moto_endpoint


@pytest.fixture
def connection_params():
    """A factory of connection option values as AnsibleModule passes them (defaults applied)."""
    return _connection_params


def _connection_params(**overrides):
    params = dict(
        region=None, profile=None, access_key=None, secret_key=None, session_token=None,
        endpoint_url=None, assume_role_arn=None, external_id=None,
        role_session_name="innovate-aws-postgres", max_attempts=10, retry_mode="adaptive",
        validate_certs=True, ca_bundle=None,
    )
    params.update(overrides)
    return params
