"""Reads of portfolio management, each access-checked through the policies.

Scope: a user's figures cover `analytics_scope_filter` (reps and managers: their portfolio;
analysts, marketing, administrators: the whole base). Names and links to customer files appear only
for users `can_see_individuals_in_analytics` allows; analysts get the same points without them.
Quadrant lines on a page are the averages of the customers shown (the user's portfolio); the stored
quadrant and strategy of each position use the averages of the whole base at the run.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core.errors import ValidationFailed
from fidelia.parties.models import Party
from fidelia.parties.selectors import party_get_for_user
from fidelia.portfolio import scoring
from fidelia.portfolio.enums import (
    QUADRANT_STRATEGY,
    Quadrant,
    RadarStrategy,
    RelationshipPolicy,
    ValueStrategy,
)
from fidelia.portfolio.models import (
    EnteredScore,
    PortfolioPosition,
    PurchasePotential,
    RadarPosition,
    ScoringGrid,
)
from fidelia.sales.models import Transaction

# Seeded names (migration 0002), in the catalogue so that pages translate them while unchanged.
SEEDED_NAMES = (gettext_noop("Customer value (potential × performance)"),
                gettext_noop("FIOCA (strategic importance × relationship difficulty)"),
                gettext_noop("Sector attractiveness"), gettext_noop("Technology level"),
                gettext_noop("Customer's turnover (company size)"), gettext_noop("12-month purchase frequency"),
                gettext_noop("Derived market type"), gettext_noop("Sales made with the customer"),
                gettext_noop("Seniority"), gettext_noop("Equipment rate"), gettext_noop("Annual production capacity"),
                gettext_noop("Ease of commercial terms (5 = easy)"), gettext_noop("Strategic importance"),
                gettext_noop("Difficulty of the relationship"))

# Axes a matrix can use: stored position fields; "c:<code>" is a criterion's 1–5 score.
AXES: dict[str, Any] = {
    "potential": gettext_lazy("Potential (weighted score)"),
    "performance": gettext_lazy("Performance (weighted score)"),
    "revenue": gettext_lazy("Revenue, 12 months (€)"),
    "margin": gettext_lazy("Current profitability: margin, 12 months (€)"),
    "frequency": gettext_lazy("Loyalty: purchases, 12 months"),
    "seniority": gettext_lazy("Seniority (years)"),
    "equipment_rate": gettext_lazy("Equipment rate"),
}


SCORE_AXES = frozenset({"potential", "performance"})


@dataclass(frozen=True)
class Preset:
    key: str
    label: Any
    x: str
    y: str
    grid: str  # grid code; "" = the default grid
    quadrants: dict[str, Any]


VALUE_QUADRANTS = {
    "tr": gettext_lazy("Loyalty strategy · loyalty policy"),
    "br": gettext_lazy("Multi-equipment strategy · reconquest policy"),
    "tl": gettext_lazy("Retention strategy · rationalisation policy"),
    "bl": gettext_lazy("Termination strategy · abandonment policy"),
}
PRESETS: dict[str, Preset] = {p.key: p for p in (
    Preset("value", gettext_lazy("Customer value: potential × performance"), "potential", "performance", "",
           VALUE_QUADRANTS),
    Preset("revenue_margin", gettext_lazy("Revenue × current profitability"), "revenue", "margin", "", {
        "tr": gettext_lazy("Key accounts: large and profitable"), "tl": gettext_lazy("Small but profitable: grow volume"),
        "br": gettext_lazy("Large but unprofitable: renegotiate"), "bl": gettext_lazy("Small, unprofitable: serve at low cost")}),
    Preset("potential_loyalty", gettext_lazy("Potential × loyalty"), "potential", "frequency", "", {
        "tr": gettext_lazy("Loyal with potential: invest"), "tl": gettext_lazy("Loyal, little potential: maintain"),
        "br": gettext_lazy("Potential, not loyal: win over"), "bl": gettext_lazy("Neither: minimal effort")}),
    Preset("fioca", gettext_lazy("FIOCA: strategic importance × relationship difficulty"), "c:strategic_importance",
           "c:relationship_difficulty", "fioca", {
               "tr": gettext_lazy("Strategic and difficult: dedicated team"),
               "tl": gettext_lazy("Difficult, not strategic: rationalise"),
               "br": gettext_lazy("Strategic and easy: develop"), "bl": gettext_lazy("Easy, not strategic: routine")}),
    Preset("dubinsky_ingram", gettext_lazy("Dubinsky & Ingram: current × potential profitability"), "margin",
           "potential", "", {
               "tr": gettext_lazy("Profitable now and later: invest"), "tl": gettext_lazy("Future profitability: develop"),
               "br": gettext_lazy("Profitable now, little future: harvest"), "bl": gettext_lazy("Neither: reduce effort")}),
)}


def analytics_parties(user: User) -> QuerySet[Party]:
    """The parties whose figures feed `user`'s portfolio pages (none without analytics rights)."""
    scope = policies.analytics_scope_filter(user)
    if scope is None:
        return Party.objects.none()
    return Party.objects.filter(scope, erased_at__isnull=True)


