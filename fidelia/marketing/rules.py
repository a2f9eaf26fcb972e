"""The rules that decide, at send time, whether one message may go to one person.

Pure functions over plain values (no ORM), so they are tested exhaustively with hypothesis:
consent by channel and market (B2C opt-in or soft opt-in, B2B e-mail opt-out), the suppression
list (always wins), contact pressure caps, and the French rules of phone canvassing of consumers
(Monday–Friday 10:00–13:00 and 14:00–20:00, never on a public holiday, at most 4 calls per 30
days, 60 days of silence after a refusal).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import holidays

from fidelia.marketing.enums import CampaignChannel, ExclusionReason

PHONE_SLOTS = ((dt.time(10, 0), dt.time(13, 0)), (dt.time(14, 0), dt.time(20, 0)))
PHONE_MAX_CALLS_30D = 4
PHONE_SILENCE_AFTER_REFUSAL = dt.timedelta(days=60)


@dataclass(frozen=True)
class Pressure:
    """Caps per window: `total` across channels and one per channel."""

    days: int = 30
    total: int = 4
    per_channel: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    """What is known about one person at send time."""

    is_b2b: bool                 # an organisation, or a contact within one (professional address)
    is_customer: bool            # existing customer: soft opt-in for similar products
    consent: bool | None         # latest decision for (channel, purpose); None = never asked
    address: str                 # e-mail, E.164 number or postal address; "" = none usable
    suppressed: bool = False
    erased: bool = False
    sent_total: int = 0          # solicitations in the pressure window, all channels
    sent_channel: int = 0        # ... on this campaign's channel
    calls_30d: int = 0
    last_refusal: dt.datetime | None = None


def consent_reason(channel: str, c: Candidate) -> str | None:
    """Why consent forbids the message, or None when it is allowed."""
    if c.consent is False:
        return ExclusionReason.WITHDRAWN
    if c.consent is True:
        return None
    if channel in {CampaignChannel.POSTAL, CampaignChannel.PHONE}:
        return None  # opt-out channels: allowed until the person objects
    if channel == CampaignChannel.EMAIL and c.is_b2b:
        return None  # professional e-mail about the person's work: opt-out
    if c.is_customer:
        return None  # soft opt-in of an existing customer, for similar products
    return ExclusionReason.NO_CONSENT


def exclusion_reason(channel: str, c: Candidate, *, pressure: Pressure, now: dt.datetime) -> str | None:
    """The first reason the message may not be sent (in order of precedence), or None."""
    if c.erased:
        return ExclusionReason.ERASED
    if not c.address:
        return ExclusionReason.NO_ADDRESS
    if c.suppressed:
        return ExclusionReason.SUPPRESSED
    reason = consent_reason(channel, c)
    if reason:
        return reason
    if channel == CampaignChannel.PHONE and not c.is_b2b:
        if c.calls_30d >= PHONE_MAX_CALLS_30D:
            return ExclusionReason.PHONE_RULES
        if c.last_refusal is not None and now - c.last_refusal < PHONE_SILENCE_AFTER_REFUSAL:
            return ExclusionReason.PHONE_RULES
    cap = pressure.per_channel.get(str(channel))
    if c.sent_total >= pressure.total or (cap is not None and c.sent_channel >= cap):
        return ExclusionReason.PRESSURE
    return None


@lru_cache(maxsize=16)
def _french_holidays(year: int) -> holidays.HolidayBase:
    return holidays.France(years=year)


def is_public_holiday(day: dt.date) -> bool:
    return day in _french_holidays(day.year)


def phone_window_open(local: dt.datetime) -> bool:
    """May a consumer be called at this local (Europe/Paris) time?"""
    if local.weekday() >= 5 or is_public_holiday(local.date()):
        return False
    t = local.time()
    return any(start <= t < end for start, end in PHONE_SLOTS)


def next_phone_slot(local: dt.datetime) -> dt.datetime:
    """The first moment at or after `local` when a consumer may be called."""
    moment = local.replace(second=0, microsecond=0)
    for _day in range(30):  # at most a few days of weekends and holidays in a row
        if moment.weekday() < 5 and not is_public_holiday(moment.date()):
            for start, end in PHONE_SLOTS:
                if moment.time() < end:
                    return moment if moment.time() >= start else moment.replace(hour=start.hour, minute=start.minute)
        moment = (moment + dt.timedelta(days=1)).replace(hour=0, minute=0)
    raise AssertionError("no phone slot within 30 days")  # cannot happen with the French calendar


def send_window_open(local: dt.datetime, start: dt.time, end: dt.time) -> bool:
    """Inside the campaign's daily send window (end exclusive)."""
    return start <= local.time() < end
