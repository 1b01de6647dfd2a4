#!/usr/bin/env bash
# Fuzzes the JSON API against its OpenAPI document with schemathesis (from PyPI), for a bounded time:
# no response may be a 5xx, and every response must conform to the document (status, content type,
# schema). A fresh host serves TH and LA with every plugin on a temporary store; a caseworker of both
# jurisdictions and the first administrator each get a run.
#   scripts/fuzz-api.sh [glo-host binary] [seconds per run]
set -euo pipefail
BIN=${1:-.build/debug/glo-host}
SECONDS_PER_RUN=${2:-120}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
. "$ROOT/scripts/python-tools.sh"
need schemathesis "schemathesis>=4,<5"

PLUGINS="identification, legal-aid, shelter, legal-process, return, immigration, reporting, deadlines"
. "$ROOT/scripts/serve-temporary.sh"
ADMIN=$(grep -o 'glo_[0-9a-f]*_[A-Za-z0-9_-]*' "$WORK/serve.out" | head -1)
CASEWORKER=$("$BIN" users add --config "$CONFIG" --name fuzz --roles caseworker --jurisdictions TH,LA | sed -n 's/^token //p')

status=0
# schemathesis keeps its cache in the folder it runs from: the temporary one, removed at exit.
cd "$WORK"
for token in "$CASEWORKER" "$ADMIN"; do
  timeout $((SECONDS_PER_RUN + 30)) "$PYTHON" -m schemathesis.cli run "http://127.0.0.1:$PORT/api/v1/openapi.yaml" \
    --url "http://127.0.0.1:$PORT" -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples 30 --seed 20261129 --generation-deterministic --max-failures 20 \
    --request-timeout 10 --no-color || status=1
done
if grep -q ' error ' "$WORK/serve.err"; then echo "fuzz: the server logged errors:"; grep -m 20 ' error ' "$WORK/serve.err"; fi
exit $status
