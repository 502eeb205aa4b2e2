#!/usr/bin/env bash
# Runs the Swift tests and fails when no test ran (`swift test --filter X` that matches nothing exits 0,
# which must not pass as green).
#
#   scripts/swift-test.sh ""        the whole suite, in four passes (see below)
#   scripts/swift-test.sh FILTER    one pass with --filter FILTER
#
# The whole suite runs in four passes so that the load tests (hostile peers: floods, thousands of
# connections) and the third-party peers (nginx, HAProxy, Python processes) do not share two cores with
# the timing-sensitive tests, and the test that blocks the whole cooperative pool (PoolIndependence, enabled
# by WS1011_POOL_TEST=1) runs in a process of its own: each pass is still parallel inside. The last line
# sums the passes.
set -uo pipefail
filter="${1:-}"
shift || true

# The CLI tests run the built binaries (.build/debug/ws1011), which `swift test` alone does not build.
echo "+ swift build"
swift build "$@" || { echo "swift build failed" >&2; exit 1; }
echo "+ swift build --build-tests"
swift build --build-tests "$@" || { echo "swift build --build-tests failed" >&2; exit 1; }

heavy='Hostile'
peers='InteropTests'
alone='PoolIndependence'
if [[ -n "$filter" ]]; then
  passes=("--filter|$filter")
else
  passes=("--filter|$heavy" "--filter|$peers" "--filter|$alone" "--skip|$heavy|--skip|$peers|--skip|$alone")
fi

# How many tests one pass runs at once (Swift Testing's parallelization width; default: unbounded). Hundreds of
# tests starting together each set up a lab, a proxy or a TLS authority: that burst, not the machine, made the
# first seconds of a pass the slowest, and a test whose point is a 2 s window could start inside it. A bounded
# width keeps the pass parallel (tests mostly wait on sockets and timers) without the burst.
width="${WS1011_TEST_WIDTH:-32}"
[[ "$width" =~ ^[0-9]+$ && "$width" -gt 0 ]] || { echo "error: WS1011_TEST_WIDTH must be a positive number of tests (got '$width'), e.g. 32" >&2; exit 2; }
# The real-peer pass is narrower: each of its tests starts processes of its own (a Go, Node, Python, Java or Ruby
# server, Chromium, nginx, HAProxy) beside a lab and a proxy, and on a 2-core runner with other load a dozen of
# them at once starved the 2 s windows their neighbours judge (a Go server's read deadline, a 2 s front cap
# firing before a crowded upgrade was answered).
interop_width="${WS1011_INTEROP_WIDTH:-8}"
[[ "$interop_width" =~ ^[0-9]+$ && "$interop_width" -gt 0 ]] || { echo "error: WS1011_INTEROP_WIDTH must be a positive number of tests (got '$interop_width'), e.g. 8" >&2; exit 2; }

total=0
failed_passes=0
for pass in "${passes[@]}"; do
  IFS='|' read -r -a selection <<<"$pass"
  log="$(mktemp -t ws1011-test.XXXXXX)"
  pass_width=$width
  [[ "${selection[*]}" == "--filter $peers" ]] && pass_width=$interop_width
  echo "+ swift test --skip-build ${selection[*]} (at most $pass_width at once)"
  pool_test=0
  [[ "${selection[*]}" == "--filter $alone" ]] && pool_test=1
  WS1011_POOL_TEST=$pool_test swift test --skip-build "$@" "${selection[@]}" --experimental-maximum-parallelization-width "$pass_width" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  # Swift Testing: "Test run with N tests in M suites passed/failed after …"
  count=$(grep -Eo 'Test run with [0-9]+ tests?' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
  rm -f "$log"
  if [[ -z "$count" || "$count" -eq 0 ]]; then
    echo "error: no test ran for ${selection[*]} — a selection that matches nothing is not a pass" >&2
    failed_passes=$((failed_passes + 1))
    continue
  fi
  total=$((total + count))
  if [[ $status -ne 0 ]]; then
    echo "swift test failed (exit $status) for ${selection[*]}" >&2
    failed_passes=$((failed_passes + 1))
  fi
done

if [[ $failed_passes -ne 0 ]]; then
  echo "ws1011 tests: $total ran; $failed_passes of ${#passes[@]} passes failed" >&2
  exit 1
fi
echo "ws1011 tests: $total ran in ${#passes[@]} pass(es), all passed"
