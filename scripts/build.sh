#!/usr/bin/env bash
# Build the collection artifact and install it into build/installed; tests/integration
# test_installed_collection.py runs a module from that installed copy.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
out=build/dist
rm -rf "$out" build/installed
mkdir -p "$out"
ansible-galaxy collection build --force --output-path "$out" . >/dev/null
artifact=$(ls "$out"/innovate-aws_postgres-*.tar.gz)
ANSIBLE_COLLECTIONS_PATH=build/installed ansible-galaxy collection install --force -p build/installed "$artifact" >/dev/null
echo "build: $artifact, installed into build/installed"

