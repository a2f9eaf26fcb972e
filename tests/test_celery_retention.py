"""The retention job under a real Celery worker (Redis broker, PostgreSQL), as the nightly beat runs it.

Reuses the worker fixtures of `test_celery_worker.py`; skipped on SQLite and without Redis.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from tests.test_celery_worker import celery_app, worker  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_worker_runs_the_retention_job_and_retrying_it_is_harmless(worker: subprocess.Popen[str]) -> None:  # noqa: F811
    from fidelia.privacy.models import RetentionRun, SuppressionEntry
    from fidelia.privacy.tasks import retention_run_task

    # Another transactional test may have emptied the tables, seeded register included: seed it again.
    import_module("fidelia.privacy.migrations.0005_retention").seed(apps, None)
    stale = SuppressionEntry.objects.create(kind="email", digest="e" * 64)
    SuppressionEntry.objects.filter(pk=stale.pk).update(added_at=timezone.now() - dt.timedelta(days=4 * 365))
    SuppressionEntry.objects.create(kind="email", digest="f" * 64)

    dry = retention_run_task.delay().get(timeout=120)
    assert dry["dry_run"] and dry["counts"]["suppression_list"] == {"matched": 1, "acted": 0}
    assert SuppressionEntry.objects.count() == 2

    applied = retention_run_task.delay(apply=True).get(timeout=120)
    assert applied["counts"]["suppression_list"] == {"matched": 1, "acted": 1}
    again = retention_run_task.delay(apply=True).get(timeout=120)  # a retry acts on nothing new
    assert again["counts"]["suppression_list"] == {"matched": 0, "acted": 0}
    assert list(SuppressionEntry.objects.values_list("digest", flat=True)) == ["f" * 64]
    assert RetentionRun.objects.filter(trigger="schedule").count() == 3  # written by the worker, read here
