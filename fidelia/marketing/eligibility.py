"""Batch evaluation of the send-time rules: gathers, in a few queries per chunk, what `rules`
needs for each person (consent, suppression, pressure counts, phone history) and decides."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from fidelia.marketing.enums import CampaignChannel, ExclusionReason, ResponseKind
from fidelia.marketing.models import CampaignResponse, Solicitation
from fidelia.marketing.rules import (
    PHONE_MAX_CALLS_30D,
    PHONE_SILENCE_AFTER_REFUSAL,
    Candidate,
    Pressure,
    exclusion_reason,
)
from fidelia.parties.enums import PartyKind, Stage
from fidelia.parties.models import ConsentRecord, Party
from fidelia.privacy.models import SuppressionEntry
from fidelia.privacy.suppression import suppressed_filter

CHUNK = 2000
CONSENT_CHANNEL = {CampaignChannel.EMAIL: "email", CampaignChannel.SMS: "sms",
                   CampaignChannel.PHONE: "phone", CampaignChannel.POSTAL: "post"}
PARTY_FIELDS = ("id", "kind", "stage", "organisation_id", "email", "phone", "postcode", "city", "erased_at",
                "civility", "first_name", "last_name", "display_name", "owner_id", "language")


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


# --- planning: the same rules, decided by the database for a whole chunk of people at once ---

PLAN_CHUNK = 5000
KEEPS_FIRST = {ExclusionReason.ERASED, ExclusionReason.NO_ADDRESS}  # the reasons that precede suppression


def _blank(name: str) -> Q:
    return Q(**{f"{name}__isnull": True}) | Q(**{name: ""})


def _solicitations(since: dt.datetime, channel: str | None) -> Coalesce:
    rows = Solicitation.objects.filter(party_id=OuterRef("pk"), at__gte=since)
    if channel:
        rows = rows.filter(channel=channel)
    return Coalesce(Subquery(rows.order_by().values("party_id").annotate(n=Count("id")).values("n")[:1],
                             output_field=IntegerField()), Value(0))


def _reason_sql(*, channel: str, purpose: str, now: dt.datetime, pressure: Pressure) -> Case:
    """`rules.exclusion_reason` as one SQL CASE, except the suppression list (keyed digests, checked
    in Python by `plan_decisions`); "" when the message may go."""
    b2b = Q(kind=PartyKind.ORGANISATION) | Q(organisation_id__isnull=False)
    if channel == CampaignChannel.EMAIL:
        no_address = _blank("email")
    elif channel in {CampaignChannel.SMS, CampaignChannel.PHONE}:
        no_address = _blank("phone")
    else:
        no_address = _blank("postcode") | _blank("city")
    whens = [When(erased_at__isnull=False, then=Value(ExclusionReason.ERASED)),
             When(no_address, then=Value(ExclusionReason.NO_ADDRESS)),
             When(consent=False, then=Value(ExclusionReason.WITHDRAWN))]
    if channel in {CampaignChannel.EMAIL, CampaignChannel.SMS}:
        opt_out = Q(stage=Stage.CUSTOMER) | b2b if channel == CampaignChannel.EMAIL else Q(stage=Stage.CUSTOMER)
        whens.append(When(Q(consent__isnull=True) & ~opt_out, then=Value(ExclusionReason.NO_CONSENT)))
    if channel == CampaignChannel.PHONE:
        consumer = ~b2b
        whens += [When(consumer & Q(calls_30d__gte=PHONE_MAX_CALLS_30D), then=Value(ExclusionReason.PHONE_RULES)),
                  When(consumer & Q(last_refusal__gt=now - PHONE_SILENCE_AFTER_REFUSAL),
                       then=Value(ExclusionReason.PHONE_RULES))]
    over = Q(sent_total__gte=pressure.total)
    cap = pressure.per_channel.get(str(channel))
    if cap is not None:
        over |= Q(sent_channel__gte=cap)
    whens.append(When(over, then=Value(ExclusionReason.PRESSURE)))
    return Case(*whens, default=Value(""), output_field=CharField())


def plan_decisions(party_ids: Iterable[int], *, channel: str, purpose: str, now: dt.datetime,
                   pressure: Pressure | None = None) -> list[tuple[int, str, int | None, str, str]]:
    """(party_id, exclusion reason or "", owner_id, kind, language) of each existing party: the decision of
    `evaluate` (same rules, same precedence) taken by one query per chunk of 5,000 people instead of
    per person in Python; only the suppression list, stored as keyed digests, is matched here."""
    pressure = pressure or pressure_from_settings()
    ids = sorted(set(party_ids))
    since = now - dt.timedelta(days=pressure.days)
    latest = (ConsentRecord.objects.filter(party_id=OuterRef("pk"), channel=CONSENT_CHANNEL[channel], purpose=purpose)
              .order_by("-recorded_at", "-id").values("granted")[:1])
    facts = {"consent": Subquery(latest, output_field=BooleanField()),
             "sent_total": _solicitations(since, None), "sent_channel": _solicitations(since, channel)}
    if channel == CampaignChannel.PHONE:
        refusals = (CampaignResponse.objects.filter(recipient__party_id=OuterRef("pk"), kind=ResponseKind.REFUSAL)
                    .order_by("-at").values("at")[:1])
        facts |= {"calls_30d": _solicitations(now - dt.timedelta(days=30), channel),
                  "last_refusal": Subquery(refusals, output_field=DateTimeField())}
    reason = _reason_sql(channel=channel, purpose=purpose, now=now, pressure=pressure)
    listed = SuppressionEntry.objects.exists()
    out: list[tuple[int, str, int | None, str, str]] = []
    for start in range(0, len(ids), PLAN_CHUNK):
        rows = list(Party.objects.filter(pk__in=ids[start:start + PLAN_CHUNK]).order_by().annotate(**facts)
                    .annotate(reason=reason).values_list("pk", "reason", "owner_id", "kind", "email", "phone",
                                                                "language"))
        suppressed = suppressed_filter(
            v for _p, why, _o, _k, email, phone, _l in rows if why not in KEEPS_FIRST for v in (email, phone) if v
        ) if listed else set()
        for pid, why, owner, kind, email, phone, language in rows:
            if suppressed and why not in KEEPS_FIRST and (email in suppressed or phone in suppressed):
                why = ExclusionReason.SUPPRESSED
            out.append((pid, why, owner, kind, language or "fr"))
    return out
