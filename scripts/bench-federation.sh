#!/usr/bin/env bash
# Two hosts on loopback (throwaway stores and keys under a temporary folder): a Thai host sends to a Lao
# host. `glo-host federation bench` measures, in one run and against plain HTTP POSTs of the same size to
# the same server: messages per second, the CPU time of sealing+signing and checking+opening one message,
# and the client's and the server's CPU time per message. Bounded: COUNT messages, loopback only.
#   bash scripts/bench-federation.sh [BIN] [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-}
COUNT=${2:-2000}
if [ -z "$BIN" ]; then swift build -c release --product glo-host >/dev/null; BIN=.build/release/glo-host; fi
BIN=$(realpath "$BIN")
WORK=$(mktemp -d)
trap 'kill $LA_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
config() { # NAME JURISDICTION PORT
  cat > "$WORK/$1.yaml" <<YAML
db: $WORK/$1/glo.sqlite
key_file: $WORK/$1/personal-data.key
rules: $PWD/Config/jurisdictions
jurisdictions: [$2]
plugins: [identification]
http: { address: 127.0.0.1, port: $3 }
reload: { watch: false }
log_level: warning
federation:
  host_id: $1
  organisation_id: $(python3 -c 'import uuid; print(uuid.uuid4())')
  organisation_name: $2 agency
  endpoint: http://127.0.0.1:$3
  key_file: $WORK/$1/federation.key
YAML
}
TH_PORT=$(port); LA_PORT=$(port)
config th-bench TH "$TH_PORT"; config la-bench LA "$LA_PORT"
for h in th-bench la-bench; do "$BIN" federation init --config "$WORK/$h.yaml" >/dev/null; done
"$BIN" serve --config "$WORK/la-bench.yaml" >"$WORK/la.log" 2>&1 & LA_PID=$!
# The Thai side only needs its store (for the peer registry): a serve that made it, stopped at once.
"$BIN" serve --config "$WORK/th-bench.yaml" >"$WORK/th.log" 2>&1 & TH_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$LA_PORT/healthz" >/dev/null && curl -sf "http://127.0.0.1:$TH_PORT/healthz" >/dev/null && break; sleep 0.2; done
kill "$TH_PID"; wait "$TH_PID" || true
"$BIN" federation identity --config "$WORK/th-bench.yaml" > "$WORK/th.json"
"$BIN" federation identity --config "$WORK/la-bench.yaml" > "$WORK/la.json"
fp() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fingerprint"])' "$1"; }
"$BIN" federation peers add "$WORK/th.json" --fingerprint "$(fp "$WORK/th.json")" --config "$WORK/la-bench.yaml" >/dev/null
"$BIN" federation peers add "$WORK/la.json" --fingerprint "$(fp "$WORK/la.json")" --config "$WORK/th-bench.yaml" >/dev/null
# A warm-up, then the measure.
"$BIN" federation bench --config "$WORK/th-bench.yaml" --peer la-bench --count 200 >/dev/null
"$BIN" federation bench --config "$WORK/th-bench.yaml" --peer la-bench --count "$COUNT" --server-pid "$LA_PID"
