#!/usr/bin/env bash
# Installs the third-party peers that Tests/InteropTests talks to, when they are missing:
#   Debian: nginx (nginx-light where it exists), haproxy, openssl; and the report consumers the report
#           tests hand their output to: xmllint (libxml2-utils), promtool (prometheus), chromium
#   Debian: Go with gorilla/websocket (golang-go, golang-github-gorilla-websocket-dev), a JDK and
#           Tomcat 10's jars (default-jdk-headless, libtomcat10-java), Ruby with Rails' Action Cable and Puma
#           (ruby, ruby-actioncable, puma), Node.js with the ws library (nodejs, node-ws: RFC 8441 over
#           Node's http2 module)
#   Python: a venv at .build/interop-venv with websockets, uvicorn, starlette, channels, daphne, hypercorn
#           (HTTP/2 with RFC 8441), python-socketio (ASGI, for the socketio profile), fastapi (an app with its
#           own JSON envelope, for profile files), python-engineio, and the report readers junitparser and jsonschema
#   Built here, offline, into .build/interop-peers: the gorilla server (Fixtures/interop/gorilla, GOPATH
#   mode against /usr/share/gocode) and the embedded Tomcat (Fixtures/interop/tomcat, javac)
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
      if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1; then
        echo "interop-peers: installed $pkg"; return 0
      fi
    done
    if [[ $apt_updated -eq 0 ]]; then
      echo "interop-peers: install failed, running apt-get update once"
      apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1 || true
      apt_updated=1
    else
      break
    fi
  done
  echo "interop-peers: could not install $cmd (tried: $*)" >&2
  failed+=("$cmd"); return 1
}

apt_install_file() { # $1 = file that the package provides, $2 = package
  if [[ -e "$1" ]]; then echo "interop-peers: $2 already installed"; return 0; fi
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "interop-peers: $1 is missing and this user cannot apt-get install $2" >&2
    failed+=("$2"); return 1
  fi
  echo "interop-peers: installing $2"
  if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$2" >/dev/null 2>&1; then
    if [[ $apt_updated -eq 0 ]]; then
      apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1 || true
      apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$2" >/dev/null 2>&1
  fi
  if [[ -e "$1" ]]; then echo "interop-peers: installed $2"; return 0; fi
  echo "interop-peers: could not install $2 (needed for $1)" >&2
  failed+=("$2"); return 1
}

apt_install nginx nginx-light nginx
apt_install haproxy haproxy
apt_install openssl openssl
apt_install tinyproxy tinyproxy
apt_install xmllint libxml2-utils
apt_install promtool prometheus
apt_install chromium chromium
apt_install go golang-go
apt_install_file /usr/share/gocode/src/github.com/gorilla/websocket/server.go golang-github-gorilla-websocket-dev
apt_install javac default-jdk-headless
apt_install_file /usr/share/java/tomcat10-websocket.jar libtomcat10-java
apt_install ruby ruby
apt_install puma puma
# Node's own http2 module (RFC 8441 with enableConnectProtocol) carrying the `ws` library's WebSocket.
apt_install node nodejs
apt_install_file /usr/share/nodejs/ws/lib/websocket.js node-ws
has_actioncable() { command -v ruby >/dev/null 2>&1 && ruby -e 'require "action_cable"' >/dev/null 2>&1; }
if has_actioncable; then
  echo "interop-peers: ruby-actioncable already installed"
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "interop-peers: installing ruby-actioncable"
  install_ac() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends ruby-actioncable >/dev/null 2>&1; }
  install_ac || { apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1; apt_updated=1; install_ac; }
fi
if ! has_actioncable; then
  echo "interop-peers: could not provide Rails' Action Cable (Debian ruby-actioncable)" >&2
  failed+=(ruby-actioncable)
fi

