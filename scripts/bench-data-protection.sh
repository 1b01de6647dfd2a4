#!/usr/bin/env bash
# Issue 20's figures, each as a ratio measured in one run (these machines are too noisy to compare
# figures across sessions):
#  1. the whole screening path (POST a screening: the person opened, a decision made, its facts sealed,
#     stored, announced) with and without envelope encryption: scripts/bench-api.sh on a binary built
#     without it (BEFORE) and on this tree's (AFTER), alternated ROUNDS times, rates and server CPU per
#     request compared;
#  2. a key rotation of PEOPLE people (default 100,000): its time and peak memory (/usr/bin/time -v).
#   BEFORE=path/to/glo-host AFTER=path/to/glo-host [ROUNDS=2] [SECONDS_EACH=10] [PEOPLE=100000] scripts/bench-data-protection.sh
# Build both the same way (both -c release, or both debug) into separate scratch paths, e.g.
#   git worktree add /tmp/before main && (cd /tmp/before && swift build -c release --product glo-host --scratch-path /work/.build-rel-main)
#   swift build -c release --product glo-host --product glo-crash-writer --scratch-path /work/.build-rel-data
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${BEFORE:?BEFORE=path to a glo-host built without envelope encryption}"
: "${AFTER:?AFTER=path to the glo-host built from this tree}"
ROUNDS=${ROUNDS:-2}
SECONDS_EACH=${SECONDS_EACH:-10}  # not SECONDS: bash counts the seconds elapsed in it
PEOPLE=${PEOPLE:-100000}
WRITER=${WRITER:-$(dirname "$AFTER")/glo-crash-writer}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "== 1. the screening path, $ROUNDS rounds of ${SECONDS_EACH}s each, alternated"
SECONDS_EACH=$SECONDS_EACH CONNECTIONS=16 bash "$ROOT/scripts/bench-builds.sh" "$ROUNDS" "before=$ROOT:$BEFORE" "after=$ROOT:$AFTER"

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
