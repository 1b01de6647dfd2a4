#!/usr/bin/env bash
# Several builds of glo-host under scripts/bench-api.sh, alternated round after round so that the
# machine's drift hits each alike; prints every run, then each build's medians (server CPU per screening
# request, screenings per second) and their ratios to the first build's, and the median of the
# per-round CPU ratios.
#   scripts/bench-builds.sh ROUNDS NAME=TREE:BINARY [NAME=TREE:BINARY...]
# TREE is a checkout of the build's commit (`git worktree add /tmp/old COMMIT`): its own
# scripts/bench-api.sh runs, with the settings that build understands. BINARY is that build's glo-host,
# copied aside with the *.resources folders beside it (the plugins' pages and labels), e.g.
#   (cd /tmp/old && swift build -c release --product glo-host --scratch-path /work/.build-release)
#   mkdir /tmp/old-bin && cp /work/.build-release/release/glo-host /tmp/old-bin/ \
#     && cp -r /work/.build-release/release/*.resources /tmp/old-bin/
# Each run is 15 s with 32 connections (SECONDS_EACH=, CONNECTIONS= to change).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 ROUNDS NAME=TREE:BINARY NAME=TREE:BINARY..." >&2; exit 2; }
ROUNDS=$1; shift
for spec in "$@"; do
  [[ $spec == *=*:* ]] || { echo "$spec: expected NAME=TREE:BINARY" >&2; exit 2; }
  tree=${spec#*=}; tree=${tree%%:*}; bin=${spec#*:}
  [ -f "$tree/scripts/bench-api.sh" ] || { echo "$spec: $tree has no scripts/bench-api.sh" >&2; exit 2; }
  [ -x "$bin" ] || { echo "$spec: $bin is not an executable" >&2; exit 2; }
done
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for round in $(seq 1 "$ROUNDS"); do
  for spec in "$@"; do
    name=${spec%%=*}; tree=${spec#*=}; tree=${tree%%:*}; bin=${spec#*:}
    run=$(cd "$tree" && GLO_BENCH_BIN=$bin bash scripts/bench-api.sh "${SECONDS_EACH:-15}" "${CONNECTIONS:-32}" 2>&1)
    cpu=$(awk '/server CPU per request/ {print $5}' <<< "$run")
    rate=$(awk '/== POST/ {f=1} f && /Requests\/sec/ {print $2}' <<< "$run")
    p99=$(awk '/== POST/ {f=1} f && /99%/ {print $2}' <<< "$run")
    echo "$round $name ${cpu:-?} ${rate:-?} ${p99:-?}" | tee -a "$OUT"
  done
done
python3 - "$OUT" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 5 and "?" not in l.split()]
names = list(dict.fromkeys(r[1] for r in rows))
cpu = {n: [float(r[2]) for r in rows if r[1] == n] for n in names}
rate = {n: [float(r[3]) for r in rows if r[1] == n] for n in names}
rounds = {}
for r in rows:
    rounds.setdefault(r[0], {})[r[1]] = float(r[2])
first = names[0]
for n in names:
    paired = [v[n] / v[first] for v in rounds.values() if n in v and first in v]
    print(f"{n}: CPU per screening median {statistics.median(cpu[n]):.0f} us "
          f"(x{statistics.median(cpu[n]) / statistics.median(cpu[first]):.3f}; per-round ratios' median "
          f"x{statistics.median(paired):.3f}), {statistics.median(rate[n]):.0f} screenings/s "
          f"(x{statistics.median(rate[n]) / statistics.median(rate[first]):.3f}), {len(cpu[n])} runs")
PY
