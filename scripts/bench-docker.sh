#!/usr/bin/env bash
# Benchmarks the Docker executor against `docker run --rm` (issue 5):
# the 10-job echo pipeline through jobrun's runner core + Docker
# executor, and the same 10 echos as a shell loop of `docker run --rm`.
# The two alternate, COUNT times each, so that the noise of a shared
# machine falls on both alike; benchstat prints medians.
#
#   scripts/bench-docker.sh [COUNT]      (default 6; needs scripts/docker-setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
count=${1:-6}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go test -c -o "$work/docker.test" ./internal/executor/docker
for i in $(seq 1 "$count"); do
  for sub in jobrun-docker docker-run-rm-loop; do
    "$work/docker.test" -test.run '^$' -test.bench "EchoPipeline/$sub\$" -test.benchtime 1x |
      grep '^Benchmark' >>"$work/all.txt"
  done
  echo "bench-docker: round $i of $count done" >&2
done
cat "$work/all.txt"
command -v benchstat >/dev/null && benchstat -col /.name "$work/all.txt"
