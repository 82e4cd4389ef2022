#!/usr/bin/env bash
# Run every role's molecule scenario against a private local environment (own port and state).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$root/.venv/bin:$PATH"
port=$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
state=$(mktemp -d /tmp/innovate-molecule-XXXXXX)
chmod 755 "$state"
export LOCALENV_PORT=$port LOCALENV_STATE_DIR=$state AWS_ENDPOINT_URL=http://127.0.0.1:$port
export ANSIBLE_COLLECTIONS_PATH=$root/.collections
trap 'python -m localenv down >/dev/null 2>&1 || true; rm -rf "$state"' EXIT
python -m localenv up >/dev/null
for scenario_dir in roles/*/molecule/*/; do
  role_dir=${scenario_dir%/molecule/*}
  scenario=$(basename "$scenario_dir")
  echo "molecule: $role_dir ($scenario)"
  # A scenario's state lives outside the checkout (~/.ansible/tmp/molecule.*); a stale one would skip prepare.
  (cd "$role_dir" && molecule reset -s "$scenario" >/dev/null 2>&1; molecule test -s "$scenario")
done
