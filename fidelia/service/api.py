"""REST API of customer service: cases (list, create, read, change, assign, status, reply, note) and
SLA policies.

Reads follow `case_read_filter` (404 outside it); changes to a case or a policy need the ETag of the
version read in If-Match (428 without it, 412 when stale). Configuring SLA policies is for
administrators (403 otherwise).
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core.api import (
    IF_MATCH,
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
)
from fidelia.core.errors import PermissionDenied
from fidelia.parties.selectors import parties_for_user
from fidelia.sales.models import Contract, Transaction
from fidelia.service import selectors, services
from fidelia.service.enums import CaseKind, CaseStatus, QueueView
from fidelia.service.models import Case, SlaPolicy
from fidelia.service.schemas import (
    AssignIn,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CaseUpdateIn,
    MessageOut,
    NoteIn,
    ReplyIn,
    SlaPolicyIn,
    SlaPolicyOut,
    StatusIn,
)

router = Router(tags=["Customer service"])


def _agent(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_work_cases(user):
        raise PermissionDenied(_("You may not work on service cases."))
    return user


def _detail(case: Case) -> dict[str, Any]:
    state = selectors.sla_state(case)
    out = CaseOut.from_orm(case).dict()
    return {**out, "sla": {"target": state.target, "seconds_left": state.seconds_left, "level": state.level},
            "messages": list(case.messages.all())}


class CaseFilter(PageIn):
    view: QueueView | None = None
    status: CaseStatus | None = None
    kind: CaseKind | None = None
    party_id: int | None = None
    q: str = ""


@router.get("/service/cases", response={200: Page[CaseOut], **errors(403)}, summary="List cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    """Cases the caller reads; `view` gives a queue (active cases, most urgent first)."""
    user = _agent(request)
    if filters.view:
        qs = selectors.case_queue(user, view=filters.view, q=filters.q[:100])
    else:
        qs = selectors.case_list_for_user(user).order_by("-opened_at", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.party_id:
        qs = qs.filter(party_id=filters.party_id)
    return paginate(qs, filters)


@router.post("/service/cases", response={201: CaseDetailOut, **errors(403, 422)}, summary="Open a case",
             openapi_extra=etag_documented(201))
def create_case(request: HttpRequest, response: HttpResponse, payload: CaseIn) -> Any:
    user = _agent(request)
    party = resolve(parties_for_user(user), payload.party_id, field="party_id")
    case = services.case_create(
        actor=user, party=party, subject=payload.subject, kind=payload.kind, category=payload.category,
        priority=payload.priority, channel=payload.channel, description=payload.description,
        contract=resolve(Contract.objects.filter(party=party), payload.contract_id, field="contract_id"),
        transaction_row=resolve(Transaction.objects.filter(party=party), payload.transaction_id,
                                field="transaction_id"))
    set_etag(response, case.version)
    return Status(201, _detail(case))


def _case(request: HttpRequest, pk: int) -> tuple[Any, Case]:
    user = _agent(request)
    return user, selectors.case_get_for_user(user, pk)


@router.get("/service/cases/{case_id}", response={200: CaseDetailOut, **errors(403, 404)}, summary="Read a case",
            openapi_extra=etag_documented())
def read_case(request: HttpRequest, response: HttpResponse, case_id: int = RowId) -> Any:
    _user, case = _case(request, case_id)
    set_etag(response, case.version)
    return _detail(case)


@router.patch("/service/cases/{case_id}", response={200: CaseDetailOut, **errors(403, 404, 409, 412, 422, 428)},
              summary="Change a case", openapi_extra=etag_documented())
def update_case(request: HttpRequest, response: HttpResponse, payload: CaseUpdateIn, case_id: int = RowId,
                if_match: str | None = IF_MATCH) -> Any:
    user, case = _case(request, case_id)
    version = if_match_version(if_match)
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    if "party_id" in changes:
        changes["party"] = resolve(parties_for_user(user), changes.pop("party_id"), field="party_id")
    case = services.case_update(case=case, actor=user, version=version, **changes)
    set_etag(response, case.version)
    return _detail(case)


@router.post("/service/cases/{case_id}/status", response={200: CaseDetailOut, **errors(403, 404, 409, 412, 422, 428)},
             summary="Move a case along its workflow", openapi_extra=etag_documented())
def change_status(request: HttpRequest, response: HttpResponse, payload: StatusIn, case_id: int = RowId,
                  if_match: str | None = IF_MATCH) -> Any:
    """new → open → waiting on customer → resolved → closed, reopened; other moves are refused (422)."""
    user, case = _case(request, case_id)
    case = services.case_change_status(case=case, status=payload.status, actor=user, version=if_match_version(if_match))
    set_etag(response, case.version)
    return _detail(case)


@router.post("/service/cases/{case_id}/assign", response={200: CaseDetailOut, **errors(403, 404, 409, 412, 422, 428)},
             summary="Assign a case", openapi_extra=etag_documented())
def assign(request: HttpRequest, response: HttpResponse, payload: AssignIn, case_id: int = RowId,
           if_match: str | None = IF_MATCH) -> Any:
    user, case = _case(request, case_id)
    owner = resolve(User.objects.filter(is_active=True), payload.owner_id, field="owner_id")
    case = services.case_assign(case=case, owner=owner, actor=user, version=if_match_version(if_match))
    set_etag(response, case.version)
    return _detail(case)


@router.post("/service/cases/{case_id}/reply", response={201: MessageOut, **errors(403, 404, 409, 412, 422, 428, 502)},
             summary="Reply to the customer by e-mail")
def reply(request: HttpRequest, response: HttpResponse, payload: ReplyIn, case_id: int = RowId,
          if_match: str | None = IF_MATCH) -> Any:
    """Sends the e-mail (subject tagged [CAS-…]); 502 when the mail server refuses it (nothing recorded)."""
    user, case = _case(request, case_id)
    version = if_match_version(if_match)
    try:
        message = services.case_reply(case=case, body=payload.body, actor=user, version=version,
                                      status=payload.then or None)
    except OSError:
        return Status(502, {"error": {"code": "mail_refused", "message": _("The mail server refused the message."),
                                      "fields": {}}})
    return Status(201, message)


@router.post("/service/cases/{case_id}/notes", response={201: MessageOut, **errors(403, 404)},
             summary="Add an internal note")
def note(request: HttpRequest, payload: NoteIn, case_id: int = RowId) -> Any:
    user, case = _case(request, case_id)
    return Status(201, services.case_add_note(case=case, body=payload.body, actor=user))


@router.get("/service/sla-policies", response={200: list[SlaPolicyOut], **errors(403)}, summary="List SLA policies")
def list_policies(request: HttpRequest) -> Any:
    _agent(request)
    return list(SlaPolicy.objects.all())


@router.post("/service/sla-policies", response={201: SlaPolicyOut, **errors(403, 422)}, summary="Add an SLA policy")
def create_policy(request: HttpRequest, payload: SlaPolicyIn) -> Any:
    return Status(201, services.sla_policy_save(actor=current_user(request), **payload.dict()))


@router.get("/service/sla-policies/{policy_id}", response={200: SlaPolicyOut, **errors(403, 404)},
            summary="Read an SLA policy", openapi_extra=etag_documented())
def read_policy(request: HttpRequest, response: HttpResponse, policy_id: int = RowId) -> Any:
    _agent(request)
    policy = _policy(policy_id)
    set_etag(response, policy.version)
    return policy


@router.put("/service/sla-policies/{policy_id}", response={200: SlaPolicyOut, **errors(403, 404, 409, 412, 422, 428)},
            summary="Change an SLA policy", openapi_extra=etag_documented())
def update_policy(request: HttpRequest, response: HttpResponse, payload: SlaPolicyIn, policy_id: int = RowId,
                  if_match: str | None = IF_MATCH) -> Any:
    """Open cases keep the due dates they got when they opened."""
    policy = _policy(policy_id)
    policy = services.sla_policy_save(actor=current_user(request), policy=policy,
                                      version=if_match_version(if_match), **payload.dict())
    set_etag(response, policy.version)
    return policy


def _policy(pk: int) -> SlaPolicy:
    from django.http import Http404

    policy = SlaPolicy.objects.filter(pk=pk).first()
    if policy is None:
        raise Http404
    return policy

