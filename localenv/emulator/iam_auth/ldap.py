"""A minimal LDAPv3 server that answers simple binds and nothing else.

PostgreSQL's ``ldap`` authentication in simple-bind mode sends one BindRequest with the DN
``<ldapprefix><user><ldapsuffix>`` and the client's password, then an UnbindRequest. This server
BER-decodes those two operations, asks ``authenticate(dn, password)`` and answers a BindResponse
(``success`` or ``invalidCredentials``). Any other operation closes the connection.
"""

import logging
import socket
import socketserver
import threading

log = logging.getLogger("localenv.iam_auth.ldap")

# BER tags (RFC 4511)
SEQUENCE = 0x30
INTEGER = 0x02
OCTET_STRING = 0x04
ENUMERATED = 0x0A
BIND_REQUEST = 0x60  # [APPLICATION 0] constructed
BIND_RESPONSE = 0x61  # [APPLICATION 1] constructed
UNBIND_REQUEST = 0x42  # [APPLICATION 2] primitive
SIMPLE_AUTH = 0x80  # [0] primitive

SUCCESS = 0
PROTOCOL_ERROR = 2
AUTH_METHOD_NOT_SUPPORTED = 7
INVALID_CREDENTIALS = 49

MAX_MESSAGE = 64 * 1024


class BERError(ValueError):
    """The bytes are not the BER this server understands."""


def read_tlv(data, offset=0):
    """Decode one tag-length-value at ``offset``: ``(tag, value bytes, next offset)``."""
    if offset + 2 > len(data):
        raise BERError("truncated element")
    tag = data[offset]
    length = data[offset + 1]
    offset += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or offset + count > len(data):
            raise BERError("unsupported length encoding")
        length = int.from_bytes(data[offset:offset + count], "big")
        offset += count
    if offset + length > len(data):
        raise BERError("truncated value")
    return tag, data[offset:offset + length], offset + length


def encode_length(length):
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag, value):
    return bytes([tag]) + encode_length(len(value)) + value


def encode_integer(tag, number):
    raw = number.to_bytes(max(1, (number.bit_length() + 8) // 8), "big", signed=True)
    return tlv(tag, raw)


def decode_integer(value):
    if not value:
        raise BERError("empty integer")
    return int.from_bytes(value, "big", signed=True)


def bind_response(message_id, code, message=""):
    body = encode_integer(ENUMERATED, code) + tlv(OCTET_STRING, b"") + tlv(OCTET_STRING, message.encode("utf-8"))
    return tlv(SEQUENCE, encode_integer(INTEGER, message_id) + tlv(BIND_RESPONSE, body))


def parse_message(data):
    """``(message_id, operation tag, operation value)`` of one complete LDAPMessage."""
    tag, message, end = read_tlv(data)
    if tag != SEQUENCE or end != len(data):
        raise BERError("not an LDAPMessage")
    tag, value, offset = read_tlv(message)
    if tag != INTEGER:
        raise BERError("LDAPMessage without messageID")
    message_id = decode_integer(value)
    op_tag, op_value, _offset = read_tlv(message, offset)
    return message_id, op_tag, op_value


def parse_bind(value):
    """``(version, dn, password or None when not a simple bind)`` of a BindRequest."""
    tag, version, offset = read_tlv(value)
    if tag != INTEGER:
        raise BERError("BindRequest without version")
    tag, name, offset = read_tlv(value, offset)
    if tag != OCTET_STRING:
        raise BERError("BindRequest without name")
    tag, password, _offset = read_tlv(value, offset)
    if tag != SIMPLE_AUTH:
        return decode_integer(version), name.decode("utf-8", "replace"), None
    return decode_integer(version), name.decode("utf-8", "replace"), password.decode("utf-8", "replace")


def _read_message(rfile):
    """Read one complete BER element from a stream; None at end of stream."""
    head = rfile.read(2)
    if len(head) < 2:
        return None
    extra = b""
    if head[1] & 0x80:
        count = head[1] & 0x7F
        if count == 0 or count > 4:
            raise BERError("unsupported length encoding")
        extra = rfile.read(count)
        if len(extra) < count:
            return None
        length = int.from_bytes(extra, "big")
    else:
        length = head[1]
    if length > MAX_MESSAGE:
        raise BERError("message too large")
    body = rfile.read(length)
    if len(body) < length:
        return None
    return head + extra + body


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10

    def handle(self):
        authenticate = self.server.authenticate
        try:
            while True:
                data = _read_message(self.rfile)
                if data is None:
                    return
                message_id, op_tag, op_value = parse_message(data)
                if op_tag == UNBIND_REQUEST:
                    return
                if op_tag != BIND_REQUEST:
                    log.info("LDAP operation 0x%02x not supported; closing", op_tag)
                    return
                version, dn, password = parse_bind(op_value)
                if version != 3:
                    reply = bind_response(message_id, PROTOCOL_ERROR, "only LDAPv3 is supported")
                elif password is None:
                    reply = bind_response(message_id, AUTH_METHOD_NOT_SUPPORTED, "only simple binds are supported")
                elif authenticate(dn, password):
                    reply = bind_response(message_id, SUCCESS)
                else:
                    reply = bind_response(message_id, INVALID_CREDENTIALS, "invalid IAM authentication token")
                self.wfile.write(reply)
                self.wfile.flush()
        except (BERError, socket.timeout, ConnectionError) as error:
            log.info("LDAP connection closed: %s", error)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, authenticate):
        self.authenticate = authenticate
        super().__init__(address, _Handler)


class BindServer:
    """Listens on ``host`` (a free port unless ``port`` is given) in a background thread."""

    def __init__(self, authenticate, host="127.0.0.1", port=0):
        self._server = _Server((host, port), authenticate)
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(target=self._server.serve_forever, name="iam-auth-ldap", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
