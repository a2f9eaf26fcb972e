"""The customer timeline as the 360 page and the API show it: logged interactions merged, at read
time, with entries other apps register (a campaign's message to the customer...).

Apps above `parties` register a source from their `AppConfig.ready()`; this module imports none of
them. A source returns the party's entries newest first: the timeline takes, from the interactions
and from every source, the first `offset + limit` rows, merges them by date and cuts the page, so
the order and the page size hold across sources without one row per message being written
(a campaign reaches hundreds of thousands of people).

Whoever may read the party reads its timeline: callers pass a party they got through
`parties_for_user`. A source decides what else the user may open (e.g. the campaign's page).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fidelia.accounts.models import User
from fidelia.parties.models import Party


@dataclass(frozen=True)
class EntryResponse:
    kind: str                 # "click", "reply", "order"...
    label: str                # translated
    at: dt.datetime


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline that is not an `Interaction` row."""
    source: str               # the registered source's key, e.g. "campaign"
    id: int                   # the row's id in its source (the campaign recipient...)
    occurred_at: dt.datetime
    title: str                # e.g. the campaign's name
    channel: str              # code, e.g. "email"
    channel_label: str        # translated
    badge: str                # translated, e.g. "Campaign"
    url: str = ""             # a page the user may open about it ("" when they may not)
    source_id: int | None = None  # the object behind it (the campaign) when the user may open it
    responses: tuple[EntryResponse, ...] = field(default_factory=tuple)

    timeline_source = property(lambda self: self.source)   # the template tells entries from interactions


@dataclass(frozen=True)
class TimelineSource:
    key: str
    # (party, user, limit) -> at most `limit` entries of the party, newest first
    entries: Callable[[Party, User, int], list[TimelineEntry]]
    # (party, user) -> how many entries the party has in this source
    count: Callable[[Party, User], int]


_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> None:
    _SOURCES[source.key] = source


def registered_timeline_sources() -> dict[str, TimelineSource]:
    return dict(_SOURCES)


def _when(item: Any) -> tuple[dt.datetime, int, int]:
    """Newest first; on the same instant interactions before entries, then by id."""
    is_entry = isinstance(item, TimelineEntry)
    return (item.occurred_at, 0 if is_entry else 1, item.id)


def _streams(party: Party, user: User, wanted: int, interactions: Any) -> list[tuple[list[Any], Callable[[], int]]]:
    """The first `wanted` rows of each stream (interactions, then each source) and how to count it."""
    rows = interactions if interactions is not None else party.interactions.select_related("author")
    streams: list[tuple[list[Any], Callable[[], int]]] = [
        (list(rows.order_by("-occurred_at", "-id")[:wanted]) if wanted else [], rows.count)]
    for source in _SOURCES.values():
        streams.append((source.entries(party, user, wanted) if wanted else [],
                        lambda source=source: source.count(party, user)))
    return streams


def _merge(streams: list[tuple[list[Any], Callable[[], int]]], offset: int, limit: int) -> list[Any]:
    items = sorted((item for got, _count in streams for item in got), key=_when, reverse=True)
    return items[offset:offset + limit]


def party_timeline_page(*, party: Party, user: User, offset: int = 0, limit: int = 20,
                        interactions: Any = None) -> tuple[list[Any], int]:
    """One page of `party`'s timeline, newest first, and the number of lines in all.

    Interactions come as model rows, registered entries as `TimelineEntry`. `interactions` is the
    party's interaction queryset (default: all of them); it is ordered here. A stream that returns
    fewer rows than asked for has been read whole, so it needs no COUNT query.
    """
    offset, limit = max(offset, 0), max(limit, 0)
    wanted = offset + limit
    streams = _streams(party, user, wanted, interactions)
    total = sum(len(got) if wanted and len(got) < wanted else count() for got, count in streams)
    return _merge(streams, offset, limit), total


def party_timeline(*, party: Party, user: User, offset: int = 0, limit: int = 20,
                   interactions: Any = None) -> list[Any]:
    """One page of the timeline (see `party_timeline_page`), without the total."""
    offset, limit = max(offset, 0), max(limit, 0)
    if not limit:
        return []
    return _merge(_streams(party, user, offset + limit, interactions), offset, limit)
