#!/usr/bin/env bash
# Installs what Warden needs into .venv: Python 3.12 (found, not downloaded), uv, the locked deps.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  local candidate
  for candidate in python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12; do
    # The interpreter's own path, not a pyenv shim's: given a shim, uv removed and re-created
    # .venv on every run (and with it every compiled file).
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12); print(sys.executable)' 2>/dev/null; then
      return 0
    fi
  done
  return 1
}

PY="$(find_python)" || {
  echo "bootstrap: Python 3.12 not found. Install it (e.g. 'pyenv install 3.12') and retry." >&2
  exit 1
}
if ! "$PY" -m uv --version >/dev/null 2>&1; then
  echo "bootstrap: installing uv for $PY" >&2
  "$PY" -m pip install --quiet --disable-pip-version-check uv
fi
# --frozen: install exactly what uv.lock says; never re-resolve on a user's machine.
"$PY" -m uv sync --frozen --quiet --python "$PY"
# These machines set PYTHONDONTWRITEBYTECODE, so nothing caches .pyc files on its own and
# every process (each `warden run`, each CLI call) compiled its whole import tree again:
# about 3 s of a proxy's start. Compile once per install (~25 s), not on every command
# (`uv sync --compile-bytecode` redoes it each time).
marker=.venv/.bytecode-compiled
if [ ! -f "$marker" ] || [ uv.lock -nt "$marker" ]; then
  .venv/bin/python -m compileall -q -j 0 .venv/lib/python3.12/site-packages >/dev/null 2>&1 || true
  touch "$marker"
fi

# The test suite also drives real peers from Debian's packages: a browser (the dashboard's
# end-to-end test; browser downloads from test tools are not possible here) and an OpenLDAP
# server (proxy logins against a directory), and a Redis server (state shared by instances).
# Each test skips with the reason without them.
if [ "${1:-}" = "test" ]; then
  missing=""
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
  [ -x /usr/sbin/slapd ] || missing="$missing slapd"
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing="$missing redis-server"
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "bootstrap: installing$missing for the end-to-end tests" >&2
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
      echo "bootstrap:$missing not installed; the tests that need them will be skipped" >&2
    fi
  fi
fi
