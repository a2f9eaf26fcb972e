"""Reads on the customer file. Every read for a user goes through the policy filter."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NoReturn

from django.conf import settings
from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.http import Http404
from rapidfuzz import fuzz

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.parties.enums import Channel, ConsentPurpose, Stage
from fidelia.parties.fields import field_rights
from fidelia.parties.models import ConsentRecord, Party
from fidelia.parties.search import normalize_query
from fidelia.parties.timeline import party_timeline
from fidelia.privacy.reads import audit_access_denied

SORTS = {
    "name": ("sort_name", "id"), "-name": ("-sort_name", "-id"),
    "created": ("created_at", "id"), "-created": ("-created_at", "-id"),
    "city": ("city", "sort_name", "id"), "-city": ("-city", "-sort_name", "-id"),
    "stage": ("stage", "sort_name", "id"), "-stage": ("-stage", "-sort_name", "-id"),
}
FUZZY_THRESHOLD = 75  # rapidfuzz score (0–100) under which a fuzzy match is not shown (SQLite)
TRIGRAM_THRESHOLD = 0.35  # pg_trgm similarity under which a vocabulary word is no correction


ACCESS_RULES = {
    "read": policies.party_read_filter,
    "write": policies.party_write_filter,
    "consent": policies.party_consent_filter,
}


def parties_for_user(user: User, *, for_write: bool = False, access: str = "") -> QuerySet[Party]:
    """Parties `user` may read, change (`for_write`), or record consent on (`access="consent"`)."""
    rule = ACCESS_RULES[access or ("write" if for_write else "read")](user)
    if rule is None:
        return Party.objects.none()
    # A file merged into another lives on only for the merge's undo.
    return Party.objects.filter(rule, merged_into__isnull=True)


def merged_survivor_for_user(*, user: User, pk: Any) -> int | None:
    """The id of the file a merged party now lives in, if `user` may read that file; else None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    rule = policies.party_read_filter(user)
    if rule is None or not 0 < pk < 2**63:
        return None
    survivor = Party.objects.filter(pk=pk).values_list("merged_into_id", flat=True).first()
    while survivor is not None:  # a survivor merged later in turn: follow the chain
        nxt = Party.objects.filter(pk=survivor).values_list("merged_into_id", flat=True).first()
        if nxt is None:
            break
        survivor = nxt
    if survivor is None or not Party.objects.filter(rule, pk=survivor).exists():
        return None
    return survivor


