#!/usr/bin/env bash
# `make busy-test`: the suite while busy loops hold the CPU — what a shared CI runner looks like. The suite
# must hold there: a bound that guards against a hang is generous, a timing that is a test's point is
# checked against what was configured with slack for load.
#
#   scripts/busy-test.sh [FILTER]      FILTER as in scripts/swift-test.sh ("" = the whole suite, 4 passes)
#   BUSY_LOOPS=N                       busy loops to run (default 2, one per core of a 2-core runner)
#
# It builds first (without load: the build is not what is measured), then starts the loops and runs
# scripts/swift-test.sh. The loops are killed on every exit — success, failure, Ctrl-C (trap).
set -uo pipefail
cd "$(dirname "$0")/.."
filter="${1:-}"
loops="${BUSY_LOOPS:-2}"
[[ "$loops" =~ ^[0-9]+$ ]] || { echo "error: BUSY_LOOPS must be a number of loops (got '$loops'), e.g. BUSY_LOOPS=2" >&2; exit 2; }

pids=()
stop_loops() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap stop_loops EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "+ swift build --build-tests (before the load)"
swift build || { echo "swift build failed" >&2; exit 1; }
swift build --build-tests || { echo "swift build --build-tests failed" >&2; exit 1; }

# Each loop is bounded in time (timeout, 90 min by default: longer than any suite run), and a watchdog ends them
# when this script goes, even when it is killed without running its trap (SIGKILL, a CI job's hard stop).
max_seconds="${BUSY_MAX_SECONDS:-5400}"
[[ "$max_seconds" =~ ^[0-9]+$ ]] || { echo "error: BUSY_MAX_SECONDS must be a number of seconds (got '$max_seconds')" >&2; exit 2; }
for ((i = 0; i < loops; i++)); do
  timeout "$max_seconds" yes >/dev/null &
  pids+=("$!")
done
(
  while kill -0 $$ 2>/dev/null; do sleep 2; done
  kill "${pids[@]}" 2>/dev/null
) &
pids+=("$!")
echo "+ $loops busy loop(s) running (pids ${pids[*]}); load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
start=$(date +%s)
scripts/swift-test.sh "$filter"
status=$?
elapsed=$(($(date +%s) - start))
echo "busy-test: $loops busy loop(s), exit $status after ${elapsed}s; load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
exit $status
