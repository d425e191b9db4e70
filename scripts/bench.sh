#!/usr/bin/env bash
# Runs the runner benchmark of issue 4: a pipeline of ten `echo` jobs in
# three stages with the shell executor, jobrun (BenchmarkLocalPipeline10Echo:
# scheduler, token minting, runner core, bash, terminal sink, log files)
# against gitlab-ci-local 4.60.0 on the same pipeline, in the same run, and
# compares them with benchstat. Usage: scripts/bench.sh [COUNT] (default 6).
# Needs node 20+ with npm, rsync and git for gitlab-ci-local.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH)/bin"
count=${1:-6}
tools=${JOBRUN_BENCH_TOOLS:-$HOME/.cache/jobrun-bench}
gcl=$tools/node_modules/.bin/gitlab-ci-local
if [ ! -x "$gcl" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund gitlab-ci-local@4.60.0 >/dev/null
fi
command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@latest

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The same pipeline as the Go benchmark: 3 build, 4 test, 3 deploy jobs.
{
  echo "stages: [build, test, deploy]"
  i=0
  for stage in build build build test test test test deploy deploy deploy; do
    printf '%s-%d:\n  stage: %s\n  script:\n    - echo %s-%d\n' "$stage" "$i" "$stage" "$stage" "$i"
    i=$((i + 1))
  done
} >"$work/.gitlab-ci.yml"
git -C "$work" init -q && git -C "$work" add . && git -C "$work" -c user.name=b -c user.email=b@example.com commit -qm bench

go test ./internal/runner/ -run '^$' -bench 'LocalPipeline10Echo' -count "$count" | tee "$work/jobrun.txt"
# gitlab-ci-local, timed the same way and printed in Go's benchmark format
# with the same name and header so that benchstat puts the two side by side.
# It wants to be run from inside the project (--cwd takes relative paths).
(cd "$work" && "$gcl" >/dev/null 2>&1) # warm-up: state dir, first-run caches
{
grep -E '^(goos|goarch|pkg|cpu):' "$work/jobrun.txt"
for _ in $(seq "$count"); do
  start=$(date +%s%N)
  (cd "$work" && "$gcl" --concurrency "$(nproc)" >/dev/null 2>&1)
  end=$(date +%s%N)
  echo "BenchmarkLocalPipeline10Echo-$(nproc) 1 $((end - start)) ns/op"
done
} | tee "$work/gitlab-ci-local.txt"
benchstat jobrun="$work/jobrun.txt" gitlab-ci-local="$work/gitlab-ci-local.txt"
