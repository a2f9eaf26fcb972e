"""Two runs at once (the nightly job and a user's request) both succeed, one after the other."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from fidelia.analytics.models import AnalysisRun, CustomerAnalytics
from fidelia.analytics.services import analytics_run
from fidelia.analytics.tests.factories import REFERENCE, customers_with_revenues


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_write_one_after_the_other() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by itself")
    customers_with_revenues([100 * i for i in range(1, 51)])
    errors: list[BaseException] = []

    def run() -> None:
        try:
            analytics_run(actor=None, reference_date=REFERENCE)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AnalysisRun.objects.filter(status="done").count() == 2
    assert CustomerAnalytics.objects.count() == 50
