#!/usr/bin/env bash
# `make fuzz`: builds ws1011-fuzz with libFuzzer (scratch path .build-fuzz, git-ignored) and runs every
# target for a bounded time, starting from the committed seeds in Fixtures/fuzz-corpus/<target>/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      default 30 s each (or FUZZ_SECONDS), all targets
#
# New interesting inputs go to .build-fuzz/corpus/<target>/ (not committed); crashes, leaks and timeouts go to
# fuzz-artifacts/<target>/ (git-ignored). A crash found here must become a regression: copy the input into
# Fixtures/fuzz-corpus/<target>/ (`swift run ws1011-fuzz` and `swift test --filter Hostile` replay it) and fix it.
# The first build compiles every dependency with coverage instrumentation: ~3–5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-30}}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=(upgrade-response inbound-frames scenario token admin-request secret-text); fi
scratch=.build-fuzz

echo "+ building ws1011-fuzz with -sanitize=fuzzer into $scratch"
# libFuzzer brings its own main, but SwiftPM links the executable's main (--defsym main=…): main.swift calls
# LLVMFuzzerRunDriver instead, found with dlsym — hence --export-dynamic.
swift build --scratch-path "$scratch" --product ws1011-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DWS1011_FUZZ -Xlinker --export-dynamic
binary="$("$(command -v swift)" build --scratch-path "$scratch" --show-bin-path)/ws1011-fuzz"

status=0
summary=()
for target in "${targets[@]}"; do
  seeds="Fixtures/fuzz-corpus/$target"
  work="$scratch/corpus/$target"
  artifacts="fuzz-artifacts/$target"
  mkdir -p "$work" "$artifacts"
  [[ -d "$seeds" ]] || { echo "error: no seed corpus at $seeds" >&2; exit 2; }
  echo "+ fuzzing $target for ${seconds}s"
  log="$artifacts/last-run.log"
  set +e
  WS1011_FUZZ_TARGET="$target" "$binary" "$work" "$seeds" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || echo "?")
  if [[ $rc -ne 0 ]]; then
    status=1
    found=$(ls -t "$artifacts" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | head -1 || true)
    summary+=("$target: FAILED (exit $rc) after $runs runs, cov $cov; input: $artifacts/${found:-?}; log: $log")
    grep -E 'Fatal error|invariant broken|ERROR: libFuzzer|SUMMARY' "$log" | head -5 || true
  else
    summary+=("$target: ok, $runs runs, cov $cov, no crash in ${seconds}s")
  fi
done
echo
echo "fuzz summary:"
for line in "${summary[@]}"; do echo "  $line"; done
exit $status
