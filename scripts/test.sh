#!/usr/bin/env bash
# `make test`: every check, in parallel lanes (the machine is mostly waiting on PostgreSQL servers
# and ansible-playbook start-up, so lanes overlap well even on two cores).
#   from the start: molecule scenarios (the longest lane after the integration tests)
#   phase 1: lint + sanity | unit + local-environment tests
#   phase 2 (needs the built collection): integration (pytest-xdist) | AWX-style job tests
# Each lane writes build/test-logs/<lane>.log; a lane's log is printed when it ends. The run fails
# when any lane fails, after every lane has ended.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
logs=build/test-logs
mkdir -p "$logs"
failed=()

run_phase() {
  local pids=() names=() lane
  for lane in "$@"; do
    start_lane "$lane"
    pids+=("$lane_pid")
    names+=("$lane")
  done
  local i
  for i in "${!pids[@]}"; do
    finish_lane "${names[$i]}" "${pids[$i]}"
  done
}

start_lane() {
  ( lane_start=$SECONDS; "$1"; rc=$?; echo "($1 took $((SECONDS - lane_start)) s)"; exit $rc ) >"$logs/$1.log" 2>&1 &
  lane_pid=$!
}

finish_lane() {
  local status
  if wait "$2"; then status=ok; else status=FAILED; failed+=("$1"); fi
  echo "=== $1: $status"
  cat "$logs/$1.log"
}

make_() { make --no-print-directory "$@"; }
lane_checks() { make_ lint && make_ sanity; }
lane_tests() { make_ unit && make_ localenv-test; }
lane_integration() { make_ integration; }
lane_molecule() { make_ molecule; }
lane_awx() { make_ awx-test; }

start=$SECONDS
start_lane lane_molecule
molecule_pid=$lane_pid
run_phase lane_checks lane_tests
run_phase lane_integration lane_awx
finish_lane lane_molecule "$molecule_pid"
echo "=== make test: $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
  printf '=== failed: %s\n' "${failed[@]}"
  exit 1
fi
