#!/usr/bin/env bash
# Installs the system packages ws1011 builds against (zlib for permessage-deflate, OpenSSL headers)
# when they are missing and this machine can install them. Prints what it did.
set -euo pipefail
missing=()
for pkg in libssl-dev zlib1g-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "ws1011 needs: ${missing[*]} — install them with your package manager" >&2
  exit 1
fi
echo "installing ${missing[*]}"
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
