#!/usr/bin/env bash
# ansible-doc must render every plugin of the collection.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" ANSIBLE_CONFIG="$PWD/ansible.cfg"
count=0
for kind_dir in plugins/modules:module plugins/filter:filter plugins/lookup:lookup; do
  dir=${kind_dir%%:*}; kind=${kind_dir##*:}
  [ -d "$dir" ] || continue
  for file in "$dir"/*.py; do
    [ -e "$file" ] || continue
    if [ "$kind" = filter ]; then
      names=$(python -c 'import ast,sys; t=ast.parse(open(sys.argv[1]).read()); print(" ".join(k.value for n in ast.walk(t) if isinstance(n, ast.Dict) for k in n.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)))' "$file")
      names=$(for name in $names; do [ -f "$dir/$name.yml" ] && echo "$name"; done)
    else
      names=$(basename "$file" .py)
    fi
    for name in $names; do
      ansible-doc -t "$kind" "innovate.aws_postgres.$name" > /dev/null
      count=$((count + 1))
    done
  done
done
echo "doc_check: ansible-doc rendered $count plugins"
