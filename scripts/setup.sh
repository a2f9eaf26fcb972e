#!/usr/bin/env bash
# Prepares a checkout: a virtualenv with Fidelia and its test tools, and the front-end packages
# (npm) copied into static/vendor/. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "Fidelia needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "• Creating the virtualenv in .venv/"
  "$PYTHON" -m venv .venv
fi
echo "• Installing Python packages (pip)"
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import django, fidelia, phonenumbers, stdnum, rapidfuzz, celery, psycopg" || { echo "pip install failed" >&2; exit 1; }

if command -v npm >/dev/null 2>&1; then
  echo "• Installing front-end packages (npm) into static/vendor/"
  bash scripts/vendor.sh
else
  echo "! npm not found: the pages will work without HTMX enhancements (install Node.js and npm)." >&2
fi
