#!/usr/bin/env bash
# Installs the third-party peers that Tests/InteropTests talks to, when they are missing:
#   Debian: nginx (nginx-light where it exists), haproxy, openssl; and the report consumers the report
#           tests hand their output to: xmllint (libxml2-utils), promtool (prometheus), chromium
#   Python: a venv at .build/interop-venv with websockets, uvicorn, starlette, and the report readers
#           junitparser and jsonschema
# Idempotent and quick when everything is already there. Prints what it did; exits non-zero with a
# message that says what could not be installed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv="$root/.build/interop-venv"
failed=()

# MARK: Debian packages
apt_updated=0
apt_install() { # $1 = command to look for, rest = candidate packages (first that installs wins)
  local cmd=$1; shift
  if command -v "$cmd" >/dev/null 2>&1 || [[ -x "/usr/sbin/$cmd" ]]; then
    echo "interop-peers: $cmd already installed"; return 0
  fi
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "interop-peers: $cmd is missing and this user cannot apt-get install it (install one of: $*)" >&2
    failed+=("$cmd"); return 1
  fi
  local pkg
  for attempt in 1 2; do
    for pkg in "$@"; do
      echo "interop-peers: installing $pkg (for $cmd)"
      if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1; then
        echo "interop-peers: installed $pkg"; return 0
      fi
    done
    if [[ $apt_updated -eq 0 ]]; then
      echo "interop-peers: install failed, running apt-get update once"
      apt-get update -qq >/dev/null 2>&1 || true
      apt_updated=1
    else
      break
    fi
  done
  echo "interop-peers: could not install $cmd (tried: $*)" >&2
  failed+=("$cmd"); return 1
}

apt_install nginx nginx-light nginx
apt_install haproxy haproxy
apt_install openssl openssl
apt_install xmllint libxml2-utils
apt_install promtool prometheus
apt_install chromium chromium

# MARK: Python venv
py_mods=(websockets uvicorn starlette junitparser jsonschema)
if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import websockets, uvicorn, starlette, junitparser, jsonschema' >/dev/null 2>&1; then
  echo "interop-peers: venv $venv already has ${py_mods[*]}"
else
  python=$(command -v python3 || true)
  if [[ -z "$python" ]]; then
    echo "interop-peers: python3 is missing (needed for the websockets/uvicorn peers); install python3 and python3-venv" >&2
    failed+=(python3)
  else
    if [[ ! -x "$venv/bin/python" ]]; then
      echo "interop-peers: creating venv $venv"
      if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
        apt_install_venv=0
        if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
          echo "interop-peers: python venv module missing, installing python3-venv"
          { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; } >/dev/null 2>&1 && apt_install_venv=1
        fi
        if [[ $apt_install_venv -eq 0 ]] || ! "$python" -m venv "$venv" >/dev/null 2>&1; then
          echo "interop-peers: could not create a venv with $python (install python3-venv)" >&2
          failed+=(venv)
        fi
      fi
    fi
    if [[ -x "$venv/bin/python" ]]; then
      echo "interop-peers: pip installing ${py_mods[*]} into $venv"
      if ! "$venv/bin/python" -m pip install -q --disable-pip-version-check "${py_mods[@]}" >"$venv/pip.log" 2>&1; then
        echo "interop-peers: pip install ${py_mods[*]} failed; see $venv/pip.log:" >&2
        tail -5 "$venv/pip.log" >&2
        failed+=("${py_mods[@]}")
      fi
    fi
  fi
fi

# MARK: Summary
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "interop-peers: FAILED to provide: ${failed[*]}" >&2
  exit 1
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
haproxy_bin=$(command -v haproxy || echo /usr/sbin/haproxy)
echo "interop-peers: ready — $("$nginx_bin" -v 2>&1 | head -1); $("$haproxy_bin" -v 2>&1 | head -1); $(openssl version); $("$venv/bin/python" -c 'import websockets, uvicorn, starlette; print("websockets", websockets.__version__, "uvicorn", uvicorn.__version__, "starlette", starlette.__version__)')"
echo "interop-peers: report consumers — $(xmllint --version 2>&1 | head -1); $(promtool --version 2>&1 | head -1); $(chromium --version 2>/dev/null | head -1); $("$venv/bin/python" -c 'import importlib.metadata as m; print("junitparser", m.version("junitparser"), "jsonschema", m.version("jsonschema"))')"
