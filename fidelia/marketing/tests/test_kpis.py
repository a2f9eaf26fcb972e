"""Campaign indicators of DOMAIN.md §4 on a worked example, and the uplift intervals."""
from __future__ import annotations

from decimal import Decimal

import pytest

from fidelia.marketing.kpis import (
    CampaignFigures,
    ab_winner,
    campaign_kpis,
    mean_uplift,
    proportion_uplift,
)
from fidelia.marketing.services import split_control

D = Decimal


def test_worked_example_mailing() -> None:
    """20,000 letters costing 15,000 €: 600 responses, 150 orders worth 45,000 € at 30 % margin."""
    k = campaign_kpis(CampaignFigures(total_cost=D(15000), sent=20000, responses=600, orders=150,
                                      order_revenue=D(45000), gross_margin=D(13500)))
    assert k.cost_per_contact == D("0.75")
    assert k.response_rate == D("0.03")
    assert k.average_order == D(300)
    assert k.prospect_acquisition_cost == D(25)
    assert k.conversion_rate == D("0.25")
    assert k.customer_acquisition_cost == D(100)
    assert k.margin_per_order == D(90)
    assert k.break_even_orders.quantize(D("0.01")) == D("166.67")  # point mort: 167 orders needed
    assert k.roi == D("-0.1")


def test_zero_denominators_are_not_measurable() -> None:
    k = campaign_kpis(CampaignFigures(total_cost=D(0), sent=0, responses=0, orders=0, order_revenue=D(0),
                                      gross_margin=D(0)))
    assert k.cost_per_contact is None and k.response_rate is None and k.break_even_orders is None and k.roi is None


def test_proportion_uplift_interval() -> None:
    u = proportion_uplift(50, 1000, 20, 1000)
    assert u.difference == pytest.approx(0.03)
    se = (0.05 * 0.95 / 1000 + 0.02 * 0.98 / 1000) ** 0.5
    assert u.low == pytest.approx(0.03 - 1.959964 * se, rel=1e-5)
    assert u.high == pytest.approx(0.03 + 1.959964 * se, rel=1e-5)
    assert proportion_uplift(1, 10, 0, 0).difference is None


def test_mean_uplift_and_winner() -> None:
    u = mean_uplift([0, 0, 100, 100], [0, 0, 0, 100])
    assert u.difference == pytest.approx(25)
    assert u.low < 25 < u.high
    assert ab_winner({"A": (100, 5, D(0)), "B": (100, 8, D(0))}, "response_rate") == "B"
    assert ab_winner({"A": (100, 5, D(0)), "B": (100, 5, D(0))}, "response_rate") is None
    assert ab_winner({"A": (100, 5, D(900)), "B": (100, 8, D(100))}, "revenue") == "A"


def test_control_split_is_stratified_seeded_and_exact() -> None:
    eligible = [(i, "alice|person" if i % 3 else "bob|person") for i in range(1, 1001)]
    control = split_control(eligible, share=D("0.1"), seed=7)
    assert len(control) == 100
    assert split_control(eligible, share=D("0.1"), seed=7) == control
    bob = {i for i, s in eligible if s.startswith("bob")}
    assert abs(len(control & bob) - round(len(bob) * 0.1)) <= 1
