"""Analytics rows are personal data: the person's export holds them, erasure deletes them."""
from __future__ import annotations

import datetime as dt

import pytest

from fidelia.analytics import privacy
from fidelia.analytics.models import CustomerAnalytics, CustomerSnapshot
from fidelia.analytics.services import analytics_run
from fidelia.analytics.tests.factories import REFERENCE, customers_with_revenues
from fidelia.privacy.registry import registered, retention_hook

pytestmark = pytest.mark.django_db


class Policy:
    key = "analytics_snapshots"

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        return now - dt.timedelta(days=3 * 365)


def test_export_and_erase_cover_results_and_snapshots(personas) -> None:
    first, second = customers_with_revenues([100, 200])
    analytics_run(actor=None, reference_date=REFERENCE)
    assert "analytics" in {h.app_label for h in registered()}
    data = privacy.export(first.pk)
    assert data["analytics_results"][0]["abc_class"] in {"A", "B", "C"}
    assert data["analytics_results"][0]["revenue"] == "100.00"
    assert data["analytics_snapshots"][0]["period"] == "2026-06-01"
    assert privacy.erase(first.pk) == 2
    assert not CustomerAnalytics.objects.filter(party=first).exists()
    assert CustomerSnapshot.objects.filter(party=second).count() == 1


def test_old_snapshots_are_deleted_by_the_retention_hook(personas) -> None:
    customers_with_revenues([100], day=dt.date(2022, 1, 10))
    analytics_run(actor=None, reference_date=dt.date(2022, 6, 30))
    hook = retention_hook("analytics_snapshots")
    now = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
    assert hook(Policy(), now=now, apply=False).matched == 1
    assert CustomerSnapshot.objects.count() == 1
    assert hook(Policy(), now=now, apply=True).acted == 1
    assert CustomerSnapshot.objects.count() == 0
