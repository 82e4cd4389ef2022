#!/usr/bin/env bash
# ansible-test sanity needs the collection at .../ansible_collections/innovate/aws_postgres:
# copy the tracked tree into a private scratch directory and run it with the project's Python.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python_version=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
scratch=$(mktemp -d /tmp/innovate-sanity-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
dest=$scratch/ansible_collections/innovate/aws_postgres
mkdir -p "$dest"
git ls-files -co --exclude-standard -z | grep -zv '^\.collections/' | xargs -0 cp --parents -t "$dest"
cd "$dest"
git init -q && git add -A >/dev/null
export PATH="$root/.venv/bin:$PATH"
python "$root/scripts/ansible_test_pip_bootstrap.py"
ansible-test sanity --color no --python "$python_version" --requirements "$@"
