#!/usr/bin/env bash
# `make test`: every check, in two phases of parallel lanes (the machine is mostly waiting on
# PostgreSQL servers and ansible-playbook start-up, so lanes overlap well even on two cores).
#   phase 1: lint + sanity | unit + local-environment tests
#   phase 2: integration (pytest-xdist) | molecule scenarios | AWX-style job tests
# Each lane writes build/test-logs/<lane>.log; a lane's log is printed when it ends. The run fails
# when any lane fails, after every lane of the phase has ended.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
logs=build/test-logs
mkdir -p "$logs"
failed=()

run_phase() {
  local pids=() names=() lane
  for lane in "$@"; do
    ( lane_start=$SECONDS; "$lane"; rc=$?; echo "($lane took $((SECONDS - lane_start)) s)"; exit $rc ) >"$logs/$lane.log" 2>&1 &
    pids+=($!)
    names+=("$lane")
  done
  local i status
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then status=ok; else status=FAILED; failed+=("${names[$i]}"); fi
    echo "=== ${names[$i]}: $status"
    cat "$logs/${names[$i]}.log"
  done
}

make_() { make --no-print-directory "$@"; }
lane_checks() { make_ lint && make_ sanity; }
lane_tests() { make_ unit && make_ localenv-test; }
lane_integration() { make_ integration; }
lane_molecule() { make_ molecule; }
lane_awx() { make_ awx-test; }

start=$SECONDS
run_phase "lane_checks" "lane_tests"
make_ build || failed+=("build")
run_phase lane_integration lane_molecule lane_awx
echo "=== make test: $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
  printf '=== failed: %s\n' "${failed[@]}"
  exit 1
fi
