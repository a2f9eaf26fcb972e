"""The demo fills the value dashboard: efforts on some customers and a fitted run."""
import datetime as dt

import pytest

from fidelia.clv.demo import seed_demo
from fidelia.clv.models import CustomerValue, RetentionEffort, ValueModelRun
from fidelia.demo.services import seed_customers

TODAY = dt.date(2026, 11, 30)


@pytest.mark.django_db
def test_demo_values_the_base_once():
    seed_customers(customers=80, seed=3, progress=False)
    seed_demo(today=TODAY)
    run = ValueModelRun.objects.get()
    assert run.status != "failed" and CustomerValue.objects.count() == run.n_customers > 20
    efforts = RetentionEffort.objects.count()
    assert efforts > 0
    seed_demo(today=TODAY)
    assert RetentionEffort.objects.count() == efforts
