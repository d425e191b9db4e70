#!/usr/bin/env bash
# Installs what jobrun's tests need on a fresh Debian machine and fails,
# loudly, when something required cannot be had. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"

need_go=$(sed -n 's/^go \([0-9.]*\).*/\1/p' go.mod)
command -v go >/dev/null || { echo "setup: Go $need_go or newer is required (https://go.dev/dl)" >&2; exit 1; }

# Debian packages the tests use: git (pipelines read the repository), bash
# and a real shell, curl (jobs talk to the loopback API).
packages=(git bash curl ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]} (apt-get install them)" >&2
    exit 1
  fi
fi

go mod download
echo "setup: ok"