def party_get_for_user(*, user: User, pk: Any, for_write: bool = False, access: str = "") -> Party:
    """The party if `user` may read it (or change it, or record consent on it: see
    `parties_for_user`); Http404 otherwise, so existence does not leak."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    party = parties_for_user(user, for_write=for_write, access=access).select_related("owner", "team", "organisation", "parent").filter(pk=pk).first()
    if party is None:
        refuse(user=user, pk=pk)
    return party


def refuse(*, user: User, pk: int) -> NoReturn:
    """Answer 404 for a party the user may not read or change; when it exists, the attempt is
    audited first (`ACCESS_DENIED`), so probing other portfolios shows in the audit log. An id
    that exists nowhere writes nothing."""
    if 0 < pk < 2**63 and Party.objects.filter(pk=pk).exists():
        audit_access_denied(user=user, obj_type="parties.party", obj_id=pk, party_id=pk)
    raise Http404


@dataclass(frozen=True)
class PartyFilters:
    stage: str = ""
    kind: str = ""
    owner: int | None = None
    team: int | None = None
    tag: str = ""
    city: str = ""
    postcode: str = ""
    q: str = ""
    sort: str = "name"
    # segment-ready criteria
    csp: str = ""
    income_bracket: str = ""
    preferred_channel: str = ""
    min_age: int | None = None
    max_age: int | None = None


def _years_ago(years: int) -> dt.date:
    today = dt.date.today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def party_list(*, user: User, filters: PartyFilters) -> QuerySet[Party]:
    qs = parties_for_user(user).select_related("owner", "team")
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.city:
        qs = qs.filter(city__iexact=filters.city.strip())
    if filters.postcode:
        qs = qs.filter(postcode__startswith=filters.postcode.strip())
    # Filtering on a field the user may not read would reveal it: such a filter is dropped.
    hidden = field_rights(user).hidden_party_attrs()
    for name in ("csp", "income_bracket", "preferred_channel"):
        if getattr(filters, name) and name not in hidden:
            qs = qs.filter(**{name: getattr(filters, name)})
    if filters.min_age is not None and 0 <= filters.min_age <= 130:
        qs = qs.filter(birth_date__lte=_years_ago(filters.min_age))
    if filters.max_age is not None and 0 <= filters.max_age <= 130:
        qs = qs.filter(birth_date__gt=_years_ago(filters.max_age + 1))
    if filters.q:
        for token in normalize_query(filters.q):
            qs = qs.filter(search_text__contains=token)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["name"]))


def party_search(*, user: User, q: str, limit: int = 10) -> list[Party]:
    """Type-ahead: exact substring matches first, then fuzzy ones (accents, case and typos).

    At least one word of three characters is needed. On PostgreSQL each query word is corrected
    against the trigram-indexed name vocabulary, then searched exactly through the trigram index of
    `search_text`; SQLite scores candidates with rapidfuzz through a registered SQL function.
    """
    tokens = normalize_query(q)
    if not tokens or max(len(t) for t in tokens) < 3:
        return []
    base = parties_for_user(user).only("id", "kind", "display_name", "email", "phone", "city", "postcode",
                                      "siren", "stage")
    exact = base
    for token in tokens:
        exact = exact.filter(search_text__contains=token)
    found = list(exact.order_by("sort_name", "id")[:limit])
    if len(found) >= limit or any(t.isdigit() for t in tokens):
        return found
    seen = {p.pk for p in found}
    return found + [p for p in _fuzzy(base, tokens, limit) if p.pk not in seen][: limit - len(found)]


def organisation_options(*, user: User, q: str, limit: int = 20) -> list[Party]:
    """Organisations the user may read whose name, SIREN or city contains every word typed."""
    tokens = normalize_query(q)
    if not tokens or max(len(t) for t in tokens) < 2:
        return []
    qs = parties_for_user(user).filter(kind="organisation").only("id", "display_name", "siren", "city")
    for token in tokens:
        qs = qs.filter(search_text__contains=token)
    return list(qs.order_by("sort_name", "id")[:limit])


def _fuzzy(base: QuerySet[Party], tokens: list[str], limit: int) -> list[Party]:
    if connection.vendor == "postgresql":
        corrected = base
        for token in tokens:
            phrases = _corrections(token)
            if not phrases:
                return []
            match = Q()
            for phrase in phrases:
                match |= Q(search_text__contains=phrase)
            corrected = corrected.filter(match)
        return list(corrected.order_by("sort_name", "id")[:limit])
    query = " ".join(tokens)
    ranked = base.annotate(score=RawSQL("fidelia_fuzzy(%s, search_text)", [query])).filter(score__gte=FUZZY_THRESHOLD)
    return list(ranked.order_by("-score", "sort_name", "id")[:limit])


def _corrections(token: str, size: int = 5) -> list[str]:
    """Name phrases closest to a (misspelt) query word, from the trigram-indexed vocabulary."""
    if len(token) < 3:
        return [token]
    with connection.cursor() as cursor:
        cursor.execute("SET pg_trgm.similarity_threshold = %s", [TRIGRAM_THRESHOLD])
        cursor.execute(
            "SELECT phrase FROM parties_searchterm WHERE key %% %s "
            "ORDER BY similarity(key, %s) DESC, key LIMIT %s", [token, token, size])
        return [row[0] for row in cursor.fetchall()]


def fuzzy_score(query: str, text: str) -> float:
    """Mean over query words of the best partial match in `text` (0–100); registered in SQLite."""
    if not query or not text:
        return 0.0
    words = query.split()
    return sum(fuzz.partial_ratio(w, text) if len(w) > 3 else (100.0 if w in text else 0.0) for w in words) / len(words)


def names_similar(a: str, b: str) -> bool:
    """Folded names alike despite typos, word order or a missing space ('le goff' ~ 'legoff')."""
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", ""))) >= 85


@dataclass(frozen=True)
class DuplicateCandidate:
    """A possible duplicate. For a party outside the user's portfolio only the fact is disclosed."""

    party_id: int | None
    display_name: str | None
    reasons: tuple[str, ...]
    visible: bool


def party_find_duplicates(*, user: User, email: str = "", phone: str = "", siren: str = "",
                          name: str = "", birth_date: dt.date | None = None, postcode: str = "",
                          exclude_pk: int | None = None, limit: int = 5) -> list[DuplicateCandidate]:
    """Parties that may be the one being entered, by the deduplication matcher (similar name with
    a corroborating birth date, postcode...), plus any sharing the e-mail, phone or SIREN."""
    from fidelia.dedup.matching import REASON_LABELS, PartyRecord, candidates_for

    record = PartyRecord(kind="organisation" if siren else "person", name=name, birth_date=birth_date,
                         postcode=postcode, email=email, phone=phone, siren=siren)
    matches = candidates_for(record, limit=limit, exclude=[exclude_pk] if exclude_pk else [], shared_contacts=True)
    if not matches:
        return []
    ids = [m.party_id for m in matches]
    visible = set(parties_for_user(user).filter(pk__in=ids).values_list("id", flat=True))
    names = dict(Party.objects.filter(pk__in=visible).values_list("id", "display_name"))
    return [
        DuplicateCandidate(party_id=m.party_id if m.party_id in visible else None, display_name=names.get(m.party_id),
                           reasons=tuple(str(REASON_LABELS[r]) for r in m.reasons if r in REASON_LABELS) or (str(REASON_LABELS["name_similar"]),),
                           visible=m.party_id in visible)
        for m in matches
    ]


@dataclass
class ConsentState:
    channel: str
    purpose: str
    current: ConsentRecord | None
    history: list[ConsentRecord] = field(default_factory=list)


