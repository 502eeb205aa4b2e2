#!/usr/bin/env bash
# Instructions the ws1011 proxy spends per WebSocket echo round trip, counted by
# `valgrind --tool=callgrind` (user-space instructions of the proxy process; repeatable whatever the
# machine's load, unlike wall-clock figures). The proxy runs twice in front of a small Python echo
# upstream (bench/proxy_round_trips.py), driven with FEW and then MANY sequential round trips of
# BYTES-byte binary messages; the difference over MANY − FEW round trips leaves out start-up,
# connection set-up and shutdown.
#
# The proxy runs in ws1011-proxy-host (the library's FaultProxy, one event loop, a synchronous main:
# valgrind 3.19 crashes where an async main parks its thread), built in release first.
#
# Usage: scripts/proxy-instructions.sh [BINARY]   (default: .build/release/ws1011-proxy-host, built here)
# Environment: FEW (2000), MANY (12000), BYTES (1024), CONNECTIONS (1), FAULTS (fault specs for the
# proxy, as --fault takes them, e.g. "latency:ms=0"), KEEP (a directory to keep the callgrind files in,
# for callgrind_annotate), SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z ${1:-} && ${SKIP_BUILD:-0} != 1 ]]; then
  swift build -c release --product ws1011-proxy-host >&2
fi
BIN=${1:-.build/release/ws1011-proxy-host}
FEW=${FEW:-2000}
MANY=${MANY:-12000}
BYTES=${BYTES:-1024}
CONNECTIONS=${CONNECTIONS:-1}
[[ -x $BIN ]] || { echo "no executable at $BIN: build it first (swift build -c release --product ws1011-proxy-host)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
(( MANY > FEW )) || { echo "MANY ($MANY) must be larger than FEW ($FEW)" >&2; exit 2; }

work=$(mktemp -d)
upstream_pid=""
cleanup() {
  [[ -n $upstream_pid ]] && kill "$upstream_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 bench/proxy_round_trips.py serve "$work/upstream-port" &
upstream_pid=$!
for _ in $(seq 100); do [[ -s $work/upstream-port ]] && break; sleep 0.1; done
[[ -s $work/upstream-port ]] || { echo "the echo upstream did not start" >&2; exit 1; }
upstream=$(cat "$work/upstream-port")

# Valgrind 3.19 cannot read the DWARF 5 the Swift toolchain writes: a copy without debug information
# (the symbol table stays, so callgrind_annotate still names functions).
objcopy --strip-debug "$BIN" "$work/proxy-host"

# Total instructions of one proxy run driven with $1 round trips.
count() {
  local n=$1 out="$work/callgrind.$1" log="$work/proxy.$1.log"
  # shellcheck disable=SC2086
  valgrind --tool=callgrind --callgrind-out-file="$out" "$work/proxy-host" "$upstream" ${FAULTS:-} >"$log" 2>&1 &
  local pid=$! port=""
  for _ in $(seq 600); do
    port=$(grep -o 'listening on ws://127.0.0.1:[0-9]*' "$log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $port ]] || { echo "the proxy did not start within 60 s:" >&2; cat "$log" >&2; kill "$pid" 2>/dev/null; exit 1; }
  timeout 600 python3 bench/proxy_round_trips.py drive "$port" "$n" "$BYTES" "$CONNECTIONS" >/dev/null
  kill -INT "$pid"
  wait "$pid" || true
  [[ -n ${KEEP:-} ]] && mkdir -p "$KEEP" && cp "$out" "$KEEP/"
  awk '/^summary:/ { print $2 }' "$out"
}

few=$(count "$FEW")
many=$(count "$MANY")
echo "proxy instructions: $few for $FEW round trips, $many for $MANY"
awk -v a="$few" -v b="$many" -v n=$((MANY - FEW)) -v bytes="$BYTES" \
  'BEGIN { printf "instructions per round trip (%d-byte messages): %.0f\n", bytes, (b - a) / n }'
