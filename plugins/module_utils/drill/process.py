# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Starting, finding and stopping the detached drill writer process (files in ``<work_dir>/<run_id>/``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import inspect
import json
import os
import signal
import subprocess
import sys
import time

from ansible_collections.innovate.aws_postgres.plugins.module_utils.drill import writer


class Paths(object):
    def __init__(self, work_dir, run_id):
        self.root = os.path.join(work_dir, run_id)
        self.config = os.path.join(self.root, "config.json")
        self.script = os.path.join(self.root, "writer.py")
        self.log = os.path.join(self.root, "writes.jsonl")
        self.output = os.path.join(self.root, "writer.out")
        self.pid = os.path.join(self.root, "writer.pid")
        self.stop = os.path.join(self.root, "stop")


def alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError as error:
        return error.errno == errno.EPERM
    try:  # a zombie child of this process: reap it
        done, _status = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except OSError:
        return True


def running_pid(paths):
    try:
        with open(paths.pid) as handle:
            pid = int(handle.read().strip() or 0)
    except (IOError, OSError, ValueError):
        return None
    return pid if alive(pid) else None


def read_lines(paths):
    try:
        with open(paths.log) as handle:
            return handle.readlines()
    except (IOError, OSError):
        return []


def start(paths, config, env):
    """Write the configuration and the writer script, start the writer detached; return its pid."""
    if not os.path.isdir(paths.root):
        os.makedirs(paths.root, 0o700)
    for stale in (paths.stop, paths.log):
        if os.path.exists(stale):
            os.remove(stale)
    with open(paths.config, "w") as handle:
        json.dump(dict(config, log=paths.log, stop_file=paths.stop), handle)
    with open(paths.script, "w") as handle:
        handle.write(inspect.getsource(writer))
    with open(paths.output, "ab") as output, open(os.devnull, "rb") as devnull:
        # a detached process that outlives the module (run_command waits for its command)
        child = subprocess.Popen([sys.executable, paths.script, paths.config], stdin=devnull, stdout=output,  # pylint: disable=ansible-bad-function
                                 stderr=output, env=env, close_fds=True, start_new_session=True)
    with open(paths.pid, "w") as handle:
        handle.write(str(child.pid))
    return child.pid


def wait_first_write(paths, pid, timeout, clock=time.monotonic, sleep=time.sleep):
    """``(acks, errors)`` once the writer acknowledged a commit, or after ``timeout`` / when it died."""
    from ansible_collections.innovate.aws_postgres.plugins.module_utils.drill import accounting

    deadline = clock() + timeout
    while True:
        acks, errors = accounting.read_log(read_lines(paths))
        if acks or clock() >= deadline or not alive(pid):
            return acks, errors
        sleep(0.05)


def stop(paths, timeout, clock=time.monotonic, sleep=time.sleep):
    """Ask the writer to stop (stop file), wait, then SIGTERM it; True when it was running."""
    pid = running_pid(paths)
    with open(paths.stop, "w") as handle:
        handle.write("stop\n")
    if pid is None:
        return False
    deadline = clock() + timeout
    while alive(pid) and clock() < deadline:
        sleep(0.05)
    if alive(pid):
        os.kill(pid, signal.SIGTERM)
    return True
