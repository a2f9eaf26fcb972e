"""Batch evaluation of the send-time rules: gathers, in a few queries per chunk, what `rules`
needs for each person (consent, suppression, pressure counts, phone history) and decides."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Max, Q

from fidelia.marketing.enums import CampaignChannel, ResponseKind
from fidelia.marketing.models import CampaignResponse, Solicitation
from fidelia.marketing.rules import Candidate, Pressure, exclusion_reason
from fidelia.parties.enums import PartyKind, Stage
from fidelia.parties.models import ConsentRecord, Party
from fidelia.privacy.suppression import suppressed_filter

CHUNK = 2000
CONSENT_CHANNEL = {CampaignChannel.EMAIL: "email", CampaignChannel.SMS: "sms",
                   CampaignChannel.PHONE: "phone", CampaignChannel.POSTAL: "post"}
PARTY_FIELDS = ("id", "kind", "stage", "organisation_id", "email", "phone", "postcode", "city", "erased_at",
                "civility", "first_name", "last_name", "display_name", "owner_id")


def pressure_from_settings() -> Pressure:
    per = {c: getattr(settings, f"FIDELIA_MARKETING_PRESSURE_MAX_{c.upper()}") for c in CampaignChannel.values}
    return Pressure(days=settings.FIDELIA_MARKETING_PRESSURE_DAYS, total=settings.FIDELIA_MARKETING_PRESSURE_MAX,
                    per_channel=per)


def address_of(channel: str, row: dict) -> str:
    if channel == CampaignChannel.EMAIL:
        return row["email"] or ""
    if channel in {CampaignChannel.SMS, CampaignChannel.PHONE}:
        return row["phone"] or ""
    if row["postcode"] and row["city"]:
        return f"{row['postcode']} {row['city']}"
    return ""


def _latest_consents(ids: list[int], channel: str, purpose: str) -> dict[int, bool]:
    latest: dict[int, bool] = {}
    rows = (ConsentRecord.objects.filter(party_id__in=ids, channel=CONSENT_CHANNEL[channel], purpose=purpose)
            .order_by("party_id", "-recorded_at", "-id").values_list("party_id", "granted"))
    for pid, granted in rows:
        latest.setdefault(pid, granted)
    return latest


def _pressure_counts(ids: list[int], channel: str, since: dt.datetime) -> tuple[dict[int, int], dict[int, int]]:
    rows = (Solicitation.objects.filter(party_id__in=ids, at__gte=since).values("party_id")
            .annotate(total=Count("id"), mine=Count("id", filter=Q(channel=channel))))
    return ({r["party_id"]: r["total"] for r in rows}, {r["party_id"]: r["mine"] for r in rows})


def evaluate(party_ids: Iterable[int], *, channel: str, purpose: str, now: dt.datetime,
             pressure: Pressure | None = None) -> dict[int, tuple[str | None, dict]]:
    """party_id → (exclusion reason or None, the party's row of PARTY_FIELDS)."""
    pressure = pressure or pressure_from_settings()
    ids = list(party_ids)
    out: dict[int, tuple[str | None, dict]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows = {r["id"]: r for r in Party.objects.filter(pk__in=chunk).values(*PARTY_FIELDS)}
        consents = _latest_consents(chunk, channel, purpose)
        addresses = {pid: address_of(channel, r) for pid, r in rows.items()}
        suppressed = suppressed_filter(
            v for pid, r in rows.items() for v in (r["email"], r["phone"]) if v) if rows else set()
        total, mine = _pressure_counts(chunk, channel, now - dt.timedelta(days=pressure.days))
        calls, refusals = {}, {}
        if channel == CampaignChannel.PHONE:
            _t, calls = _pressure_counts(chunk, channel, now - dt.timedelta(days=30))
            refusals = dict(CampaignResponse.objects.filter(recipient__party_id__in=chunk, kind=ResponseKind.REFUSAL)
                            .values("recipient__party_id").annotate(last=Max("at"))
                            .values_list("recipient__party_id", "last"))
        for pid, r in rows.items():
            candidate = Candidate(
                is_b2b=r["kind"] == PartyKind.ORGANISATION or r["organisation_id"] is not None,
                is_customer=r["stage"] == Stage.CUSTOMER, consent=consents.get(pid), address=addresses[pid],
                # the whole file is checked: any of its e-mail or phone listed excludes the person
                suppressed=bool(suppressed & {r["email"], r["phone"]}), erased=r["erased_at"] is not None,
                sent_total=total.get(pid, 0), sent_channel=mine.get(pid, 0), calls_30d=calls.get(pid, 0),
                last_refusal=refusals.get(pid))
            out[pid] = (exclusion_reason(channel, candidate, pressure=pressure, now=now), r)
    return out
