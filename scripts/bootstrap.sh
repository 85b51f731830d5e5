#!/usr/bin/env bash
# Installs what Warden needs into .venv: Python 3.12 (found, not downloaded), uv, the locked deps.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  local candidate
  for candidate in python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
      command -v "$candidate"
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

# The test suite also drives a real browser (the dashboard's end-to-end test). Browser
# downloads from test tools are not possible here, so it uses Debian's chromium.
if [ "${1:-}" = "test" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing chromium for the browser test" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
  else
    echo "bootstrap: chromium not installed; the browser test will be skipped" >&2
  fi
fi
