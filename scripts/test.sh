#!/usr/bin/env bash
# Every test, in the order `make test` runs them, against the debug build `make run` also uses (one build
# for both commands). A throwaway PostgreSQL is started for the store suite and the two-host test, and
# stopped when this script ends, however it ends (success, a failure, Ctrl-C): `make test` leaves no
# server running and no file changed in the working tree (artifacts/ and .build*/ are ignored).
#
#   scripts/test.sh            everything (what CI runs)
set -euo pipefail
cd "$(dirname "$0")/.."
RULES=${RULES:-Config/jurisdictions}
BIN=.build/debug/glo-host

step() { printf '\n== %s\n' "$*"; }
trap 'bash scripts/postgres-test-server.sh stop >/dev/null 2>&1 || true' EXIT

step "the Swift suites (runtime, packs, host, workflows, API, CLI; the store suite on SQLite and PostgreSQL)"
url=$(bash scripts/postgres-test-server.sh)
GLO_TEST_POSTGRES_URL=$url swift test --skip-build --no-parallel
step "two countries' hosts on loopback"
python3 Tests/federation/test_two_countries.py "$BIN"
step "the packs' own tests"
"$BIN" rules test "$RULES"
step "luacheck on the packs"
(cd "$RULES" && luacheck --no-color --quiet .)
step "the packs' documentation, every relative link checked"
rm -rf artifacts/rules-docs && "$BIN" rules docs --rules "$RULES" --to artifacts/rules-docs
python3 scripts/check-links.py artifacts/rules-docs
step "the C parsers fuzzed briefly (libFuzzer with ASan and UBSan; make fuzz runs them longer)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}"
step "the API fuzzed against its OpenAPI document"
bash scripts/fuzz-api.sh "$BIN"
step "the web UI in chromium"
bash scripts/browser-tests.sh "$BIN"
step "two hosts on one PostgreSQL, one killed mid-load; the store moved between backends"
python3 Tests/scaleout/test_two_hosts.py "$BIN" "$url"
step "make test: everything passed"
