#!/usr/bin/env bash
# rules eval against the baseline a user would pick instead: standalone lua5.4 + lua-cjson running the
# same decision of the same plain module over the same corpus (../shared/bench/lua_baseline.lua).
# Alternates the runs, ROUNDS times, and prints each time, the best of each, their ratios and peak memory.
# usage: scripts/bench-eval.sh [LINES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-200000}
ROUNDS=${2:-3}
SHARED=${SHARED:-../shared}
command -v lua5.4 >/dev/null && lua5.4 -e 'require "cjson"' 2>/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lua5.4 lua-cjson; }
swift build -c release --product glo-host >/dev/null
BIN=.build/release/glo-host
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 "$SHARED/bench/gen_facts.py" "$LINES" 7 > "$WORK/facts.jsonl"
MODULE=Config/jurisdictions/intl/identification.lua
run() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "$label %e %M" "$@" < "$WORK/facts.jsonl" > "$WORK/$label.out" 2>> "$WORK/times"
}
: > "$WORK/times"
for _ in $(seq "$ROUNDS"); do
  run baseline lua5.4 "$SHARED/bench/lua_baseline.lua" "$MODULE" pathway intl 2026-01-01
  run jobs1 "$BIN" rules eval --rules Config/jurisdictions --jurisdiction intl --decision identification.pathway --at 2026-01-01 --jobs 1
  run jobs2 "$BIN" rules eval --rules Config/jurisdictions --jurisdiction intl --decision identification.pathway --at 2026-01-01 --jobs 2
done
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
rows = [l.split() for l in open(f"{work}/times") if l.strip()]
best = {}
for label, secs, kb in rows:
    print(f"{label:9s} {float(secs):6.2f} s  peak {int(kb)/1024:6.1f} MiB")
    best[label] = min(best.get(label, 1e9), float(secs))
b = best["baseline"]
for label in ("jobs1", "jobs2"):
    print(f"best {label}: {best[label]:.2f} s = {b / best[label]:.2f}x the baseline ({b:.2f} s)")
same = sum(1 for x, y in zip(open(f"{work}/baseline.out"), open(f"{work}/jobs1.out"))
           if json.loads(x).get("outcome") == json.loads(y).get("outcome"))
print(f"same outcome as the baseline on {same} of {sum(1 for _ in open(f'{work}/baseline.out'))} lines")
PY
