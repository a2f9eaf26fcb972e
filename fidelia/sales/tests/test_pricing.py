"""Quote arithmetic: Decimal, half-up to the cent per line, totals equal the sum of the printed lines."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fidelia.sales.pricing import LineInput, line_amounts, quote_totals

D = Decimal


def test_line_with_discount_and_vat():
    amounts = line_amounts(LineInput(quantity=3, unit_price=D("19.99"), discount_rate=D("10"), vat_rate=D("20")))
    assert amounts.gross == D("59.97")
    assert amounts.net == D("53.97")       # 59.97 × 0.9 = 53.973 → 53.97
    assert amounts.discount == D("6.00")
    assert amounts.vat == D("10.79")       # 10.794 → 10.79
    assert amounts.total == D("64.76")


def test_totals_by_rate_and_half_up_rounding():
    totals = quote_totals([
        LineInput(quantity=1, unit_price=D("0.125"), vat_rate=D("20")),   # 0.125 → 0.13 (half-up, not banker's)
        LineInput(quantity=2, unit_price=D("50"), discount_rate=D("5"), vat_rate=D("5.5")),
        LineInput(quantity=1, unit_price=D("200"), vat_rate=D("20")),
    ])
    assert totals.excl_tax == D("0.13") + D("95.00") + D("200.00")
    assert totals.tax == D("0.03") + D("5.23") + D("40.00")
    assert totals.incl_tax == totals.excl_tax + totals.tax
    assert [(r, b) for r, b, _ in totals.tax_by_rate] == [(D("5.5"), D("95.00")), (D("20"), D("200.13"))]


def test_full_discount_and_zero_vat():
    totals = quote_totals([LineInput(quantity=4, unit_price=D("10"), discount_rate=D("100"), vat_rate=D("0"))])
    assert (totals.excl_tax, totals.tax, totals.incl_tax, totals.discount) == (D("0.00"), D("0.00"), D("0.00"), D("40.00"))


@pytest.mark.parametrize("line", [
    LineInput(quantity=0, unit_price=D("1")),
    LineInput(quantity=1, unit_price=D("-1")),
    LineInput(quantity=1, unit_price=D("1"), discount_rate=D("101")),
    LineInput(quantity=1, unit_price=D("1"), vat_rate=D("-0.01")),
])
def test_bad_lines_are_refused(line):
    with pytest.raises(ValueError):
        line_amounts(line)


money = st.decimals(min_value=0, max_value=100000, places=2)
rate = st.decimals(min_value=0, max_value=100, places=2)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # the shared CI machine may be slow
@given(st.lists(st.tuples(st.integers(1, 1000), money, rate, rate), min_size=1, max_size=8))
def test_totals_add_up(rows):
    totals = quote_totals([LineInput(q, p, d, v) for q, p, d, v in rows])
    assert totals.excl_tax == sum(a.net for a in totals.lines)
    assert totals.incl_tax == totals.excl_tax + totals.tax
    assert totals.gross == totals.excl_tax + totals.discount
    assert all(a.net <= a.gross for a in totals.lines)
    assert sum(b for _, b, _ in totals.tax_by_rate) == totals.excl_tax
