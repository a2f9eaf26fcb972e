"""Pages of satisfaction surveys: the dashboard, a survey's results, creating and sending surveys, the
customer-file panel, and the public answer page (no sign-in, one answer per link, rate-limited)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fidelia.accounts import policies
from fidelia.core.errors import DomainError
from fidelia.core.ratelimit import rate_limited
from fidelia.parties.selectors import party_get_for_user
from fidelia.surveys import selectors, services
from fidelia.surveys.dashboard import dashboard_context, results_context
from fidelia.surveys.forms import SendForm, SurveyForm
from fidelia.surveys.models import Survey

DASHBOARD_MONTHS = 12


def _require_viewer(request: HttpRequest) -> None:
    if not policies.can_view_surveys(request.user):
        raise Http404


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """CSAT and NPS over time, score distributions and each survey's response rate."""
    _require_viewer(request)
    since = (timezone.localdate().replace(day=1) - dt.timedelta(days=31 * (DASHBOARD_MONTHS - 1))).replace(day=1)
    return render(request, "surveys/index.html", dashboard_context(user=request.user, since=since)
                  | {"can_manage": policies.can_manage_surveys(request.user)})


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_viewer(request)
    survey = selectors.survey_get_for_user(user=request.user, pk=pk)
    return render(request, "surveys/detail.html", results_context(survey=survey, user=request.user)
                  | {"send_form": SendForm(), "can_manage": policies.can_manage_surveys(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not policies.can_manage_surveys(request.user):
        raise Http404
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            for errors in exc.fields.values():
                form.add_error(None, errors)
        else:
            messages.success(request, _("Survey created. Activate it to send it."))
            return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/form.html", {"form": form})


@login_required
@require_POST
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.can_manage_surveys(request.user):
        raise Http404
    survey = selectors.survey_get_for_user(user=request.user, pk=pk)
    version = request.POST.get("version", "")
    try:
        services.survey_set_status(survey=survey, actor=request.user, status=request.POST.get("status", ""),
                                   version=int(version) if version.isdigit() else 0)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("surveys:detail", pk=survey.pk)


def _recipients(request: HttpRequest, form: SendForm) -> list:
    from fidelia.parties.selectors import parties_for_user

    if form.cleaned_data.get("segment"):
        from fidelia.marketing.selectors import segment_members

        return list(segment_members(segment_id=form.cleaned_data["segment"], user=request.user))
    wanted = form.cleaned_data["parties"]
    found = list(parties_for_user(request.user).filter(pk__in=wanted))
    if len(found) != len(set(wanted)):
        raise Http404
    return found


@login_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite customers (numbers the sender may read, or a segment) by e-mail; says who was skipped and why."""
    if not policies.can_manage_surveys(request.user):
        raise Http404
    survey = selectors.survey_get_for_user(user=request.user, pk=pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("surveys:detail", pk=survey.pk)
    try:
        outcome = services.survey_send(survey=survey, parties=_recipients(request, form), actor=request.user,
                                       reference=form.cleaned_data.get("reference", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(sent)s invitations sent; %(skipped)s customers skipped.")
                         % {"sent": outcome.sent, "skipped": sum(outcome.skipped.values())})
    return redirect("surveys:detail", pk=survey.pk)


@login_required
@require_GET
def party_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's answers on the customer file (404 outside the user's portfolio)."""
    party = party_get_for_user(user=request.user, pk=pk)
    return render(request, "surveys/partials/party_answers.html",
                  {"party": party, "responses": selectors.party_responses(party=party)})


def _answer_page(request: HttpRequest, survey: Survey | None, template: str, status: int = 200,
                 **context: object) -> HttpResponse:
    language = survey.language if survey else translation.get_language()
    with translation.override(language):
        response = render(request, template, {"survey": survey, "language": language, **context}, status=status)
    response["Content-Language"] = language
    return response


@require_http_methods(["GET", "POST"])
@rate_limited("surveys_answer")
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The public answer page: 404 for a forged link, 410 for an expired one, "already answered" for a
    used one; a valid POST records the answers once."""
    try:
        invitation = services.invitation_for_token(token)
    except services.TokenUnknown:
        return _answer_page(request, None, "surveys/public/invalid.html", status=404)
    survey = invitation.survey
    if invitation.answered_at is not None:
        return _answer_page(request, survey, "surveys/public/done.html", already=True)
    if invitation.expires_at <= timezone.now() or survey.status == "closed":
        return _answer_page(request, survey, "surveys/public/expired.html", status=410)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = {key[1:]: request.POST.getlist(key) for key in request.POST if key.startswith("q")}
        try:
            services.response_submit(token=token, answers=answers)
        except services.AlreadyAnswered:
            return _answer_page(request, survey, "surveys/public/done.html", already=True)
        except services.TokenExpired:
            return _answer_page(request, survey, "surveys/public/expired.html", status=410)
        except DomainError as exc:
            errors = exc.fields
        else:
            return _answer_page(request, survey, "surveys/public/done.html", already=False)
    return _answer_page(request, survey, "surveys/public/answer.html", status=422 if errors else 200,
                        fields=_answer_fields(survey, request.POST, errors), has_errors=bool(errors))


def _answer_fields(survey: Survey, posted: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """One entry per question for the answer page, keeping what was posted after an error."""
    fields = []
    for question in survey.questions.all():
        name = f"q{question.pk}"
        selected = posted.getlist(name) if posted else []
        scale = {"rating": [str(v) for v in range(1, 6)], "nps": [str(v) for v in range(0, 11)]}.get(question.kind)
        fields.append({"question": question, "name": name, "scale": scale, "selected": selected,
                       "text": "".join(selected), "errors": errors.get(name, [])})
    return fields
