#!/usr/bin/env bash
# Runs the whole test suite: lint and migration checks, the suite on SQLite (with the browser tests
# when Debian's Chromium is installed), then again on PostgreSQL with a real Celery worker on Redis
# when those servers are reachable (skipped, and said so, when they are not).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export FIDELIA_FAST_PASSWORD_HASHING=1 DJANGO_SETTINGS_MODULE=config.settings
unset DATABASE_URL FIDELIA_DEBUG

echo "• ruff"
ruff check .
echo "• migrations are up to date"
python manage.py makemigrations --check --dry-run >/dev/null

PG_URL=${FIDELIA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/fidelia_ci}
pg_up() { python - "$PG_URL" <<'PY'
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(exc, file=sys.stderr); sys.exit(1)
PY
}

if pg_up; then
  echo "• test suite on PostgreSQL ($PG_URL), with the Celery worker tests"
  DATABASE_URL=$PG_URL pytest -q -m "not browser" -p no:randomly
else
  if [ "${FIDELIA_REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "PostgreSQL is required here but not reachable at $PG_URL" >&2
    exit 1
  fi
  echo "! PostgreSQL not reachable at $PG_URL: SKIPPED the PostgreSQL run (the SQLite run follows)."
fi

echo "• test suite on SQLite (embedded default), with the browser tests"
pytest -q -m "not postgres"
