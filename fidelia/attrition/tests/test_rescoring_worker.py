"""Production mode for real: a purchase committed here is revalued and its risk rescored by a Celery
worker process through Redis (PostgreSQL only: the worker cannot see an in-memory SQLite database)."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.utils import timezone

from fidelia.attrition import services
from fidelia.attrition.models import AttritionRisk
from fidelia.attrition.tests.factories import base, catalogue
from fidelia.clv.models import CustomerValue
from fidelia.clv.services import value_model_run
from fidelia.core.testing import make_personas
from fidelia.sales import services as sales
from tests.test_celery_worker import celery_app, worker  # noqa: F401 (fixtures: a real Celery worker)

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _wait_for(check, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    pytest.fail("the worker did not rescore the customer in time")


def test_the_worker_rescores_a_customer_after_a_purchase(request):
    request.getfixturevalue("worker")
    today = timezone.localdate()
    personas = make_personas()
    parties = base(owners=[personas.alice, personas.bob], today=today)
    assert value_model_run(as_of=today, actor=None).n_customers > 0
    assert services.model_run(today=today).model
    risk = AttritionRisk.objects.exclude(reasons=[]).order_by("-risk").first()
    value = CustomerValue.objects.get(party_id=risk.party_id)
    assert risk.party_id in {p.pk for p in parties}
    sales.transaction_record(party=risk.party, actor=None, product=catalogue(), date=today, amount=Decimal("90"),
                             channel="web")  # committed at once: the signal queues both rescorings
    new_value = _wait_for(lambda: CustomerValue.objects.filter(party_id=risk.party_id,
                                                               computed_at__gt=value.computed_at).first())
    assert new_value.frequency == value.frequency + 1 and new_value.recency_weeks == new_value.age_weeks
    new_risk = _wait_for(lambda: AttritionRisk.objects.filter(party_id=risk.party_id,
                                                              computed_at__gt=risk.computed_at).first())
    assert new_risk.risk < risk.risk
    # the worker wrote what this process computes with the same stored model
    expected = new_risk.risk, new_risk.reasons
    services.risk_rescore(party_ids=[risk.party_id])
    again = AttritionRisk.objects.get(party_id=risk.party_id)
    assert (again.risk, again.reasons) == expected
