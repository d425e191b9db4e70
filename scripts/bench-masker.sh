#!/usr/bin/env bash
# BenchmarkMask (internal/masker, issue 2's benchmark) of a base commit
# against the working tree, the two test binaries alternating round by
# round so that a shared machine's noise falls on both; benchstat prints
# medians and the change. Besides wall-clock B/s the benchmark reports
# B/cpu-s (bytes per second of the process's own CPU time), the steadier
# figure when other work shares the cores.
#
#   scripts/bench-masker.sh [BASE_REV] [ROUNDS]     default: HEAD 6
#   GOFLAGS=-tags=purego scripts/bench-masker.sh    the portable scan
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
base=${1:-HEAD}
rounds=${2:-6}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/base"
git archive "$base" | tar -x -C "$work/base"
(cd "$work/base" && go test -c -o "$work/base.test" ./internal/masker)
go test -c -o "$work/head.test" ./internal/masker

for round in $(seq 1 "$rounds"); do
  echo "round $round/$rounds" >&2
  for v in base head; do
    "$work/$v.test" -test.run '^$' -test.bench 'Mask$' -test.benchtime 4x >>"$work/$v.txt"
  done
done
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da \
  "base=$work/base.txt" "head=$work/head.txt"
