"""Quote arithmetic as pure functions: Decimal in, Decimal out, no database.

Each line: gross = quantity × unit price; net (HT) = gross × (1 − discount %), rounded to the cent;
VAT = net × VAT rate, rounded to the cent per line (as French invoices print it); TTC = HT + VAT.
Totals are the sums of the rounded line figures, so the printed lines always add up to the totals.
Rounding is half-up (the commercial rule), never banker's rounding.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineInput:
    quantity: int
    unit_price: Decimal
    discount_rate: Decimal = Decimal(0)  # percent, 0–100
    vat_rate: Decimal = Decimal(20)      # percent, 0–100


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal
    discount: Decimal
    net: Decimal       # HT
    vat: Decimal
    total: Decimal     # TTC


@dataclass(frozen=True)
class QuoteTotals:
    lines: tuple[LineAmounts, ...]
    gross: Decimal
    discount: Decimal
    excl_tax: Decimal
    tax: Decimal
    incl_tax: Decimal
    tax_by_rate: tuple[tuple[Decimal, Decimal, Decimal], ...]  # (rate, base HT, VAT), by rate


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amounts(line: LineInput) -> LineAmounts:
    """The amounts of one line. Raises ValueError on a quantity < 1, a negative price or a rate outside 0–100."""
    if line.quantity < 1:
        raise ValueError("quantity must be at least 1")
    if line.unit_price < 0:
        raise ValueError("unit price cannot be negative")
    for rate in (line.discount_rate, line.vat_rate):
        if not (0 <= rate <= HUNDRED):
            raise ValueError("rates are percentages between 0 and 100")
    gross = _cents(Decimal(line.quantity) * Decimal(line.unit_price))
    net = _cents(gross * (HUNDRED - Decimal(line.discount_rate)) / HUNDRED)
    vat = _cents(net * Decimal(line.vat_rate) / HUNDRED)
    return LineAmounts(gross=gross, discount=gross - net, net=net, vat=vat, total=net + vat)


def quote_totals(lines: Iterable[LineInput]) -> QuoteTotals:
    """Totals HT / TVA / TTC of a quote, and the VAT breakdown by rate."""
    items = list(lines)
    amounts = tuple(line_amounts(line) for line in items)
    by_rate: dict[Decimal, list[Decimal]] = {}
    for line, amount in zip(items, amounts, strict=True):
        base = by_rate.setdefault(Decimal(line.vat_rate).normalize(), [Decimal(0), Decimal(0)])
        base[0] += amount.net
        base[1] += amount.vat
    zero = Decimal("0.00")
    return QuoteTotals(
        lines=amounts,
        gross=sum((a.gross for a in amounts), zero),
        discount=sum((a.discount for a in amounts), zero),
        excl_tax=sum((a.net for a in amounts), zero),
        tax=sum((a.vat for a in amounts), zero),
        incl_tax=sum((a.total for a in amounts), zero),
        tax_by_rate=tuple((rate, v[0], v[1]) for rate, v in sorted(by_rate.items())),
    )
