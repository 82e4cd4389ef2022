#!/usr/bin/env bash
# ansible-lint with the production profile (configured in .ansible-lint).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
# Resolve this collection from the working tree, never from a copy installed under ~/.ansible.
export ANSIBLE_COLLECTIONS_PATH="$PWD/.collections"
NO_COLOR=1 ansible-lint --offline --profile production --nocolor "$@"
