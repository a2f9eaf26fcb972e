"""Analytics dashboards: an overview and one page per method (Pareto, ABC, RFM, FRAT, migrations),
plus the customer's block on the 360 page.

Each view is the same checklist: access check → filter form → selector (`analytics_summary`:
stored results by default, recomputed when a filter changes) → chart data → render, or a CSV/XLSX
download of what the page shows (audited). HTMX filter refreshes get the results partial only.
Analysts see aggregates: no names, no links to customers (`can_see_individuals_in_analytics`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from fidelia.accounts import policies
from fidelia.analytics import methods, selectors
from fidelia.analytics.enums import AbcClass, Method, MigrationDimension, RfmSegment
from fidelia.analytics.forms import TIE_RULE_NAMES, AnalysisFilterForm, MigrationForm
from fidelia.core.errors import DomainError
from fidelia.core.exports import download
from fidelia.core.htmx import pick_template
from fidelia.privacy.audit import audit_export

PAGE_SIZE = 50
HTMX_PAGE = vary_on_headers("HX-Request")

SEGMENT_COLOURS = {
    "champions": "#15803d", "loyal": "#16a34a", "potential_loyalist": "#65a30d", "new": "#0891b2",
    "promising": "#0ea5e9", "need_attention": "#eab308", "about_to_sleep": "#f59e0b", "at_risk": "#ea580c",
    "cant_lose": "#dc2626", "hibernating": "#94a3b8", "lost": "#64748b",
}
SEGMENT_NAMES = dict(RfmSegment.choices)
CLASS_COLOURS = {"A": "#2f5bea", "B": "#7c9cf5", "C": "#cbd5e1", selectors.NONE_KEY: "#f1f5f9"}


# --- access and options ----------------------------------------------------------------------


def _require_analytics(request: HttpRequest) -> None:
    # 404 rather than 403: the pages do not exist for roles without analytics (service, DPO)
    if not policies.can_view_analytics(request.user):
        raise Http404


def _summary(request: HttpRequest, form: AnalysisFilterForm) -> dict[str, Any]:
    """The summary for the form's options; a refused option (e.g. an empty period) falls back to the
    default view with the reason shown as a form error."""
    options = form.options()
    try:
        if options.tie_rule != "midrank" and not (options.date_from or options.date_to):
            # another tie rule alone rescores the period of the figures shown (the stored run's)
            stored = selectors.analytics_summary(request.user)
            if stored.get("reference_date"):
                options = dataclasses.replace(
                    options, reference_date=dt.date.fromisoformat(stored["reference_date"]),
                    date_from=dt.date.fromisoformat(stored["date_from"]), date_to=dt.date.fromisoformat(stored["date_to"]))
        summary = selectors.analytics_summary(request.user, options=options)
    except DomainError as exc:
        form.add_error(None, exc.message)
        summary = selectors.analytics_summary(request.user)
    return summary


def _page_context(request: HttpRequest, form: AnalysisFilterForm, summary: dict[str, Any]) -> dict[str, Any]:
    a, b, c = form.abc_percentages()
    return {"filter_form": form, "summary": summary, "names": policies.can_see_individuals_in_analytics(request.user),
            "abc_sizes": {"A": a, "B": b, "C": c}, "tie_rule": TIE_RULE_NAMES[form.tie_rule()],
            "live": summary.get("source") == "live", "query": request.GET.urlencode()}


def _export_requested(request: HttpRequest) -> str | None:
    fmt = request.GET.get("export")
    return fmt if fmt in ("csv", "xlsx") else None


def _export(request: HttpRequest, what: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    fmt = _export_requested(request) or "csv"
    audit_export(actor=request.user, what=f"analytics_{what}", fmt=fmt)
    return download(f"analytics-{what}-{dt.date.today():%Y%m%d}", header, rows, fmt=fmt)


# --- chart data (pure: summary → the JSON a chart kind reads) --------------------------------


def pareto_chart(pareto: dict[str, Any]) -> dict[str, Any]:
    """The Lorenz / Pareto curve in %, with each decile of customers' own share of revenue as bars."""
    curve = np.array(pareto["curve"] or [[0.0, 0.0], [1.0, 1.0]], dtype=np.float64)
    deciles = np.interp(np.linspace(0, 1, 11), curve[:, 0], curve[:, 1])
    return {
        "points": [[round(x * 100, 3), round(y * 100, 3)] for x, y in curve],
        "top20_share": round(pareto["top_share"] * 100, 2),
        "customers_for_80": round(pareto["share_customers_for_80"] * 100, 2),
        "bars": [[i * 10 + 5, round(float(d) * 100, 2)] for i, d in enumerate(np.diff(deciles))],
        "labels": {"curve": _("Cumulative share of revenue"), "diagonal": _("Equal revenue for all"),
                   "bars": _("Share of revenue per tenth of customers"),
                   "top20": _("Top 20 % of customers"), "at80": _("Customers making 80 %"),
                   "customers": _("Customers (ranked by revenue)"), "revenue": _("Revenue")},
    }


