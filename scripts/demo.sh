#!/usr/bin/env bash
# The demo: site.yml provisions every deployment of inventories/local on the local environment
# (network, KMS key in the security account, parameter groups, a Multi-AZ RDS instance with a
# streaming replica, an Aurora cluster, alarms, extensions and the role model), then shows the real
# PostgreSQL servers behind them, and a second run that changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export LOCALENV_CA_BUNDLE=${LOCALENV_STATE_DIR:-/tmp/innovate-aws-postgres-localenv}/tls/ca.pem
step() { printf '\n=== %s\n' "$*"; }

step "1. ansible-playbook site.yml -i inventories/local --check (plans everything, changes nothing)"
ansible-playbook site.yml -i inventories/local --check | tail -n 4

step "2. ansible-playbook site.yml -i inventories/local"
ansible-playbook site.yml -i inventories/local | tail -n 4

step "3. The databases, as an application reaches them"
python scripts/demo_show.py

step "4. Second run of site.yml: nothing to change"
ansible-playbook site.yml -i inventories/local | tail -n 4

printf '\nThe local environment keeps running: make status, make down.\n'
