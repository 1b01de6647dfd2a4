#!/usr/bin/env bash
# The web UI in a real browser: Debian's chromium and chromium-driver (with fonts-lao and fonts-thai-tlwg,
# so that screenshots are readable), Selenium from PyPI. Screenshots go to artifacts/screenshots/ (ignored
# by git). Every page visited is checked with axe-core (WCAG 2.1 A and AA).
#   scripts/browser-tests.sh [glo-host binary]
set -euo pipefail
BIN=${1:-.build/debug/glo-host}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
if ! command -v chromedriver > /dev/null || ! command -v chromium > /dev/null || ! fc-list | grep -qi 'lao'; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-lao fonts-thai-tlwg > /dev/null
fi
. "$ROOT/scripts/python-tools.sh"
need selenium "selenium>=4.15"
# axe-core 4.4, bundled by axe-core-python: the accessibility checks of every page (WCAG 2.1 A and AA).
need axe_core_python "axe-core-python==0.1.0"

PLUGINS="identification, legal-aid, shelter, legal-process, return, immigration, reporting, deadlines"
. "$ROOT/scripts/serve-temporary.sh"
printf 'correct horse battery\n' | "$BIN" users add --config "$CONFIG" --name "Noy (MSDHS)" --roles caseworker --jurisdictions TH --login noy > /dev/null
printf 'correct horse battery\n' | "$BIN" users add --config "$CONFIG" --name "Keo (LWU)" --roles caseworker --jurisdictions LA --login keo > /dev/null
printf 'correct horse battery\n' | "$BIN" users add --config "$CONFIG" --name "Ada (admin)" --roles admin --jurisdictions TH --login ada > /dev/null
"$PYTHON" "$ROOT/Tests/browser/test_ui.py" "http://127.0.0.1:$PORT" "$ROOT/artifacts/screenshots"