def require_analytics(user: User) -> None:
    if not policies.can_view_analytics(user):
        raise Http404


def grids_for_user(user: User) -> QuerySet[ScoringGrid]:
    if not policies.can_view_analytics(user):
        return ScoringGrid.objects.none()
    return ScoringGrid.objects.all()


def grid_get_for_user(*, user: User, key: Any = None) -> ScoringGrid:
    """The grid by id or code; the default grid when `key` is empty. Http404 otherwise."""
    grids = grids_for_user(user)
    if key in (None, ""):
        grid = grids.filter(is_default=True).first() or grids.first()
    elif str(key).isdigit():
        grid = grids.filter(pk=int(str(key)[:18])).first()
    else:
        grid = grids.filter(code=str(key)[:40]).first()
    if grid is None:
        raise Http404
    return grid


def axis_label(grid: ScoringGrid, axis: str) -> str:
    if axis in AXES:
        return str(AXES[axis])
    code = axis.removeprefix("c:")
    criterion = next((c for c in grid.criteria.all() if c.code == code), None)
    return _(criterion.name) if criterion else axis


def axis_choices(grid: ScoringGrid) -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in AXES.items()] + [(f"c:{c.code}", _(c.name)) for c in grid.criteria.all()]


def axis_value(row: dict[str, Any], axis: str) -> float | None:
    if axis.startswith("c:"):
        value = (row.get("scores") or {}).get(axis[2:])
    else:
        value = row.get(axis)
    return None if value is None else float(value)


ROW_FIELDS = ["party_id", "party__display_name", "period", "potential", "performance", "revenue", "margin",
              "frequency", "seniority", "equipment_rate", "scores", "quadrant", "strategy", "policy"]


@dataclass
class MatrixPoint:
    party_id: int | None
    name: str
    url: str | None
    x: float
    y: float
    revenue: float
    share: float
    diameter: float
    quadrant: str
    strategy: str
    policy: str


@dataclass
class Matrix:
    grid: ScoringGrid
    period: dt.date | None
    x: str
    y: str
    x_label: str
    y_label: str
    x_mean: float | None
    y_mean: float | None
    quadrant_labels: dict[str, str]
    points: list[MatrixPoint]
    unplaced: int
    named: bool
    counts: dict[str, int] = field(default_factory=dict)
    placed: int = 0
    paths: list[dict[str, Any]] = field(default_factory=list)

    def chart(self) -> dict[str, Any]:
        """The JSON of the `bubble-matrix` chart kind."""
        def extent(axis: str) -> list[float] | None:
            # 1–5 scores keep the whole scale (with room for the bubbles); figures scale to the data
            return [0.5, 5.5] if axis in SCORE_AXES or axis.startswith("c:") else None
        return {"x_label": self.x_label, "y_label": self.y_label, "x_mean": self.x_mean, "y_mean": self.y_mean,
                "x_range": extent(self.x), "y_range": extent(self.y),
                "quadrants": self.quadrant_labels or None,
                "points": [{"name": p.name, "x": p.x, "y": p.y, "size": p.diameter, "url": p.url,
                            "group": self.quadrant_labels.get(p.quadrant) or p.quadrant} for p in self.points],
                "paths": self.paths}


