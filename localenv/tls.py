"""A local certificate authority for the emulated databases.

``ensure_ca`` creates (once) a self-signed CA under ``tls_dir``; ``issue_server_cert`` signs a server
certificate for loopback names and addresses so that clients can use ``sslmode=verify-full`` with
``sslrootcert=<tls_dir>/ca.pem``. Private keys are written with mode 0600 and, when running as root,
owned by the unprivileged user that runs PostgreSQL (PostgreSQL refuses group/world-readable keys).
"""

import datetime
import ipaddress
import os
import pathlib
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from localenv.dataplane import runas

CA_CERT_NAME = "ca.pem"
CA_KEY_NAME = "ca.key"
CA_VALIDITY_DAYS = 3650
SERVER_VALIDITY_DAYS = 825

_lock = threading.Lock()


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _write(path, data, mode, owner=None):
    """Write ``data`` atomically with ``mode`` (and ``owner`` uid/gid when given)."""
    path = pathlib.Path(path)
    tmp = path.with_name(".%s.%d.tmp" % (path.name, os.getpid()))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(tmp, mode)
    if owner is not None:
        os.chown(tmp, *owner)
    os.replace(tmp, path)


def _key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _prepare_dir(tls_dir):
    tls_dir = pathlib.Path(tls_dir)
    tls_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(tls_dir, 0o755)
    return tls_dir


def ensure_ca(tls_dir):
    """Create the CA in ``tls_dir`` unless it exists; return ``(ca_pem_path, ca_key_path)``."""
    with _lock:
        tls_dir = _prepare_dir(tls_dir)
        cert_path, key_path = tls_dir / CA_CERT_NAME, tls_dir / CA_KEY_NAME
        if cert_path.exists() and key_path.exists():
            return cert_path, key_path
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "innovate.aws_postgres localenv"),
                x509.NameAttribute(NameOID.COMMON_NAME, "localenv root CA"),
            ]
        )
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=CA_VALIDITY_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        _write(key_path, _key_pem(key), 0o600)
        _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
        return cert_path, key_path


def _load_ca(tls_dir):
    cert_path, key_path = ensure_ca(tls_dir)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    return cert, key


def issue_server_cert(tls_dir, name, hostnames=("localhost",), ips=("127.0.0.1",)):
    """Sign a server certificate ``<tls_dir>/servers/<name>.crt`` (+ ``.key``); return both paths.

    The certificate carries every hostname as a DNS SAN and every address as an IP SAN, so libpq's
    ``verify-full`` accepts a connection to ``127.0.0.1``.
    """
    ca_cert, ca_key = _load_ca(tls_dir)
    servers_dir = _prepare_dir(pathlib.Path(tls_dir) / "servers")
    key = ec.generate_private_key(ec.SECP256R1())
    hostnames, ips = list(hostnames or []), list(ips or [])
    common_name = hostnames[0] if hostnames else (ips[0] if ips else name)
    sans = [x509.DNSName(h) for h in hostnames] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "innovate.aws_postgres localenv"),
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SERVER_VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    cert_path, key_path = servers_dir / ("%s.crt" % name), servers_dir / ("%s.key" % name)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(key_path, _key_pem(key), 0o600, owner=runas.server_owner())
    return cert_path, key_path


def remove_server_cert(tls_dir, name):
    """Delete the certificate and key issued for ``name`` (no error when absent)."""
    servers_dir = pathlib.Path(tls_dir) / "servers"
    for suffix in (".crt", ".key"):
        try:
            (servers_dir / (name + suffix)).unlink()
        except FileNotFoundError:
            pass
