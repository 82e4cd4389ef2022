"""WSGI middleware in front of moto: the /_localenv/ control API, fault injection, request counts.

Control endpoints (JSON): GET health, GET status, POST shutdown, POST/DELETE faults,
POST transitions, GET/DELETE requests. They are never faulted nor counted.
"""

import collections
import dataclasses
import io
import json
import os
import random
import threading
import urllib.parse
import uuid

PREFIX = "/_localenv/"
_status_providers = {}


def register_status_provider(name, fn):
    """Add ``fn()``'s JSON-serialisable result to GET /_localenv/status under ``name``."""
    _status_providers[name] = fn


def identify(environ):
    """(service, operation, protocol) of an AWS request; protocol is "json" or "xml"."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    service = "unknown"
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) == 5:
            service = scope[3]
    target = environ.get("HTTP_X_AMZ_TARGET")
    content_type = environ.get("CONTENT_TYPE", "")
    if target:
        return service, target.rsplit(".", 1)[-1], "json"
    path = environ.get("PATH_INFO", "")
    if path.startswith("/service/") and "/operation/" in path:  # Smithy RPC v2 CBOR (CloudWatch)
        return service, path.rsplit("/operation/", 1)[1].strip("/"), "cbor"
    action = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if not action and content_type.startswith("application/x-www-form-urlencoded"):
        action = urllib.parse.parse_qs(_peek_body(environ).decode("utf-8", "replace")).get(
            "Action")
    protocol = "json" if "json" in content_type else "xml"
    if action:
        return service, action[0], protocol
    return service, environ.get("REQUEST_METHOD", "GET"), protocol


def _peek_body(environ):
    """Read the request body and put it back so that moto can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


class Faults:
    """Random throttling and 5xx errors for matching requests, optionally capped and seeded."""

    def __init__(self):
        self._lock = threading.Lock()
        self.clear()

    def clear(self):
        with self._lock:
            self.config = None
            self.injected = 0
            self._random = random.Random()

    def configure(self, spec):
        config = {
            "throttle_rate": _rate(spec, "throttle_rate"),
            "error_rate": _rate(spec, "error_rate"),
            "services": _names(spec, "services"),
            "operations": _names(spec, "operations"),
            "seed": spec.get("seed"),
            "max_faults": spec.get("max_faults"),
        }
        if config["throttle_rate"] + config["error_rate"] > 1:
            raise ValueError("throttle_rate + error_rate must not exceed 1")
        if config["max_faults"] is not None and (
                not isinstance(config["max_faults"], int) or config["max_faults"] < 0):
            raise ValueError("max_faults must be a non-negative integer")
        unknown = set(spec) - set(config)
        if unknown:
            raise ValueError("unknown fault settings: %s" % ", ".join(sorted(unknown)))
        with self._lock:
            self.config, self.injected = config, 0
            self._random = random.Random(config["seed"])

    def decide(self, service, operation):
        """"throttle", "error" or None for one request."""
        with self._lock:
            config = self.config
            if config is None:
                return None
            if config["services"] and service not in config["services"]:
                return None
            if config["operations"] and operation not in config["operations"]:
                return None
            if config["max_faults"] is not None and self.injected >= config["max_faults"]:
                return None
            draw = self._random.random()
            if draw < config["throttle_rate"]:
                kind = "throttle"
            elif draw < config["throttle_rate"] + config["error_rate"]:
                kind = "error"
            else:
                return None
            self.injected += 1
            return kind

    def choose_error_status(self):
        with self._lock:
            return self._random.choice((500, 503))

    def snapshot(self):
        with self._lock:
            return {"config": self.config, "injected": self.injected}


def _rate(spec, key):
    value = spec.get(key, 0)
    if not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError("%s must be a number between 0 and 1" % key)
    return float(value)


def _names(spec, key):
    value = spec.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("%s must be a list of strings" % key)
    return value


class RequestCounter:
    def __init__(self):
        self._lock = threading.Lock()
        self._counts = collections.Counter()

    def add(self, service, operation):
        with self._lock:
            self._counts["%s:%s" % (service, operation)] += 1

    def reset(self):
        with self._lock:
            self._counts.clear()

    def snapshot(self):
        with self._lock:
            return {"total": sum(self._counts.values()), "by_operation": dict(self._counts)}


