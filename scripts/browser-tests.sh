#!/usr/bin/env bash
# The web UI in a real browser: Debian's chromium and chromium-driver (with fonts-lao and fonts-thai-tlwg,
# so that screenshots are readable), Selenium from PyPI. Screenshots go to artifacts/screenshots/ (ignored
# by git).
#   scripts/browser-tests.sh [glo-host binary]
set -euo pipefail
BIN=${1:-.build/debug/glo-host}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
if ! command -v chromedriver > /dev/null || ! command -v chromium > /dev/null || ! fc-list | grep -qi 'lao'; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-lao fonts-thai-tlwg > /dev/null
fi
python3 -c "import selenium" 2>/dev/null || python3 -m pip install -q "selenium>=4.15"

PLUGINS="identification, legal-aid, shelter, legal-process, return, immigration, reporting"
. "$ROOT/scripts/serve-temporary.sh"
printf 'correct horse battery\n' | "$BIN" users add --config "$CONFIG" --name "Noy (MSDHS)" --roles caseworker --jurisdictions TH --login noy > /dev/null
printf 'correct horse battery\n' | "$BIN" users add --config "$CONFIG" --name "Keo (LWU)" --roles caseworker --jurisdictions LA --login keo > /dev/null
python3 "$ROOT/Tests/browser/test_ui.py" "http://127.0.0.1:$PORT" "$ROOT/artifacts/screenshots"
