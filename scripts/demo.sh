#!/usr/bin/env bash
# The demo: converge the local inventory's parameter groups and show a real PostgreSQL server
# picking up pgaudit after the reboot that rds_parameter_group reports as pending.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
step() { printf '\n=== %s\n' "$*"; }

step "1. A database built before the collection: app-db (PostgreSQL 15) with a plain parameter group"
python scripts/demo_instance.py create
python scripts/demo_instance.py show

step "2. ansible-playbook site.yml -i inventories/local (converges every parameter group)"
ansible-playbook site.yml -i inventories/local

step "3. The server runs the dynamic settings already; shared_preload_libraries waits for a reboot"
python scripts/demo_instance.py show

step "4. Reboot app-db: the real PostgreSQL server restarts with pgaudit loaded"
python scripts/demo_instance.py reboot
python scripts/demo_instance.py show

step "5. Second run of site.yml: nothing to change"
ansible-playbook site.yml -i inventories/local | tail -n 6

printf '\nThe local environment keeps running: make status, make down.\n'
