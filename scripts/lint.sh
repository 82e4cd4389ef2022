#!/usr/bin/env bash
# ansible-lint with the production profile (configured in .ansible-lint).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
NO_COLOR=1 ansible-lint --offline --profile production --nocolor "$@"
