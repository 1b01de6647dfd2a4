#!/usr/bin/env bash
# The API's wrk load (POST a screening: a decision made, stored and announced) on three set-ups in one
# run, release build: one host on SQLite, one host on PostgreSQL, two hosts on one PostgreSQL database.
# With two hosts, one wrk per host runs at once with half the connections each, and their rates add up.
# GET /healthz on the SQLite host is the baseline. All on this machine's 2 cores, loopback.
#   scripts/bench-scaleout.sh [seconds] [connections]
set -euo pipefail
DURATION=${1:-15}
CONNECTIONS=${2:-32}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
(cd "$ROOT" && swift build -c release --product glo-host > /dev/null)
BIN=$ROOT/.build/release/glo-host
PG=$(bash "$ROOT/scripts/postgres-test-server.sh")
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -1)
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
head -c 32 /dev/urandom | base64 > "$WORK/key"; chmod 600 "$WORK/key"

fresh_db() {
  local name=glo_bench_$RANDOM$RANDOM
  "$PSQL" "$PG" -q -c "CREATE DATABASE $name" >&2
  echo "${PG%/*}/$name"
}

# start_host NAME DB: starts a host and waits until it is ready; its port is then in $PORT
start_host() {
  local name=$1 db=$2 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  cat > "$WORK/$name.yaml" <<YAML
db: $db
key_file: $WORK/key
rules: $ROOT/Config/jurisdictions
jurisdictions: [TH, LA]
plugins: [identification, reporting, tally]
http: { address: 127.0.0.1, port: $port }
host: { id: $name }
log_level: warning
YAML
  "$BIN" serve --config "$WORK/$name.yaml" > "$WORK/$name.out" 2> "$WORK/$name.err" &
  PIDS+=($!)
  for _ in $(seq 1 150); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=2)" 2>/dev/null && break
    sleep 0.2
  done
  PORT=$port
}

token() { "$BIN" users add --config "$WORK/$1.yaml" --name bench --roles caseworker --jurisdictions TH | sed -n 's/^token //p'; }

# load PORT... : one wrk per port at once, connections shared; prints requests/s (sum) and p99 (worst)
load() {
  local each=$(( CONNECTIONS / $# )) threads=$(( $# > 1 ? 1 : 2 )) loads=()
  for port in "$@"; do
    wrk -t"$threads" -c"$each" -d"${DURATION}s" --latency -s "$WORK/cases-$port.lua" "http://127.0.0.1:$port" \
      > "$WORK/wrk-$port.txt" &
    loads+=($!)
  done
  wait "${loads[@]}"
  python3 - "$@" <<PY
import re, sys
rate, p99, p50, bad = 0.0, 0.0, 0.0, 0
def ms(text):
    v = float(re.match(r"([\d.]+)", text).group(1))
    return v / 1000 if text.endswith("us") else v * 1000 if text.endswith("s") and not text.endswith("ms") else v
for port in sys.argv[1:]:
    t = open(f"$WORK/wrk-{port}.txt").read()
    rate += float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    p99 = max(p99, ms(re.search(r"99%\s+(\S+)", t).group(1)))
    p50 = max(p50, ms(re.search(r"50%\s+(\S+)", t).group(1)))
    bad += int(re.search(r"non-2xx/3xx: (\d+)", t).group(1))
print(f"{rate:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   non-2xx {bad}")
PY
}

echo "== one host, SQLite"
start_host sqlite "$WORK/glo.sqlite"; A=$PORT
python3 "$ROOT/scripts/bench-cases.py" "$A" "$(token sqlite)" "$WORK/cases-$A.lua"
printf 'baseline GET /healthz: '
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$A/healthz" | awk '/99%/ {p = $2} /Requests\/sec/ {r = $2} END {printf "%8.0f req/s   p99 %s\n", r, p}'
printf 'POST screenings:       '; load "$A"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

echo "== one host, PostgreSQL"
DB=$(fresh_db)
start_host pg-one "$DB"; B=$PORT
python3 "$ROOT/scripts/bench-cases.py" "$B" "$(token pg-one)" "$WORK/cases-$B.lua"
printf 'POST screenings:       '; load "$B"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

echo "== two hosts, one PostgreSQL database"
DB=$(fresh_db)
start_host pg-a "$DB"; C=$PORT
start_host pg-b "$DB"; D=$PORT
TOKEN=$(token pg-a)
python3 "$ROOT/scripts/bench-cases.py" "$C" "$TOKEN" "$WORK/cases-$C.lua"
cp "$WORK/cases-$C.lua" "$WORK/cases-$D.lua"
printf 'POST screenings:       '; load "$C" "$D"
