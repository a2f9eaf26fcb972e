"""Writes of portfolio management: grids and criteria, entered scores, purchase potentials, and the run
that recomputes stored positions and RADAR results. Keyword-only, atomic, checked against the policies.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from fidelia.core.events import record
from fidelia.parties.enums import Stage
from fidelia.parties.models import Party
from fidelia.parties.selectors import parties_for_user
from fidelia.portfolio import scoring
from fidelia.portfolio.enums import (
    QUADRANT_STRATEGY,
    CriterionGroup,
    CriterionSource,
    Metric,
    Quadrant,
    RuleMethod,
)
from fidelia.portfolio.metrics import (
    fetch_metrics,
    purchase_dates,
    two_years_revenue,
    year_before,
    yearly_sales,
)
from fidelia.portfolio.models import (
    Criterion,
    EnteredScore,
    PortfolioPosition,
    PurchasePotential,
    RadarPosition,
    ScoringGrid,
)
from fidelia.portfolio.storage import replace_slice
from fidelia.sales.models import ProductFamily

Progress = Callable[[int], None]


@dataclass(frozen=True)
class CriterionInput:
    name: str
    group: str
    coefficient: int = 2
    source: str = CriterionSource.ENTERED
    metric: str = ""
    method: str = ""
    thresholds: tuple[float, ...] = ()
    code: str = ""


def _require_configure(actor: User) -> None:
    if not policies.can_configure_analytics(actor):
        raise PermissionDenied(_("You may not configure scoring grids."))


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def _check_criterion(c: CriterionInput, index: int) -> dict[str, Any]:
    """The model values of one criterion, or ValidationFailed naming the field, the value and why."""
    where = f"criteria[{index}]"
    name = (c.name or "").strip()
    if not name or len(name) > 120:
        raise _invalid(f"{where}.name", _("A criterion needs a name (at most 120 characters)."))
    if c.group not in CriterionGroup.values:
        raise _invalid(f"{where}.group", _("“%(value)s” is not a group: potential or performance.") % {"value": c.group})
    if isinstance(c.coefficient, bool) or not isinstance(c.coefficient, int) or not 1 <= c.coefficient <= 100:
        raise _invalid(f"{where}.coefficient",
                       _("The coefficient must be a whole number from 1 to 100, not “%(value)s”.") % {"value": c.coefficient})
    values: dict[str, Any] = {"name": name, "group": c.group, "coefficient": c.coefficient, "source": c.source,
                              "metric": "", "method": "", "thresholds": [], "code": slugify(c.code or name)[:40]}
    if not values["code"]:
        raise _invalid(f"{where}.code", _("The criterion's code must contain letters or digits."))
    if c.source == CriterionSource.ENTERED:
        return values
    if c.source != CriterionSource.DERIVED:
        raise _invalid(f"{where}.source", _("“%(value)s” is not a source: entered or derived.") % {"value": c.source})
    if c.metric not in Metric.values:
        raise _invalid(f"{where}.metric", _("“%(value)s” is not a metric.") % {"value": c.metric})
    if c.method not in RuleMethod.values:
        raise _invalid(f"{where}.method", _("“%(value)s” is not a rule: quintiles or thresholds.") % {"value": c.method})
    thresholds = list(c.thresholds)
    if c.method == RuleMethod.THRESHOLDS:
        problem = scoring.check_thresholds(thresholds)
        if problem:
            raise _invalid(f"{where}.thresholds", _("Thresholds %(value)s refused: %(why)s.")
                           % {"value": thresholds, "why": _(problem)})
    values.update(metric=c.metric, method=c.method, thresholds=thresholds if c.method == RuleMethod.THRESHOLDS else [])
    return values


def _check_criteria(criteria: Sequence[CriterionInput]) -> list[dict[str, Any]]:
    checked = [_check_criterion(c, i) for i, c in enumerate(criteria)]
    codes = [c["code"] for c in checked]
    duplicate = next((code for code in codes if codes.count(code) > 1), None)
    if duplicate:
        raise _invalid("criteria", _("Two criteria share the code “%(value)s”.") % {"value": duplicate})
    for group in CriterionGroup.values:
        if not any(c["group"] == group for c in checked):
            raise _invalid("criteria", _("Each group (potential and performance) needs at least one criterion."))
    return checked


def _check_grid_fields(name: str, code: str) -> tuple[str, str]:
    name, code = (name or "").strip(), slugify(code or name)[:40]
    if not name or len(name) > 120:
        raise _invalid("name", _("A grid needs a name (at most 120 characters)."))
    if not code:
        raise _invalid("code", _("The grid's code must contain letters or digits."))
    return name, code


@transaction.atomic
def grid_create(*, actor: User, name: str, criteria: Sequence[CriterionInput], code: str = "",
                description: str = "") -> ScoringGrid:
    """A new scoring grid with its criteria. PermissionDenied unless `can_configure_analytics`."""
    _require_configure(actor)
    name, code = _check_grid_fields(name, code)
    checked = _check_criteria(criteria)
    if ScoringGrid.objects.filter(code=code).exists():
        raise _invalid("code", _("A grid with the code “%(value)s” already exists.") % {"value": code})
    grid = ScoringGrid.objects.create(code=code, name=name, description=description.strip(), created_by=actor)
    Criterion.objects.bulk_create([Criterion(grid=grid, position=i, **c) for i, c in enumerate(checked)])
    record(actor=actor, action="portfolio.grid_created", obj=grid, party_id=None,
           changes={"criteria": [c["code"] for c in checked]})
    return grid


@transaction.atomic
def grid_update(*, grid: ScoringGrid, actor: User, version: int, name: str, criteria: Sequence[CriterionInput],
                description: str = "") -> ScoringGrid:
    """Rename the grid and replace its criteria. A criterion keeps its entered scores while its code
    stays; one whose code disappears is deleted with them. Stale `version` → StaleVersion."""
    _require_configure(actor)
    name, _code = _check_grid_fields(name, grid.code)
    checked = _check_criteria(criteria)
    locked = ScoringGrid.objects.select_for_update().get(pk=grid.pk)
    if locked.version != version:
        raise StaleVersion(_("Someone changed this grid meanwhile; reload it and apply your change again."))
    existing = {c.code: c for c in locked.criteria.all()}
    kept = set()
    for i, values in enumerate(checked):
        current = existing.get(values["code"])
        if current:
            for field, value in values.items():
                setattr(current, field, value)
            current.position = i
            current.save()
            kept.add(values["code"])
        else:
            Criterion.objects.create(grid=locked, position=i, **values)
    removed = [code for code in existing if code not in kept]
    locked.criteria.filter(code__in=removed).delete()
    locked.name, locked.description, locked.version = name, description.strip(), locked.version + 1
    locked.save(update_fields=["name", "description", "version", "updated_at"])
    record(actor=actor, action="portfolio.grid_updated", obj=locked, party_id=None,
           changes={"criteria": [c["code"] for c in checked], "removed": removed})
    return locked


def _writable_party(actor: User, party: Party) -> None:
    if not parties_for_user(actor, for_write=True).filter(pk=party.pk).exists():
        raise PermissionDenied(_("You may not change this customer's file."))


@transaction.atomic
def scores_enter(*, actor: User, party: Party, grid: ScoringGrid, scores: dict[str, int | None]) -> int:
    """Set (or clear, with None) the rep's 1–5 scores of `party` on the grid's entered criteria,
    keyed by criterion code. Needs write access to the party. Returns how many scores changed."""
    _writable_party(actor, party)
    criteria = {c.code: c for c in grid.criteria.filter(source=CriterionSource.ENTERED)}
    for code, score in scores.items():
        if code not in criteria:
            raise _invalid(f"scores.{code}", _("“%(value)s” is not an entered criterion of this grid.") % {"value": code})
        if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5):
            raise _invalid(f"scores.{code}", _("A score is a whole number from 1 to 5, not “%(value)s”.") % {"value": score})
    changed = {}
    current = {s.criterion_id: s for s in EnteredScore.objects.filter(party=party, criterion__in=criteria.values())}
    for code, score in scores.items():
        criterion, row = criteria[code], current.get(criteria[code].pk)
        if score is None and row:
            row.delete()
            changed[code] = [row.score, None]
        elif score is not None and (not row or row.score != score):
            EnteredScore.objects.update_or_create(criterion=criterion, party=party,
                                                  defaults={"score": score, "entered_by": actor})
            changed[code] = [row.score if row else None, score]
    if changed:
        record(actor=actor, action="portfolio.scores_entered", obj=grid, party_id=party.pk, changes=changed)
    return len(changed)


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
        raise _invalid("amount", _("Total purchases must be a positive amount below one trillion, not “%(value)s”.")
                       % {"value": value})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def purchase_potential_set(*, actor: User, party: Party, family: ProductFamily, year: int,
                           amount: Any) -> PurchasePotential | None:
    """Record the customer's total purchases (all suppliers) in `family` for `year`; None/'' clears it."""
    _writable_party(actor, party)
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
        raise _invalid("year", _("The year must be between 1990 and 2100, not “%(value)s”.") % {"value": year})
    value = _amount(amount)
    if value is None:
        deleted, _rows = PurchasePotential.objects.filter(party=party, family=family, year=year).delete()
        if deleted:
            record(actor=actor, action="portfolio.potential_cleared", obj=family, party_id=party.pk,
                   changes={"year": year})
        return None
    row, _created = PurchasePotential.objects.update_or_create(
        party=party, family=family, year=year, defaults={"amount": value, "entered_by": actor})
    record(actor=actor, action="portfolio.potential_set", obj=row, party_id=party.pk,
           changes={"family": family.name, "year": year, "amount": str(value)})
    return row


