# Sourced by the test scripts that need Python packages from PyPI: a virtual environment of their own
# (.build-venv/, ignored by git), so nothing is installed into the system's Python. Debian's python3-venv
# is installed first when missing (as root). Sets PYTHON; `need MODULE REQUIREMENT` installs a package
# once.
VENV=$ROOT/.build-venv
if [ ! -x "$VENV/bin/python" ]; then
  if ! python3 -m venv "$VENV" > /dev/null 2>&1; then
    rm -rf "$VENV"
    echo "python-tools: installing python3-venv from Debian's packages" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv) > /dev/null
    python3 -m venv "$VENV"
  fi
fi
PYTHON=$VENV/bin/python
need() { "$PYTHON" -c "import $1" 2> /dev/null || "$PYTHON" -m pip install -q --disable-pip-version-check "$2"; }
