#!/usr/bin/env bash
# Measures `jobrun run --once` on a job that prints N MiB of log against
# the fake coordinator (internal/runnermode TestBenchFake, HashOnlyTraces):
# CPU time (user + sys) per MiB of trace and peak RSS, with /usr/bin/time -v.
# The whole log is uploaded (output_limit raised above it), so every byte
# passes executor → masker → trace buffer (memory, then a private temp
# file) → PATCH.
#
#   scripts/bench-run.sh [MiB ...]        default: 16 256
#   RUNS=3 scripts/bench-run.sh 16 256    runs per size (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(16 256)
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/jobrun" ./cmd/jobrun
go test -c -o "$work/runnermode.test" ./internal/runnermode

printf '| MiB | run | user+sys s | CPU ms/MiB | max RSS MiB | wall s |\n| --- | --- | --- | --- | --- | --- |\n'
for mib in "${sizes[@]}"; do
  for run in $(seq 1 "$runs"); do
    addr="$work/fake-$mib-$run"
    JOBRUN_BENCH_FAKE="$addr" JOBRUN_BENCH_MIB="$mib" "$work/runnermode.test" -test.run '^TestBenchFake$' -test.v >"$work/fake.log" 2>&1 &
    fake=$!
    for _ in $(seq 1 600); do [ -s "$addr" ] && break; sleep 0.1; done
    url=$(sed -n 1p "$addr")
    cat >"$work/config.toml" <<TOML
concurrent = 1
[[runners]]
  name = "bench"
  url = "$url"
  token = "$(sed -n 2p "$addr")"
  executor = "shell"
  builds_dir = "$work/builds"
  output_limit = $(( (mib + 16) * 1024 ))
TOML
    /usr/bin/time -v "$work/jobrun" run --once -c "$work/config.toml" >/dev/null 2>"$work/time.txt" || {
      cat "$work/time.txt" >&2; exit 1; }
    wait "$fake" || { cat "$work/fake.log" >&2; exit 1; }
    grep -o "final update: .*" "$work/fake.log" >&2
    awk -v mib="$mib" -v run="$run" -F': ' '
      /User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {r=$2}
      /Elapsed \(wall clock\)/ {n=split($2, p, ":"); w=0; for (i=1;i<=n;i++) w=w*60+p[i]}
      END {printf "| %d | %d | %.2f | %.1f | %.1f | %.2f |\n", mib, run, u+s, (u+s)*1000/mib, r/1024, w}' "$work/time.txt"
  done
done
