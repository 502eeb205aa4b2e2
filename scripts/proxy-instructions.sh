#!/usr/bin/env bash
# Instructions the ws1011 proxy spends per WebSocket echo round trip, counted by
# `valgrind --tool=callgrind` (user-space instructions of the proxy process; repeatable whatever the
# machine's load, unlike wall-clock figures). The proxy runs twice in front of a small Python echo
# upstream (Benchmarks/Peers/proxy_round_trips.py), driven with FEW and then MANY sequential round trips of
# BYTES-byte binary messages; the difference over MANY − FEW round trips leaves out start-up,
# connection set-up and shutdown.
#
# The proxy runs in ws1011-proxy-host (the library's FaultProxy, one event loop, a synchronous main:
# valgrind 3.19 crashes where an async main parks its thread), built in release first.
#
# With FLOOR=1 it counts a bare SwiftNIO forwarder the same way (`ws1011-bench glue-proxy`: two glue
# handlers and no proxy logic) and prints the ratio: what the proxy spends beyond that floor is its own.
#
# Usage: scripts/proxy-instructions.sh [BINARY]   (default: .build/release/ws1011-proxy-host, built here)
# Environment: FEW (2000), MANY (12000), BYTES (1024), CONNECTIONS (1), FAULTS (fault specs for the
# proxy, as --fault takes them, e.g. "latency:ms=0"), KEEP (a directory to keep the callgrind files in,
# for callgrind_annotate), FLOOR=1 (also the bare SwiftNIO forwarder), SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z ${1:-} && ${SKIP_BUILD:-0} != 1 ]]; then
  swift build -c release --product ws1011-proxy-host >&2
fi
if [[ ${FLOOR:-0} == 1 && ${SKIP_BUILD:-0} != 1 ]]; then
  swift build -c release --product ws1011-bench >&2
fi
FLOOR_BIN=.build/release/ws1011-bench
BIN=${1:-.build/release/ws1011-proxy-host}
FEW=${FEW:-2000}
MANY=${MANY:-12000}
BYTES=${BYTES:-1024}
CONNECTIONS=${CONNECTIONS:-1}
[[ -x $BIN ]] || { echo "no executable at $BIN: build it first (swift build -c release --product ws1011-proxy-host)" >&2; exit 2; }
if [[ ${FLOOR:-0} == 1 && ! -x $FLOOR_BIN ]]; then
  echo "no executable at $FLOOR_BIN: build it first (swift build -c release --product ws1011-bench)" >&2; exit 2
fi
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
(( MANY > FEW )) || { echo "MANY ($MANY) must be larger than FEW ($FEW)" >&2; exit 2; }

work=$(mktemp -d)
upstream_pid=""
cleanup() {
  [[ -n $upstream_pid ]] && kill "$upstream_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 Benchmarks/Peers/proxy_round_trips.py serve "$work/upstream-port" &
upstream_pid=$!
for _ in $(seq 100); do [[ -s $work/upstream-port ]] && break; sleep 0.1; done
[[ -s $work/upstream-port ]] || { echo "the echo upstream did not start" >&2; exit 1; }
upstream=$(cat "$work/upstream-port")

# Valgrind 3.19 cannot read the DWARF 5 the Swift toolchain writes: a copy without debug information
# (the symbol table stays, so callgrind_annotate still names functions).
objcopy --strip-debug "$BIN" "$work/proxy-host"
[[ ${FLOOR:-0} == 1 ]] && objcopy --strip-debug "$FLOOR_BIN" "$work/floor"

# Total instructions of one run driven with $1 round trips: of the proxy, or with $2 = floor of the bare forwarder.
count() {
  local n=$1 which=${2:-proxy} out="$work/callgrind.${2:-proxy}.$1" log="$work/${2:-proxy}.$1.log"
  if [[ $which == floor ]]; then
    valgrind --tool=callgrind --callgrind-out-file="$out" "$work/floor" glue-proxy "$upstream" 1 >"$log" 2>&1 &
  else
    # shellcheck disable=SC2086
    valgrind --tool=callgrind --callgrind-out-file="$out" "$work/proxy-host" "$upstream" ${FAULTS:-} >"$log" 2>&1 &
  fi
  local pid=$! port=""
  for _ in $(seq 600); do
    port=$(grep -o 'listening on [a-z:/]*127.0.0.1:[0-9]*' "$log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $port ]] || { echo "the proxy did not start within 60 s:" >&2; cat "$log" >&2; kill "$pid" 2>/dev/null; exit 1; }
  timeout 600 python3 Benchmarks/Peers/proxy_round_trips.py drive "$port" "$n" "$BYTES" "$CONNECTIONS" >/dev/null
  # The proxy host ends cleanly on SIGINT; the forwarder takes the default action of SIGTERM (a background job of
  # a non-interactive shell starts with SIGINT ignored), on which callgrind still writes its counts.
  if [[ $which == floor ]]; then kill -TERM "$pid"; else kill -INT "$pid"; fi
  wait "$pid" || true
  [[ -n ${KEEP:-} ]] && mkdir -p "$KEEP" && cp "$out" "$KEEP/"
  awk '/^summary:/ { print $2 }' "$out"
}

few=$(count "$FEW")
many=$(count "$MANY")
echo "proxy instructions: $few for $FEW round trips, $many for $MANY"
awk -v a="$few" -v b="$many" -v n=$((MANY - FEW)) -v bytes="$BYTES" \
  'BEGIN { printf "instructions per round trip (%d-byte messages): %.0f\n", bytes, (b - a) / n }'
if [[ ${FLOOR:-0} == 1 ]]; then
  floor_few=$(count "$FEW" floor)
  floor_many=$(count "$MANY" floor)
  echo "bare SwiftNIO forwarder instructions: $floor_few for $FEW round trips, $floor_many for $MANY"
  awk -v a="$few" -v b="$many" -v fa="$floor_few" -v fb="$floor_many" -v n=$((MANY - FEW)) \
    'BEGIN { p = (b - a) / n; f = (fb - fa) / n;
             printf "bare SwiftNIO forwarder per round trip: %.0f; the proxy spends %.0f more (%.2fx)\n", f, p - f, p / f }'
fi
