#!/usr/bin/env bash
# The API under load with wrk (Debian's package), release build, SQLite: POST a screening (a decision
# is made, stored and announced) against GET /healthz as the baseline, in the same run.
#   scripts/bench-api.sh [seconds] [connections]
set -euo pipefail
DURATION=${1:-20}
CONNECTIONS=${2:-32}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
(cd "$ROOT" && swift build -c release --product glo-host > /dev/null)
BIN=$ROOT/.build/release/glo-host
PLUGINS="identification, reporting"
. "$ROOT/scripts/serve-temporary.sh"
TOKEN=$("$BIN" users add --config "$CONFIG" --name bench --roles caseworker --jurisdictions TH | sed -n 's/^token //p')
# 256 cases, so that concurrent screenings rarely touch the same case.
python3 - "$PORT" "$TOKEN" "$WORK/cases.lua" <<'PY'
import json, sys, urllib.request
port, token, out = sys.argv[1], sys.argv[2], sys.argv[3]
def post(path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
ids = []
for i in range(256):
    p = post("/api/v1/persons", {"given_names": f"Bench {i}", "other_names": [], "date_of_birth_estimated": False,
                                 "citizenship": ["LA"], "languages": [], "identity_documents": []})
    c = post("/api/v1/cases", {"person": p["id"], "jurisdiction": "TH", "opened": "2026-03-02"})
    ids.append(c["id"])
body = json.dumps({"date": "2026-03-02", "acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"],
                   "ilo_indicators": ["deception"], "migration": {"entry": "irregular", "country": "TH", "origin": "LA"},
                   "identified_by": "mdt"})
with open(out, "w") as f:
    f.write("local ids = {" + ",".join(f'"{i}"' for i in ids) + "}\n")
    f.write("local n = 0\nwrk.method = 'POST'\nwrk.body = '" + body + "'\n")
    f.write(f"wrk.headers['Authorization'] = 'Bearer {token}'\nwrk.headers['Content-Type'] = 'application/json'\n")
    f.write("request = function() n = n + 1; return wrk.format(nil, '/api/v1/cases/' .. ids[(n % #ids) + 1] .. '/screenings') end\n")
    f.write("done = function(summary, latency, requests)\n  io.write(string.format('non-2xx/3xx: %d\\n', summary.errors.status))\nend\n")
PY
echo "== baseline: GET /healthz"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/healthz" | grep -E 'Requests/sec|99%|50%|Non-2xx'
echo "== POST /api/v1/cases/{id}/screenings (decision made, stored, announced)"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/cases.lua" "http://127.0.0.1:$PORT" | grep -E 'Requests/sec|99%|50%|non-2xx|Non-2xx'
echo "== answers by status (from /metrics)"
python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$PORT/metrics').read().decode())" | grep 'glo_http_requests_total{route="POST /api/v1/cases/{id}/screenings"'