def abc_chart(abc: dict[str, Any]) -> dict[str, Any]:
    rows = abc["classes"]
    return {
        "classes": [_("Class %(key)s") % {"key": r["key"]} for r in rows],
        "series": [{"name": _("Customers"), "values": [round(r["customer_share"] * 100, 2) for r in rows]},
                   {"name": _("Revenue"), "values": [round(r["share"] * 100, 2) for r in rows]}],
        "counts": [r["count"] for r in rows], "amounts": [r["revenue"] for r in rows],
        "labels": {"count": _("Customers"), "amount": _("Revenue")},
    }


def segment_chart(rfm: dict[str, Any], *, link: str | None = None) -> dict[str, Any]:
    return {
        "segments": [{"key": s["key"], "label": str(SEGMENT_NAMES.get(s["key"], s["key"])), "count": s["count"],
                      "revenue": s["revenue"], "share": round(s["customer_share"] * 100, 2),
                      "revenue_share": round(s["share"] * 100, 2), "color": SEGMENT_COLOURS.get(s["key"]),
                      "url": f"{link}&segment={s['key']}#members" if link else None}
                     for s in rfm["segments"]],
        "labels": {"count": _("Customers"), "revenue": _("Revenue")},
    }


FRAT_METRICS = [
    ("frequency_days", Method.FRAT, "days"),
    ("recency_days", Method.FRAT, "days"),
    ("amount_ratio", Method.FRAT, "ratio"),
    ("strategic_share", Method.FRAT, "share"),
]
PERCENTILES = ("p10", "p25", "median", "p75", "p90")


def frat_metric_names() -> dict[str, str]:
    return {"frequency_days": _("Frequency: average delay between purchases (days)"),
            "recency_days": _("Recency: gap between the first and the last order (days)"),
            "amount_ratio": _("Amount: last order / average order"),
            "strategic_share": _("Type: share of strategic products bought")}


def frat_charts(frat: dict[str, Any]) -> list[dict[str, Any]]:
    """One chart per FRAT measure: the percentiles of its distribution (the summary keeps those, not
    every customer's value) and, for the type, the real histogram by fifths of strategic share."""
    names = frat_metric_names()
    labels = [_("10th pct."), _("25th pct."), _("Median"), _("75th pct."), _("90th pct.")]
    charts = []
    for key, _method, unit in FRAT_METRICS:
        dist = frat[key]
        if key == "strategic_share" and frat.get("strategic_histogram"):
            charts.append({"key": key, "title": names[key],
                           "data": {"bins": ["0–20 %", "20–40 %", "40–60 %", "60–80 %", "80–100 %"],
                                    "counts": frat["strategic_histogram"], "y_label": _("Customers"),
                                    "color": "#16a34a"}})
            continue
        values = [None if dist[p] is None else round(dist[p], 2) for p in PERCENTILES]
        charts.append({"key": key, "title": names[key],
                       "data": {"bins": labels, "counts": values, "y_label": names[key],
                                "color": "#2f5bea" if unit == "days" else "#f59e0b"}})
    return charts


