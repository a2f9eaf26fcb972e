"""Service dashboards: every figure computed by the database (`dashboard`), in four aggregate queries
on PostgreSQL (five on SQLite, whose medians are read from the sorted durations), whatever the number
of cases. `fetch` + `compute` derive the same figures in plain Python from the period's rows: the
reference the SQL is tested against, and the definitions tested without a database.

Figures: volume by category and channel, first-response and resolution time distributions (wall-clock
hours), SLA compliance, reopen rate, CSAT per month (surveys), observed shares of the course's eight
critical-incident types among complaints vs the reference shares, and complaint resolution speed vs
customers lost within six months after the resolution (the customer became a former customer, or a
contract of theirs ended or was cancelled in those six months).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Case,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Substr, TruncDate, TruncMonth
from django.db.models.lookups import GreaterThanOrEqual, LessThan

from fidelia.service.enums import REFERENCE_SHARES, CaseCategory, CaseChannel, CaseKind

HOUR_BUCKETS: tuple[tuple[float, str], ...] = ((1, "< 1 h"), (4, "1–4 h"), (8, "4–8 h"), (24, "8–24 h"),
                                               (72, "1–3 d"), (168, "3–7 d"), (float("inf"), "> 7 d"))
SPEED_BUCKETS: tuple[tuple[float, str], ...] = ((24, "≤ 1 d"), (72, "1–3 d"), (168, "3–7 d"), (float("inf"), "> 7 d"))
LOST_WINDOW = dt.timedelta(days=183)


@dataclass
class CaseRow:
    id: int
    kind: str
    category: str
    channel: str
    opened_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    reopen_count: int
    has_sla: bool
    breached: bool
    party_id: int | None


@dataclass
class Dashboard:
    total: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    first_response_hist: list[int] = field(default_factory=list)
    resolution_hist: list[int] = field(default_factory=list)
    median_first_response_h: float | None = None
    median_resolution_h: float | None = None
    sla_compliance: float | None = None          # % of cases under an SLA that met every target
    reopen_rate: float | None = None             # % of resolved cases reopened at least once
    complaints: int = 0
    incident_shares: list[tuple[str, float, float]] = field(default_factory=list)  # category, observed %, ref %
    speed_vs_lost: list[tuple[str, int, int, float | None]] = field(default_factory=list)  # bucket, n, lost, %
    csat_by_month: list[tuple[str, float, int]] = field(default_factory=list)  # YYYY-MM, mean, answers


def _hours(a: dt.datetime, b: dt.datetime | None) -> float | None:
    return None if b is None else max(0.0, (b - a).total_seconds() / 3600)


def _bucket(hours: float, buckets: tuple[tuple[float, str], ...]) -> int:
    return next(i for i, (limit, _) in enumerate(buckets) if hours < limit or limit == float("inf"))


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def compute(rows: list[CaseRow], *, lost: dict[int, list[dt.date]] | None = None, former: set[int] | None = None,
            csat: list[tuple[dt.datetime, int, str]] | None = None) -> Dashboard:
    """The dashboard of `rows`. `lost` maps a party to the dates its contracts ended; `former` holds the
    parties now former customers; `csat` lists (answered_at, score 1–5, reference)."""
    lost, former, csat = lost or {}, former or set(), csat or []
    d = Dashboard(total=len(rows))
    cats = Counter(r.category for r in rows)
    d.by_category = [(c, cats[c]) for c in CaseCategory.values if cats[c]]
    chans = Counter(r.channel for r in rows)
    d.by_channel = [(c, chans[c]) for c in CaseChannel.values if chans[c]]
    first = [h for r in rows if (h := _hours(r.opened_at, r.first_response_at)) is not None]
    resolution = [h for r in rows if (h := _hours(r.opened_at, r.resolved_at)) is not None]
    d.first_response_hist = _hist(first, HOUR_BUCKETS)
    d.resolution_hist = _hist(resolution, HOUR_BUCKETS)
    d.median_first_response_h, d.median_resolution_h = _median(first), _median(resolution)
    under_sla = [r for r in rows if r.has_sla]
    if under_sla:
        d.sla_compliance = 100 * sum(not r.breached for r in under_sla) / len(under_sla)
    resolved = [r for r in rows if r.resolved_at is not None or r.reopen_count]
    if resolved:
        d.reopen_rate = 100 * sum(r.reopen_count > 0 for r in resolved) / len(resolved)
    complaints = [r for r in rows if r.kind == CaseKind.COMPLAINT]
    d.complaints = len(complaints)
    if complaints:
        cc = Counter(r.category for r in complaints)
        d.incident_shares = [(c, 100 * cc[c] / len(complaints), 100 * ref) for c, ref in REFERENCE_SHARES.items()]
    d.speed_vs_lost = _speed_vs_lost(complaints, lost, former)
    d.csat_by_month = _csat_months(csat)
    return d


def _hist(values: list[float], buckets: tuple[tuple[float, str], ...]) -> list[int]:
    counts = [0] * len(buckets)
    for v in values:
        counts[_bucket(v, buckets)] += 1
    return counts


def _speed_vs_lost(complaints: list[CaseRow], lost: dict[int, list[dt.date]],
                   former: set[int]) -> list[tuple[str, int, int, float | None]]:
    n = [0] * len(SPEED_BUCKETS)
    k = [0] * len(SPEED_BUCKETS)
    for r in complaints:
        hours = _hours(r.opened_at, r.resolved_at)
        if hours is None or r.party_id is None:
            continue
        i = _bucket(hours, SPEED_BUCKETS)
        n[i] += 1
        start = r.resolved_at.date()  # type: ignore[union-attr]
        ended = any(start <= day <= start + LOST_WINDOW for day in lost.get(r.party_id, ()))
        k[i] += ended or r.party_id in former
    return [(label, n[i], k[i], (100 * k[i] / n[i]) if n[i] else None) for i, (_, label) in enumerate(SPEED_BUCKETS)]


def _csat_months(answers: list[tuple[dt.datetime, int, str]]) -> list[tuple[str, float, int]]:
    months: dict[str, list[int]] = defaultdict(list)
    for when, score, _ref in answers:
        if score is not None:
            months[f"{when:%Y-%m}"].append(int(score))
    return [(m, sum(v) / len(v), len(v)) for m, v in sorted(months.items())]


# --- the dashboard in SQL ------------------------------------------------------------------------

class _Median(Aggregate):
    """PostgreSQL's exact median (interpolated between the two middle values, nulls ignored)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


