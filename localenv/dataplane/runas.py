"""Run PostgreSQL programs as an unprivileged user when the emulator runs as root.

PostgreSQL refuses to run as root; then its programs are started through ``runuser -u postgres``
and the files they use are owned by that user. Otherwise they run as the current user.
"""

import os
import pathlib
import pwd
import subprocess

SERVER_USER = os.environ.get("LOCALENV_PG_USER", "postgres")
PG_BIN = pathlib.Path(os.environ.get("LOCALENV_PG_BIN", "/usr/lib/postgresql/15/bin"))


def is_root():
    return os.geteuid() == 0


def server_owner():
    """``(uid, gid)`` that must own server files, or None when no ownership change is needed."""
    if not is_root():
        return None
    entry = pwd.getpwnam(SERVER_USER)
    return entry.pw_uid, entry.pw_gid


def pg_program(name):
    return str(PG_BIN / name)


def command(argv):
    """``argv`` prefixed so that it runs as the server user."""
    if is_root():
        return ["runuser", "-u", SERVER_USER, "--"] + list(argv)
    return list(argv)


def run(argv, timeout=120, check=True):
    """Run a PostgreSQL program as the server user; raise with its output when it fails."""
    result = subprocess.run(
        command(argv),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd="/",
        check=False,
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            "%s failed (exit %d): %s"
            % (" ".join(argv[:2]), result.returncode, (result.stderr or result.stdout).strip())
        )
    return result


def make_dir(path, mode=0o700):
    """Create ``path`` (and parents) owned by the server user with ``mode``."""
    path = pathlib.Path(path)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, mode)
    owner = server_owner()
    if owner is not None:
        os.chown(path, *owner)
    return path


def write_file(path, text, mode=0o600):
    """Write a text file readable by the server user only."""
    path = pathlib.Path(path)
    tmp = path.with_name(".%s.tmp" % path.name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    os.chmod(tmp, mode)
    owner = server_owner()
    if owner is not None:
        os.chown(tmp, *owner)
    os.replace(tmp, path)
    return path


def check_traversable(path):
    """Fail clearly when the server user cannot reach ``path`` (some parent lacks o+x)."""
    if not is_root():
        return
    path = pathlib.Path(path).resolve()
    for parent in [path] + list(path.parents):
        if parent.exists() and parent.stat().st_uid != server_owner()[0] and not parent.stat().st_mode & 0o001:
            raise RuntimeError(
                "%s is not searchable by the %s user, which runs PostgreSQL; keep the state dir "
                "under a world-searchable directory such as /tmp (chmod o+x)" % (parent, SERVER_USER)
            )
