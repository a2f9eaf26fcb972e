"""Writes of portfolio management: grids and criteria, entered scores, purchase potentials, and the run
that recomputes stored positions and RADAR results. Keyword-only, atomic, checked against the policies.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
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
    RadarStrategy,
    RuleMethod,
)
from fidelia.portfolio.metrics import (
    EPOCH,
    MetricColumns,
    fetch_metric_columns,
    lookup,
    purchases_until,
    query_columns,
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
from fidelia.portfolio.storage import replace_slice_columns
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


def _entered_columns(grid: ScoringGrid) -> list[np.ndarray]:
    """(criterion id, party id, score) arrays of the scores entered on the grid's criteria."""
    return query_columns(EnteredScore.objects.filter(criterion__grid=grid).order_by()
                         .values_list("criterion_id", "party_id", "score"), ["int", "int", "int"])


def criterion_scores(criterion: Criterion, metrics: MetricColumns,
                     entered: Sequence[np.ndarray]) -> np.ndarray:
    """1–5 per party of `metrics` (in its order) for one criterion, 0 where the party has no score."""
    scores = np.zeros(len(metrics), dtype=np.int64)
    if criterion.source == CriterionSource.ENTERED:
        mine = entered[0] == criterion.pk
        at = metrics.positions(entered[1][mine])
        scores[at[at >= 0]] = entered[2][mine][at >= 0]
        return scores
    values = metrics.metric(criterion.metric)
    known = ~np.isnan(values)
    if criterion.method == RuleMethod.THRESHOLDS:
        limits = np.array(sorted(criterion.thresholds), dtype=np.float64)
        scores[known] = 1 + np.searchsorted(limits, values[known], side="right")
        return scores
    scores[known] = scoring.quintile_score_array(values[known])
    return scores


POSITION_COLUMNS = ("grid_id", "party_id", "period", "potential", "performance", "revenue", "margin", "frequency",
                    "seniority", "equipment_rate", "revenue_share", "scores", "quadrant", "strategy", "policy",
                    "computed_at")


GROUPS = tuple(CriterionGroup.values)  # enum .values rebuilds a list at each access: hot loops use this


def _money(value: float) -> Decimal:
    return Decimal(round(value, 2)).quantize(Decimal("0.01"))


def _or_none(values: np.ndarray) -> list[float | None]:
    return [None if v != v else v for v in values.tolist()]


@dataclass(frozen=True)
class GridPositions:
    """A grid's month of positions as columns, in the population's order (see `rows` for the stored shape).

    `scores` holds one int row per criterion (0 = no score); potential and performance are NaN for a
    party without any score in the group; share, quadrant, strategy and policy are set for placed ones.
    """

    grid_id: int
    period: dt.date
    computed_at: dt.datetime
    metrics: MetricColumns
    codes: tuple[str, ...]
    scores: np.ndarray
    potential: np.ndarray
    performance: np.ndarray
    revenue: list[float]
    placed: np.ndarray
    share: np.ndarray
    quadrant: np.ndarray

    def __len__(self) -> int:
        return len(self.metrics)

    def columns(self) -> dict[str, list[Any]]:
        """The stored columns (`POSITION_COLUMNS`), one Python value per party, None for NULL."""
        m, n, codes = self.metrics, len(self), self.codes
        per_party = zip(*(column.tolist() for column in self.scores), strict=True) if codes else ([()] * n)
        quadrants = self.quadrant.tolist()
        strategy = {q: s for q, (s, _p) in QUADRANT_STRATEGY.items()}
        policy = {q: p for q, (_s, p) in QUADRANT_STRATEGY.items()}
        return {
            "grid_id": [self.grid_id] * n, "party_id": m.ids.tolist(), "period": [self.period] * n,
            "potential": _or_none(self.potential), "performance": _or_none(self.performance),
            "revenue": self.revenue, "margin": [round(v, 2) for v in m.metric("margin_12m").tolist()],
            "frequency": m.metric("frequency_12m").astype(np.int64).tolist(),
            "seniority": _or_none(m.metric("seniority")), "equipment_rate": _or_none(m.metric("equipment_rate")),
            "revenue_share": self.share.tolist(),
            "scores": [{c: s for c, s in zip(codes, scores, strict=True) if s} for scores in per_party],
            "quadrant": quadrants, "strategy": [strategy.get(q, "") for q in quadrants],
            "policy": [policy.get(q, "") for q in quadrants], "computed_at": [self.computed_at] * n,
        }

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """One tuple per party in `POSITION_COLUMNS` order."""
        return zip(*self.columns().values(), strict=True)

    def summary(self) -> dict[str, Any]:
        """Whole-base figures of the month: rows, placed, averages, placed revenue, counts per quadrant."""
        placed = self.placed
        counts = {q: 0 for q in Quadrant.values}
        found, how_many = np.unique(self.quadrant[placed], return_counts=True)
        counts.update({str(q): int(c) for q, c in zip(found.tolist(), how_many.tolist(), strict=True)})
        n = int(placed.sum())
        revenue = np.asarray(self.revenue, dtype=np.float64)[placed]
        return {"period": self.period.isoformat(), "rows": len(self), "placed": n,
                "x_mean": _sequential_sum(self.potential[placed]) / n if n else None,
                "y_mean": _sequential_sum(self.performance[placed]) / n if n else None,
                "revenue": _sequential_sum(revenue), "counts": counts}


