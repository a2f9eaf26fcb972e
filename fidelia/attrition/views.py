"""Pages of attrition: the "Attrition and loyalty" dashboard, its settings, the file panel and the
lost-customer form. Checklist per view: access (404 without analytics / outside the portfolio) →
form → selector or service → render, or a CSV/XLSX download of a table (audited)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fidelia.accounts import policies
from fidelia.attrition import charts, selectors, services
from fidelia.attrition.enums import AttritionType
from fidelia.attrition.forms import DIMENSION_LABELS, DashboardForm, RecordForm, SettingsForm
from fidelia.attrition.phrases import reason_label, reasons_text
from fidelia.core.errors import DomainError
from fidelia.core.exports import download
from fidelia.privacy.audit import audit_export


def _export(request: HttpRequest, what: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    fmt = "xlsx" if request.GET.get("export") == "xlsx" else "csv"
    audit_export(actor=request.user, what=f"attrition_{what}", fmt=fmt)
    return download(f"attrition-{what}-{dt.date.today():%Y%m%d}", header, rows, fmt=fmt)


def _rates_table(rates: selectors.Rates) -> tuple[list[str], list[list[Any]]]:
    rate = rates.rate()
    rows = [[m, g, int(rates.base[i, j]), int(rates.churned[i, j]), None if rate[i, j] != rate[i, j] else round(rate[i, j], 2)]
            for i, m in enumerate(rates.months) for j, g in enumerate(rates.groups)]
    return [_("Month"), _("Group"), _("Active at the start"), _("Lost in the month"), _("Attrition rate (%)")], rows


def _group_rows(rates: selectors.Rates) -> list[dict[str, Any]]:
    """Per group: monthly mean of the active base, losses over the period, mean monthly rate, last month's rate."""
    last = rates.rate()[-1]
    rows = [{"group": g, "base": float(rates.base[:, j].mean()), "lost": int(rates.churned[:, j].sum()),
             "mean_rate": float(rates.churned[:, j].sum()) / max(int(rates.base[:, j].sum()), 1),
             "last_rate": None if last[j] != last[j] else float(last[j]) / 100} for j, g in enumerate(rates.groups)]
    return sorted(rows, key=lambda r: -r["base"])


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Rates over time and by dimension, losses by type and reason, model quality, loyalty, at-risk list."""
    selectors.require_analytics(request.user)
    form = DashboardForm(request.GET or None)
    months, dimension = form.options()
    today = timezone.localdate()
    rates = selectors.attrition_rates(user=request.user, today=today, months=months, dimension=dimension)
    if request.GET.get("export"):
        return _export(request, f"rates-{dimension}", *_rates_table(rates))
    overall = rates if dimension == "all" else selectors.attrition_rates(user=request.user, today=today, months=months)
    records, run, cfg = selectors.records_summary(user=request.user), selectors.latest_run(), services.settings_get()
    loyalty = selectors.loyalty_summary(user=request.user)
    at_risk = selectors.at_risk_customers(user=request.user, high=cfg.high_risk)
    return render(request, "attrition/index.html", {
        "form": form, "dimension_label": DIMENSION_LABELS[dimension], "run": run, "settings": cfg, "records": records,
        "rates_chart": charts.rates_chart(rates), "overall_chart": charts.rates_chart(overall), "dimension": dimension,
        "last_rate": overall.rate()[-1, 0], "group_rows": _group_rows(rates), "here": "attrition",
        "types_chart": charts.bars_chart(records["types"], _("Lost customers"), charts.TYPE_COLOURS),
        "reasons_chart": charts.bars_chart(records["reasons"], _("Lost customers")),
        "roc_chart": charts.roc_chart(run) if run else None, "calibration_chart": charts.calibration_chart(run) if run else None,
        "histogram_chart": charts.histogram_chart(run, cfg.high_risk) if run else None,
        "loyalty": loyalty, "loyalty_chart": charts.loyalty_chart(loyalty, cfg),
        "at_risk": [(r, reasons_text(r.reasons)) for r in at_risk] if at_risk is not None else None,
        "can_configure": policies.can_configure_analytics(request.user),
        "importances": [(reason_label(c), v) for c, v in run.importances] if run else [],
    })


@login_required
def settings_edit(request: HttpRequest) -> HttpResponse:
    """The churn definition, horizon and loyalty thresholds (analytics configurers only)."""
    selectors.require_analytics(request.user)
    if not policies.can_configure_analytics(request.user):
        raise Http404
    current = services.settings_get()
    form = SettingsForm(request.POST or None, instance=current, initial={"version": current.version})
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.settings_update(actor=request.user, version=form.cleaned_data["version"], **values)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Settings saved; they apply from the next computation."))
            return redirect("attrition:index")
    return render(request, "attrition/settings.html", {"form": form, "here": "attrition"}, status=422 if form.errors else 200)


def _panel(request: HttpRequest, pk: int, form: RecordForm | None = None, status: int = 200) -> HttpResponse:
    data = selectors.party_attrition(user=request.user, pk=pk)
    risk = data["risk"]
    return render(request, "attrition/partials/panel.html", data | {
        "reasons": reasons_text(risk.reasons) if risk else [], "types": dict(AttritionType.choices),
        "form": form or RecordForm(party=data["party"]),
    }, status=status)


@login_required
def party_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The block of the customer file (loaded when shown); 404 outside the portfolio or without analytics."""
    return _panel(request, pk)


@login_required
@require_POST
def record_lost(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the customer lost (or confirm the suggestion); needs write access to the customer."""
    data = selectors.party_attrition(user=request.user, pk=pk)
    if not data["can_write"]:
        raise PermissionDenied
    party = data["party"]
    form = RecordForm(request.POST, party=party)
    if form.is_valid():
        try:
            services.record_create(party=party, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return _panel(request, pk)
    return _panel(request, pk, form, status=422)


@login_required
@require_POST
def record_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop a suggested loss (the customer is still here)."""
    selectors.require_analytics(request.user)
    record = get_object_or_404(selectors.records_for_user(request.user), pk=pk)
    if not selectors.party_attrition(user=request.user, pk=record.party_id)["can_write"]:
        raise PermissionDenied
    try:
        services.record_dismiss(record=record, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _panel(request, record.party_id)
