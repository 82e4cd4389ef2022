#!/usr/bin/env bash
# Set up everything the project needs on a fresh machine: Debian packages (PostgreSQL 15 with
# pgaudit, openssl), a Python virtual environment in .venv with the development requirements.
# Safe to run repeatedly: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || need_pkgs+=(postgresql-15 postgresql-contrib)
[ -f /usr/lib/postgresql/15/lib/pgaudit.so ] || need_pkgs+=(postgresql-15-pgaudit)
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v runuser >/dev/null || need_pkgs+=(util-linux)
command -v shellcheck >/dev/null || need_pkgs+=(shellcheck)
command -v chromium >/dev/null || need_pkgs+=(chromium)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing Debian packages ${need_pkgs[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "bootstrap: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Installing the server package must not start the distribution's own cluster on 5432.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres

find_python() {
  local candidate pyenv_root
  pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
  command -v pyenv >/dev/null 2>&1 && pyenv_root=$(pyenv root)
  for candidate in "$pyenv_root"/versions/3.12*/bin/python3.12 "$pyenv_root"/versions/3.13*/bin/python3.13; do
    [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
  for candidate in python3.13 python3.12; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys' >/dev/null 2>&1; then
      command -v "$candidate"; return
    fi
  done
  command -v python3
}

stamp=.venv/.requirements-stamp
if [ ! -x .venv/bin/python ] || ! cmp -s <(cat requirements.txt requirements-dev.txt) "$stamp" 2>/dev/null; then
  python=$(find_python)
  echo "bootstrap: installing the requirements into .venv ($("$python" --version 2>&1))"
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  cat requirements.txt requirements-dev.txt > "$stamp"
fi
echo "bootstrap: ready (ansible-core $(.venv/bin/python -c "from ansible.release import __version__; print(__version__)"))"
