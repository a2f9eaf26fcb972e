"""REST API of customer value: per-customer results, model runs and diagnostics, retention efforts.

Reads follow the analytics policies (404 without analytics; per-customer rows only for users who
may see individuals, within their scope). Retention efforts need `can_record_retention_effort` and
read access to the customer (404 outside the portfolio); updates need If-Match.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.clv import selectors, services
from fidelia.clv.schemas import (
    CustomerValueOut,
    EffortIn,
    EffortOut,
    EffortUpdateIn,
    RunDiagnosticsOut,
    RunIn,
    ValueRunOut,
)
from fidelia.core.api import (
    IF_MATCH,
    Page,
    PageIn,
    PartyId,
    RowId,
    current_user,
    errors,
    etag_documented,
    if_match_version,
    paginate,
    set_etag,
)
from fidelia.core.errors import PermissionDenied
from fidelia.parties.selectors import party_get_for_user

router = Router(tags=["Customer value"])


@router.get("/clv/values", response={200: Page[CustomerValueOut], **errors(404)}, summary="Customer values")
def list_values(request: HttpRequest, page: Query[PageIn]) -> Any:
    """Stored values in the caller's scope, highest 12-month CLV first."""
    return paginate(selectors.value_list_for_user(user=current_user(request)), page)


@router.get("/clv/values/{party_id}", response={200: CustomerValueOut, **errors(404)}, summary="A customer's value")
def read_value(request: HttpRequest, party_id: int = PartyId) -> Any:
    user = current_user(request)
    if not policies.can_view_analytics(user):
        raise Http404
    value = selectors.party_value(party=party_get_for_user(user=user, pk=party_id))
    if value is None:
        raise Http404
    return value


@router.get("/clv/runs", response={200: Page[ValueRunOut], **errors(404)}, summary="Model runs")
def list_runs(request: HttpRequest, page: Query[PageIn]) -> Any:
    return paginate(selectors.runs_for_user(user=current_user(request)), page)


@router.get("/clv/runs/{run_id}", response={200: RunDiagnosticsOut, **errors(404)}, summary="A run's diagnostics")
def read_run(request: HttpRequest, run_id: int = RowId) -> Any:
    """Parameters ± standard errors, log-likelihoods, warnings and the calibration/holdout report."""
    return selectors.run_get(user=current_user(request), pk=run_id)


@router.post("/clv/runs", response={201: RunDiagnosticsOut, **errors(403, 404)}, summary="Refit the models now")
def create_run(request: HttpRequest, payload: RunIn) -> Any:
    """Fits and rescores synchronously (the nightly job does the same in the background)."""
    user = current_user(request)
    if not policies.can_view_analytics(user):
        raise Http404
    if not policies.can_run_analytics(user):
        raise PermissionDenied(_("You may not recompute customer value."))
    run = services.value_model_run(as_of=payload.as_of or timezone.localdate(), actor=user,
                                   count_model=payload.count_model, horizon_months=payload.horizon_months,
                                   monthly_discount=payload.monthly_discount)
    return Status(201, run)


def _effort_user(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_record_retention_effort(user):
        raise Http404
    return user


@router.get("/clv/efforts", response={200: Page[EffortOut], **errors(404)}, summary="Retention efforts")
def list_efforts(request: HttpRequest, page: Query[PageIn], party_id: int | None = None) -> Any:
    qs = selectors.efforts_for_user(user=_effort_user(request))
    return paginate(qs.filter(party_id=party_id) if party_id else qs, page)


@router.post("/clv/efforts", response={201: EffortOut, **errors(404, 422)}, summary="Record a retention effort",
             openapi_extra=etag_documented(201))
def create_effort(request: HttpRequest, response: HttpResponse, payload: EffortIn) -> Any:
    user = _effort_user(request)
    party = party_get_for_user(user=user, pk=payload.party_id)
    effort = services.retention_effort_create(party=party, kind=payload.kind, amount=payload.amount,
                                              date=payload.date, note=payload.note, actor=user)
    set_etag(response, effort.version)
    return Status(201, effort)


@router.get("/clv/efforts/{effort_id}", response={200: EffortOut, **errors(404)}, summary="A retention effort",
            openapi_extra=etag_documented())
def read_effort(request: HttpRequest, response: HttpResponse, effort_id: int = RowId) -> Any:
    effort = selectors.effort_get_for_user(user=_effort_user(request), pk=effort_id)
    set_etag(response, effort.version)
    return effort


@router.patch("/clv/efforts/{effort_id}", response={200: EffortOut, **errors(404, 409, 412, 428)},
              summary="Change a retention effort", openapi_extra=etag_documented())
def update_effort(request: HttpRequest, response: HttpResponse, payload: EffortUpdateIn, effort_id: int = RowId,
                  if_match: str | None = IF_MATCH) -> Any:
    user = _effort_user(request)
    effort = selectors.effort_get_for_user(user=user, pk=effort_id)
    values = payload.model_dump(exclude_unset=True, exclude_none=True)
    effort = services.retention_effort_update(effort=effort, version=if_match_version(if_match), actor=user, **values)
    set_etag(response, effort.version)
    return effort


@router.delete("/clv/efforts/{effort_id}", response={204: None, **errors(404)}, summary="Delete a retention effort")
def delete_effort(request: HttpRequest, effort_id: int = RowId) -> Any:
    user = _effort_user(request)
    services.retention_effort_delete(effort=selectors.effort_get_for_user(user=user, pk=effort_id), actor=user)
    return Status(204, None)
