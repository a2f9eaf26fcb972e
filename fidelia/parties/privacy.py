"""Personal data held by the parties app, for the privacy registry (export and erasure)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from fidelia.core.models import ActivityEvent
from fidelia.parties.enums import Stage
from fidelia.parties.models import (
    Address,
    ConsentRecord,
    Email,
    HouseholdMember,
    LifeEvent,
    Party,
    Phone,
    Tag,
)
from fidelia.parties.vocabulary import vocabulary_forget
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention
from fidelia.privacy.services import subjects_erase_past_policy

IDENTITY_FIELDS = (
    "kind", "stage", "civility", "first_name", "last_name", "birth_date", "csp", "income_bracket",
    "job_title", "legal_name", "siren", "siret", "vat_number", "sector", "employees",
    "preferred_channel", "language", "notes", "customer_since", "created_at", "updated_at", "last_inbound_at",
    "last_outbound_at",
)
# Blanked on erasure; `kind`, `stage`, dates of the relationship and portfolio stay for statistics.
ERASED_VALUES: dict[str, Any] = {
    "display_name": "", "sort_name": "", "civility": "", "first_name": "", "last_name": "", "birth_date": None,
    "csp": "", "income_bracket": "", "job_title": "", "legal_name": "", "siren": "", "siret": "",
    "vat_number": "", "notes": "", "email": "", "phone": "", "postcode": "", "city": "", "search_text": "",
    "organisation": None, "parent": None, "preferred_channel": "",
}


def _rows(qs: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{f: (v.isoformat() if hasattr(v, "isoformat") else v) for f, v in row.items()} for row in qs.values(*fields)]


def _household(party_id: int) -> list[dict[str, Any]]:
    """Household members as the subject declared them; a relative who is a customer in their own right
    appears by role only — their identity is their data, exported on their own request."""
    rows = _rows(HouseholdMember.objects.filter(party_id=party_id),
                 ("role", "first_name", "last_name", "birth_date", "member_party_id"))
    for row in rows:
        if row.pop("member_party_id") is not None:
            row.update(first_name="", last_name="", birth_date=None, is_customer=True)
    return rows


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    """The subject's own data. Linked people (contacts, relatives who are customers) appear by role only."""
    party = Party.objects.filter(pk=party_id).select_related("organisation", "parent").first()
    if party is None:
        return {}
    identity = _rows(Party.objects.filter(pk=party_id), IDENTITY_FIELDS)[0]
    identity["organisation"] = party.organisation.legal_name if party.organisation else None
    identity["parent_company"] = party.parent.legal_name if party.parent else None
    identity["tags"] = list(party.tags.values_list("name", flat=True))
    return {
        "identity": [identity],
        "household": _household(party_id),
        "emails": _rows(Email.objects.filter(party_id=party_id), ("kind", "address", "is_primary")),
        "phones": _rows(Phone.objects.filter(party_id=party_id), ("kind", "number", "is_primary")),
        "addresses": _rows(Address.objects.filter(party_id=party_id),
                           ("kind", "line1", "line2", "postcode", "city", "country", "is_primary")),
        "consents": _rows(ConsentRecord.objects.filter(party_id=party_id),
                          ("channel", "purpose", "granted", "source", "wording", "recorded_at")),
        "life_events": _rows(LifeEvent.objects.filter(party_id=party_id), ("kind", "date", "details")),
        "history": _rows(ActivityEvent.objects.filter(party_id=party_id), ("created_at", "action", "object_type")),
    }


def _former_tags(party_id: int) -> set[str]:
    """Tag names the party's change history shows it carried ({"tags": [before, after]})."""
    names: set[str] = set()
    for changes in ActivityEvent.objects.filter(party_id=party_id, changes__has_key="tags").values_list(
            "changes", flat=True):
        for side in changes.get("tags") or []:
            names.update(n for n in (side if isinstance(side, list) else []) if isinstance(n, str))
    return names


def erase(party_id: int) -> int:
    """Anonymise the party and delete its contact points, household, consents and life events.

    The change history keeps the fact of each change (who on our side, when, what kind) but
    loses the values.
    """
    old_name = Party.objects.filter(pk=party_id).values_list("sort_name", flat=True).first() or ""
    changed = Party.objects.filter(pk=party_id).update(
        **{**ERASED_VALUES, "display_name": f"#{party_id}", "sort_name": f"#{party_id}"},
        erased_at=timezone.now(), version=F("version") + 1,
    )
    if not changed:
        return 0
    tag_ids = list(Party.tags.through.objects.filter(party_id=party_id).values_list("tag_id", flat=True))
    Party.tags.through.objects.filter(party_id=party_id).delete()
    # A tag only this person carried may itself describe them: it goes too — including the tags
    # they carried once (known from the change history) that nobody carries any more.
    former = _former_tags(party_id)
    changed += Tag.objects.filter(Q(pk__in=tag_ids) | Q(name__in=former), parties__isnull=True).delete()[0]
    # Listed in a relative's household too: that entry names the subject, so it loses the name.
    HouseholdMember.objects.filter(member_party_id=party_id).update(
        member_party=None, first_name="—", last_name="", birth_date=None)
    for model in (Email, Phone, Address, LifeEvent, HouseholdMember, ConsentRecord):
        changed += model.objects.filter(party_id=party_id).delete()[0]
    changed += ActivityEvent.objects.filter(party_id=party_id).update(changes={})
    changed += vocabulary_forget(old_name)
    return changed


def prospects_past(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Prospects (and suspects) with no contact coming from them since the cutoff — counted from
    their creation when they never made one — are anonymised everywhere through `subject_erase`."""
    cutoff = policy.cutoff(now)
    # Written as an OR rather than COALESCE() so that both date indexes can serve it.
    stale = Party.objects.filter(
        Q(last_inbound_at__lt=cutoff) | Q(last_inbound_at__isnull=True, created_at__lt=cutoff),
        stage__in=[Stage.SUSPECT, Stage.PROSPECT], erased_at__isnull=True)
    return subjects_erase_past_policy(key=policy.key, party_ids=stale.values_list("pk", flat=True), apply=apply)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="parties", export=export, erase=erase, order=0))
    register_retention("prospects", prospects_past)
