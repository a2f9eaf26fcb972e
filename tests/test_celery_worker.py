"""Production mode for real: a Celery worker on the machine's Redis runs background jobs end to end.

The worker is a separate process (`celery -A config worker --pool=solo`) pointed at the same
PostgreSQL test database as this test; the test process sends tasks through Redis and waits for
their results. SQLite test databases live in memory, where another process cannot see them, so
the test only runs on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from kombu import pools

BROKER_URL = os.environ.get("FIDELIA_TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _redis_or_skip() -> None:
    import redis

    try:
        client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {BROKER_URL}: {exc}")
    client.flushdb()  # db 15 is reserved for this test: no stale messages from an earlier run


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"


@pytest.fixture
def celery_app() -> Iterator[object]:
    """The project's Celery app, switched from eager mode to the real broker for this test."""
    from config.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    _reset_connections(app)
    app.conf.update(broker_url=BROKER_URL, result_backend=BROKER_URL, task_always_eager=False)
    yield app
    _reset_connections(app)
    app.conf.update(**saved)


def _reset_connections(app: Any) -> None:
    """Connections are built lazily from the configuration: drop any made for the previous one.

    kombu keeps connection and producer pools per broker URL for the whole process, and Celery
    caches them and the result backend on the app: a pool closed by an earlier worker test would
    be handed out again, closed ("Acquire on closed pool"). Start and end with none.
    """
    if getattr(app, "_pool", None) is not None:
        app._pool.force_close_all()
    pools.reset()
    app._pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    app.__dict__.pop("backend", None)  # cached_property: rebuilt from result_backend on next use
    app.amqp._producer_pool = None
    app.__dict__.pop("control", None)


@pytest.fixture
def worker(celery_app: object) -> Iterator[subprocess.Popen[str]]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL=postgres://…): a worker process cannot see an in-memory SQLite test database"
        )
    _redis_or_skip()
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or shutil.which("celery")
    if celery is None:
        pytest.skip("the celery executable is not installed")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "FIDELIA_CELERY_BROKER_URL": BROKER_URL,
        "FIDELIA_CELERY_RESULT_BACKEND": BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    process = subprocess.Popen(
        [
            celery,
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-c",
            "1",
            "--loglevel=warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"fidelia-test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_until_ready(celery_app, process)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _wait_until_ready(app: object, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"the Celery worker exited with {process.returncode}:\n{output}")
        if app.control.ping(timeout=1.0):  # type: ignore[attr-defined]
            return
    pytest.fail("the Celery worker did not answer a ping within a minute")


def test_worker_seeds_customers_and_refreshes_contracts(worker: subprocess.Popen[str]) -> None:
    from fidelia.demo.tasks import seed_task
    from fidelia.parties.models import Party
    from fidelia.sales.enums import ContractStatus
    from fidelia.sales.models import Contract
    from fidelia.sales.tasks import contracts_refresh_status_task

    result = seed_task.delay(customers=20, seed=5)
    figures = result.get(timeout=180)
    assert figures["customers"] == 20
    assert Party.objects.count() == 20  # written by the worker process, read here

    today = timezone.localdate()
    contract = Contract.objects.order_by("id").first()
    assert contract is not None
    Contract.objects.filter(pk=contract.pk).update(
        status=ContractStatus.ACTIVE, end_date=today - dt.timedelta(days=3)
    )
    stale = Contract.objects.filter(status=ContractStatus.ACTIVE, end_date__lt=today).count()
    changed = contracts_refresh_status_task.delay().get(timeout=60)
    assert changed == stale >= 1
    assert not Contract.objects.filter(status=ContractStatus.ACTIVE, end_date__lt=today).exists()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ENDED