# --- the run ---------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def scored_population() -> Any:
    """Who is scored: current and former customers whose file is not anonymised."""
    return Party.objects.filter(erased_at__isnull=True, stage__in=[Stage.CUSTOMER, Stage.FORMER])


def criterion_scores(criterion: Criterion, metrics: dict[int, dict[str, Any]],
                     entered: dict[tuple[int, int], int]) -> dict[int, int | None]:
    """1–5 (or None) per party for one criterion."""
    if criterion.source == CriterionSource.ENTERED:
        criterion_id = criterion.pk
        return {pk: entered.get((criterion_id, pk)) for pk in metrics}
    metric = criterion.metric
    values = {pk: m.get(metric) for pk, m in metrics.items()}
    if criterion.method == RuleMethod.THRESHOLDS:
        limits = sorted(criterion.thresholds)
        return {pk: None if v is None else 1 + bisect_right(limits, v) for pk, v in values.items()}
    return scoring.quintile_scores(values)


POSITION_COLUMNS = ("grid_id", "party_id", "period", "potential", "performance", "revenue", "margin", "frequency",
                    "seniority", "equipment_rate", "revenue_share", "scores", "quadrant", "strategy", "policy",
                    "computed_at")


GROUPS = tuple(CriterionGroup.values)  # enum .values rebuilds a list at each access: hot loops use this


