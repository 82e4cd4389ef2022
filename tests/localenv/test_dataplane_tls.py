"""The local CA: idempotent, server certificates that libpq accepts with verify-full on 127.0.0.1."""

import ipaddress
import os
import pwd
import stat
import tempfile

import pytest
from cryptography import x509

from localenv import tls


@pytest.fixture
def dp_tls_dir():
    root = tempfile.mkdtemp(prefix="dp-tls-", dir="/tmp")
    os.chmod(root, 0o755)
    yield os.path.join(root, "tls")
    import shutil

    shutil.rmtree(root, ignore_errors=True)


def test_ensure_ca_is_idempotent(dp_tls_dir):
    cert, key = tls.ensure_ca(dp_tls_dir)
    first = cert.read_bytes()
    again_cert, again_key = tls.ensure_ca(dp_tls_dir)
    assert (again_cert, again_key) == (cert, key)
    assert again_cert.read_bytes() == first
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    ca = x509.load_pem_x509_certificate(first)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_server_certificate_names_and_key_mode(dp_tls_dir):
    cert_path, key_path = tls.issue_server_cert(dp_tls_dir, "db1")
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in sans.get_values_for_type(x509.DNSName)
    assert ipaddress.ip_address("127.0.0.1") in sans.get_values_for_type(x509.IPAddress)
    ca = x509.load_pem_x509_certificate((tls.ensure_ca(dp_tls_dir)[0]).read_bytes())
    cert.verify_directly_issued_by(ca)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    if os.geteuid() == 0:
        assert key_path.stat().st_uid == pwd.getpwnam("postgres").pw_uid
    tls.remove_server_cert(dp_tls_dir, "db1")
    assert not cert_path.exists() and not key_path.exists()
