#!/usr/bin/env bash
# The whole path (screen -> decide -> store -> deliver, in process, SQLite) by CPU time per screening,
# for two or more builds of Benchmarks' PathProbe run alternately, so that the machine's drift hits
# each alike. Prints each run, then the median of each build and its ratio to the first build's.
#   scripts/path-cpu.sh ROUNDS COUNT BINARY [BINARY...]
# Build a probe with: cd Benchmarks && swift build -c release --product PathProbe
# (copy .build/release/PathProbe aside before building the other tree).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 ROUNDS COUNT BINARY [BINARY...]" >&2; exit 2; }
ROUNDS=$1; COUNT=$2; shift 2
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for round in $(seq 1 "$ROUNDS"); do
  for bin in "$@"; do
    line=$("$bin" "$COUNT" 2>/dev/null | grep '^cpu_us_per_screening')
    echo "$round $bin $line" | tee -a "$OUT"
  done
done
python3 - "$OUT" "$@" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
first = None
for bin in sys.argv[2:]:
    cpu = [float(r[3]) for r in rows if r[1] == bin]
    rate = [float(r[9]) for r in rows if r[1] == bin]
    m = statistics.median(cpu)
    first = first or m
    print(f"{bin}: median {m:.1f} us CPU per screening ({min(cpu):.1f}-{max(cpu):.1f}), x{m / first:.3f} of the first; "
          f"median {statistics.median(rate):.0f} screenings/s")
PY
