#!/usr/bin/env bash
# Benchmark on PostgreSQL. Usage: bash benchmarks/run.sh [--customers N] [--strict] [...]
# DATABASE_URL defaults to a dedicated database, created if missing (never the development one).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fidelia_bench}"
db="${DATABASE_URL##*/}"
base="${DATABASE_URL%/*}"
if ! psql "$base/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  createdb --maintenance-db="$base/postgres" "$db"
fi
py=python
[ -x .venv/bin/python ] && py=.venv/bin/python
exec "$py" benchmarks/run.py --database-url "$DATABASE_URL" "$@"
