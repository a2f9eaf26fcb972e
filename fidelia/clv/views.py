"""Pages of customer value: dashboard, model diagnostics, the customer file's panel, retention efforts."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fidelia.accounts import policies
from fidelia.clv import charts, selectors, services
from fidelia.clv.forms import EffortForm, RunForm
from fidelia.core.errors import DomainError
from fidelia.parties.selectors import party_get_for_user


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The value dashboard over the user's analytics scope; names only for who may see them."""
    _require(policies.can_view_analytics(request.user))
    run = selectors.latest_run()
    data = selectors.dashboard(user=request.user)
    top = selectors.value_list_for_user(user=request.user)[:15] \
        if policies.can_see_individuals_in_analytics(request.user) else None
    return render(request, "clv/index.html", {
        "run": run, "data": data, "top": top, "charts": charts.dashboard_charts(data),
        "can_run": policies.can_run_analytics(request.user),
        "run_form": RunForm(initial={"horizon_months": settings.FIDELIA_CLV_HORIZON_MONTHS,
                                     "monthly_discount": settings.FIDELIA_CLV_MONTHLY_DISCOUNT}),
    })


@login_required
@require_GET
def diagnostics(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Parameters ± standard errors, log-likelihoods, warnings and the calibration/holdout check."""
    runs = selectors.runs_for_user(user=request.user)
    run = selectors.run_get(user=request.user, pk=pk) if pk else runs.first()
    return render(request, "clv/diagnostics.html", {
        "run": run, "runs": runs[:20], "rows": charts.parameter_rows(run) if run else [],
        "calibration": charts.calibration_chart(run) if run and run.calibration else None,
    })


@login_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    """Refit now (also done nightly); the options are validated, a failure leaves the last results."""
    _require(policies.can_run_analytics(request.user))
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The model options are not valid: %(errors)s") % {
            "errors": "; ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items())})
        return redirect("clv:index")
    result = services.value_model_run(as_of=timezone.localdate(), actor=request.user, **form.cleaned_data)
    messages.success(request, _("Customer value recomputed: %(n)d customers (%(status)s).") % {
        "n": result.n_customers, "status": result.get_status_display()})
    return redirect("clv:diagnostics_run", pk=result.pk)


def _panel(request: HttpRequest, party: Any, form: EffortForm | None = None, status: int = 200) -> HttpResponse:
    return render(request, "clv/partials/party_value.html", {
        "party": party, "value": selectors.party_value(party=party),
        "efforts": selectors.party_efforts(party=party)[:10],
        "can_record": policies.can_record_retention_effort(request.user),
        "form": form or EffortForm(initial={"date": timezone.localdate()}),
    }, status=status)


@login_required
@require_GET
def party_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer file's value block (fetched when it scrolls into view); 404 outside the portfolio."""
    _require(policies.can_view_analytics(request.user))
    return _panel(request, party_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def effort_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a gift/discount on the customer; answers the refreshed panel (422 with the errors)."""
    _require(policies.can_record_retention_effort(request.user) and policies.can_view_analytics(request.user))
    party = party_get_for_user(user=request.user, pk=pk)
    form = EffortForm(request.POST)
    if not form.is_valid():
        return _panel(request, party, form, status=422)
    try:
        services.retention_effort_create(party=party, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        for field, errors in exc.fields.items():
            form.add_error(field if field in form.fields else None, errors)
        return _panel(request, party, form, status=422)
    return _panel(request, party)


@login_required
@require_POST
def effort_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require(policies.can_record_retention_effort(request.user) and policies.can_view_analytics(request.user))
    effort = selectors.effort_get_for_user(user=request.user, pk=pk)
    party = effort.party
    services.retention_effort_delete(effort=effort, actor=request.user)
    return _panel(request, party)