_ZERO = Value(dt.timedelta(0), output_field=DurationField())


def _duration(end: str) -> Case:
    """`end` − opened_at, never negative, null while `end` is (the wall-clock hours of `_hours`)."""
    return Case(When(**{f"{end}__lt": F("opened_at")}, then=_ZERO), default=F(end) - F("opened_at"),
                output_field=DurationField())


def _limit(hours: float) -> dt.timedelta:
    return dt.timedelta(hours=hours)


def _bucket_filters(end: str, buckets: tuple[tuple[float, str], ...]) -> list[Q]:
    """Per bucket, the condition that `end` − opened_at falls in it (`_bucket` of `_hours`): a negative
    duration lands in the first bucket as `_hours` clamps it to 0, a null `end` in none."""
    conditions, low = [], None
    elapsed = F(end) - F("opened_at")
    for limit, _label in buckets:
        q = Q()
        if low is not None:
            q &= Q(GreaterThanOrEqual(elapsed, _limit(low)))
        if limit != float("inf"):
            q &= Q(LessThan(elapsed, _limit(limit)))
        conditions.append(q)
        low = limit
    return conditions


def _hours_of(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 3600


def _median_hours(cases: QuerySet[Any], field_name: str, n: int) -> float | None:
    """Median of the `n` non-null durations `field_name`, from the sorted values (any database)."""
    if not n:
        return None
    ordered = cases.filter(**{f"{field_name}__isnull": False}).order_by(field_name).values_list(field_name, flat=True)
    middle = [_hours_of(v) or 0.0 for v in ordered[(n - 1) // 2: n // 2 + 1]]
    return sum(middle) / len(middle)


def dashboard(scope: Q, *, since: dt.datetime, until: dt.datetime) -> Dashboard:
    """The dashboard of the cases opened in [since, until) within `scope`, computed by the database:
    the same figures as `compute(*fetch(...))`, without loading the cases: conditional counts in one
    pass over the cases, counts per category, channel and kind in another, the medians, and the CSAT
    answers per month (SQLite reads the medians from the sorted durations instead)."""
    from fidelia.service.models import Case as CaseModel

    cases = CaseModel.objects.filter(scope, opened_at__gte=since, opened_at__lt=until)
    timed = cases.annotate(first_h=_duration("first_response_at"), resolution_h=_duration("resolved_at"))
    postgres = connections[cases.db].vendor == "postgresql"
    figures: dict[str, Any] = {
        "n": Count("id"),
        "under_sla": Count("id", filter=Q(sla_policy__isnull=False)),
        "sla_met": Count("id", filter=Q(sla_policy__isnull=False, first_response_breached=False,
                                        resolution_breached=False)),
        "resolved": Count("id", filter=Q(resolved_at__isnull=False) | Q(reopen_count__gt=0)),
        "reopened": Count("id", filter=Q(reopen_count__gt=0)),
        **{f"first{i}": Count("id", filter=q) for i, q in enumerate(_bucket_filters("first_response_at", HOUR_BUCKETS))},
        **{f"resolution{i}": Count("id", filter=q) for i, q in enumerate(_bucket_filters("resolved_at", HOUR_BUCKETS))},
        **_speed_counts(),
    }
    with transaction.atomic(using=cases.db):
        if postgres:
            with connections[cases.db].cursor() as cursor:
                # the planner prices the EXISTS as if run on every case (they run on a few complaints):
                # past 100k it would spend seconds compiling this wide aggregate (JIT) to save milliseconds
                cursor.execute("SET LOCAL jit = off")
        agg = cases.order_by().aggregate(**figures)
        groups = list(cases.order_by().values("category", "channel", "kind").annotate(n=Count("id")))
        total = agg["n"]
        if postgres and total:
            medians = cases.order_by().aggregate(first=_Median(_duration("first_response_at")),
                                                 resolution=_Median(_duration("resolved_at")))
        csat = _csat_sql(cases) if total else []
    d = Dashboard(total=total)
    per_category: Counter[str] = Counter()
    per_channel: Counter[str] = Counter()
    complaints: Counter[str] = Counter()
    for g in groups:
        per_category[g["category"]] += g["n"]
        per_channel[g["channel"]] += g["n"]
        if g["kind"] == CaseKind.COMPLAINT:
            complaints[g["category"]] += g["n"]
    d.complaints = sum(complaints.values())
    d.by_category = [(c, per_category[c]) for c in CaseCategory.values if per_category[c]]
    d.by_channel = [(c, per_channel[c]) for c in CaseChannel.values if per_channel[c]]
    d.first_response_hist = [agg[f"first{i}"] for i in range(len(HOUR_BUCKETS))]
    d.resolution_hist = [agg[f"resolution{i}"] for i in range(len(HOUR_BUCKETS))]
    if postgres and total:
        d.median_first_response_h = _hours_of(medians["first"])
        d.median_resolution_h = _hours_of(medians["resolution"])
    elif total:
        d.median_first_response_h = _median_hours(timed, "first_h", sum(d.first_response_hist))
        d.median_resolution_h = _median_hours(timed, "resolution_h", sum(d.resolution_hist))
    if agg["under_sla"]:
        d.sla_compliance = 100 * agg["sla_met"] / agg["under_sla"]
    if agg["resolved"]:
        d.reopen_rate = 100 * agg["reopened"] / agg["resolved"]
    if d.complaints:
        d.incident_shares = [(c, 100 * complaints[c] / d.complaints, 100 * ref) for c, ref in REFERENCE_SHARES.items()]
    d.speed_vs_lost = []
    for i, (_limit_h, label) in enumerate(SPEED_BUCKETS):
        n, k = agg[f"speed{i}"], agg[f"lost{i}"]
        d.speed_vs_lost.append((label, n, k, (100 * k / n) if n else None))
    d.csat_by_month = csat
    return d


def _speed_counts() -> dict[str, Count]:
    """Resolved complaints of a known customer per resolution-speed bucket, and how many of those
    customers were lost: an EXISTS on their ended or cancelled contracts from the resolution day (UTC,
    as `_speed_vs_lost`) to 183 days after, or on their being a former customer now. The EXISTS come
    last in each filter, so they run only for the complaints of the bucket."""
    from fidelia.parties.enums import Stage
    from fidelia.parties.models import Party
    from fidelia.sales.enums import ContractStatus
    from fidelia.sales.models import Contract

    day = TruncDate(ExpressionWrapper(OuterRef("resolved_at"), output_field=DateTimeField()), tzinfo=dt.UTC)
    ended = Contract.objects.filter(party_id=OuterRef("party_id"), end_date__isnull=False,
                                    status__in=[ContractStatus.ENDED, ContractStatus.CANCELLED], end_date__gte=day,
                                    end_date__lte=ExpressionWrapper(day + LOST_WINDOW, output_field=DateField()))
    former = Party.objects.filter(pk=OuterRef("party_id"), stage=Stage.FORMER)
    counts = {}
    for i, bucket in enumerate(_bucket_filters("resolved_at", SPEED_BUCKETS)):
        counted = Q(kind=CaseKind.COMPLAINT, resolved_at__isnull=False, party__isnull=False) & bucket
        counts[f"speed{i}"] = Count("id", filter=counted)
        counts[f"lost{i}"] = Count("id", filter=counted & (Exists(ended) | Exists(former)))
    return counts


def _csat_sql(cases: QuerySet[Any]) -> list[tuple[str, float, int]]:
    """Mean CSAT per month (UTC) of the answers whose reference names one of `cases` ("case:<id>"):
    the id read from the reference, then an EXISTS on the cases by primary key."""
    try:
        from fidelia.surveys.models import SurveyResponse
    except ImportError:
        return []
    case_id = Case(When(reference__regex=r"^case:[0-9]{1,18}$", then=Cast(Substr("reference", 6), BigIntegerField())),
                   default=None, output_field=BigIntegerField())
    months = (SurveyResponse.objects.filter(reference__startswith="case:", csat__isnull=False)
              .annotate(case_id=case_id).filter(Exists(cases.filter(pk=OuterRef("case_id"))))
              .annotate(month=TruncMonth("answered_at", tzinfo=dt.UTC)).order_by("month").values("month")
              .annotate(total=Sum("csat"), n=Count("id")).values_list("month", "total", "n"))
    return [(f"{month:%Y-%m}", total / n, n) for month, total, n in months]


# --- fetch ---------------------------------------------------------------------------------------

def fetch(scope: Q, *, since: dt.datetime, until: dt.datetime) -> tuple[list[CaseRow], dict[int, list[dt.date]],
                                                                        set[int], list[tuple[dt.datetime, int, str]]]:
    """The cases opened in [since, until) within `scope`, and what `compute` needs besides them."""
    from fidelia.parties.enums import Stage
    from fidelia.parties.models import Party
    from fidelia.sales.enums import ContractStatus
    from fidelia.sales.models import Contract
    from fidelia.service.models import Case

    values = (Case.objects.filter(scope, opened_at__gte=since, opened_at__lt=until)
              .values_list("id", "kind", "category", "channel", "opened_at", "first_response_at", "resolved_at",
                           "reopen_count", "sla_policy_id", "first_response_breached", "resolution_breached",
                           "party_id"))
    rows = [CaseRow(i, k, c, ch, o, f, r, n, pol is not None, fb or rb, p)
            for i, k, c, ch, o, f, r, n, pol, fb, rb, p in values.iterator(chunk_size=5000)]
    parties = {r.party_id for r in rows if r.kind == CaseKind.COMPLAINT and r.party_id and r.resolved_at}
    lost: dict[int, list[dt.date]] = defaultdict(list)
    former: set[int] = set()
    if parties:
        ids = list(parties)
        for party_id, end in (Contract.objects.filter(party_id__in=ids, end_date__isnull=False,
                                                      status__in=[ContractStatus.ENDED, ContractStatus.CANCELLED])
                              .values_list("party_id", "end_date")):
            lost[party_id].append(end)
        former = set(Party.objects.filter(pk__in=ids, stage=Stage.FORMER).values_list("pk", flat=True))
    return rows, dict(lost), former, _csat(rows)


def _csat(rows: list[CaseRow]) -> list[tuple[dt.datetime, int, str]]:
    try:
        from fidelia.surveys.selectors import csat_by_reference_prefix  # type: ignore[attr-defined]
    except ImportError:
        return []
    ids = {f"case:{r.id}" for r in rows}
    return [(when, score, ref) for when, score, ref in csat_by_reference_prefix("case:") if ref in ids]


def _short_labels() -> dict[str, Any]:
    from django.utils.translation import gettext_lazy as _

    return {
        CaseCategory.CORE_FAILURE: _("Core failure"), CaseCategory.FRONTLINE_CONFLICT: _("Staff conflict"),
        CaseCategory.PRICE: _("Price"), CaseCategory.INCONVENIENCE: _("Inconvenience"),
        CaseCategory.POOR_COMPLAINT_RESPONSE: _("Poor response"), CaseCategory.COMPETITOR: _("Competitor"),
        CaseCategory.ETHICAL: _("Ethics"), CaseCategory.INVOLUNTARY_SWITCH: _("Forced switch"),
    }


def labels(dashboard: Dashboard) -> dict[str, Any]:
    """Chart data with translated labels, for json_script."""
    from django.utils.translation import gettext as _

    cat = dict(CaseCategory.choices)
    SHORT_LABELS = _short_labels()  # noqa: N806 (a table, read like a constant)
    chan = dict(CaseChannel.choices)
    return {
        "categories": {"labels": [str(cat[c]) for c, _n in dashboard.by_category],
                       "values": [n for _c, n in dashboard.by_category], "series": str(_("Cases"))},
        "channels": {"labels": [str(chan[c]) for c, _n in dashboard.by_channel],
                     "values": [n for _c, n in dashboard.by_channel], "series": str(_("Cases"))},
        "times": {"buckets": [label for _l, label in HOUR_BUCKETS],
                  "first": dashboard.first_response_hist, "resolution": dashboard.resolution_hist,
                  "labels": {"first": str(_("First response")), "resolution": str(_("Resolution"))}},
        "shares": {"labels": [str(SHORT_LABELS.get(c, cat[c])) for c, _o, _r in dashboard.incident_shares],
                   "observed": [round(o, 1) for _c, o, _r in dashboard.incident_shares],
                   "reference": [round(r, 1) for _c, _o, r in dashboard.incident_shares],
                   "names": {"observed": str(_("Observed (complaints)")), "reference": str(_("Reference studies"))}},
        "speed": {"labels": [b for b, _n, _k, _p in dashboard.speed_vs_lost],
                  "cases": [n for _b, n, _k, _p in dashboard.speed_vs_lost],
                  "lost": [None if p is None else round(p, 1) for _b, _n, _k, p in dashboard.speed_vs_lost],
                  "names": {"cases": str(_("Resolved complaints")), "lost": str(_("Customers lost within 6 months"))}},
        "csat": {"months": [m for m, _v, _n in dashboard.csat_by_month],
                 "values": [round(v, 2) for _m, v, _n in dashboard.csat_by_month],
                 "answers": [n for _m, _v, n in dashboard.csat_by_month], "name": str(_("Mean CSAT (1–5)"))},
    }
