#!/usr/bin/env bash
# Runs `swift test` (optionally with --filter) and fails when no test ran:
# `swift test --filter X` that matches nothing exits 0, which must not pass as green.
set -uo pipefail
filter="${1:-}"
shift || true
log="$(mktemp -t ws1011-test.XXXXXX)"
# The CLI tests run the built binaries (.build/debug/ws1011), which `swift test` alone does not build.
echo "+ swift build"
swift build "$@" || { echo "swift build failed" >&2; exit 1; }
args=(test "$@")
if [[ -n "$filter" ]]; then args+=(--filter "$filter"); fi
echo "+ swift ${args[*]}"
swift "${args[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# Swift Testing: "Test run with N tests in M suites passed/failed after …"
count=$(grep -Eo 'Test run with [0-9]+ tests?' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
rm -f "$log"
if [[ $status -ne 0 ]]; then
  echo "swift test failed (exit $status)${filter:+ for filter '$filter'}" >&2
  exit "$status"
fi
if [[ -z "$count" || "$count" -eq 0 ]]; then
  echo "error: no test ran${filter:+ for filter '$filter'} — a filter that matches nothing is not a pass" >&2
  exit 1
fi
echo "ran $count Swift Testing tests${filter:+ for '$filter'}"