def _money(value: float) -> Decimal:
    return Decimal(round(value, 2)).quantize(Decimal("0.01"))


def grid_positions(grid: ScoringGrid, metrics: dict[int, dict[str, Any]], *, period: dt.date) -> list[tuple[Any, ...]]:
    """One row (in `POSITION_COLUMNS` order) per party of `metrics`: criterion scores, weighted potential
    and performance, and, for the placed ones, share of revenue, quadrant, strategy and policy against
    the averages of the whole population."""
    criteria = list(grid.criteria.all())
    entered = {(c, p): s for c, p, s in EnteredScore.objects.filter(criterion__grid=grid)
               .values_list("criterion_id", "party_id", "score")} if metrics else {}
    per_criterion = [(c.code, c.group, c.coefficient, criterion_scores(c, metrics, entered)) for c in criteria]
    now = timezone.now()
    rows: dict[int, list[Any]] = {}
    for pk, m in metrics.items():
        scores, sums = {}, {g: [0, 0] for g in GROUPS}
        for code, group, coefficient, by_party in per_criterion:
            score = by_party[pk]
            if score is not None:
                scores[code] = score
                total = sums[group]
                total[0] += coefficient * score
                total[1] += coefficient
        potential, performance = (a / b if b else None for a, b in (sums[g] for g in GROUPS))
        # money as rounded floats: COPY and the ORM both store them exactly in the numeric columns
        rows[pk] = [grid.pk, pk, period, potential, performance, round(m["revenue_12m"], 2), round(m["margin_12m"], 2),
                    m["frequency_12m"], m["seniority"], m["equipment_rate"], 0.0, scores, "", "", "", now]
    placed = scoring.place([(pk, r[3], r[4], r[5]) for pk, r in rows.items() if r[3] is not None and r[4] is not None])
    strategies = {q: QUADRANT_STRATEGY[q] for q in QUADRANT_STRATEGY}
    for point in placed.points:
        row = rows[point.key]
        row[10], row[12] = point.share, point.quadrant
        row[13], row[14] = strategies[point.quadrant]
    return [tuple(r) for r in rows.values()]


@dataclass(frozen=True)
class RunReport:
    period: dt.date
    grids: int
    customers: int
    radar_rows: int


@transaction.atomic
def _store_positions(grid: ScoringGrid, rows: list[tuple[Any, ...]], *, period: dt.date,
                     progress: Progress | None) -> None:
    """Replace the grid's positions of `period` (a re-run of the same month overwrites it)."""
    replace_slice(PortfolioPosition, where={"grid": grid, "period": period}, columns=POSITION_COLUMNS, rows=rows,
                  progress=progress)
    if not grid.last_period or grid.last_period <= period:
        summary = positions_summary(rows, period=period)
        ScoringGrid.objects.filter(pk=grid.pk).update(last_period=period, summary=summary)
        grid.last_period, grid.summary = period, summary


def positions_summary(rows: list[tuple[Any, ...]], *, period: dt.date) -> dict[str, Any]:
    """Whole-base figures of a month of positions (rows in `POSITION_COLUMNS` order)."""
    placed = [r for r in rows if r[3] is not None and r[4] is not None]
    counts = {q: 0 for q in Quadrant.values}
    for r in placed:
        counts[r[12]] += 1
    return {"period": period.isoformat(), "rows": len(rows), "placed": len(placed),
            "x_mean": scoring.mean(r[3] for r in placed), "y_mean": scoring.mean(r[4] for r in placed),
            "revenue": float(sum(r[5] for r in placed)), "counts": counts}


