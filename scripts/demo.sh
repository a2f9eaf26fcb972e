#!/usr/bin/env bash
# Starts Fidelia with demo data on the embedded SQLite database and prints the URL and demo logins.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/fidelia demo "$@"
