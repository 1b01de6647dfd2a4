#!/usr/bin/env bash
# The API under load with wrk (Debian's package), release build, SQLite: POST a screening (a decision
# is made, stored and announced) against GET /healthz as the baseline, in the same run.
#   scripts/bench-api.sh [seconds] [connections]
# GLO_BENCH_BIN=path runs that glo-host binary instead of building this tree (to compare two builds
# in one session: these machines are too noisy to compare figures across sessions).
# GLO_BENCH_PERF=file records the server with `perf record -g` during the screening run, into that file
# (then: perf report -i file --no-children --sort dso,symbol), to see where a build spends its time.
set -euo pipefail
DURATION=${1:-20}
CONNECTIONS=${2:-32}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
if [ -n "${GLO_BENCH_BIN:-}" ]; then
  BIN=$GLO_BENCH_BIN
else
  (cd "$ROOT" && swift build -c release --product glo-host > /dev/null)
  BIN=$ROOT/.build/release/glo-host
fi
PLUGINS="identification, reporting"
. "$ROOT/scripts/serve-temporary.sh"
TOKEN=$("$BIN" users add --config "$CONFIG" --name bench --roles caseworker --jurisdictions TH | sed -n 's/^token //p')
python3 "$ROOT/scripts/bench-cases.py" "$PORT" "$TOKEN" "$WORK/cases.lua"
echo "== baseline: GET /healthz"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/healthz" | grep -E 'Requests/sec|99%|50%|Non-2xx'
echo "== POST /api/v1/cases/{id}/screenings (decision made, stored, announced)"
# The server's CPU time per request is printed too: on these noisy machines it varies less between
# runs than the request rate does (clock ticks of the server process, /proc/PID/stat fields 14-15).
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
before=$(cpu)
if [ -n "${GLO_BENCH_PERF:-}" ]; then
  perf record -q -g -o "$GLO_BENCH_PERF" -p "$SERVER" -- sleep "$DURATION" 2> /dev/null &
  PERF=$!
fi
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/cases.lua" "http://127.0.0.1:$PORT" > "$WORK/post.out"
after=$(cpu)
[ -z "${PERF:-}" ] || wait "$PERF"
grep -E 'Requests/sec|99%|50%|non-2xx|Non-2xx' "$WORK/post.out"
rate=$(awk '/Requests\/sec/ {print $2}' "$WORK/post.out")
awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v r="$rate" -v d="$DURATION" \
  'BEGIN { printf "server CPU per request: %.0f microseconds\n", t / hz / (r * d) * 1e6 }'
echo "== answers by status (from /metrics)"
python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$PORT/metrics').read().decode())" | grep 'glo_http_requests_total{route="POST /api/v1/cases/{id}/screenings"'
