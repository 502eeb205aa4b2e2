#!/usr/bin/env bash
# Builds and tests Examples/ConsumerPackage — a package that depends on ws1011 by path and writes its own
# phase tests — so the framework product cannot rot. It shares ws1011's build folder (.build): the
# dependencies are compiled once for both. Fails when no test ran.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
example="$root/Examples/ConsumerPackage"
echo "+ swift build --build-tests (Examples/ConsumerPackage)"
swift build --build-tests --package-path "$example" --scratch-path "$root/.build" || { echo "the consumer example does not build" >&2; exit 1; }
log="$(mktemp -t ws1011-consumer.XXXXXX)"
echo "+ swift test (Examples/ConsumerPackage)"
swift test --skip-build --package-path "$example" --scratch-path "$root/.build" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
count=$(grep -Eo 'Test run with [0-9]+ tests?' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
rm -f "$log"
if [[ -z "$count" || "$count" -eq 0 ]]; then echo "error: the consumer example ran no test" >&2; exit 1; fi
if [[ $status -ne 0 ]]; then echo "the consumer example's tests failed (exit $status)" >&2; exit 1; fi
echo "consumer example: $count tests passed"
