"""REST API of the customer timeline: every contact on every channel, with its meeting report."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.core.api import PageIn, PartyId, current_user, errors, paginate
from fidelia.core.errors import PermissionDenied
from fidelia.interactions import services
from fidelia.interactions.schemas import (
    InteractionFiltersIn,
    InteractionIn,
    InteractionOut,
    InteractionPage,
    TimelinePage,
)
from fidelia.interactions.selectors import interactions_for_user
from fidelia.parties.selectors import party_get_for_user
from fidelia.parties.timeline import TimelineEntry, party_timeline_page

router = Router(tags=["Interactions"])

ORDER = ("-occurred_at", "-id")


@router.get("/interactions", response={200: InteractionPage, **errors()}, summary="List interactions")
def list_interactions(request: HttpRequest, filters: Query[InteractionFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    """Contacts with the customers the caller may read, latest first."""
    queryset = interactions_for_user(current_user(request))
    if filters.party:
        queryset = queryset.filter(party_id=filters.party)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.direction:
        queryset = queryset.filter(direction=filters.direction)
    if filters.occurred_after:
        queryset = queryset.filter(occurred_at__gte=filters.occurred_after)
    if filters.occurred_before:
        queryset = queryset.filter(occurred_at__lt=filters.occurred_before)
    return paginate(queryset.order_by(*ORDER), page)


@router.get("/parties/{party_id}/interactions", response={200: TimelinePage, **errors(404)},
            summary="A customer's timeline")
def list_party_interactions(request: HttpRequest, page: Query[PageIn], party_id: int = PartyId) -> dict[str, Any]:
    """The customer's contact history, latest first: a colleague taking over reads it first.

    Logged interactions (`kind: interaction`) are merged by date with the campaign messages the
    customer received (`kind: campaign`, with their responses); `count` counts both."""
    user = current_user(request)
    party = party_get_for_user(user=user, pk=party_id)
    rows = interactions_for_user(user).filter(party=party)
    offset = (page.page - 1) * page.page_size
    items, count = party_timeline_page(party=party, user=user, offset=offset, limit=page.page_size, interactions=rows)
    return {"count": count, "page": page.page, "page_size": page.page_size,
            "items": [_timeline_item(item, party) for item in items]}


def _timeline_item(item: Any, party: Any) -> Any:
    if not isinstance(item, TimelineEntry):
        return item
    return {"kind": item.source, "id": item.id, "party": party, "channel": item.channel, "subject": item.title,
            "occurred_at": item.occurred_at, "source_id": item.source_id,
            "responses": [{"kind": r.kind, "at": r.at} for r in item.responses]}


@router.post("/parties/{party_id}/interactions", response={201: InteractionOut, **errors(403, 404)},
             summary="Log an interaction")
def log_interaction(request: HttpRequest, payload: InteractionIn, party_id: int = PartyId) -> Status[Any]:
    """Log a visit, call, e-mail, letter… with the customer; the author is the caller."""
    user = current_user(request)
    party = party_get_for_user(user=user, pk=party_id)
    if not policies.can_log_interaction(user):
        raise PermissionDenied(_("You may not log interactions."))
    return Status(201, services.interaction_log(party=party, actor=user, **payload.dict()))