def migration_chart(table: dict[str, Any]) -> dict[str, Any]:
    keys = table["keys"]
    label = _key_label(table["dimension"])
    cells = []
    for i, before in enumerate(keys):
        row_total = sum(table["cells"][before].values())
        for j, after in enumerate(keys):
            n = table["cells"][before][after]
            cells.append([j, i, n, round(100 * n / row_total, 1) if row_total else 0])
    return {"from": [label(k) for k in keys], "to": [label(k) for k in keys], "cells": cells,
            "labels": {"from": _("Before (%(month)s)") % {"month": table["from_period"].strftime("%Y-%m")},
                       "to": _("After (%(month)s)") % {"month": table["to_period"].strftime("%Y-%m")},
                       "count": _("Customers")}}


def _key_label(dimension: str) -> Any:
    def label(key: str) -> str:
        if key == selectors.NONE_KEY:
            return _("Not analysed")
        if dimension == MigrationDimension.ABC:
            return key
        return str(SEGMENT_NAMES.get(key, key))
    return label


# --- pages -----------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[AnalysisFilterForm, dict[str, Any]]:
    _require_analytics(request)
    form = AnalysisFilterForm(request.GET, user=request.user)
    return form, _summary(request, form)


@login_required
@HTMX_PAGE
def overview(request: HttpRequest) -> HttpResponse:
    """KPIs of the four methods and a small chart for each, linking to its page."""
    form, summary = _filtered(request)
    if _export_requested(request):
        return _export(request, "overview", *_overview_table(summary))
    context = _page_context(request, form, summary) | {
        "pareto_chart": pareto_chart(summary["pareto"]), "abc_chart": abc_chart(summary["abc"]),
        "segment_chart": segment_chart(summary["rfm"]), "frat_charts": frat_charts(summary["frat"])[:1],
        "abc_a": summary["abc"]["classes"][0], "champions": _segment(summary["rfm"], "champions"),
        "at_risk": _segment(summary["rfm"], "at_risk"), "cant_lose": _segment(summary["rfm"], "cant_lose"),
    }
    return render(request, pick_template(request, "analytics/overview.html", "analytics/partials/overview_results.html"),
                  context)


def _segment(rfm: dict[str, Any], key: str) -> dict[str, Any]:
    return next((s for s in rfm["segments"] if s["key"] == key), {"count": 0, "customer_share": 0, "share": 0})


def _overview_table(summary: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    p = summary["pareto"]
    rows = [[_("Customers analysed"), summary["customers"]], [_("Revenue (€)"), summary["total_revenue"]],
            [_("Share of revenue of the top 20 %"), p["top_share"]],
            [_("Share of customers making 80 % of revenue"), p["share_customers_for_80"]],
            [_("Gini coefficient"), p["gini"]]]
    rows += [[_("Revenue share of class %(key)s") % {"key": r["key"]}, r["share"]] for r in summary["abc"]["classes"]]
    rows += [[_("Customers in segment %(name)s") % {"name": SEGMENT_NAMES[s["key"]]}, s["count"]]
             for s in summary["rfm"]["segments"]]
    return [_("Indicator"), _("Value")], rows


@login_required
@HTMX_PAGE
def pareto(request: HttpRequest) -> HttpResponse:
    """The Pareto curve, the 20/80 figures and the Gini coefficient of the chosen population."""
    form, summary = _filtered(request)
    p = summary["pareto"]
    if _export_requested(request):
        return _export(request, "pareto", [_("Customer share (%)"), _("Revenue share (%)")],
                       [[x * 100, y * 100] for x, y in p["curve"]])
    context = _page_context(request, form, summary) | {"pareto": p, "pareto_chart": pareto_chart(p)}
    return render(request, pick_template(request, "analytics/pareto.html", "analytics/partials/pareto_results.html"),
                  context)


def _members(request: HttpRequest, method: str, key: str | None) -> Page | None:
    """The page of customers of one class or segment (stored results), for roles that may see names."""
    if not key or not policies.can_see_individuals_in_analytics(request.user):
        return None
    try:
        members = selectors.class_members(request.user, method=method, key=key)
    except DomainError:
        return None
    return Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))


