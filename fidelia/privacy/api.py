"""REST API of the data-subject request register: list, register, read one with its history.

The register is the DPO's (and administrators'): for anyone else these endpoints answer 404, like
the pages. Each step of a request (start, extend, complete, refuse) names the version it acts on in
If-Match, like every update: 428 without it, 412 when someone acted on the request meanwhile.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.core.api import (
    IF_MATCH,
    Date,
    Id,
    Page,
    PageIn,
    RowId,
    current_user,
    errors,
    etag_documented,
    if_match_version,
    paginate,
    resolve,
    set_etag,
    text,
)
from fidelia.parties.selectors import parties_for_user
from fidelia.privacy import selectors, services
from fidelia.privacy.enums import SubjectRequestChannel, SubjectRequestKind, SubjectRequestStatus
from fidelia.privacy.models import SubjectRequest

router = Router(tags=["Data-subject requests"])


class SubjectRequestIn(Schema):
    kind: SubjectRequestKind
    requester_name: text(200)
    requester_contact: text(200) = ""
    channel: SubjectRequestChannel = SubjectRequestChannel.EMAIL
    received_on: Date = Field(..., description="Day the request arrived; the one-month deadline runs from it.")
    party_id: Id | None = Field(None, description="The customer concerned, when known.")
    notes: text(4000) = ""


class SubjectRequestEventOut(Schema):
    at: dt.datetime
    action: str
    actor: str | None
    note: str

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.username if obj.actor else None


class SubjectRequestOut(Schema):
    id: int
    kind: str
    status: str
    party_id: int | None
    requester_name: str
    requester_contact: str
    channel: str
    received_on: dt.date
    due_on: dt.date
    deadline_state: str = Field(..., description="overdue, due_soon (7 days or less), later or closed.")
    extended: bool
    extension_reason: str
    extension_notified_on: dt.date | None
    outcome: str
    closed_on: dt.date | None
    handled_by: str | None
    version: int

    @staticmethod
    def resolve_handled_by(obj: Any) -> str | None:
        return obj.handled_by.username if obj.handled_by else None


class SubjectRequestDetailOut(SubjectRequestOut):
    events: list[SubjectRequestEventOut]

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.select_related("actor"))


class SubjectRequestPage(Page[SubjectRequestOut]):
    pass


class SubjectRequestFiltersIn(Schema):
    status: SubjectRequestStatus | None = None
    kind: SubjectRequestKind | None = None
    deadline: selectors.DeadlineState | None = Field(None, description="overdue, due_soon or later (open requests).")


def _require_dpo(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_manage_subject_requests(user):
        raise Http404
    return user


@router.get("/privacy/requests", response={200: SubjectRequestPage, **errors(404)}, summary="List data-subject requests")
def list_requests(request: HttpRequest, filters: Query[SubjectRequestFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    """The register, earliest deadline first."""
    user = _require_dpo(request)
    queryset = selectors.subject_request_list(user=user, status=filters.status or "", kind=filters.kind or "",
                                              deadline=filters.deadline or "")
    result = paginate(queryset, page)
    result["items"] = selectors.with_deadlines(result["items"])
    return result


@router.post("/privacy/requests", response={201: SubjectRequestOut, **errors(404)}, summary="Register a request")
def create_request(request: HttpRequest, payload: SubjectRequestIn) -> Status[Any]:
    """Register a request as received; the deadline is computed from `received_on`."""
    user = _require_dpo(request)
    data = payload.dict()
    party = resolve(parties_for_user(user), data.pop("party_id"), field="party_id")
    created = services.subject_request_create(actor=user, party_id=party.pk if party else None, **data)
    return Status(201, selectors.with_deadlines([created])[0])


@router.get("/privacy/requests/{request_id}", response={200: SubjectRequestDetailOut, **errors(404)},
            summary="A request and its history")
def get_request(request: HttpRequest, response: HttpResponse, request_id: int = RowId) -> SubjectRequest:
    user = _require_dpo(request)
    subject_request = selectors.subject_request_get_for_user(user=user, pk=request_id)
    set_etag(response, subject_request.version)
    return selectors.with_deadlines([subject_request])[0]


class ExtendIn(Schema):
    reason: text(2000) = Field(..., description="Why the request needs two more months (complexity, number of requests).")
    notified_on: Date = Field(..., description="Day the person was told of the extension and why.")


class CompleteIn(Schema):
    outcome: text(4000) = Field(..., description="The answer given to the person.")


class RefuseIn(Schema):
    reason: text(4000) = Field(..., description="Why the request is refused; told to the person with their right "
                                                "to complain to the CNIL.")


def _step(request: HttpRequest, response: HttpResponse, request_id: int, if_match: str | None,
          act: Any, **kwargs: Any) -> SubjectRequest:
    """Load the request for the DPO, check its version, take the step, answer the updated request."""
    user = _require_dpo(request)
    subject_request = selectors.subject_request_get_for_user(user=user, pk=request_id)
    version = if_match_version(if_match)
    updated = act(request=subject_request, actor=user, version=version, **kwargs)
    set_etag(response, updated.version)
    return selectors.with_deadlines([updated])[0]


STEP_ERRORS = errors(400, 404, 409, 412, 422, 428)


@router.post("/privacy/requests/{request_id}/start", response={200: SubjectRequestOut, **STEP_ERRORS},
             summary="Start handling a request", openapi_extra=etag_documented())
def start_request(request: HttpRequest, response: HttpResponse, request_id: int = RowId,
                  if_match: str | None = IF_MATCH) -> SubjectRequest:
    """The caller becomes the request's handler."""
    return _step(request, response, request_id, if_match, services.subject_request_start)


@router.post("/privacy/requests/{request_id}/extend", response={200: SubjectRequestOut, **STEP_ERRORS},
             summary="Extend the deadline by two months", openapi_extra=etag_documented())
def extend_request(request: HttpRequest, response: HttpResponse, payload: ExtendIn, request_id: int = RowId,
                   if_match: str | None = IF_MATCH) -> SubjectRequest:
    """Once only, before the first deadline, with a reason and the day the person was told."""
    return _step(request, response, request_id, if_match, services.subject_request_extend, **payload.dict())


@router.post("/privacy/requests/{request_id}/complete", response={200: SubjectRequestOut, **STEP_ERRORS},
             summary="Close a request as answered", openapi_extra=etag_documented())
def complete_request(request: HttpRequest, response: HttpResponse, payload: CompleteIn, request_id: int = RowId,
                     if_match: str | None = IF_MATCH) -> SubjectRequest:
    """An objection lists the person on the suppression list; an erasure anonymises them (DPO only)."""
    return _step(request, response, request_id, if_match, services.subject_request_complete, **payload.dict())


@router.post("/privacy/requests/{request_id}/refuse", response={200: SubjectRequestOut, **STEP_ERRORS},
             summary="Close a request as refused", openapi_extra=etag_documented())
def refuse_request(request: HttpRequest, response: HttpResponse, payload: RefuseIn, request_id: int = RowId,
                   if_match: str | None = IF_MATCH) -> SubjectRequest:
    return _step(request, response, request_id, if_match, services.subject_request_refuse, **payload.dict())
