"""REST API of analytics: summaries per method, class lists, a customer's results and trajectory,
migration tables, and recomputing.

Who sees what (`accounts/policies.py`): summaries cover the caller's analytics scope (reps and
managers: their portfolio; analysts, marketing, administrators: the whole base) and answer 404
to roles without analytics. Class lists need `can_see_individuals_in_analytics` (403 for
analysts, who work on aggregates only); a customer's results and trajectory answer 404 outside
the caller's portfolio and to analysts, like any customer file. Figures taken from purchases
(revenue, orders, dates) are served only to roles that read transactions, margins only to roles
that read margins.
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.analytics import selectors
from fidelia.analytics.enums import Method
from fidelia.analytics.models import CustomerAnalytics, CustomerSnapshot
from fidelia.analytics.results import AnalysisOptions
from fidelia.analytics.schemas import (
    AbcSummaryOut,
    AnalysisRunIn,
    AnalysisRunOut,
    AnalysisRunQueuedOut,
    AnalyticsFiltersIn,
    AnalyticsSummaryOut,
    ClassMemberPage,
    CustomerResultOut,
    CustomerSnapshotOut,
    FratSummaryOut,
    MigrationTableIn,
    MigrationTableOut,
    ParetoSummaryOut,
    RfmSummaryOut,
)
from fidelia.analytics.tasks import analytics_run_task
from fidelia.core.api import PageIn, PartyId, current_user, errors, paginate
from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.parties.fields import field_rights

router = Router(tags=["Analytics"])

PURCHASE_FIELDS = ("revenue", "orders", "first_purchase", "last_purchase")


def options_from(filters: AnalyticsFiltersIn) -> AnalysisOptions:
    """The selector options of the query filters; refuses inverted periods and impossible cut-offs."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        message = _("The end of the period is before its start.")
        raise ValidationFailed(message, fields={"date_to": [message]})
    if filters.abc_a + filters.abc_b > 1:
        message = _("Classes A and B together cannot hold more than 100 % of the customers.")
        raise ValidationFailed(message, fields={"abc_b": [message]})
    return AnalysisOptions(
        reference_date=filters.reference_date, date_from=filters.date_from, date_to=filters.date_to,
        period_months=filters.period_months, team_id=filters.team, owner_id=filters.owner, family_id=filters.family,
        party_ids=tuple(filters.parties) if filters.parties else None,
        abc_cutoffs=(filters.abc_a, filters.abc_b, round(1 - filters.abc_a - filters.abc_b, 12)),
        tie_rule=filters.tie_rule)


@router.get("/analytics/summary", response={200: AnalyticsSummaryOut, **errors(404)}, summary="Analytics summary")
def summary(request: HttpRequest, filters: Query[AnalyticsFiltersIn]) -> dict[str, Any]:
    """Pareto, ABC, RFM and FRAT for the caller's scope: the latest stored run without filters,
    recomputed live with them (`source` says which)."""
    return selectors.analytics_summary(current_user(request), options=options_from(filters))


@router.get("/analytics/pareto", response={200: ParetoSummaryOut, **errors(404)}, summary="Pareto 20/80")
def pareto(request: HttpRequest, filters: Query[AnalyticsFiltersIn]) -> dict[str, Any]:
    """Customers ranked by revenue: top-20 % share, share of customers making 80 %, Gini, curve."""
    return selectors.pareto_for_user(current_user(request), options=options_from(filters))


@router.get("/analytics/abc", response={200: AbcSummaryOut, **errors(404)}, summary="ABC 10/30/60")
def abc(request: HttpRequest, filters: Query[AnalyticsFiltersIn]) -> dict[str, Any]:
    """Customers and revenue per class (A = top 10 % of customers, B = next 30 %, C = the rest)."""
    return selectors.abc_for_user(current_user(request), options=options_from(filters))


@router.get("/analytics/rfm", response={200: RfmSummaryOut, **errors(404)}, summary="RFM")
def rfm(request: HttpRequest, filters: Query[AnalyticsFiltersIn]) -> dict[str, Any]:
    """Customers and revenue per named segment, the segment map grid and the score counts."""
    return selectors.rfm_for_user(current_user(request), options=options_from(filters))