def _positions(user: User, grid: ScoringGrid, period: dt.date | None) -> QuerySet[PortfolioPosition]:
    scope = policies.analytics_scope_filter(user)
    rows = PortfolioPosition.objects.filter(grid=grid, period=period or grid.last_period)
    if scope is None:
        return rows.none()
    if not scope:  # whole-base users need no join: erasure deletes an anonymised customer's positions
        return rows
    # a portfolio is small next to the base: its ids first, then the (party, grid, period) index
    return rows.filter(party_id__in=list(analytics_parties(user).values_list("pk", flat=True)))


def check_axis(grid: ScoringGrid, axis: str, name: str) -> str:
    if axis in AXES or axis in {f"c:{c.code}" for c in grid.criteria.all()}:
        return axis
    message = _("“%(value)s” is not an axis of this grid.") % {"value": axis[:60]}
    raise ValidationFailed(message, fields={name: [message]})


MAX_POINTS = 2000  # bubbles drawn and rows listed: the largest customers by revenue; figures cover everyone


def _axis_expr(axis: str) -> Any:
    if axis.startswith("c:"):
        return Cast(KeyTextTransform(axis[2:], "scores"), FloatField())
    return Cast(F(axis), FloatField())


def _quadrant_q(key: str, x_mean: float, y_mean: float) -> Q:
    """The SQL side of `scoring.quadrant_of` (a value equal to the average counts as high)."""
    vertical = Q(yv__gte=y_mean) if key[0] == "t" else Q(yv__lt=y_mean)
    return vertical & (Q(xv__gte=x_mean) if key[1] == "r" else Q(xv__lt=x_mean))


def _stored_summary(user: User, grid: ScoringGrid, x: str, y: str, period: dt.date | None) -> dict[str, Any] | None:
    """The run's whole-base figures when they answer this read exactly: a whole-base user, the
    potential × performance axes and the last computed month."""
    summary = grid.summary or {}
    if (policies.analytics_scope_filter(user) != Q() or (x, y) != ("potential", "performance")
            or grid.last_period is None or (period and period != grid.last_period)
            or summary.get("period") != grid.last_period.isoformat()):
        return None
    return summary