def _sequential_sum(values: np.ndarray) -> float:
    """Σ values added left to right, as Python's `sum` does (np.sum adds pairwise, which can differ in the
    last bit and move a customer lying on a quadrant line)."""
    return float(np.cumsum(values)[-1]) if len(values) else 0.0


def grid_positions(grid: ScoringGrid, metrics: MetricColumns, *, period: dt.date) -> GridPositions:
    """Every party of `metrics`: criterion scores, weighted potential and performance, and, for the placed
    ones, share of revenue, quadrant, strategy and policy against the averages of the whole population."""
    empty = np.zeros(0, dtype=np.int64)
    entered = _entered_columns(grid) if len(metrics) else [empty, empty, empty]
    return positions_of(list(grid.criteria.all()), metrics, entered, grid_id=grid.pk, period=period)


def positions_of(criteria: Sequence[Criterion], metrics: MetricColumns,
                 entered: Sequence[np.ndarray], *, grid_id: int, period: dt.date,
                 ) -> GridPositions:
    """`grid_positions` without the database: `criteria` in the grid's order, `entered` the (criterion
    id, party id, score) arrays of the entered scores."""
    n = len(metrics)
    scores = np.array([criterion_scores(c, metrics, entered) for c in criteria], dtype=np.int64).reshape(-1, n)
    weighted = []
    for group in GROUPS:
        total, weight = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        for c, row in zip(criteria, scores, strict=True):
            if c.group == group:
                total += c.coefficient * row
                weight += c.coefficient * (row > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            weighted.append(np.where(weight > 0, total / np.maximum(weight, 1), np.nan))
    potential, performance = weighted
    # money as rounded floats: COPY and the ORM both store them exactly in the numeric columns
    revenue = [round(v, 2) for v in metrics.metric("revenue_12m").tolist()]
    placed = ~np.isnan(potential) & ~np.isnan(performance)
    share, quadrant = np.zeros(n), np.full(n, "", dtype=object)
    if placed.any():
        x, y, money = potential[placed], performance[placed], np.asarray(revenue, dtype=np.float64)[placed]
        x_mean, y_mean = _sequential_sum(x) / len(x), _sequential_sum(y) / len(y)
        total = _sequential_sum(money)
        share[placed] = 100.0 * money / total if total > 0 else 0.0
        quadrant[placed] = np.where(y >= y_mean, "t", "b").astype(object) + np.where(x >= x_mean, "r", "l")
    return GridPositions(grid_id=grid_id, period=period, computed_at=timezone.now(), metrics=metrics,
                         codes=tuple(c.code for c in criteria), scores=scores, potential=potential,
                         performance=performance, revenue=revenue, placed=placed, share=share, quadrant=quadrant)


@dataclass(frozen=True)
class RunReport:
    period: dt.date
    grids: int
    customers: int
    radar_rows: int


@transaction.atomic
def _store_positions(grid: ScoringGrid, positions: GridPositions, *, period: dt.date,
                     progress: Progress | None) -> None:
    """Replace the grid's positions of `period` (a re-run of the same month overwrites it)."""
    replace_slice_columns(PortfolioPosition, where={"grid": grid, "period": period}, data=positions.columns(),
                          progress=progress)
    if not grid.last_period or grid.last_period <= period:
        summary = positions.summary()
        ScoringGrid.objects.filter(pk=grid.pk).update(last_period=period, summary=summary)
        grid.last_period, grid.summary = period, summary


def portfolio_run(*, as_of: dt.date | None = None, grids: Sequence[ScoringGrid] | None = None,
                  progress: Progress | None = None, on_total: Callable[[int], None] | None = None) -> RunReport:
    """Recompute and store every customer's positions for the month of `as_of` (default today) on
    each grid, then the RADAR results. Idempotent: running it twice in a month overwrites the month,
    so it is safe to retry. `progress(n)` is called as rows are written (`on_total` first gets the count)."""
    as_of = as_of or timezone.localdate()
    period = month_start(as_of)
    grids = list(grids) if grids is not None else list(ScoringGrid.objects.prefetch_related("criteria"))
    metrics = fetch_metric_columns(scored_population(), as_of=as_of)
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


def _take(values: np.ndarray, at: np.ndarray, default: Any) -> np.ndarray:
    """values[at], `default` where at is -1 (a `_lookup` miss)."""
    if not len(values):
        return np.full(len(at), default, dtype=object if isinstance(default, str) else np.result_type(default))
    return np.where(at >= 0, values[at.clip(0)], default)


def _default_positions(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quadrant ("" when none), potential and equipment rate (NaN when none) of each party of `ids` on the
    default grid's last computed month."""
    grid = ScoringGrid.objects.filter(is_default=True).first()
    if grid is None or grid.last_period is None:
        return np.full(len(ids), "", dtype=object), np.full(len(ids), np.nan), np.full(len(ids), np.nan)
    query = PortfolioPosition.objects.filter(grid=grid, period=grid.last_period).order_by()
    # numbers only through COPY → Arrow: the quadrant as its index in `labels`, NULLs as flags
    labels = np.array(["", *Quadrant.values], dtype=object)

    def null_flag(field: str) -> Case:
        return Case(When(**{f"{field}__isnull": True}, then=Value(1)), default=Value(0), output_field=IntegerField())

    coded = query.annotate(quadrant_no=Case(*(When(quadrant=q, then=Value(i)) for i, q in enumerate(labels) if q),
                                            default=Value(0), output_field=IntegerField()),
                           potential_null=null_flag("potential"), equipment_null=null_flag("equipment_rate"))
    party, quadrant_no, pot, pot_null, eq, eq_null = query_columns(coded.values_list(
        "party_id", "quadrant_no", "potential", "potential_null", "equipment_rate", "equipment_null"),
        ["int", "int", "float", "int", "float", "int"])
    quadrants = labels[quadrant_no]
    at = lookup(party, ids)
    quadrant = _take(quadrants, at, "")
    potential = np.where(_take(pot_null, at, 1) > 0, np.nan, _take(pot, at, 0.0))
    equipment = np.where(_take(eq_null, at, 1) > 0, np.nan, _take(eq, at, 0.0))
    return quadrant, potential, equipment


def radar_year_columns(*, year: int, as_of: dt.date) -> dict[str, list[Any]]:
    """The RADAR rows of `year` as columns (`RADAR_COLUMNS`, one value per party, None for NULL): one per
    customer, and per prospect with a purchase potential. TCC uses the calendar year's sales in the families with a potential;
    revenue and previous revenue the 12 months ending at the year's end (or `as_of`) and the 12 before.
    Money is rounded to the cent."""
    population = radar_population().filter(Q(stage__in=[Stage.CUSTOMER, Stage.FORMER])
                                           | Q(pk__in=PurchasePotential.objects.filter(year=year).values("party_id")))
    (ids,) = query_columns(population.values_list("pk"), ["int"])
    n = len(ids)
    pot_party, pot_family, pot_amount = query_columns(PurchasePotential.objects.filter(
        year=year, party__in=radar_population().values("pk")).values_list("party_id", "family_id", "amount"),
        ["int", "int", "float"])
    # per party, sums taken in the potentials' order, one family after the other (np.add.at adds in order)
    pot_at = lookup(ids, pot_party)
    on = pot_at >= 0
    pot_at, pot_family, pot_amount = pot_at[on], pot_family[on], pot_amount[on]
    sale_party, sale_family, sale_total = yearly_sales(population.values("pk"), year=year)
    width = int(max(pot_family.max(initial=0), sale_family.max(initial=0))) + 1
    sale_at = lookup(sale_party * width + sale_family, ids[pot_at] * width + pot_family)
    ours, total, has_potential = np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool)
    np.add.at(ours, pot_at, _take(sale_total, sale_at, 0.0))
    np.add.at(total, pot_at, pot_amount)
    has_potential[pot_at] = True
    rate = np.full(n, np.nan)
    known = has_potential & (total > 0)
    rate[known] = ours[known] / total[known]
    year_end = min(dt.date(year, 12, 31), as_of)
    recent_from = year_before(year_end)
    last_party, last_day, recent, before = purchases_until(population.values("pk"), until=year_end)
    at = lookup(last_party, ids)
    ever = at >= 0
    recently = ever & (_take(last_day, at, 0) > (recent_from - EPOCH).days)
    strategy = np.select(
        [~ever, ~recently, np.isnan(rate), rate < scoring.TCC_DEVELOP_BELOW, rate < scoring.TCC_RETAIN_FROM],
        [RadarStrategy.ACQUIRE.value, RadarStrategy.REACTIVATE.value, "", RadarStrategy.DEVELOP.value,
         RadarStrategy.ACCOMPANY.value], RadarStrategy.RETAIN.value)
    revenue, previous = _take(recent, at, 0.0), _take(before, at, 0.0)
    quadrant, potential, equipment = _default_positions(ids)
    now = [timezone.now()] * n
    # money as rounded floats: COPY and the ORM both store them exactly in the numeric columns
    return {"party_id": ids.tolist(), "year": [year] * n, "our_sales": [round(v, 2) for v in ours.tolist()],
            "purchase_potential": [round(v, 2) if h else None
                                   for v, h in zip(total.tolist(), has_potential.tolist(), strict=True)],
            "tcc": _or_none(rate), "revenue": [round(v, 2) for v in revenue.tolist()],
            "previous_revenue": [round(v, 2) for v in previous.tolist()], "strategy": strategy.tolist(),
            "quadrant": quadrant.tolist(), "potential": _or_none(potential), "equipment_rate": _or_none(equipment),
            "created_at": now, "updated_at": now}


@transaction.atomic
def radar_run(*, as_of: dt.date, years: Sequence[int] | None = None) -> int:
    """Store the RADAR rows of `years` (default: the year of `as_of` and every year with a potential)."""
    if years is None:
        years = sorted(set(PurchasePotential.objects.values_list("year", flat=True).distinct()) | {as_of.year})
    return sum(replace_slice_columns(RadarPosition, where={"year": year}, data=radar_year_columns(year=year, as_of=as_of))
               for year in years)