@router.get("/analytics/frat", response={200: FratSummaryOut, **errors(404)}, summary="FRAT")
def frat(request: HttpRequest, filters: Query[AnalyticsFiltersIn]) -> dict[str, Any]:
    """Distributions of frequency, recency (first → last order), amount ratio and strategic share."""
    return selectors.frat_for_user(current_user(request), options=options_from(filters))


def _served(user: User, row: CustomerAnalytics | CustomerSnapshot) -> dict[str, Any]:
    """A stored row as the caller may see it: purchase figures and margins only with the rights."""
    rights = field_rights(user)
    data = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    if isinstance(row, CustomerAnalytics):
        data["reference_date"] = row.run.reference_date
        data["display_name"] = row.party.display_name
    if not rights.transactions:
        data.update(dict.fromkeys(PURCHASE_FIELDS))
    if not rights.margins:
        data["margin"] = None
    return data


@router.get("/analytics/{method}/{key}/customers", response={200: ClassMemberPage, **errors(403, 404)},
            summary="Customers of a class or segment")
def members(request: HttpRequest, method: Method, key: str, page: Query[PageIn]) -> dict[str, Any]:
    """The caller's customers in one ABC class (`abc/A`) or RFM segment (`rfm/at_risk`), best revenue
    first. 403 for roles that work on aggregates only."""
    user = current_user(request)
    listing = paginate(selectors.class_members(user, method=method, key=key), page)
    listing["items"] = [_served(user, row) for row in listing["items"]]
    return listing


@router.get("/analytics/customers/{party_id}", response={200: CustomerResultOut, 204: None, **errors(404)},
            summary="A customer's classes and scores")
def customer(request: HttpRequest, party_id: int = PartyId) -> Any:
    """The customer's latest classes and scores; 204 when the customer has no result (no purchase
    in the analysed period), 404 outside the caller's portfolio."""
    user = current_user(request)
    row = selectors.customer_results(user, party_id)
    return Status(204, None) if row is None else _served(user, row)


@router.get("/analytics/customers/{party_id}/trajectory", response={200: list[CustomerSnapshotOut], **errors(404)},
            summary="A customer's trajectory")
def trajectory(request: HttpRequest, party_id: int = PartyId) -> list[dict[str, Any]]:
    """The customer's monthly snapshots (class, scores, segment), oldest first."""
    user = current_user(request)
    return [_served(user, snap) for snap in selectors.customer_trajectory(user, party_id)]


@router.get("/analytics/migrations", response={200: MigrationTableOut, **errors(404)}, summary="Migration table")
def migrations(request: HttpRequest, query: Query[MigrationTableIn]) -> dict[str, Any]:
    """How the caller's customers moved between the classes (or segments) of two monthly snapshots."""
    user = current_user(request)
    selectors.scope_parties(user)  # 404 without analytics
    return selectors.migration_table(user, dimension=query.dimension, from_period=query.from_period,
                                     to_period=query.to_period)


@router.get("/analytics/runs/latest", response={200: AnalysisRunOut, 204: None, **errors(404)}, summary="Latest run")
def latest(request: HttpRequest) -> Any:
    """The latest completed run (204 before the first)."""
    selectors.scope_parties(current_user(request))
    run = selectors.latest_run()
    return Status(204, None) if run is None else run


@router.post("/analytics/runs", response={202: AnalysisRunQueuedOut, **errors(403)}, summary="Recompute the analytics")
def run(request: HttpRequest, payload: AnalysisRunIn) -> Status[Any]:
    """Queue a recomputation of the whole base (it runs at once where no worker is configured).
    Answers with the latest completed run."""
    user = current_user(request)
    if not policies.can_run_analytics(user):
        raise PermissionDenied(_("You may not recompute the analytics."))
    analytics_run_task.delay(user.pk, payload.reference_date.isoformat() if payload.reference_date else None,
                             payload.period_months)
    return Status(202, {"queued": True, "latest": selectors.latest_run()})
