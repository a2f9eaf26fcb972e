"""Sales reports as pure functions over the rows the selectors fetch: no ORM here.

- weighted forecast: Σ amount × stage probability of the open deals, by month of expected close and by rep;
- win rate: won / (won + lost) among the deals closed in the period;
- average cycle length: mean days from opening to winning;
- stage funnel: how many deals opened in the period reached each stage (a deal that skipped a stage
  counts as having passed it), and the conversion from each stage to the next;
- new business vs existing customers: won amount per rep split by whether the party was already a
  customer when the deal opened (the course judges a sales force on both).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")


def _name(row: dict[str, Any]) -> str:
    return f"{row.get('owner__first_name') or ''} {row.get('owner__last_name') or ''}".strip() or "—"


def _weighted(raw: Any) -> Decimal:
    return (Decimal(raw or 0) / 100).quantize(CENT)


@dataclass(frozen=True)
class Forecast:
    months: list[str]                       # "2026-01", ...
    amount: list[Decimal]
    weighted: list[Decimal]
    by_rep: list[dict[str, Any]]            # {"name", "count", "amount", "weighted"} by weighted desc


def forecast(rows: list[dict[str, Any]], *, date_from: dt.date, date_to: dt.date) -> Forecast:
    """Every month of the period appears, empty ones with zeros, so the chart has no holes."""
    months: list[str] = []
    day = date_from.replace(day=1)
    while day <= date_to:
        months.append(f"{day:%Y-%m}")
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    amount = dict.fromkeys(months, Decimal(0))
    weighted = dict.fromkeys(months, Decimal(0))
    reps: dict[Any, dict[str, Any]] = {}
    for row in rows:
        key = f"{row['month']:%Y-%m}"
        if key in amount:
            amount[key] += row["total"] or 0
            weighted[key] += _weighted(row["weighted"])
        rep = reps.setdefault(row["owner_id"], {"name": _name(row), "count": 0, "amount": Decimal(0), "weighted": Decimal(0)})
        rep["count"] += row["n"]
        rep["amount"] += row["total"] or 0
        rep["weighted"] += _weighted(row["weighted"])
    return Forecast(months=months, amount=[amount[m] for m in months], weighted=[weighted[m] for m in months],
                    by_rep=sorted(reps.values(), key=lambda r: (-r["weighted"], r["name"])))


@dataclass(frozen=True)
class Performance:
    won: int
    lost: int
    win_rate: float | None            # None when nothing closed
    cycle_days: float | None          # mean days from opening to winning
    by_rep: list[dict[str, Any]]      # {"name", "won", "lost", "win_rate", "new_amount", "existing_amount"}
    new_amount: Decimal
    existing_amount: Decimal


def performance(rows: list[dict[str, Any]]) -> Performance:
    reps: dict[Any, dict[str, Any]] = {}
    cycles: list[int] = []
    for row in rows:
        rep = reps.setdefault(row["owner_id"], {"name": _name(row), "won": 0, "lost": 0,
                                                "new_amount": Decimal(0), "existing_amount": Decimal(0)})
        if row["stage__outcome"] == "won":
            rep["won"] += 1
            rep["new_amount" if row["is_new_business"] else "existing_amount"] += row["amount"] or 0
            opened = row["created_at"].date() if isinstance(row["created_at"], dt.datetime) else row["created_at"]
            cycles.append(max(0, (row["closed_on"] - opened).days))
        else:
            rep["lost"] += 1
    for rep in reps.values():
        decided = rep["won"] + rep["lost"]
        rep["win_rate"] = rep["won"] / decided if decided else None
    won = sum(r["won"] for r in reps.values())
    lost = sum(r["lost"] for r in reps.values())
    return Performance(
        won=won, lost=lost, win_rate=won / (won + lost) if won + lost else None,
        cycle_days=sum(cycles) / len(cycles) if cycles else None,
        by_rep=sorted(reps.values(), key=lambda r: r["name"]),
        new_amount=sum((r["new_amount"] for r in reps.values()), Decimal(0)),
        existing_amount=sum((r["existing_amount"] for r in reps.values()), Decimal(0)),
    )


@dataclass(frozen=True)
class FunnelStep:
    name: str
    reached: int
    conversion: float | None  # share of the previous step's deals that reached this one


def funnel(stage_positions: list[tuple[str, int]], furthest: list[int]) -> list[FunnelStep]:
    """`stage_positions`: (name, position) of the non-lost stages in order; `furthest`: per deal, the
    furthest position it reached."""
    steps: list[FunnelStep] = []
    previous: int | None = None
    for name, position in stage_positions:
        reached = sum(1 for f in furthest if f is not None and f >= position)
        steps.append(FunnelStep(name=name, reached=reached,
                                conversion=(reached / previous) if previous else None))
        previous = reached
    return steps
