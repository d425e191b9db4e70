#!/usr/bin/env bash
# Benchmark of issue 4, end to end through the command line: a pipeline of
# ten `echo` jobs in three stages with the shell executor, `jobrun exec`
# against gitlab-ci-local 4.60.0 on the same project, in the same hyperfine
# run. Prints each tool's median wall time and the ratio.
#
#   scripts/bench-exec.sh [RUNS]        (default 20 runs per tool)
#
# Needs hyperfine, git, rsync and Node 20+. gitlab-ci-local is taken from
# $GCL_DIR (default /tmp/gcl), installed there with npm when missing.
# Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
runs=${1:-20}
gcl_dir=${GCL_DIR:-/tmp/gcl}
gcl=$gcl_dir/node_modules/.bin/gitlab-ci-local
for tool in hyperfine git rsync node; do
  command -v "$tool" >/dev/null || { echo "bench-exec: $tool is required" >&2; exit 1; }
done
if [ ! -x "$gcl" ]; then
  npm install --prefix "$gcl_dir" --no-audit --no-fund gitlab-ci-local@4.60.0 >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/jobrun" ./cmd/jobrun

project=$work/project
mkdir -p "$project"
{
  echo "stages: [build, test, deploy]"
  i=0
  for stage in build build build test test test test deploy deploy deploy; do
    printf '%s-%d:\n  stage: %s\n  script:\n    - echo %s-%d\n' "$stage" "$i" "$stage" "$stage" "$i"
    i=$((i + 1))
  done
} >"$project/.gitlab-ci.yml"
# Each tool's state directory stays out of the other's working copy.
printf '.jobrun/\n.gitlab-ci-local/\n' >"$project/.gitignore"
git -C "$project" init -q -b main
git -C "$project" add .
git -C "$project" -c user.name=bench -c user.email=bench@example.com commit -qm bench
# gitlab-ci-local reads the project's path from origin and wants origin/main.
git -C "$project" remote add origin https://gitlab.example.com/bench/echo.git
git -C "$project" update-ref refs/remotes/origin/main HEAD

cd "$project"
hyperfine --warmup 3 --runs "$runs" --export-json "$work/times.json" \
  -n jobrun "$work/jobrun exec --no-color --concurrency $(nproc)" \
  -n gitlab-ci-local "$gcl --concurrency $(nproc)"

node -e '
const r = require(process.argv[1]).results;
const med = Object.fromEntries(r.map(x => [x.command, x.median]));
for (const [n, m] of Object.entries(med)) console.log(`${n}: median ${(m * 1000).toFixed(1)} ms`);
console.log(`ratio (gitlab-ci-local / jobrun, medians): ${(med["gitlab-ci-local"] / med.jobrun).toFixed(1)}x`);
' "$work/times.json"
