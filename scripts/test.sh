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
# The release targets (goreleaser.yaml) must keep building: the code that
# differs by OS (process groups, terminals) is behind build tags.
for target in linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64; do
  GOOS=${target%/*} GOARCH=${target#*/} CGO_ENABLED=0 go build -o /dev/null ./cmd/jobrun
done
GOOS=windows GOARCH=amd64 go vet ./...
GOOS=darwin GOARCH=arm64 go vet ./...
go test -count=1 -timeout 45m ./...
# The masker has a vector trigger scan (AVX2 assembly) and a portable one;
# the run above tests the one this CPU takes, this one the portable one.
go test -count=1 -tags purego ./internal/masker