# MARK: Built peers (offline, from Fixtures/interop)
peers="$root/.build/interop-peers"
mkdir -p "$peers"
gorilla_src="$root/Fixtures/interop/gorilla/main.go"
if command -v go >/dev/null 2>&1 && [[ -e /usr/share/gocode/src/github.com/gorilla/websocket/server.go ]]; then
  if [[ -x "$peers/gorilla-server" && "$peers/gorilla-server" -nt "$gorilla_src" ]]; then
    echo "interop-peers: gorilla server already built"
  else
    echo "interop-peers: building the gorilla server (GOPATH /usr/share/gocode, offline)"
    if ! GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off GOCACHE="$peers/go-cache" \
        go build -o "$peers/gorilla-server" "$gorilla_src" >"$peers/go-build.log" 2>&1; then
      echo "interop-peers: building the gorilla server failed:" >&2; tail -5 "$peers/go-build.log" >&2
      failed+=(gorilla-server)
    fi
  fi
fi
tomcat_jars=(api servlet-api websocket-api websocket-client-api websocket catalina coyote util util-scan juli jni annotations-api jaspic-api el-api)
tomcat_cp=$(printf '/usr/share/java/tomcat10-%s.jar:' "${tomcat_jars[@]}")
tomcat_src="$root/Fixtures/interop/tomcat/InteropServer.java"
if command -v javac >/dev/null 2>&1 && [[ -e /usr/share/java/tomcat10-websocket.jar ]]; then
  if [[ -f "$peers/tomcat/InteropServer.class" && "$peers/tomcat/InteropServer.class" -nt "$tomcat_src" ]]; then
    echo "interop-peers: Tomcat endpoints already compiled"
  else
    echo "interop-peers: compiling the Tomcat endpoints"
    rm -rf "$peers/tomcat" && mkdir -p "$peers/tomcat"
    if ! javac -nowarn -d "$peers/tomcat" -cp "$tomcat_cp" "$tomcat_src" >"$peers/javac.log" 2>&1; then
      echo "interop-peers: compiling the Tomcat endpoints failed:" >&2; tail -5 "$peers/javac.log" >&2
      failed+=(tomcat-endpoints)
    fi
  fi
  echo "${tomcat_cp%:}" >"$peers/tomcat.classpath"
fi

# MARK: Python venv
py_mods=(websockets uvicorn starlette channels daphne hypercorn python-socketio python-engineio fastapi junitparser jsonschema)
if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import websockets, uvicorn, starlette, channels, daphne, django, hypercorn, h2, socketio, engineio, fastapi, junitparser, jsonschema' >/dev/null 2>&1; then
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
echo "interop-peers: ready — $("$nginx_bin" -v 2>&1 | head -1); $("$haproxy_bin" -v 2>&1 | head -1); $(openssl version); $("$venv/bin/python" -c 'import importlib.metadata as m, websockets, uvicorn, starlette, channels, daphne, django; print("websockets", websockets.__version__, "uvicorn", uvicorn.__version__, "starlette", starlette.__version__, "channels", channels.__version__, "daphne", daphne.__version__, "django", django.__version__, "hypercorn", m.version("hypercorn"), "python-socketio", m.version("python-socketio"), "fastapi", m.version("fastapi"))'); $(go version); gorilla/websocket $(dpkg-query -W -f '${Version}' golang-github-gorilla-websocket-dev 2>/dev/null); Tomcat $(dpkg-query -W -f '${Version}' libtomcat10-java 2>/dev/null) on $(javac -version 2>&1); Action Cable $(dpkg-query -W -f '${Version}' ruby-actioncable 2>/dev/null) with $(puma --version 2>/dev/null | head -1) on $(ruby --version 2>/dev/null)"
echo "interop-peers: report consumers — $(xmllint --version 2>&1 | head -1); $(promtool --version 2>&1 | head -1); $(chromium --version 2>/dev/null | head -1); $("$venv/bin/python" -c 'import importlib.metadata as m; print("junitparser", m.version("junitparser"), "jsonschema", m.version("jsonschema"))')"
