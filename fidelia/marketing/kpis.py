"""Campaign indicators exactly as DOMAIN.md §4 defines them, and the uplift against the control.

Pure functions over numbers (Decimal for money), tested on worked examples. A ratio whose
denominator is zero is None ("not measurable"), never a division error.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

Z95 = 1.959963984540054


def _div(num: Decimal | int | float, den: Decimal | int | float) -> Decimal | None:
    if not den:
        return None
    return Decimal(str(num)) / Decimal(str(den))


@dataclass(frozen=True)
class CampaignFigures:
    total_cost: Decimal
    sent: int
    responses: int
    orders: int
    order_revenue: Decimal
    gross_margin: Decimal   # margin of the attributed orders


@dataclass(frozen=True)
class Kpis:
    cost_per_contact: Decimal | None       # total cost / messages sent
    response_rate: Decimal | None          # responses / messages sent (taux de remontée)
    average_order: Decimal | None          # order revenue / orders
    prospect_acquisition_cost: Decimal | None  # total cost / responses
    conversion_rate: Decimal | None        # orders / responses (taux de transformation)
    customer_acquisition_cost: Decimal | None  # total cost / orders
    margin_per_order: Decimal | None       # gross margin / orders
    break_even_orders: Decimal | None      # total cost / gross margin per order (point mort)
    roi: Decimal | None                    # (gross margin − total cost) / total cost


def campaign_kpis(f: CampaignFigures) -> Kpis:
    margin_per_order = _div(f.gross_margin, f.orders)
    return Kpis(
        cost_per_contact=_div(f.total_cost, f.sent),
        response_rate=_div(f.responses, f.sent),
        average_order=_div(f.order_revenue, f.orders),
        prospect_acquisition_cost=_div(f.total_cost, f.responses),
        conversion_rate=_div(f.orders, f.responses),
        customer_acquisition_cost=_div(f.total_cost, f.orders),
        margin_per_order=margin_per_order,
        break_even_orders=_div(f.total_cost, margin_per_order) if margin_per_order else None,
        roi=_div(f.gross_margin - f.total_cost, f.total_cost),
    )


@dataclass(frozen=True)
class Uplift:
    test_rate: float | None
    control_rate: float | None
    difference: float | None     # test − control
    low: float | None            # 95 % confidence interval of the difference
    high: float | None


def proportion_uplift(test_hits: int, test_n: int, control_hits: int, control_n: int) -> Uplift:
    """Difference of two proportions with a 95 % Wald interval (unpooled variances)."""
    if test_n <= 0 or control_n <= 0:
        return Uplift(test_hits / test_n if test_n else None, control_hits / control_n if control_n else None,
                      None, None, None)
    p1, p0 = test_hits / test_n, control_hits / control_n
    se = math.sqrt(p1 * (1 - p1) / test_n + p0 * (1 - p0) / control_n)
    d = p1 - p0
    return Uplift(p1, p0, d, d - Z95 * se, d + Z95 * se)


def mean_uplift(test_values: list[float], control_values: list[float]) -> Uplift:
    """Difference of mean revenue per person (zeros included) with a 95 % Welch interval."""
    n1, n0 = len(test_values), len(control_values)
    if n1 < 2 or n0 < 2:
        m1 = sum(test_values) / n1 if n1 else None
        m0 = sum(control_values) / n0 if n0 else None
        return Uplift(m1, m0, None, None, None)
    m1, m0 = sum(test_values) / n1, sum(control_values) / n0
    v1 = sum((x - m1) ** 2 for x in test_values) / (n1 - 1)
    v0 = sum((x - m0) ** 2 for x in control_values) / (n0 - 1)
    se = math.sqrt(v1 / n1 + v0 / n0)
    d = m1 - m0
    return Uplift(m1, m0, d, d - Z95 * se, d + Z95 * se)


def ab_winner(variants: dict[str, tuple[int, int, Decimal]], rule: str) -> str | None:
    """The winning variant: `variants` maps name → (sent, responses or clicks, revenue). Ties → None."""
    scores: dict[str, Decimal] = {}
    for name, (sent, hits, revenue) in variants.items():
        if sent:
            scores[name] = (revenue / sent) if rule == "revenue" else Decimal(hits) / sent
    if len(scores) < 2:
        return None
    best = max(scores.values())
    winners = [k for k, v in scores.items() if v == best]
    return winners[0] if len(winners) == 1 else None
