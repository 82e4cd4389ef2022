#!/usr/bin/env bash
# ansible-doc must render every plugin of the collection (filters document themselves in a
# sidecar YAML file named after the filter).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" ANSIBLE_CONFIG="$PWD/ansible.cfg"
count=0
render() {
  ansible-doc -t "$1" "innovate.aws_postgres.$2" > /dev/null
  count=$((count + 1))
}
for file in plugins/modules/*.py plugins/lookup/*.py; do
  [ -e "$file" ] || continue
  case "$file" in plugins/modules/*) kind=module ;; *) kind=lookup ;; esac
  render "$kind" "$(basename "$file" .py)"
done
for file in plugins/filter/*.yml; do
  [ -e "$file" ] || continue
  render filter "$(basename "$file" .yml)"
done
echo "doc_check: ansible-doc rendered $count plugins"
