#!/usr/bin/env bash
# Runs jobrun's whole test suite: set-up, vet, every test (unit, golden,
# script, integration) and a short run of every fuzz target's seed corpus.
# This is the README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PATH:/usr/local/go/bin"

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...
go test -count=1 -timeout 45m ./...