def _member_rows(request: HttpRequest, method: str, key: str | None) -> tuple[list[str], list[list[Any]]]:
    header = [_("Rank"), _("Customer"), _("Revenue (€)"), _("ABC class"), _("RFM cell"), _("RFM segment")]
    if not key or not policies.can_see_individuals_in_analytics(request.user):
        return header, []
    members = selectors.class_members(request.user, method=method, key=key)
    return header, [[m.rank, m.party.display_name, m.revenue, m.abc_class, m.rfm_cell,
                     str(SEGMENT_NAMES.get(m.rfm_segment, m.rfm_segment))] for m in members.iterator(chunk_size=2000)]


@login_required
@HTMX_PAGE
def abc(request: HttpRequest) -> HttpResponse:
    """Classes A/B/C: customers and revenue per class; the customers of a class (?cls=) for roles
    that may see names."""
    form, summary = _filtered(request)
    cls = request.GET.get("cls") if request.GET.get("cls") in AbcClass.values else None
    if _export_requested(request):
        if cls and request.GET.get("rows") == "customers":
            return _export(request, f"abc_{cls}", *_member_rows(request, Method.ABC, cls))
        return _export(request, "abc", [_("Class"), _("Customers"), _("Customer share"), _("Revenue (€)"),
                                        _("Revenue share")],
                       [[r["key"], r["count"], r["customer_share"], r["revenue"], r["share"]]
                        for r in summary["abc"]["classes"]])
    context = _page_context(request, form, summary) | {
        "abc": summary["abc"], "abc_chart": abc_chart(summary["abc"]), "cls": cls,
        "members": _members(request, Method.ABC, cls), "member_query": _without(request, "page", "cls")}
    return render(request, pick_template(request, "analytics/abc.html", "analytics/partials/abc_results.html"),
                  context)


def _without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in (*names, "export", "rows"):
        query.pop(name, None)
    return query.urlencode()


@login_required
@HTMX_PAGE
def rfm(request: HttpRequest) -> HttpResponse:
    """RFM: the segment map, counts and revenue per segment, the customers of a segment (?segment=)."""
    form, summary = _filtered(request)
    segment = request.GET.get("segment") if request.GET.get("segment") in RfmSegment.values else None
    if _export_requested(request):
        if segment and request.GET.get("rows") == "customers":
            return _export(request, f"rfm_{segment}", *_member_rows(request, Method.RFM, segment))
        return _export(request, "rfm", [_("Segment"), _("Customers"), _("Customer share"), _("Revenue (€)"),
                                        _("Revenue share")],
                       [[SEGMENT_NAMES[s["key"]], s["count"], s["customer_share"], s["revenue"], s["share"]]
                        for s in summary["rfm"]["segments"]])
    names = policies.can_see_individuals_in_analytics(request.user)
    link = f"{reverse('analytics:rfm')}?{_without(request, 'page', 'segment')}" if names else None
    rows = [s | {"name": SEGMENT_NAMES[s["key"]], "colour": SEGMENT_COLOURS[s["key"]]} for s in summary["rfm"]["segments"]]
    context = _page_context(request, form, summary) | {
        "rfm": summary["rfm"], "segments": rows, "segment_chart": segment_chart(summary["rfm"], link=link),
        "grid": _rfm_grid(summary["rfm"]["grid"]), "segment": segment, "segment_name": SEGMENT_NAMES.get(segment),
        "members": _members(request, Method.RFM, segment), "member_query": _without(request, "page", "segment")}
    return render(request, pick_template(request, "analytics/rfm.html", "analytics/partials/rfm_results.html"),
                  context)


def _rfm_grid(grid: list[list[int]]) -> list[dict[str, Any]]:
    """The R × FM squares, best recency on top, each with its count and the segment it belongs to."""
    rows = []
    for r in range(5, 0, -1):
        cells = []
        for fm in range(1, 6):
            key = methods.SEGMENT_MAP[(r, fm)]
            cells.append({"count": grid[r - 1][fm - 1], "key": key, "name": SEGMENT_NAMES[key],
                          "colour": SEGMENT_COLOURS[key]})
        rows.append({"r": r, "cells": cells})
    return rows