def fault_response(kind, protocol, status):
    """(status line, headers, body) that real AWS returns for a throttle or a server error."""
    request_id = str(uuid.uuid4())
    if kind == "throttle":
        status, code, sender, message = 400, "Throttling", "Sender", "Rate exceeded"
        json_code = "ThrottlingException"
    elif status == 503:
        code = json_code = "ServiceUnavailable"
        sender, message = "Receiver", "Service is unavailable. Please try again later."
    else:
        code = json_code = "InternalFailure"
        sender, message = "Receiver", "An internal error occurred. Please try again."
    headers = [("x-amzn-RequestId", request_id)]
    if protocol == "json":
        body = json.dumps({"__type": json_code, "message": message})
        headers += [("Content-Type", "application/x-amz-json-1.1"),
                    ("x-amzn-ErrorType", json_code)]
    else:
        body = ("<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message>"
                "</Error><RequestId>%s</RequestId></ErrorResponse>"
                % (sender, code, message, request_id))
        headers.append(("Content-Type", "text/xml"))
    reasons = {400: "Bad Request", 500: "Internal Server Error", 503: "Service Unavailable"}
    return "%d %s" % (status, reasons[status]), headers, body.encode()


class ControlMiddleware:
    """Wraps the moto WSGI app; ``shutdown`` is called (in a thread) on POST shutdown."""

    def __init__(self, app, context, shutdown):
        self.app, self.context, self.shutdown = app, context, shutdown
        self.faults, self.requests = Faults(), RequestCounter()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            return self._control(environ, start_response, path[len(PREFIX):].strip("/"))
        service, operation, protocol = identify(environ)
        self.requests.add(service, operation)
        kind = self.faults.decide(service, operation)
        if kind is None:
            return self.app(environ, start_response)
        status = self.faults.choose_error_status() if kind == "error" else 400
        status_line, headers, body = fault_response(kind, protocol, status)
        headers.append(("Content-Length", str(len(body))))
        start_response(status_line, headers)
        return [body]

    def status(self):
        result = {
            "running": True,
            "pid": os.getpid(),
            "endpoint_url": self.context.endpoint_url,
            "state_dir": str(self.context.state_dir),
            "transitions": dataclasses.asdict(self.context.transitions),
            "faults": self.faults.snapshot(),
        }
        for name, provider in sorted(_status_providers.items()):
            result[name] = provider()
        return result

    def _control(self, environ, start_response, endpoint):
        method = environ.get("REQUEST_METHOD", "GET")
        routes = {
            ("GET", "health"): lambda _: (200, {"status": "ok", "pid": os.getpid(),
                                                "state_dir": str(self.context.state_dir)}),
            ("GET", "status"): lambda _: (200, self.status()),
            ("POST", "shutdown"): self._shutdown,
            ("POST", "faults"): self._set_faults,
            ("DELETE", "faults"): self._clear_faults,
            ("GET", "faults"): lambda _: (200, self.faults.snapshot()),
            ("POST", "transitions"): self._set_transitions,
            ("GET", "requests"): lambda _: (200, self.requests.snapshot()),
            ("DELETE", "requests"): self._reset_requests,
        }
        handler = routes.get((method, endpoint))
        if handler is None:
            status, payload = 404, {"error": "no control endpoint %s %s%s"
                                    % (method, PREFIX, endpoint)}
        else:
            try:
                status, payload = handler(environ)
            except ValueError as error:
                status, payload = 400, {"error": str(error)}
        body = json.dumps(payload, sort_keys=True, default=str).encode()
        reasons = {200: "OK", 202: "Accepted", 400: "Bad Request", 404: "Not Found"}
        start_response("%d %s" % (status, reasons[status]),
                       [("Content-Type", "application/json"),
                        ("Content-Length", str(len(body)))])
        return [body]

    def _shutdown(self, _environ):
        threading.Thread(target=self.shutdown, name="localenv-shutdown", daemon=True).start()
        return 202, {"shutting_down": True}

    def _clear_faults(self, _environ):
        self.faults.clear()
        return 200, self.faults.snapshot()

    def _reset_requests(self, _environ):
        self.requests.reset()
        return 200, self.requests.snapshot()

    def _set_faults(self, environ):
        self.faults.configure(_json_body(environ))
        return 200, self.faults.snapshot()

    def _set_transitions(self, environ):
        spec = _json_body(environ)
        fields = {f.name for f in dataclasses.fields(self.context.transitions)}
        unknown = set(spec) - fields
        if unknown:
            raise ValueError("unknown transitions: %s (known: %s)"
                             % (", ".join(sorted(unknown)), ", ".join(sorted(fields))))
        for name, seconds in spec.items():
            if not isinstance(seconds, (int, float)) or seconds < 0:
                raise ValueError("%s must be a non-negative number of seconds" % name)
        with self.context.lock:
            for name, seconds in spec.items():
                setattr(self.context.transitions, name, float(seconds))
        return 200, dataclasses.asdict(self.context.transitions)


def _json_body(environ):
    body = _peek_body(environ)
    try:
        spec = json.loads(body or b"{}")
    except json.JSONDecodeError as error:
        raise ValueError("request body is not JSON: %s" % error) from None
    if not isinstance(spec, dict):
        raise ValueError("request body must be a JSON object")
    return spec
