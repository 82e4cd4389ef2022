"""The LDAP simple-bind validator PostgreSQL's ldap authentication talks to."""

import socket

import pytest

from localenv.emulator.iam_auth import ldap


def ld_bind_request(message_id, dn, password):
    """A BindRequest built by hand, byte by byte (RFC 4511), independent of the server's encoder."""
    dn, password = dn.encode(), password.encode()
    assert len(dn) < 100 and len(password) < 100
    bind = bytes([0x02, 0x01, 0x03, 0x04, len(dn)]) + dn + bytes([0x80, len(password)]) + password
    op = bytes([0x60, len(bind)]) + bind
    body = bytes([0x02, 0x01, message_id]) + op
    return bytes([0x30, len(body)]) + body


def ld_result_code(reply):
    # 30 LL 02 01 id 61 LL 0a 01 code ...
    assert reply[0] == 0x30 and reply[5] == 0x61 and reply[7] == 0x0A
    return reply[5 + 4]


@pytest.fixture
def ld_server():
    seen = []

    def authenticate(dn, password):
        seen.append((dn, password))
        return password == "right"

    server = ldap.BindServer(authenticate).start()
    yield server, seen
    server.stop()


def ld_exchange(server, *messages):
    replies = []
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        for message in messages:
            sock.sendall(message)
            if message[5] == 0x42:  # unbind: no reply
                continue
            replies.append(sock.recv(4096))
    return replies


def test_bind_with_valid_credentials_succeeds_and_invalid_ones_fail(ld_server):
    server, seen = ld_server
    replies = ld_exchange(
        server,
        ld_bind_request(1, "app_user@slug", "right"),
        ld_bind_request(2, "app_user@slug", "wrong"),
        bytes([0x30, 0x05, 0x02, 0x01, 0x03, 0x42, 0x00]),
    )
    assert [ld_result_code(reply) for reply in replies] == [ldap.SUCCESS, ldap.INVALID_CREDENTIALS]
    assert replies[0][4] == 1 and replies[1][4] == 2  # message ids echoed
    assert seen == [("app_user@slug", "right"), ("app_user@slug", "wrong")]


def test_long_password_with_multi_byte_length_is_decoded():
    password = "x" * 3000
    encoded = ldap.tlv(ldap.SIMPLE_AUTH, password.encode())
    assert encoded[1] == 0x82  # two length bytes
    bind = ldap.encode_integer(ldap.INTEGER, 3) + ldap.tlv(ldap.OCTET_STRING, b"cn=u") + encoded
    message = ldap.tlv(ldap.SEQUENCE, ldap.encode_integer(ldap.INTEGER, 7) + ldap.tlv(ldap.BIND_REQUEST, bind))
    message_id, op_tag, op_value = ldap.parse_message(message)
    assert (message_id, op_tag) == (7, ldap.BIND_REQUEST)
    assert ldap.parse_bind(op_value) == (3, "cn=u", password)


def test_garbage_closes_the_connection(ld_server):
    server, seen = ld_server
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(b"\x30\x03\x04\x01x")
        assert sock.recv(100) == b""
    assert seen == []
