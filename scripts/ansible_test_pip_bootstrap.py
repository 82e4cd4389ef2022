"""Provide ansible-test's pip bootstrap script without reaching its download host.

ansible-test bootstraps pip into each sanity-test virtual environment with a get-pip script it
downloads from a host this project's machines cannot reach; it uses a cached copy when one
exists. This writes that cached copy: a wheel of the requested pip from PyPI and a small script
that runs pip from that wheel, which is what get-pip itself does.
"""

import os
import pathlib
import subprocess
import sys
import types

from ansible_test._internal.python_requirements import get_venv_packages

CACHE = pathlib.Path(os.path.expanduser("~/.ansible/test/cache"))
# get-pip installs its arguments and takes two options of its own, which pip does not know.
SHIM = '''import sys
sys.path.insert(0, {wheel!r})
from pip._internal.cli.main import main
arguments = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install"] + arguments))
'''


def main():
    version = get_venv_packages(types.SimpleNamespace(version="%d.%d" % sys.version_info[:2]))["pip"]
    script = CACHE / ("get_pip_%s.py" % version.replace(".", "_"))
    wheels = CACHE / "pip-wheels"
    wheel = wheels / ("pip-%s-py3-none-any.whl" % version)
    if not wheel.exists():
        wheels.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                        "-d", str(wheels), "pip==%s" % version], check=True)
    script.write_text(SHIM.format(wheel=str(wheel)))


if __name__ == "__main__":
    main()
