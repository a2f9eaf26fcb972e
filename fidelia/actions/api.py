"""REST API of actions to take: the list, one action and its buttons (If-Match), manual actions,
rules (CRUD with validation, preview count) and the refresh trigger for managers.

Anything the caller may not read answers 404, like the pages; stale buttons answer 412.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.actions import selectors, services
from fidelia.actions.models import Action, ActionRule
from fidelia.actions.schemas import (
    ActionFiltersIn,
    ActionIn,
    ActionOut,
    ActionPage,
    CompleteIn,
    DismissIn,
    PreviewIn,
    PreviewOut,
    RefreshIn,
    RefreshOut,
    RuleIn,
    RuleOut,
    RulePatchIn,
    SnoozeIn,
)
from fidelia.core.api import (
    IF_MATCH,
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
from fidelia.core.errors import ValidationFailed
from fidelia.parties.selectors import party_get_for_user
from fidelia.sales.models import Product

router = Router(tags=["Actions to take"])


def _user(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_use_actions(user):
        raise Http404
    return user


def _manager(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.can_manage_action_rules(user):
        raise Http404
    return user


@router.get("/actions", response={200: ActionPage, **errors(404)}, summary="List actions to take")
def list_actions(request: HttpRequest, filters: Query[ActionFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    """The caller's actions (a manager's: the team's); by default the open ones, overdue first."""
    qs = selectors.action_list(user=_user(request), today=timezone.localdate(), status=filters.status,
                               owner_id=filters.owner_id, party_id=filters.party_id)
    return paginate(qs, page)


@router.post("/actions", response={201: ActionOut, **errors(404)}, summary="Add an action by hand",
             openapi_extra=etag_documented(201))
def create_action(request: HttpRequest, response: HttpResponse, payload: ActionIn) -> Status[Action]:
    user = _user(request)
    party = party_get_for_user(user=user, pk=payload.party_id, for_write=True)
    action = services.action_create(party=party, actor=user, kind=payload.kind, title=payload.title,
                                    due_on=payload.due_on, reason=payload.reason, priority=payload.priority)
    set_etag(response, action.version)
    return Status(201, selectors.action_get_for_user(user=user, pk=action.pk))


@router.get("/actions/{action_id}", response={200: ActionOut, **errors(404)}, summary="An action to take",
            openapi_extra=etag_documented())
def get_action(request: HttpRequest, response: HttpResponse, action_id: int = RowId) -> Action:
    action = selectors.action_get_for_user(user=_user(request), pk=action_id)
    set_etag(response, action.version)
    return action


def _button(request: HttpRequest, response: HttpResponse, action_id: int, if_match: str | None, run: Any) -> Action:
    user = _user(request)
    action = selectors.action_get_for_user(user=user, pk=action_id)
    run(action, user, if_match_version(if_match))
    action = selectors.action_get_for_user(user=user, pk=action_id)
    set_etag(response, action.version)
    return action


BUTTON_ERRORS = errors(404, 409, 412, 428)


@router.post("/actions/{action_id}/complete", response={200: ActionOut, **BUTTON_ERRORS}, summary="Mark done",
             openapi_extra=etag_documented())
def complete_action(request: HttpRequest, response: HttpResponse, payload: CompleteIn, action_id: int = RowId,
                    if_match: str | None = IF_MATCH) -> Action:
    """Done; the outcome and note are logged as an outbound interaction in the customer's timeline."""
    return _button(request, response, action_id, if_match, lambda a, u, v: services.action_complete(
        action=a, actor=u, version=v, outcome=payload.outcome, note=payload.note))


@router.post("/actions/{action_id}/snooze", response={200: ActionOut, **BUTTON_ERRORS}, summary="Snooze",
             openapi_extra=etag_documented())
def snooze_action(request: HttpRequest, response: HttpResponse, payload: SnoozeIn, action_id: int = RowId,
                  if_match: str | None = IF_MATCH) -> Action:
    return _button(request, response, action_id, if_match, lambda a, u, v: services.action_snooze(
        action=a, actor=u, version=v, until=payload.until))