def portfolio_run(*, as_of: dt.date | None = None, grids: Sequence[ScoringGrid] | None = None,
                  progress: Progress | None = None, on_total: Callable[[int], None] | None = None) -> RunReport:
    """Recompute and store every customer's positions for the month of `as_of` (default today) on
    each grid, then the RADAR results. Idempotent: running it twice in a month overwrites the month,
    so it is safe to retry. `progress(n)` is called as rows are written (`on_total` first gets the count)."""
    as_of = as_of or timezone.localdate()
    period = month_start(as_of)
    grids = list(grids) if grids is not None else list(ScoringGrid.objects.prefetch_related("criteria"))
    metrics = fetch_metrics(scored_population(), as_of=as_of)
    if on_total:
        on_total(len(metrics) * len(grids))
    for grid in grids:
        _store_positions(grid, grid_positions(grid, metrics, period=period), period=period, progress=progress)
    radar_rows = radar_run(as_of=as_of)
    return RunReport(period=period, grids=len(grids), customers=len(metrics), radar_rows=radar_rows)


def radar_population() -> Any:
    """RADAR also looks at prospects (to acquire) as soon as a purchase potential is known for them."""
    return Party.objects.filter(erased_at__isnull=True).exclude(stage=Stage.SUSPECT)


RADAR_COLUMNS = ("party_id", "year", "our_sales", "purchase_potential", "tcc", "revenue", "previous_revenue",
                 "strategy", "quadrant", "potential", "equipment_rate", "created_at", "updated_at")


def _default_positions() -> dict[int, tuple[str, float | None, float | None]]:
    """{party id: (quadrant, potential, equipment rate)} on the default grid's last computed month."""
    grid = ScoringGrid.objects.filter(is_default=True).first()
    if grid is None or grid.last_period is None:
        return {}
    rows = PortfolioPosition.objects.filter(grid=grid, period=grid.last_period).values_list(
        "party_id", "quadrant", "potential", "equipment_rate")
    return {pk: (q, p, e) for pk, q, p, e in rows.iterator(chunk_size=20_000)}


def radar_year_rows(*, year: int, as_of: dt.date) -> list[tuple[Any, ...]]:
    """One RADAR row (in `RADAR_COLUMNS` order) per customer, and per prospect with a purchase
    potential, for `year`. TCC uses the calendar year's sales in the families with a potential;
    revenue and previous revenue the 12 months ending at the year's end (or `as_of`) and the 12 before."""
    potentials: dict[int, dict[int, float]] = {}
    for party_id, family_id, amount in PurchasePotential.objects.filter(
            year=year, party__in=radar_population().values("pk")).values_list("party_id", "family_id", "amount"):
        potentials.setdefault(party_id, {})[family_id] = float(amount)
    population = radar_population().filter(Q(stage__in=[Stage.CUSTOMER, Stage.FORMER])
                                           | Q(pk__in=PurchasePotential.objects.filter(year=year).values("party_id")))
    ids = population.values("pk")
    sales = yearly_sales(ids, year=year)
    year_end = min(dt.date(year, 12, 31), as_of)
    recent_from = year_before(year_end)
    last = purchase_dates(ids, until=year_end)
    revenue = two_years_revenue(ids, until=year_end)
    positions = _default_positions()
    now = timezone.now()
    rows = []
    for pk in population.values_list("pk", flat=True).iterator(chunk_size=20_000):
        families = potentials.get(pk, {})
        ours = sum(sales.get((pk, f), 0.0) for f in families)
        total = sum(families.values()) if families else None
        rate = scoring.tcc(ours, total)
        strategy = scoring.radar_strategy(ever_bought=pk in last, bought_recently=pk in last and last[pk] > recent_from,
                                          tcc_value=rate)
        recent, before = revenue.get(pk, (0.0, 0.0))
        quadrant, potential, equipment = positions.get(pk, ("", None, None))
        rows.append((pk, year, _money(ours), _money(total) if total is not None else None, rate, _money(recent),
                     _money(before), strategy, quadrant, potential, equipment, now, now))
    return rows


@transaction.atomic
def radar_run(*, as_of: dt.date, years: Sequence[int] | None = None) -> int:
    """Store the RADAR rows of `years` (default: the year of `as_of` and every year with a potential)."""
    if years is None:
        years = sorted(set(PurchasePotential.objects.values_list("year", flat=True).distinct()) | {as_of.year})
    return sum(replace_slice(RadarPosition, where={"year": year}, columns=RADAR_COLUMNS,
                             rows=radar_year_rows(year=year, as_of=as_of)) for year in years)
