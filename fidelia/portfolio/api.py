"""REST API of portfolio management: scoring grids, matrices, a customer's scores, potentials and path, RADAR.

Reads follow `analytics_scope_filter` (a rep's own portfolio; analysts get no names). Configuring
grids needs `can_configure_analytics` (403 otherwise); entering a customer's scores or purchase
potentials needs write access to the customer (404 outside what the user reads, 403 read-only).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.core.api import (
    IF_MATCH,
    PartyId,
    current_user,
    errors,
    etag_documented,
    if_match_version,
    resolve,
    set_etag,
)
from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.parties.selectors import party_get_for_user
from fidelia.portfolio import selectors, services
from fidelia.portfolio.schemas import (
    CustomerPortfolioOut,
    GridIn,
    GridOut,
    GridUpdateIn,
    MatrixOut,
    PotentialIn,
    RadarOut,
    RunOut,
    ScoresIn,
    ScoresOut,
    TrajectoryOut,
)
from fidelia.portfolio.tasks import portfolio_run_task
from fidelia.sales.models import ProductFamily

router = Router(tags=["Portfolio management"])


def _criteria(payload: Any) -> list[services.CriterionInput]:
    return [services.CriterionInput(name=c.name, code=c.code, group=c.group, coefficient=c.coefficient,
                                    source=c.source, metric=c.metric, method=c.method,
                                    thresholds=tuple(c.thresholds)) for c in payload.criteria]


def _analytics_user(request: HttpRequest) -> Any:
    user = current_user(request)
    selectors.require_analytics(user)
    return user


@router.get("/portfolio/grids", response={200: list[GridOut], **errors(404)}, summary="List scoring grids")
def list_grids(request: HttpRequest) -> Any:
    """Every scoring grid with its criteria (404 for users without analytics)."""
    return selectors.grids_for_user(_analytics_user(request)).prefetch_related("criteria")


@router.post("/portfolio/grids", response={201: GridOut, **errors(403, 404, 422)}, summary="Create a scoring grid")
def create_grid(request: HttpRequest, payload: GridIn) -> Any:
    user = _analytics_user(request)
    grid = services.grid_create(actor=user, name=payload.name, code=payload.code, description=payload.description,
                                criteria=_criteria(payload))
    return Status(201, grid)


@router.get("/portfolio/grids/{key}", response={200: GridOut, **errors(404)}, summary="Read a scoring grid",
            openapi_extra=etag_documented())
def read_grid(request: HttpRequest, response: HttpResponse, key: str) -> Any:
    grid = selectors.grid_get_for_user(user=_analytics_user(request), key=key)
    set_etag(response, grid.version)
    return grid


@router.put("/portfolio/grids/{key}", response={200: GridOut, **errors(403, 404, 412, 422, 428)},
            summary="Replace a grid's name and criteria", openapi_extra=etag_documented())
def update_grid(request: HttpRequest, response: HttpResponse, key: str, payload: GridUpdateIn,
                if_match: str | None = IF_MATCH) -> Any:
    """Criteria are matched by code: kept codes keep their entered scores. Needs If-Match."""
    user = _analytics_user(request)
    grid = selectors.grid_get_for_user(user=user, key=key)
    if not policies.can_configure_analytics(user):
        raise PermissionDenied(_("You may not configure scoring grids."))
    grid = services.grid_update(grid=grid, actor=user, version=if_match_version(if_match), name=payload.name,
                                description=payload.description, criteria=_criteria(payload))
    set_etag(response, grid.version)
    return grid


@router.get("/portfolio/grids/{key}/matrix", response={200: MatrixOut, **errors(404, 422)},
            summary="A portfolio matrix")
def matrix(request: HttpRequest, key: str, x: str = "potential", y: str = "performance", preset: str = "",
           period: dt.date | None = None, quadrant: str = "") -> Any:
    """Customers on the (x, y) matrix (or a named preset's axes) with quadrant lines at the averages of
    the customers in scope; analysts get the points without names."""
    user = _analytics_user(request)
    grid = selectors.grid_get_for_user(user=user, key=key)
    found = selectors.PRESETS.get(preset)
    if preset and found is None:
        raise ValidationFailed(_("Unknown preset."), fields={"preset": [_("Unknown preset.")]})
    m = selectors.portfolio_matrix(user=user, grid=grid, x=found.x if found else x, y=found.y if found else y,
                                   period=period, quadrants=found.quadrants if found else None, quadrant=quadrant)
    return {"grid": grid.code, "period": m.period, "x": m.x, "y": m.y, "x_label": m.x_label, "y_label": m.y_label,
            "x_mean": m.x_mean, "y_mean": m.y_mean, "quadrants": m.quadrant_labels, "unplaced": m.unplaced,
            "points": m.points}


@router.get("/portfolio/customers/{party_id}", response={200: CustomerPortfolioOut, **errors(404)},
            summary="A customer's positions, strategies, RADAR and purchase potentials")
def customer(request: HttpRequest, party_id: int = PartyId) -> Any:
    return selectors.customer_portfolio(_analytics_user(request), party_id)


@router.get("/portfolio/customers/{party_id}/trajectory", response={200: TrajectoryOut, **errors(404, 422)},
            summary="A customer's path across a matrix, month by month")
def trajectory(request: HttpRequest, party_id: int = PartyId, grid: str = "", x: str = "potential",
               y: str = "performance") -> Any:
    user = _analytics_user(request)
    path = selectors.customer_trajectory(user=user, party_id=party_id, x=x, y=y,
                                         grid=selectors.grid_get_for_user(user=user, key=grid))
    return {**path, "points": [{"x": px, "y": py, "period": label} for px, py, label in path["points"]]}


@router.put("/portfolio/customers/{party_id}/scores/{key}", response={200: ScoresOut, **errors(403, 404, 422)},
            summary="Enter a customer's scores on a grid's entered criteria")
def enter_scores(request: HttpRequest, key: str, payload: ScoresIn, party_id: int = PartyId) -> Any:
    user = current_user(request)
    party = party_get_for_user(user=user, pk=party_id)
    grid = selectors.grid_get_for_user(user=user, key=key)
    return {"changed": services.scores_enter(actor=user, party=party, grid=grid, scores=payload.scores)}


@router.put("/portfolio/customers/{party_id}/purchase-potentials", response={200: CustomerPortfolioOut,
                                                                           **errors(403, 404, 422)},
            summary="Set (or clear) a customer's total purchases in a family and year")
def set_potential(request: HttpRequest, payload: PotentialIn, party_id: int = PartyId) -> Any:
    user = current_user(request)
    party = party_get_for_user(user=user, pk=party_id)
    family = resolve(ProductFamily.objects.all(), payload.family_id, field="family_id")
    services.purchase_potential_set(actor=user, party=party, family=family, year=payload.year, amount=payload.amount)
    return selectors.customer_portfolio(user, party.pk)


@router.get("/portfolio/radar", response={200: RadarOut, **errors(404)}, summary="RADAR and TCC of the portfolio")
def radar(request: HttpRequest, year: int | None = None) -> Any:
    view = selectors.radar_overview(user=_analytics_user(request), year=year)
    return {"year": view.year, "portfolio_tcc": view.portfolio_tcc, "regression_rate": view.regression_rate,
            "equipment_rate": view.equipment_rate, "strategy_counts": view.strategy_counts,
            "segments": view.segments,
            "customers": [{"party_id": r["party_id"], "name": r["party__display_name"],
                           "our_sales": r["our_sales"], "purchase_potential": r["purchase_potential"],
                           "tcc": r["tcc"], "revenue": r["revenue"], "strategy": r["strategy"],
                           "quadrant": r["quadrant"]} for r in view.rows]}


@router.post("/portfolio/run", response={202: RunOut, **errors(403, 404)}, summary="Recompute stored results")
def run(request: HttpRequest) -> Any:
    """Queue the recomputation (the nightly job, on demand)."""
    user = _analytics_user(request)
    if not policies.can_run_analytics(user):
        raise PermissionDenied(_("You may not recompute the portfolio results."))
    portfolio_run_task.delay()
    return Status(202, {"queued": True})
