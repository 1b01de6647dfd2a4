#!/usr/bin/env bash
# Issue 20's figures, each as a ratio measured in one run (these machines are too noisy to compare
# figures across sessions):
#  1. the whole screening path (POST a screening: the person opened, a decision made, its facts sealed,
#     stored, announced) with and without envelope encryption: scripts/bench-api.sh on a binary built
#     without it (BEFORE) and on this tree's (AFTER), alternated ROUNDS times, rates and server CPU per
#     request compared;
#  2. a key rotation of PEOPLE people (default 100,000): its time and peak memory (/usr/bin/time -v).
#   BEFORE=path/to/glo-host AFTER=path/to/glo-host [ROUNDS=2] [SECONDS=10] [PEOPLE=100000] scripts/bench-data-protection.sh
# Build both the same way (both -c release, or both debug) into separate scratch paths, e.g.
#   git worktree add /tmp/before main && (cd /tmp/before && swift build -c release --product glo-host --scratch-path /work/.build-rel-main)
#   swift build -c release --product glo-host --product glo-crash-writer --scratch-path /work/.build-rel-data
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${BEFORE:?BEFORE=path to a glo-host built without envelope encryption}"
: "${AFTER:?AFTER=path to the glo-host built from this tree}"
ROUNDS=${ROUNDS:-2}
SECONDS_EACH=${SECONDS:-10}
PEOPLE=${PEOPLE:-100000}
WRITER=${WRITER:-$(dirname "$AFTER")/glo-crash-writer}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

rate() { awk '/Requests\/sec/ {print $2}' "$1"; }
cpu() { awk '/server CPU per request/ {print $5}' "$1"; }
echo "== 1. the screening path, $ROUNDS rounds of ${SECONDS_EACH}s each, alternated"
for round in $(seq "$ROUNDS"); do
  for side in BEFORE AFTER; do
    GLO_BENCH_BIN=${!side} bash "$ROOT/scripts/bench-api.sh" "$SECONDS_EACH" 16 > "$OUT/$side.$round" 2>&1
    awk '/== POST/{f=1} f' "$OUT/$side.$round" | grep -E "Requests/sec" > "$OUT/$side.$round.post" || true
    echo "round $round $side: $(rate "$OUT/$side.$round.post") screenings/s, $(cpu "$OUT/$side.$round") us CPU each"
  done
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import sys, re, statistics
out, rounds = sys.argv[1], int(sys.argv[2])
def figures(side):
    rates, cpus = [], []
    for r in range(1, rounds + 1):
        text = open(f"{out}/{side}.{r}").read()
        post = text[text.index("== POST"):]
        rates.append(float(re.search(r"Requests/sec:\s+([\d.]+)", post).group(1)))
        cpus.append(float(re.search(r"server CPU per request: (\d+)", text).group(1)))
    return statistics.median(rates), statistics.median(cpus)
(rb, cb), (ra, ca) = figures("BEFORE"), figures("AFTER")
print(f"screenings/s: before {rb:.0f}, after {ra:.0f}: after/before = {ra / rb:.3f}")
print(f"server CPU per screening: before {cb:.0f} us, after {ca:.0f} us: after/before = {ca / cb:.3f}")
PY

echo "== 2. a key rotation of $PEOPLE people"
dir=$OUT/rotation
mkdir -p "$dir/data"
head -c 32 /dev/urandom | base64 > "$dir/data/glo.sqlite.key"
printf 'db: %s/data/glo.sqlite\nkey_file: %s/data/glo.sqlite.key\naudit:\n  key_file: %s/data/audit.key\n' "$dir" "$dir" "$dir" > "$dir/glo-host.yaml"
start=$(date +%s)
"$WRITER" people "$dir/data/glo.sqlite" "$ROOT/Config/jurisdictions" "$PEOPLE" > /dev/null
echo "registered $PEOPLE people in $(( $(date +%s) - start )) s"
"$AFTER" keys migrate --config "$dir/glo-host.yaml" > /dev/null
/usr/bin/time -v "$AFTER" keys rotate --config "$dir/glo-host.yaml" > "$OUT/rotate.out" 2> "$OUT/rotate.err"
grep -E "re-wrapped .* data keys" "$OUT/rotate.out"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$OUT/rotate.err"
