"""REST API of satisfaction surveys: surveys, sending invitations, invitations, results, and the
public answer endpoint (no authentication: the token is the credential).

Readers are those who see surveys (`can_view_surveys`); writers `can_manage_surveys`; invitations name
customers, so they list only the customers the caller may read (none for analysts).
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.core.api import (
    IF_MATCH,
    PageIn,
    RateLimited,
    RowId,
    current_user,
    errors,
    etag_documented,
    if_match_version,
    paginate,
    set_etag,
)
from fidelia.core.errors import ValidationFailed
from fidelia.core.ratelimit import client_ip, hit
from fidelia.parties.selectors import parties_for_user
from fidelia.surveys import selectors, services
from fidelia.surveys.models import Survey
from fidelia.surveys.schemas import (
    SurveyAnsweredOut,
    SurveyAnswerIn,
    SurveyDetailOut,
    SurveyIn,
    SurveyInvitationPage,
    SurveyOut,
    SurveyPage,
    SurveyResultsOut,
    SurveySendIn,
    SurveySendOut,
    SurveyStatusIn,
)

router = Router(tags=["Satisfaction surveys"])


def _viewer(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_view_surveys(user):
        raise Http404
    return user


def _manager(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_manage_surveys(user):
        raise Http404
    return user


@router.get("/surveys", response={200: SurveyPage, **errors(404)}, summary="List surveys")
def list_surveys(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return paginate(selectors.surveys_for_user(_viewer(request)).order_by("-created_at", "-id"), page)


@router.post("/surveys", response={201: SurveyDetailOut, **errors(404, 422)}, summary="Create a survey")
def create_survey(request: HttpRequest, payload: SurveyIn) -> Status[Survey]:
    user = _manager(request)
    data = payload.dict()
    questions = [services.QuestionInput(**q) for q in data.pop("questions")]
    survey = services.survey_create(actor=user, questions=questions, **data)
    return Status(201, survey)


@router.get("/surveys/{survey_id}", response={200: SurveyDetailOut, **errors(404)}, summary="A survey",
            openapi_extra=etag_documented())
def get_survey(request: HttpRequest, response: HttpResponse, survey_id: int = RowId) -> Survey:
    survey = selectors.survey_get_for_user(user=_viewer(request), pk=survey_id)
    set_etag(response, survey.version)
    return survey


@router.put("/surveys/{survey_id}/status", response={200: SurveyOut, **errors(404, 412, 422, 428)},
            summary="Activate or close a survey", openapi_extra=etag_documented())
def set_status(request: HttpRequest, response: HttpResponse, payload: SurveyStatusIn, survey_id: int = RowId,
               if_match: str | None = IF_MATCH) -> Survey:
    user = _manager(request)
    survey = selectors.survey_get_for_user(user=user, pk=survey_id)
    survey = services.survey_set_status(survey=survey, actor=user, status=payload.status,
                                        version=if_match_version(if_match))
    set_etag(response, survey.version)
    return survey


@router.post("/surveys/{survey_id}/invitations", response={200: SurveySendOut, **errors(404, 422)},
             summary="Send a survey to customers or a segment")
def send_survey(request: HttpRequest, payload: SurveySendIn, survey_id: int = RowId) -> services.SendOutcome:
    """E-mails a single-use link to each customer (ids the caller may read, or a segment's members);
    `skipped` counts who was not invited and why (no e-mail, refused, suppressed, already invited)."""
    user = _manager(request)
    survey = selectors.survey_get_for_user(user=user, pk=survey_id)
    if payload.segment_id:
        from fidelia.marketing.selectors import segment_members

        parties = list(segment_members(segment_id=payload.segment_id, user=user))
    elif payload.party_ids:
        wanted = set(payload.party_ids)
        parties = list(parties_for_user(user).filter(pk__in=wanted))
        if len(parties) != len(wanted):
            raise ValidationFailed("Unknown customer ids.", fields={"party_ids": ["Unknown or not visible ids."]})
    else:
        raise ValidationFailed("Give party_ids or segment_id.", fields={"party_ids": ["Required."]})
    return services.survey_send(survey=survey, parties=parties, actor=user, reference=payload.reference)


@router.get("/surveys/{survey_id}/invitations", response={200: SurveyInvitationPage, **errors(404)},
            summary="Invitations of a survey")
def list_invitations(request: HttpRequest, page: Query[PageIn], survey_id: int = RowId) -> dict[str, Any]:
    user = _viewer(request)
    survey = selectors.survey_get_for_user(user=user, pk=survey_id)
    return paginate(selectors.invitations_for_user(user=user, survey=survey), page)


@router.get("/surveys/{survey_id}/results", response={200: SurveyResultsOut, **errors(404)},
            summary="Results of a survey (aggregates)")
def get_results(request: HttpRequest, survey_id: int = RowId) -> dict[str, Any]:
    user = _viewer(request)
    survey = selectors.survey_get_for_user(user=user, pk=survey_id)
    results = selectors.survey_results(survey=survey, user=user)
    nps, (csat_n, csat_pct) = results["nps"], results["csat"]
    return {"sent": results["sent"], "answered": results["answered"], "response_rate": results["rate"],
            "nps": nps.nps, "promoters": nps.promoters, "passives": nps.passives, "detractors": nps.detractors,
            "csat_answers": csat_n, "csat_satisfied_percent": csat_pct,
            "questions": [{"question_id": q.question.pk, "text": q.question.text, "kind": q.question.kind,
                           "answered": q.answered, "counts": [{"value": v, "answers": n} for v, n in q.counts]}
                          for q in results["questions"]]}


@router.post("/surveys/answers/{token}", auth=None, response={201: SurveyAnsweredOut, **errors(404, 409, 410, 422, 429)},
             summary="Answer a survey (public, with the link's token)")
def answer(request: HttpRequest, token: str, payload: SurveyAnswerIn) -> Status[Any]:
    """One answer per token: 409 when already answered (nothing changed), 410 when expired, 404 when forged."""
    decision = hit("surveys_answer", client_ip(request) or "internal")
    if not decision.allowed:
        raise RateLimited(decision.retry_after)
    response = services.response_submit(token=token, answers=payload.answers)
    return Status(201, {"response_id": response.pk, "answered_at": response.answered_at})