@login_required
@HTMX_PAGE
def frat(request: HttpRequest) -> HttpResponse:
    """FRAT as the course defines it: the distribution of each of the four measures."""
    form, summary = _filtered(request)
    names = frat_metric_names()
    table = [{"key": key, "name": names[key], **summary["frat"][key]} for key, _m, _u in FRAT_METRICS]
    if _export_requested(request):
        header = [_("Measure"), _("Customers"), _("Mean"), _("10th pct."), _("25th pct."), _("Median"),
                  _("75th pct."), _("90th pct.")]
        return _export(request, "frat", header, [[row["name"], row["count"], row["mean"],
                                                  *[row[p] for p in PERCENTILES]] for row in table])
    context = _page_context(request, form, summary) | {"frat": summary["frat"], "table": table,
                                                       "frat_charts": frat_charts(summary["frat"])}
    return render(request, pick_template(request, "analytics/frat.html", "analytics/partials/frat_results.html"),
                  context)


@login_required
@HTMX_PAGE
def migrations(request: HttpRequest) -> HttpResponse:
    """How customers moved between ABC classes or RFM segments from one month's snapshot to another's."""
    _require_analytics(request)
    form = MigrationForm(request.GET, months=selectors.snapshot_periods())
    dimension, start, end = form.choice()
    table = (selectors.migration_table(request.user, dimension=dimension, from_period=start, to_period=end)
             if start and end else None)
    label = _key_label(dimension)
    rows = [{"key": k, "name": label(k), "cells": [table["cells"][k][j] for j in table["keys"]],
             "total": sum(table["cells"][k].values())} for k in table["keys"]] if table else []
    if _export_requested(request) and table:
        return _export(request, f"migrations_{dimension}", [_("From \\ to"), *[label(k) for k in table["keys"]]],
                       [[row["name"], *row["cells"]] for row in rows])
    stayed = sum(table["cells"][k][k] for k in table["keys"] if k != selectors.NONE_KEY) if table else 0
    moved = sum(row["total"] for row in rows if row["key"] != selectors.NONE_KEY) if table else 0
    context = {"filter_form": form, "table": table, "rows": rows, "chart": migration_chart(table) if table else None,
               "columns": [label(k) for k in table["keys"]] if table else [], "stayed": stayed, "analysed": moved,
               "query": request.GET.urlencode()}
    return render(request, pick_template(request, "analytics/migrations.html",
                                         "analytics/partials/migrations_results.html"), context)


@login_required
def party_analytics(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's classes, scores and trajectory (a block of the 360 page, loaded when shown).
    404 outside the user's portfolio and for roles without names (analysts) or without analytics."""
    _require_analytics(request)
    result = selectors.customer_results(request.user, pk)
    snapshots = selectors.customer_trajectory(request.user, pk)
    return render(request, "analytics/partials/party_analytics.html", {
        "result": result, "segment_name": SEGMENT_NAMES.get(result.rfm_segment) if result else None,
        "segment_colour": SEGMENT_COLOURS.get(result.rfm_segment) if result else None,
        "trajectory": trajectory_chart(snapshots) if snapshots else None, "party_id": pk,
    })


def trajectory_chart(snapshots: list[Any]) -> dict[str, Any]:
    """The customer's ABC class and RFM segment month by month (the last 24 snapshots)."""
    recent = snapshots[-24:]
    # only the segments the customer went through, in the map's order (worst at the bottom)
    seen = {s.rfm_segment for s in recent}
    segments = [s.value for s in reversed(RfmSegment) if s.value in seen]
    return {"months": [s.period.strftime("%Y-%m") for s in recent],
            "series": [{"name": _("ABC class"), "categories": ["C", "B", "A"], "values": [s.abc_class for s in recent]},
                       {"name": _("RFM segment"), "categories": [str(SEGMENT_NAMES[k]) for k in segments],
                        "values": [str(SEGMENT_NAMES[s.rfm_segment]) for s in recent]}]}