def portfolio_matrix(*, user: User, grid: ScoringGrid, x: str = "potential", y: str = "performance",
                     period: dt.date | None = None, quadrants: dict[str, Any] | None = None,
                     quadrant: str = "", limit: int = MAX_POINTS) -> Matrix:
    """The customers of the user's scope on the (x, y) matrix of `grid` for `period` (default: the last
    computed month), with quadrant lines at the averages of these customers and d = ½·√n (n = share of
    their revenue). Averages, counts and shares are aggregated in SQL over every placed customer; the
    points returned are the `limit` largest by revenue (optionally of one quadrant). Three queries."""
    x, y = check_axis(grid, x, "x"), check_axis(grid, y, "y")
    named = policies.can_see_individuals_in_analytics(user)
    base = _positions(user, grid, period).annotate(xv=_axis_expr(x), yv=_axis_expr(y))
    placed_q = Q(xv__isnull=False, yv__isnull=False)
    stored = _stored_summary(user, grid, x, y, period)
    if stored:
        agg = {"rows": stored["rows"], "placed": stored["placed"], "x_mean": stored["x_mean"],
               "y_mean": stored["y_mean"], "revenue": stored["revenue"]}
    else:
        agg = base.aggregate(rows=Count("pk"), placed=Count("pk", filter=placed_q), x_mean=Avg("xv", filter=placed_q),
                             y_mean=Avg("yv", filter=placed_q), revenue=Sum("revenue", filter=placed_q))
    placed = base.filter(placed_q)
    x_mean, y_mean, total = agg["x_mean"], agg["y_mean"], float(agg["revenue"] or 0)
    counts = {q: 0 for q in Quadrant.values}
    if agg["placed"]:
        counts = stored["counts"] if stored else placed.aggregate(
            **{q: Count("pk", filter=_quadrant_q(q, x_mean, y_mean)) for q in Quadrant.values})
        if quadrant in Quadrant.values:
            placed = placed.filter(_quadrant_q(quadrant, x_mean, y_mean))
    rows = placed.order_by("-revenue", "party_id").values("party_id", "party__display_name", "xv", "yv",
                                                          "revenue")[:limit] if agg["placed"] else []
    value_matrix = (x, y) == ("potential", "performance")
    labels = {k: str(v) for k, v in (quadrants if quadrants is not None else
                                     (VALUE_QUADRANTS if value_matrix else {})).items()}
    points = []
    for i, row in enumerate(rows, start=1):
        share = 100.0 * float(row["revenue"]) / total if total > 0 else 0.0
        where = scoring.quadrant_of(row["xv"], row["yv"], x_mean, y_mean)
        strategy, policy = QUADRANT_STRATEGY[where] if value_matrix else ("", "")
        pk = row["party_id"]
        points.append(MatrixPoint(
            party_id=pk if named else None, name=row["party__display_name"] if named else _("Customer %(n)s") % {"n": i},
            url=reverse("parties:detail", args=[pk]) if named else None, x=row["xv"], y=row["yv"],
            revenue=float(row["revenue"]), share=share, diameter=scoring.bubble_diameter(share), quadrant=where,
            strategy=strategy, policy=policy))
    return Matrix(grid=grid, period=period or grid.last_period, x=x, y=y, x_label=axis_label(grid, x),
                  y_label=axis_label(grid, y), x_mean=x_mean, y_mean=y_mean, quadrant_labels=labels,
                  points=points, unplaced=agg["rows"] - agg["placed"], named=named, counts=counts,
                  placed=agg["placed"])


def customer_trajectory(*, user: User, party_id: Any, grid: ScoringGrid, x: str = "potential",
                        y: str = "performance") -> dict[str, Any]:
    """A customer's path across the (x, y) matrix, one point per computed month. Http404 for a party
    the user may not read (analysts included: a path is about one person)."""
    require_analytics(user)
    party = party_get_for_user(user=user, pk=party_id)
    x, y = check_axis(grid, x, "x"), check_axis(grid, y, "y")
    rows = PortfolioPosition.objects.filter(grid=grid, party=party).order_by("period").values(*ROW_FIELDS)
    points = [[axis_value(r, x), axis_value(r, y), f"{r['period']:%Y-%m}"] for r in rows]
    return {"name": party.display_name, "party_id": party.pk,
            "points": [p for p in points if p[0] is not None and p[1] is not None]}


def periods(grid: ScoringGrid) -> list[dt.date]:
    return list(PortfolioPosition.objects.filter(grid=grid).values_list("period", flat=True)
                .distinct().order_by("-period"))


def quadrant_migration(*, user: User, grid: ScoringGrid, before: dt.date, after: dt.date) -> dict[str, Any]:
    """How the user's customers moved between value quadrants (stored at each run) from one month to another."""
    def quadrants(period: dt.date) -> dict[int, str]:
        return dict(_positions(user, grid, period).exclude(quadrant="").values_list("party_id", "quadrant"))
    table = scoring.migration_table(quadrants(before), quadrants(after))
    return {"before": before, "after": after, "quadrants": Quadrant.values,
            "rows": [[q, [table[(q, r)] for r in Quadrant.values]] for q in Quadrant.values]}


# --- RADAR and TCC -------------------------------------------------------------------------------


@dataclass
class RadarSegment:
    key: str
    label: str
    customers: int
    our_sales: float
    potential: float
    revenue: float
    tcc: float | None
    objective: float | None  # mean potential score: the relational objective (future value)
    strategy: str


