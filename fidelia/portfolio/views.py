"""Portfolio pages: the matrix (axes, filters, trajectories, migrations), grids, RADAR/TCC, a customer's
scores and purchase potentials. Thin: selector → form → service → render or redirect.

Pages answer 404 to users without analytics, and the grid forms 404 to those who may not configure
them (the pages do not exist for them). Exports are audited.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from fidelia.accounts import policies
from fidelia.core.errors import DomainError
from fidelia.core.exports import download
from fidelia.parties.selectors import parties_for_user, party_get_for_user
from fidelia.portfolio import selectors, services
from fidelia.portfolio.enums import CriterionSource, Quadrant, RadarStrategy, ValueStrategy
from fidelia.portfolio.forms import (
    CriterionFormSet,
    GridForm,
    PotentialForm,
    apply_domain_error,
    criteria_from,
    criterion_initial,
)
from fidelia.privacy.audit import audit_export
from fidelia.sales.models import ProductFamily

GET_POST = require_http_methods(["GET", "POST"])
EXPORT_FORMATS = {"csv", "xlsx"}
QUADRANT_PLACES = (("tr", gettext_lazy("Top right")), ("tl", gettext_lazy("Top left")), ("br", gettext_lazy("Bottom right")),
                   ("bl", gettext_lazy("Bottom left")))


def _period(raw: str | None, available: list[dt.date]) -> dt.date | None:
    """A month among those computed ("YYYY-MM"), None (the latest) for anything else."""
    return next((p for p in available if raw and f"{p:%Y-%m}" == raw), None)


def _grid_for(request: HttpRequest, preset: selectors.Preset | None) -> Any:
    # a preset tied to a grid (FIOCA) brings its grid: its axes are that grid's criteria
    key = preset.grid if preset and preset.grid else request.GET.get("grid", "")
    try:
        return selectors.grid_get_for_user(user=request.user, key=key)
    except Http404:
        return selectors.grid_get_for_user(user=request.user, key="")


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    selectors.require_analytics(request.user)
    preset = selectors.PRESETS.get(request.GET.get("preset") or ("" if request.GET.get("x") else "value"))
    grid = _grid_for(request, preset)
    available = selectors.periods(grid)
    x = request.GET.get("x") or (preset.x if preset else "potential")
    y = request.GET.get("y") or (preset.y if preset else "performance")
    labels = preset.quadrants if preset and (x, y) == (preset.x, preset.y) else None
    quadrant = request.GET.get("quadrant") if request.GET.get("quadrant") in Quadrant.values else ""
    try:
        m = selectors.portfolio_matrix(user=request.user, grid=grid, x=x, y=y, quadrants=labels, quadrant=quadrant,
                                       period=_period(request.GET.get("period"), available))
    except DomainError as error:
        messages.error(request, error.message)
        m = selectors.portfolio_matrix(user=request.user, grid=grid)
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export_matrix(request, m)
    m.paths = _paths(request, grid, m.x, m.y)
    return render(request, "portfolio/matrix.html", {
        "m": m, "grid": grid, "grids": selectors.grids_for_user(request.user), "presets": selectors.PRESETS.values(),
        "preset": preset.key if preset and labels else "", "axes": selectors.axis_choices(grid), "periods": available,
        "quadrant": quadrant, "quadrants": Quadrant.choices, "strategies": ValueStrategy.choices,
        "chart": m.chart(), "migration": _migration(request, grid, available),
        "quadrant_rows": [(where, m.quadrant_labels[key], m.counts.get(key, 0)) for key, where in QUADRANT_PLACES
                          if key in m.quadrant_labels],
        "trajectory_parties": request.GET.getlist("party")[:5],
        "can_configure": policies.can_configure_analytics(request.user), "query": request.GET.urlencode()})


def _paths(request: HttpRequest, grid: Any, x: str, y: str) -> list[dict[str, Any]]:
    """The trajectory of the customer(s) named in ?party= (individual views only)."""
    if not policies.can_see_individuals_in_analytics(request.user):
        return []
    paths = []
    for raw in request.GET.getlist("party")[:5]:
        try:
            path = selectors.customer_trajectory(user=request.user, party_id=raw, grid=grid, x=x, y=y)
        except (Http404, DomainError):
            continue
        paths.append({"name": path["name"], "points": path["points"]})
    return paths


def _migration(request: HttpRequest, grid: Any, available: list[dt.date]) -> dict[str, Any] | None:
    if len(available) < 2:
        return None
    before = _period(request.GET.get("before"), available) or available[1]
    after = _period(request.GET.get("after"), available) or available[0]
    table = selectors.quadrant_migration(user=request.user, grid=grid, before=before, after=after)
    labels = {key: str(where) for key, where in QUADRANT_PLACES}  # short headers: the table stays narrow
    table["rows"] = [[labels[q], counts] for q, counts in table["rows"]]
    table["columns"] = [labels[q] for q in table["quadrants"]]
    return table


def _export_matrix(request: HttpRequest, m: selectors.Matrix) -> HttpResponse:
    fmt = request.GET["format"]
    audit_export(actor=request.user, what="portfolio_matrix", fmt=fmt)
    header = [_("Customer"), m.x_label, m.y_label, _("Revenue, 12 months (€)"), _("Share of revenue (%)"),
              _("Bubble diameter"), _("Quadrant"), _("Strategy"), _("Relationship policy")]
    rows = [[p.name, p.x, p.y, p.revenue, round(p.share, 4), round(p.diameter, 4), m.quadrant_labels.get(p.quadrant)
             or p.quadrant, p.strategy, p.policy] for p in m.points]
    return download(f"portfolio-{m.grid.code}-{m.x}-{m.y}", header, rows, fmt=fmt)


@login_required
def grid_list(request: HttpRequest) -> HttpResponse:
    selectors.require_analytics(request.user)
    grids = selectors.grids_for_user(request.user).prefetch_related("criteria")
    return render(request, "portfolio/grid_list.html", {
        "grids": grids, "can_configure": policies.can_configure_analytics(request.user)})


@login_required
@GET_POST
def grid_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
    if not policies.can_configure_analytics(request.user):
        raise Http404
    grid = selectors.grid_get_for_user(user=request.user, key=key) if key else None
    initial = {"name": grid.name, "description": grid.description, "version": grid.version} if grid else {}
    form = GridForm(request.POST or None, initial=initial)
    formset = CriterionFormSet(request.POST or None, initial=criterion_initial(grid) if grid else None,
                               prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        try:
            if grid:
                services.grid_update(grid=grid, actor=request.user, version=d.get("version") or 0, name=d["name"],
                                     description=d["description"], criteria=criteria_from(formset))
            else:
                services.grid_create(actor=request.user, name=d["name"], description=d["description"],
                                     criteria=criteria_from(formset))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The grid is saved; positions follow at the next run."))
            return redirect("portfolio:grid_list")
    return render(request, "portfolio/grid_form.html", {"form": form, "formset": formset, "grid": grid})


@login_required
def radar(request: HttpRequest) -> HttpResponse:
    selectors.require_analytics(request.user)
    year = request.GET.get("year", "")
    view = selectors.radar_overview(user=request.user, year=int(year) if year.isdigit() and len(year) == 4 else None)
    if request.GET.get("format") in EXPORT_FORMATS:
        fmt = request.GET["format"]
        audit_export(actor=request.user, what="portfolio_radar", fmt=fmt)
        header = [_("Customer"), _("Our sales (€)"), _("Total purchases (€)"), _("TCC (%)"), _("Revenue (€)"),
                  _("RADAR strategy")]
        rows = [[r["party__display_name"], r["our_sales"], r["purchase_potential"],
                 None if r["tcc"] is None else round(100 * r["tcc"], 2), r["revenue"], r["strategy"]] for r in view.rows]
        return download(f"radar-{view.year}", header, rows, fmt=fmt)
    labels = dict(RadarStrategy.choices)
    return render(request, "portfolio/radar.html", {
        "view": view, "years": selectors.radar_years(), "chart": view.chart(), "strategy_labels": labels,
        "strategy_counts": [(labels[k], n) for k, n in view.strategy_counts.items()], "query": request.GET.urlencode()})


@login_required
@GET_POST
def customer(request: HttpRequest, party_id: int) -> HttpResponse:
    """A customer's positions and path; the rep enters scores and purchase potentials here."""
    party = party_get_for_user(user=request.user, pk=party_id)
    writable = parties_for_user(request.user, for_write=True).filter(pk=party.pk).exists()
    grids = list(selectors.grids_for_user(request.user).prefetch_related("criteria"))
    potential_form = PotentialForm(request.POST if request.POST.get("action") == "potential" else None,
                                   families=ProductFamily.objects.all())
    if request.method == "POST":
        if not writable:
            raise Http404
        try:
            if request.POST.get("action") == "potential":
                if potential_form.is_valid():
                    d = potential_form.cleaned_data
                    services.purchase_potential_set(actor=request.user, party=party, family=d["family"],
                                                    year=d["year"], amount=d["amount"])
                    return redirect("portfolio:customer", party_id=party.pk)
            else:
                grid = selectors.grid_get_for_user(user=request.user, key=request.POST.get("grid"))
                services.scores_enter(actor=request.user, party=party, grid=grid, scores=_posted_scores(request, grid))
                messages.success(request, _("Scores saved; the position follows at the next run."))
                return redirect("portfolio:customer", party_id=party.pk)
        except DomainError as error:
            messages.error(request, error.message)
    data = selectors.customer_portfolio(request.user, party.pk)
    entered = selectors.entered_scores(party)
    return render(request, "portfolio/customer.html", {
        "party": party, "writable": writable, "data": data, "potential_form": potential_form,
        "score_grids": [(g, [(c, entered.get(c.pk)) for c in g.criteria.all() if c.source == CriterionSource.ENTERED])
                        for g in grids],
        "strategy_labels": dict(RadarStrategy.choices),
        "matrix_url": reverse("portfolio:matrix") + f"?party={party.pk}"})


def _posted_scores(request: HttpRequest, grid: Any) -> dict[str, int | None]:
    scores: dict[str, int | None] = {}
    for c in grid.criteria.all():
        raw = request.POST.get(f"score-{c.code}")
        if c.source == CriterionSource.ENTERED and raw is not None:
            scores[c.code] = int(raw) if raw in {"1", "2", "3", "4", "5"} else None
    return scores
