"""Free TCP ports on 127.0.0.1 for the emulated database servers."""

import socket
import threading

_lock = threading.Lock()
_handed_out = set()


def is_free(port, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def allocate(host="127.0.0.1"):
    """A port nobody listens on now and that this process has not handed out before."""
    with _lock:
        for _attempt in range(100):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((host, 0))
                port = sock.getsockname()[1]
            if port not in _handed_out:
                _handed_out.add(port)
                return port
    raise RuntimeError("no free port found on %s" % host)


def release(port):
    with _lock:
        _handed_out.discard(port)