@dataclass
class RadarView:
    year: int
    named: bool
    rows: list[dict[str, Any]]
    segments: list[RadarSegment]
    strategy_counts: dict[str, int]
    regression_rate: float | None
    equipment_rate: float | None
    portfolio_tcc: float | None

    def chart(self) -> dict[str, Any]:
        points = [s for s in self.segments if s.tcc is not None and s.objective is not None]
        return {"x_label": _("TCC (our share of their purchases, %)"),
                "y_label": _("Relational objective (mean potential score)"),
                "x_mean": None, "y_mean": None, "x_range": [0, 100], "y_range": [1, 5], "quadrants": None,
                "points": [{"name": s.label, "x": round(100 * s.tcc, 2), "y": s.objective,  # type: ignore[operator]
                            "size": scoring.bubble_diameter(s.revenue), "url": None,
                            "group": str(RadarStrategy(s.strategy).label) if s.strategy else None} for s in points],
                "paths": []}


def radar_years() -> list[int]:
    return list(RadarPosition.objects.values_list("year", flat=True).distinct().order_by("-year"))


def _segment_strategy(votes: dict[str, int], tcc: float | None) -> str:
    """A segment's strategy: the one most of its customers get; a tie goes to the RADAR rule applied
    to the segment's aggregate TCC when that is one of the tied strategies, else to the first by name."""
    votes = {s: n for s, n in votes.items() if s and n}
    if not votes:
        return ""
    top = max(votes.values())
    tied = sorted(s for s, n in votes.items() if n == top)
    by_rule = scoring.radar_strategy(ever_bought=True, bought_recently=True, tcc_value=tcc)
    return by_rule if len(tied) > 1 and by_rule in tied else tied[0]


def _scoped(qs: QuerySet[Any], user: User) -> QuerySet[Any]:
    """`qs` (rows with a party_id) limited to the user's analytics scope; see `_positions`."""
    scope = policies.analytics_scope_filter(user)
    if scope is None:
        return qs.none()
    return qs.filter(party_id__in=list(analytics_parties(user).values_list("pk", flat=True))) if scope else qs


def radar_overview(*, user: User, year: int | None = None, limit: int = MAX_POINTS) -> RadarView:
    """TCC per customer (the `limit` largest by revenue), segments (the value quadrants of the default
    grid) placed by TCC and relational objective, strategies and indicators over the user's scope, all
    aggregated in SQL from the stored RADAR rows. Five queries."""
    require_analytics(user)
    years = radar_years()
    year = year or (years[0] if years else dt.date.today().year)
    named = policies.can_see_individuals_in_analytics(user)
    base = _scoped(RadarPosition.objects.filter(year=year), user)
    known = Q(purchase_potential__isnull=False)
    rows = list(base.order_by("-revenue", "party_id").values(
        "party_id", "party__display_name", "our_sales", "purchase_potential", "tcc", "revenue", "strategy",
        "quadrant")[:limit])
    for i, r in enumerate(rows, start=1):
        if not named:
            r["party_id"], r["party__display_name"] = None, _("Customer %(n)s") % {"n": i}
    votes: dict[str, dict[str, int]] = {}
    for r in base.values("quadrant", "strategy").annotate(n=Count("pk")).order_by():
        votes.setdefault(r["quadrant"], {})[r["strategy"]] = r["n"]
    totals = base.aggregate(ours=Sum("our_sales", filter=known), total=Sum("purchase_potential"),
                            previous=Count("pk", filter=Q(previous_revenue__gt=0)),
                            regressed=Count("pk", filter=Q(previous_revenue__gt=0, revenue__lt=F("previous_revenue"))),
                            equipment=Avg("equipment_rate"))
    strategy_counts = {s: sum(v.get(s, 0) for v in votes.values()) for s in RadarStrategy.values}
    return RadarView(year=year, named=named, rows=rows, segments=_segments(base, votes),
                     strategy_counts=strategy_counts,
                     regression_rate=_ratio(totals["regressed"], totals["previous"]), equipment_rate=totals["equipment"],
                     portfolio_tcc=_ratio(float(totals["ours"] or 0), float(totals["total"] or 0)))


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _segments(base: QuerySet[RadarPosition], votes: dict[str, dict[str, int]]) -> list[RadarSegment]:
    labels = {q: str(VALUE_QUADRANTS[q]) for q in Quadrant.values} | {"": _("Not scored")}
    known = Q(purchase_potential__isnull=False)
    rows = {r["quadrant"]: r for r in base.values("quadrant").annotate(
        customers=Count("pk"), ours=Sum("our_sales", filter=known), total=Sum("purchase_potential"),
        revenue=Sum("revenue"), objective=Avg("potential")).order_by()}
    segments = []
    for key, label in labels.items():
        r = rows.get(key)
        if not r:
            continue
        ours, total = float(r["ours"] or 0), float(r["total"] or 0)
        segments.append(RadarSegment(key=key, label=label, customers=r["customers"], our_sales=ours, potential=total,
                                     revenue=float(r["revenue"] or 0), tcc=_ratio(ours, total),
                                     objective=r["objective"], strategy=_segment_strategy(votes.get(key, {}),
                                                                                           _ratio(ours, total))))
    return segments


