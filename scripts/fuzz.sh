#!/usr/bin/env bash
# `make fuzz`: builds ws1011-fuzz with libFuzzer and runs every target for a bounded time, starting from the
# committed seeds in Fixtures/fuzz-corpus/<target>/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      default 30 s each (or FUZZ_SECONDS), all targets
#
# New interesting inputs go to .build/fuzz-corpus/<target>/ (not committed); crashes, leaks and timeouts go to
# fuzz-artifacts/<target>/ (git-ignored). A crash found here must become a regression: copy the input into
# Fixtures/fuzz-corpus/<target>/ (`swift run ws1011-fuzz` and `swift test --filter Hostile` replay it) and fix it.
#
# The build shares .build with the plain debug build: WS1011_FUZZ=1 makes Package.swift instrument only the
# project's own modules (-sanitize=fuzzer, -DWS1011_FUZZ for ws1011-fuzz), so the dependencies compiled for
# `swift build` are reused as they are. The price: the next plain build recompiles the project's modules.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-30}}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=(upgrade-response inbound-frames scenario token admin-request secret-text wire-codec profile); fi
scratch=.build

echo "+ WS1011_FUZZ=1 swift build --product ws1011-fuzz (libFuzzer instrumentation for the project's modules)"
# libFuzzer brings its own main, but SwiftPM links the executable's main (--defsym main=…): main.swift calls
# LLVMFuzzerRunDriver instead, found with dlsym — hence --export-dynamic (both in Package.swift).
WS1011_FUZZ=1 swift build --scratch-path "$scratch" --product ws1011-fuzz
binary="$(WS1011_FUZZ=1 swift build --scratch-path "$scratch" --show-bin-path)/ws1011-fuzz"
grep -q LLVMFuzzerRunDriver < <(nm "$binary" 2>/dev/null) || {
  echo "error: $binary has no libFuzzer runtime (LLVMFuzzerRunDriver): the WS1011_FUZZ=1 build did not apply -sanitize=fuzzer" >&2
  exit 1
}

status=0
summary=()
for target in "${targets[@]}"; do
  seeds="Fixtures/fuzz-corpus/$target"
  work="$scratch/fuzz-corpus/$target"
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
