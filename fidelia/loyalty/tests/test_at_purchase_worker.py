"""Production mode for real: a purchase committed here earns its points in a Celery worker process
through Redis, once, and the nightly run adds nothing (PostgreSQL only: the worker cannot see an
in-memory SQLite database)."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from fidelia.core.testing import make_personas
from fidelia.loyalty import services
from fidelia.loyalty.models import LedgerEntry
from fidelia.loyalty.tests import factories as f
from fidelia.parties.tests import factories
from tests.test_celery_worker import celery_app, worker  # noqa: F401 (fixtures: a real Celery worker)

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_the_worker_earns_the_points_of_a_committed_purchase(request):
    request.getfixturevalue("worker")
    today = timezone.localdate()
    personas = make_personas()
    prog = f.programme(actor=personas.admin)
    party = factories.person(owner=personas.alice)
    member = f.member(prog, party, joined_on=today - dt.timedelta(days=30))
    product = f.product(actor=personas.admin, code="LIV", family="Épargne")
    tx = f.purchase(party, product, "75.40", today)  # committed at once: the signal queues the task
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not LedgerEntry.objects.filter(membership=member).exists():
        time.sleep(0.3)
    entry = LedgerEntry.objects.get(membership=member)
    assert (entry.points, entry.source_key) == (75, f"tx:{prog.pk}:{tx.pk}")
    assert services.loyalty_daily(today=today).earned == 0
