"""The demo's purchase potentials fill the RADAR page: TCC is known for a share of the customers."""
import datetime as dt

import pytest

from fidelia.demo.services import seed_customers
from fidelia.portfolio.demo import seed_demo
from fidelia.portfolio.models import PurchasePotential, RadarPosition

TODAY = dt.date(2026, 11, 30)


@pytest.mark.django_db
def test_demo_potentials_give_tcc_between_zero_and_one_hundred_percent():
    seed_customers(customers=80, seed=3, progress=False)
    seed_demo(today=TODAY)
    assert PurchasePotential.objects.filter(year=TODAY.year).exists()
    with_tcc = RadarPosition.objects.filter(year=TODAY.year, tcc__isnull=False)
    assert with_tcc.count() > 10
    assert all(0 <= row.tcc <= 100 for row in with_tcc)
    # A second run adds nothing (the demo seeds once, but a retry must not fail or double).
    before = PurchasePotential.objects.count()
    seed_demo(today=TODAY)
    assert PurchasePotential.objects.count() == before
