"""Pages of marketing: segments (editor with live count), campaigns (form, dashboard, steps),
the public unsubscribe page and tracked-link redirect, and the customer-file panel."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fidelia.accounts import policies
from fidelia.actions.compiler import operators_for
from fidelia.actions.facts import registered_facts
from fidelia.actions.views import fact_builder_meta
from fidelia.core.errors import DomainError, ValidationFailed
from fidelia.marketing import selectors, services
from fidelia.marketing.channels import postal
from fidelia.marketing.enums import CampaignChannel, CampaignStatus
from fidelia.marketing.forms import CampaignForm, SegmentForm
from fidelia.marketing.models import Campaign, Segment
from fidelia.parties.selectors import party_get_for_user

PREVIEW_SIZE = 10


def _viewer(request: HttpRequest) -> None:
    if not (policies.can_view_campaigns(request.user) or policies.can_run_campaigns(request.user)):
        raise Http404


def _runner(request: HttpRequest) -> None:
    if not policies.can_run_campaigns(request.user):
        raise Http404


def _facts_help() -> list[dict[str, Any]]:
    """The criteria a segment may use, for the help table and the condition builder (json_script)."""
    return [{"key": key, "label": fact.label, "type": fact.type, "operators": sorted(operators_for(fact)),
             **fact_builder_meta(key, fact)}
            for key, fact in sorted(registered_facts().items())]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    campaigns = selectors.campaigns_for_user(request.user)[:200]
    return render(request, "marketing/index.html", {"campaigns": campaigns,
                                                    "can_run": policies.can_run_campaigns(request.user)})


@login_required
@require_GET
def segment_list(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    return render(request, "marketing/segments.html", {"segments": selectors.segments_for_user(request.user),
                                                       "can_run": policies.can_run_campaigns(request.user)})


def _segment_form(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    initial = {"name": segment.name, "description": segment.description, "definition": segment.definition} if segment else None
    form = SegmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.segment_save(actor=request.user, segment=segment, version=_int(request.POST.get("version")),
                                          **form.cleaned_data)
            return redirect("marketing:segment_edit", saved.pk)
        except DomainError as exc:
            form.add_error("definition" if "condition" in exc.fields else None, exc.message)
    history = segment.versions.select_related("saved_by")[:20] if segment else []
    return render(request, "marketing/segment_form.html", {"form": form, "segment": segment, "history": history,
                                                           "facts": _facts_help()}, status=400 if form.errors else 200)


def _int(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def segment_create(request: HttpRequest) -> HttpResponse:
    _runner(request)
    return _segment_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _viewer(request)
    segment = selectors.segment_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        _runner(request)
    return _segment_form(request, segment)


@login_required
@require_POST
def segment_count(request: HttpRequest) -> HttpResponse:
    """HTMX: live count and sample of the criteria typed so far (one COUNT, one sample query)."""
    _viewer(request)
    form = SegmentForm(request.POST)
    form.is_valid()
    error, count, sample = form.errors.get("definition"), None, []
    if not error:
        try:
            members = selectors.segment_evaluate(definition=form.cleaned_data.get("definition") or {}, user=request.user)
            count, sample = members.count(), list(members.order_by("sort_name", "pk")[:PREVIEW_SIZE])
        except ValidationFailed as exc:
            error = [exc.message]
    return render(request, "marketing/partials/segment_count.html", {"error": error, "count": count, "sample": sample})


def _campaign_form(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            values = {k: form.cleaned_data[k] for k in CampaignForm.Meta.fields}
            saved = services.campaign_save(actor=request.user, campaign=campaign,
                                           version=_int(request.POST.get("version")), **values)
            return redirect("marketing:campaign", saved.pk)
        except DomainError as exc:
            for name, messages in exc.fields.items():
                form.add_error(name if name in form.fields else None, messages)
            if not exc.fields:
                form.add_error(None, exc.message)
    return render(request, "marketing/campaign_form.html", {"form": form, "campaign": campaign},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    _runner(request)
    return _campaign_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _runner(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    if campaign.status != CampaignStatus.DRAFT:
        return redirect("marketing:campaign", campaign.pk)
    return _campaign_form(request, campaign)


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign dashboard: exclusions by reason, DOMAIN.md KPIs, uplift against the control."""
    _viewer(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    results = selectors.campaign_results(campaign=campaign)
    return render(request, "marketing/campaign.html", {
        "campaign": campaign, "r": results, "can_run": policies.can_run_campaigns(request.user),
        "chart": selectors.campaign_chart_data(results)})


@login_required
@require_GET
def campaign_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The message as one recipient will receive it (`?party=<id>`, default: the first planned)."""
    _runner(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    preview = selectors.campaign_preview(campaign=campaign, user=request.user, party_id=request.GET.get("party"))
    return render(request, "marketing/partials/preview.html", {"campaign": campaign, "preview": preview})


STEPS = {"plan": services.campaign_plan, "launch": services.campaign_launch, "pause": services.campaign_pause,
         "resume": services.campaign_resume}


@login_required
@require_POST
def campaign_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Plan, launch, pause or resume; repeating a step (double click) is harmless."""
    _runner(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    if step not in STEPS:
        raise Http404
    try:
        STEPS[step](campaign=campaign, actor=request.user)
    except DomainError as exc:
        from django.contrib import messages

        messages.error(request, exc.message)
    return redirect("marketing:campaign", campaign.pk)


@login_required
@require_GET
def campaign_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Mail-merge file of a postal campaign's sent letters, for the printer."""
    _runner(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    if campaign.channel != CampaignChannel.POSTAL or fmt not in {"csv", "xlsx"}:
        raise Http404
    rows = selectors.mail_merge_rows(campaign=campaign)
    data = postal.mail_merge_csv(rows) if fmt == "csv" else postal.mail_merge_xlsx(rows)
    ctype = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="publipostage-{campaign.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def campaign_compare(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    results = selectors.campaigns_comparison(user=request.user)
    return render(request, "marketing/compare.html", {"results": results,
                                                      "chart": selectors.comparison_chart_data(results)})


@login_required
@require_GET
def party_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Customer file fragment: campaigns received and current contact pressure."""
    party = party_get_for_user(user=request.user, pk=pk)
    return render(request, "marketing/partials/party_panel_body.html", {
        "party": party, "history": selectors.party_campaign_history(party=party),
        "pressure": selectors.party_pressure(party=party)})


def _language(recipient: Any) -> str:
    return recipient.language if recipient is not None and recipient.language in {"fr", "en"} else "fr"


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without any cookie or token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Public: GET shows a confirmation button, POST withdraws the consent (one click); in the
    recipient's language."""
    if request.method == "POST":
        recipient = services.recipient_unsubscribe(token=token)
        with translation.override(_language(recipient)):
            response = render(request, "marketing/unsubscribe.html", {"done": recipient is not None,
                                                                       "invalid": recipient is None},
                              status=200 if recipient else 400)
    else:
        recipient = services.unsubscribe_recipient(token)
        with translation.override(_language(recipient)):
            response = render(request, "marketing/unsubscribe.html", {"token": token, "invalid": recipient is None},
                              status=200 if recipient else 400)
    response["Content-Language"] = _language(recipient)
    return response


@never_cache
@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    """Public: record a click on a tracked link and follow it (local targets only: no open redirect).
    The target gets the signed `c` token, also kept a day in a cookie, for the web form."""
    from fidelia.sales.signals import CAMPAIGN_TOKEN_COOKIE

    clicked = services.click_record(token=token)
    if clicked is None or not url_has_allowed_host_and_scheme(clicked.target, allowed_hosts={request.get_host()}):
        raise Http404
    response = HttpResponseRedirect(clicked.target)
    response.set_cookie(CAMPAIGN_TOKEN_COOKIE, clicked.form_token, max_age=24 * 3600, httponly=True, samesite="Lax",
                        secure=request.is_secure())
    return response
