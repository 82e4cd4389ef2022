"""The local environment daemon: moto in-process, our patches, the control middleware.

Usage: python -m localenv.server [--port P] [--state-dir D] [--no-dataplane]
(``LOCALENV_NO_DATAPLANE=1`` is the same as ``--no-dataplane``: no real PostgreSQL servers.)
"""

import argparse
import logging
import os
import pathlib
import signal
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from localenv import accounts, control
from localenv.context import LocalEnvContext, default_port, default_state_dir
from localenv.emulator import engine_versions, parameter_groups
from localenv.emulator import aurora, kms_rotation, secret_rotation
from localenv.emulator import subnet_groups
from localenv import landing_zone
from localenv.emulator import backup
from localenv.emulator import proxies
from localenv.emulator import instance_api
from localenv.emulator import monitoring
from localenv.emulator import snapshot_api
from localenv.emulator import snapshot_sharing
from localenv.emulator import s3_object_lock
from localenv.emulator import blue_green
from localenv.emulator import failover_api
from localenv.emulator import aurora_migration

log = logging.getLogger("localenv.server")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Run the local AWS environment daemon.")
    parser.add_argument("--port", type=int, default=default_port())
    parser.add_argument("--state-dir", type=pathlib.Path, default=default_state_dir())
    parser.add_argument("--no-dataplane", action="store_true",
                        default=os.environ.get("LOCALENV_NO_DATAPLANE") == "1",
                        help="emulate the APIs only; start no PostgreSQL servers")
    return parser.parse_args(argv)


def build(context, dataplane=True):
    """Install all patches and return (wsgi app, data-plane module or None)."""
    parameter_groups.install(context)
    engine_versions.install(context)
    kms_rotation.install(context)
    secret_rotation.install(context)
    monitoring.install(context)
    subnet_groups.install(context)
    backup.install(context)
    proxies.install(context)
    s3_object_lock.install(context)
    plane = None
    if dataplane:
        from localenv.emulator import db_instances

        db_instances.install(context)
        plane = db_instances
    instance_api.install(context)
    aurora.install(context)  # after db_instances: wraps the instance operations it installed
    snapshot_api.install(context)  # after db_instances and aurora: wraps their snapshot operations
    snapshot_sharing.install(context)  # after snapshot_api: copies of snapshots shared by other accounts
    aurora_migration.install(context)  # after aurora and snapshot_api: Aurora read replicas of RDS instances
    blue_green.install(context)
    failover_api.install(context)
    return DomainDispatcherApplication(create_backend_app), plane


class Daemon:
    def __init__(self, context, dataplane=True):
        self.context = context
        app, self.plane = build(context, dataplane)
        self.app = control.ControlMiddleware(app, context, shutdown=self.stop)
        self.server = make_server("127.0.0.1", context.port, self.app, threaded=True,
                                  request_handler=_QuietHandler)
        self._stopping = threading.Lock()

    def serve(self):
        accounts.seed()
        landing_zone.seed()
        log.info("serving %s (state %s, data plane %s)", self.context.endpoint_url,
                 self.context.state_dir, "on" if self.plane else "off")
        try:
            self.server.serve_forever()
        finally:
            if self.plane is not None:
                self.plane.shutdown()
            self.server.server_close()
            log.info("stopped")

    def stop(self):
        if self._stopping.acquire(blocking=False):
            log.info("shutting down")
            self.server.shutdown()


class _QuietHandler(MotoRequestHandler):
    def log_request(self, code="-", size="-"):
        if os.environ.get("LOCALENV_LOG_REQUESTS") == "1":
            super().log_request(code, size)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args.state_dir.mkdir(parents=True, exist_ok=True)
    daemon = Daemon(LocalEnvContext(state_dir=args.state_dir.resolve(), port=args.port),
                    dataplane=not args.no_dataplane)

    def on_signal(signum, _frame):
        log.info("signal %d", signum)
        threading.Thread(target=daemon.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    daemon.serve()


if __name__ == "__main__":
    main()