@router.post("/actions/{action_id}/dismiss", response={200: ActionOut, **BUTTON_ERRORS}, summary="Dismiss",
             openapi_extra=etag_documented())
def dismiss_action(request: HttpRequest, response: HttpResponse, payload: DismissIn, action_id: int = RowId,
                   if_match: str | None = IF_MATCH) -> Action:
    return _button(request, response, action_id, if_match, lambda a, u, v: services.action_dismiss(
        action=a, actor=u, version=v, reason=payload.reason))


# --- rules -----------------------------------------------------------------------------------------

@router.get("/action-rules", response={200: list[RuleOut], **errors(404)}, summary="List action rules")
def list_rules(request: HttpRequest) -> Any:
    return list(selectors.rules_for_user(_user(request)))


def _product(payload: Any) -> Product | None:
    return resolve(Product.objects.all(), payload.product_id, field="product_id")


@router.post("/action-rules", response={201: RuleOut, **errors(404)}, summary="Create an action rule",
             openapi_extra=etag_documented(201))
def create_rule(request: HttpRequest, response: HttpResponse, payload: RuleIn) -> Status[ActionRule]:
    """The condition is compiled first: an invalid one answers 422 naming the clause, nothing saved."""
    user = _manager(request)
    data = payload.dict(exclude={"product_id"})
    rule = services.rule_create(actor=user, product=_product(payload), **data)
    set_etag(response, rule.version)
    return Status(201, rule)


@router.post("/action-rules/preview", response={200: PreviewOut, **errors(404)}, summary="Preview a condition")
def preview_rule(request: HttpRequest, payload: PreviewIn) -> Any:
    """How many customers match now, and up to 10 of those the caller may read."""
    user = _manager(request)
    return selectors.rule_preview(condition=payload.condition, user=user, as_of=timezone.localdate())


@router.post("/action-rules/refresh", response={200: RefreshOut, **errors(404)}, summary="Run the daily job now")
def refresh(request: HttpRequest, payload: RefreshIn) -> Any:
    """Managers: run every active rule (or `rule_key`) for today; idempotent. The nightly Celery job
    does the same; on a large base prefer it (or the CLI) to a long HTTP request."""
    user = _manager(request)
    if payload.rule_key is not None and not ActionRule.objects.filter(key=payload.rule_key).exists():
        message = _("There is no rule with the key %(key)r.") % {"key": payload.rule_key}
        raise ValidationFailed(message, fields={"rule_key": [message]})
    report = services.actions_refresh(as_of=timezone.localdate(), rule_key=payload.rule_key,
                                      dry_run=payload.dry_run, actor=user)
    return {"as_of": report.as_of, "dry_run": report.dry_run, "created": report.created, "matched": report.matched,
            "expired": report.expired, "woken": report.woken,
            "rules": [{"key": r.key, "matched": r.matched, "created": r.created} for r in report.rules]}


@router.get("/action-rules/{rule_id}", response={200: RuleOut, **errors(404)}, summary="An action rule",
            openapi_extra=etag_documented())
def get_rule(request: HttpRequest, response: HttpResponse, rule_id: int = RowId) -> ActionRule:
    rule = selectors.rule_get_for_user(user=_user(request), pk=rule_id)
    set_etag(response, rule.version)
    return rule


@router.patch("/action-rules/{rule_id}", response={200: RuleOut, **errors(404, 409, 412, 428)},
              summary="Change an action rule", openapi_extra=etag_documented())
def update_rule(request: HttpRequest, response: HttpResponse, payload: RulePatchIn, rule_id: int = RowId,
                if_match: str | None = IF_MATCH) -> ActionRule:
    """Only the fields sent change; refused (412) when stale, 422 when the result does not compile."""
    user = _manager(request)
    rule = selectors.rule_get_for_user(user=user, pk=rule_id, for_write=True)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items()
               if v is not None or k in {"valid_from", "valid_to"}}  # null clears the dates, nothing else
    rule = services.rule_update(rule=rule, actor=user, version=if_match_version(if_match), **changes)
    set_etag(response, rule.version)
    return rule