def consent_states(party: Party) -> list[ConsentState]:
    """Latest decision per (channel, purpose), with the history behind it, from one query."""
    states: dict[tuple[str, str], ConsentState] = {}
    for row in party.consents.select_related("recorded_by").order_by("-recorded_at", "-id"):
        key = (row.channel, row.purpose)
        state = states.setdefault(key, ConsentState(row.channel, row.purpose, row))
        state.history.append(row)
    return sorted(states.values(), key=lambda s: (s.channel, s.purpose))


TIMELINE_SIZE = getattr(settings, "FIDELIA_TIMELINE_SIZE", 20)


def _related_model(name: str) -> Any:
    """The model behind a reverse relation of Party, reached without importing its app."""
    return Party._meta.get_field(name).related_model


def party_file(*, user: User, pk: Any) -> Party:
    """The party with everything the 360 page shows, in a fixed number of queries.

    Related apps' rows are reached through the reverse relations, so this app imports none of them.
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    contracts = _related_model("contracts").objects.select_related("product__family")
    if not policies.can_manage_retention(user):
        # Archived contracts (legal archiving) are kept as proof and shown to the DPO alone.
        contracts = contracts.filter(archived_at__isnull=True)
    party = (
        parties_for_user(user).filter(pk=pk)
        .select_related("owner", "team", "organisation", "parent")
        .prefetch_related(
            "tags", "emails", "phones", "addresses", "household_members", "life_events__member",
            Prefetch("contracts", queryset=contracts),
            Prefetch("contacts", queryset=Party.objects.order_by("sort_name", "id")),
            Prefetch("subsidiaries", queryset=Party.objects.order_by("sort_name", "id")),
        )
        .first()
    )
    if party is None:
        refuse(user=user, pk=pk)
    # the timeline: logged interactions and what other apps register (campaign messages...), by date
    party.recent_interactions = party_timeline(party=party, user=user, limit=TIMELINE_SIZE)
    party.interaction_count = party.interactions.count()
    party.consent_states = consent_states(party)
    # Transactions are loaded only for those who may read them: for the others the tab, the
    # chart and the API key do not exist (`fields.served_on_file` relies on the attribute).
    if field_rights(user).transactions:
        party.recent_transactions = list(
            party.transactions.select_related("product").order_by("-date", "-id")[:TIMELINE_SIZE])
        party.monthly_purchases = monthly_series(_monthly_rows(party), end=dt.date.today(), months=PURCHASE_MONTHS)
    return party


PURCHASE_MONTHS = 24


def _monthly_rows(party: Party) -> list[tuple[dt.date, Any, Any]]:
    """(first day of month, amount, margin) of the party's transactions over the charted months."""
    today = dt.date.today()
    start = dt.date(today.year - PURCHASE_MONTHS // 12, today.month, 1)
    return list(
        party.transactions.filter(date__gte=start).annotate(month=TruncMonth("date")).values("month")
        .annotate(amount=Sum("amount"), margin=Sum("margin")).order_by("month")
        .values_list("month", "amount", "margin")
    )


@dataclass(frozen=True)
class MonthlySeries:
    months: list[dt.date]
    amounts: list[float]
    margins: list[float]


def monthly_series(rows: list[tuple[Any, Any, Any]], *, end: dt.date, months: int) -> MonthlySeries:
    """Fill the months without purchases with zeros, oldest first, ending with `end`'s month."""
    by_month = {(m.year, m.month): (float(a or 0), float(g or 0)) for m, a, g in rows}
    keys: list[dt.date] = []
    year, month = end.year, end.month
    for _i in range(months):
        keys.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
    return MonthlySeries(
        months=keys,
        amounts=[by_month.get((k.year, k.month), (0.0, 0.0))[0] for k in keys],
        margins=[by_month.get((k.year, k.month), (0.0, 0.0))[1] for k in keys],
    )


def consent_coverage() -> list[dict[str, Any]]:
    """For each channel × purpose: how many current customers (not anonymised) have a recorded
    decision, and how many of those currently grant it (their latest decision). Plain rows for
    the DPO dashboard; aggregated in SQL, one query plus one count."""
    customers = Party.objects.filter(stage=Stage.CUSTOMER, erased_at__isnull=True)
    latest = ConsentRecord.objects.filter(party=OuterRef("party"), channel=OuterRef("channel"),
                                          purpose=OuterRef("purpose")).order_by("-recorded_at", "-id").values("id")[:1]
    counts = {
        (row["channel"], row["purpose"]): row
        for row in ConsentRecord.objects.filter(party__in=customers, id=Subquery(latest))
        .values("channel", "purpose").annotate(decided=Count("id"), granted=Count("id", filter=Q(granted=True)))
    }
    total = customers.count()
    return [
        {"channel": channel, "channel_label": str(channel.label), "purpose": purpose, "purpose_label": str(purpose.label),
         "customers": total, "decided": counts.get((channel.value, purpose.value), {}).get("decided", 0),
         "granted": counts.get((channel.value, purpose.value), {}).get("granted", 0)}
        for channel in Channel for purpose in ConsentPurpose
    ]
