#!/usr/bin/env bash
# `make bench`: ws1011 measured side by side with its peers (HAProxy in TCP mode, the Python
# `websockets` client) in one run on loopback. Prints a table with ratios and writes
# bench-results/bench.json. Every load loop in the harness is bounded in count and time.
#
# Environment (all optional): BENCH_CONNECTIONS (held lab connections, default 10000),
# BENCH_AGENT_USERS (1000), BENCH_PROXY_SECONDS (4), BENCH_CLIENT_SECONDS (3), BENCH_WINDOW (1),
# BENCH_VERDICT_RUNS (20), BENCH_EXPORTER_CONCURRENCY (50), BENCH_EXPORTER_SECONDS (5),
# BENCH_EXPORTER_FLEET (1000), BENCH_ONLY (e.g. 1,2), BENCH_OUT (bench-results/bench.json),
# BENCH_SKIP_INSTALL=1 (don't install HAProxy / the venv), BENCH_SKIP_BUILD=1,
# BENCH_WS1011_BASELINE (another ws1011 binary, e.g. a copy built from the previous commit: benchmark 1
# measures it as one more path in the same run, with its CPU per round trip).
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}

say() { printf '==> %s\n' "$*" >&2; }

# --- Peers -------------------------------------------------------------------------------------
install_haproxy() {
  command -v haproxy >/dev/null 2>&1 && return 0
  [[ -x /usr/sbin/haproxy ]] && return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    say "haproxy is missing and cannot be installed here (needs root and apt-get): its rows will say so"
    return 0
  fi
  say "installing haproxy (Debian package)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null 2>&1 \
      || say "haproxy could not be installed: its rows will say so"
  fi
}

VENV=.build/bench-venv
install_python_client() {
  if [[ -x $VENV/bin/python ]] && "$VENV/bin/python" -c 'import websockets' 2>/dev/null; then return 0; fi
  local py
  py=$(command -v python3 || true)
  if [[ -z $py ]]; then say "python3 is missing: the Python client rows will say so"; return 0; fi
  say "making $VENV with the Python websockets client (PyPI)"
  if ! "$py" -m venv "$VENV" >/dev/null 2>&1; then
    say "python3 -m venv failed (install python3-venv): the Python client rows will say so"; return 0
  fi
  "$VENV/bin/pip" install -q --disable-pip-version-check websockets >/dev/null 2>&1 \
    || say "pip install websockets failed: the Python client rows will say so"
}

if [[ ${BENCH_SKIP_INSTALL:-0} != 1 ]]; then
  install_haproxy
  install_python_client
fi
export BENCH_HAPROXY=${BENCH_HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
export BENCH_PYTHON=${BENCH_PYTHON:-$VENV/bin/python}

# --- Build (release) ----------------------------------------------------------------------------
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  say "building ws1011-bench and ws1011 (release)"
  $SWIFT build -c release --product ws1011-bench
  $SWIFT build -c release --product ws1011
fi
BIN=$($SWIFT build -c release --show-bin-path)
export BENCH_WS1011=${BENCH_WS1011:-$BIN/ws1011}

# --- Descriptors: 10,000 connections need about as many on each side ----------------------------
hard=$(ulimit -Hn)
if [[ $hard == unlimited ]] || (( hard >= 65536 )); then ulimit -n 65536; else ulimit -n "$hard"; fi
say "descriptor limit $(ulimit -n)"
want=$(( ${BENCH_CONNECTIONS:-10000} + ${BENCH_AGENT_USERS:-1000} + 512 ))
if (( $(ulimit -n) < want )); then
  lowered=$(( $(ulimit -n) - ${BENCH_AGENT_USERS:-1000} - 512 ))
  say "the descriptor limit $(ulimit -n) is below $want: holding $lowered connections instead (raise 'ulimit -Hn' for the full figure)"
  export BENCH_CONNECTIONS=$lowered
fi

mkdir -p bench-results
say "running the benchmarks (about 1–2 minutes)"
exec "$BIN/ws1011-bench"
