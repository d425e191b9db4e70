#!/usr/bin/env bash
# Runs jobrun's whole test suite: set-up, vet, every test (unit, golden,
# script, integration) and a short run of every fuzz target's seed corpus.
# This is the README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PATH:/usr/local/go/bin"

# The Docker executor's tests need an engine and local images. In CI a
# missing engine fails the run; on a laptop without Docker they skip.
if ! bash scripts/docker-setup.sh; then
  if [ "${CI:-}" = true ]; then
    echo "test: CI=true and no Docker engine could be started" >&2
    exit 1
  fi
  echo "test: no Docker engine; Docker tests will skip" >&2
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...
go test -count=1 -timeout 45m ./...