def purchase_potentials(*, user: User, party: Party) -> list[dict[str, Any]]:
    """The entered potentials of a party the caller already read through `party_get_for_user`, with TCC."""
    rows = list(PurchasePotential.objects.filter(party=party).select_related("family", "entered_by"))
    sales = {(r["date__year"], r["product__family_id"]): float(r["total"]) for r in
             Transaction.objects.filter(party=party).values("date__year", "product__family_id")
             .annotate(total=Sum("amount"))}
    return [{"id": p.pk, "family_id": p.family_id, "family": p.family.name, "year": p.year, "amount": p.amount,
             "our_sales": sales.get((p.year, p.family_id), 0.0),
             "tcc": scoring.tcc(sales.get((p.year, p.family_id), 0.0), float(p.amount)),
             "entered_by": str(p.entered_by or ""), "entered_at": p.entered_at} for p in rows]


def customer_portfolio(user: User, party_id: Any) -> dict[str, Any]:
    """What the 360 page shows: per grid, the latest position (scores, quadrant, strategy, policy) and
    the path over the months; RADAR rows per year; entered purchase potentials with TCC.
    Http404 when the user may not read the party; positions and RADAR rows are analytics, so users
    without analytics (the call centre, the DPO) get the purchase potentials only."""
    party = party_get_for_user(user=user, pk=party_id)
    if not policies.can_view_analytics(user):
        return {"party_id": party.pk, "grids": [], "radar": [], "potentials": purchase_potentials(user=user, party=party)}
    positions = PortfolioPosition.objects.filter(party=party).select_related("grid").order_by("grid_id", "period")
    grids: dict[int, dict[str, Any]] = {}
    for p in positions:
        entry = grids.setdefault(p.grid_id, {"grid": p.grid.code, "name": _(p.grid.name), "path": []})
        entry["path"].append({"period": p.period, "potential": p.potential, "performance": p.performance,
                              "quadrant": p.quadrant})
        entry["latest"] = {"period": p.period, "potential": p.potential, "performance": p.performance,
                           "scores": p.scores, "quadrant": p.quadrant,
                           "quadrant_label": str(Quadrant(p.quadrant).label) if p.quadrant else "",
                           "strategy": p.strategy,
                           "strategy_label": str(ValueStrategy(p.strategy).label) if p.strategy else "",
                           "policy": p.policy,
                           "policy_label": str(RelationshipPolicy(p.policy).label) if p.policy else "",
                           "revenue_share": p.revenue_share}
    radar = list(RadarPosition.objects.filter(party=party).order_by("-year").values(
        "year", "our_sales", "purchase_potential", "tcc", "strategy"))
    return {"party_id": party.pk, "grids": list(grids.values()), "radar": radar,
            "potentials": purchase_potentials(user=user, party=party)}


def entered_scores(party: Party) -> dict[int, int]:
    """{criterion id: score} of a party the caller already read through `party_get_for_user`."""
    return dict(EnteredScore.objects.filter(party=party).values_list("criterion_id", "score"))
