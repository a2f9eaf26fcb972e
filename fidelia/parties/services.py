"""Writes on the customer file. Keyword-only, typed, atomic; each records an activity row."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.enums import Role
from fidelia.accounts.models import Team, User
from fidelia.core import events
from fidelia.core.errors import DomainError, ErrorCode, StaleVersion, ValidationFailed
from fidelia.core.text import fold
from fidelia.core.validation import (
    email_match_key,
    normalize_email,
    normalize_phone,
    normalize_siren,
    normalize_siret,
    normalize_vat,
)
from fidelia.parties.enums import ConsentSource, Language, PartyKind, Stage
from fidelia.parties.fields import check_life_event_write, check_member_write, check_party_writes
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
from fidelia.parties.search import build_search_text, display_name_of
from fidelia.parties.selectors import DuplicateCandidate, party_find_duplicates
from fidelia.parties.vocabulary import vocabulary_add, vocabulary_forget

# Fields a client may set on a party through party_create / party_update.
PARTY_FIELDS = (
    "kind", "stage", "civility", "first_name", "last_name", "birth_date", "csp", "income_bracket",
    "organisation", "job_title", "legal_name", "siren", "siret", "vat_number", "sector", "employees",
    "parent", "preferred_channel", "language", "owner", "team", "notes", "customer_since",
)


class PossibleDuplicate(DomainError):
    code = ErrorCode.DUPLICATE
    status = 409

    def __init__(self, candidates: list[DuplicateCandidate]) -> None:
        super().__init__(_("This customer may already exist."))
        self.candidates = candidates


@dataclass(frozen=True)
class AddressInput:
    line1: str
    postcode: str
    city: str
    line2: str = ""
    country: str = "FR"
    kind: str = "home"


def _clean_identity(values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """Validate and normalise identity fields, adding every problem to `errors`."""
    kind = values.get("kind")
    for field, normaliser in (("siren", normalize_siren), ("siret", normalize_siret), ("vat_number", normalize_vat)):
        raw = values.get(field)
        if raw:
            try:
                values[field] = normaliser(str(raw))
            except ValidationFailed as exc:
                errors.update(exc.fields)
    if kind == PartyKind.PERSON:
        if not (values.get("last_name") or "").strip():
            errors["last_name"] = [_("A person needs a last name.")]
        birth = values.get("birth_date")
        if birth and birth > timezone.localdate():
            errors["birth_date"] = [_("The birth date cannot be in the future.")]
        if birth and birth < dt.date(1900, 1, 1):
            errors["birth_date"] = [_("The birth date must be after 1900.")]
    elif kind == PartyKind.ORGANISATION:
        if not (values.get("legal_name") or "").strip():
            errors["legal_name"] = [_("An organisation needs a legal name.")]
        siret, siren = values.get("siret"), values.get("siren")
        if siret and not errors.get("siret"):
            if siren and siret[:9] != siren:
                errors["siret"] = [_("The SIRET must start with the organisation's SIREN.")]
            values["siren"] = siren or siret[:9]
    else:
        errors["kind"] = [_("Choose a person or an organisation.")]
    language = values.get("language")
    if language in (None, ""):
        values.pop("language", None)   # not given: left as it is (French for a new party)
    elif language not in Language.values:
        errors["language"] = [_("Choose French or English.")]
    if values.get("parent") is not None and values.get("parent").kind != PartyKind.ORGANISATION:
        errors["parent"] = [_("The parent must be an organisation.")]
    org = values.get("organisation")
    if org is not None and org.kind != PartyKind.ORGANISATION:
        errors["organisation"] = [_("A contact belongs to an organisation.")]
    return values


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)


def _display_name(p: Party) -> str:
    return display_name_of(kind=p.kind, first_name=p.first_name, last_name=p.last_name, legal_name=p.legal_name)


def _refresh_derived(party: Party) -> None:
    """Recompute the display name, contact mirrors and search text from the party and its rows."""
    party.display_name = _display_name(party)
    party.sort_name = fold(party.display_name)[:200]
    if party.pk:
        emails = list(party.emails.order_by("-is_primary", "id").values_list("address", flat=True))
        phones = list(party.phones.order_by("-is_primary", "id").values_list("number", flat=True))
        addr = party.addresses.order_by("-is_primary", "id").first()
    else:
        emails, phones, addr = [], [], None
    party.email = emails[0] if emails else ""
    party.phone = phones[0] if phones else ""
    party.postcode = addr.postcode if addr else ""
    party.city = addr.city if addr else ""
    party.search_text = build_search_text(
        names=[party.display_name],
        emails=emails, phones=phones, identifiers=[party.siren, party.siret],
        places=[party.city, party.postcode],
    )


def _resolve_owner(*, actor: User, owner: User | None, team: Team | None) -> tuple[User | None, Team | None]:
    if actor.role == Role.SALES_REP or (owner is None and actor.role == Role.SALES_MANAGER):
        return actor, actor.team
    if owner is not None and not policies.can_assign_owner(actor):
        raise ValidationFailed(_("You cannot assign a customer to someone else."),
                               fields={"owner": [_("You cannot assign a customer to someone else.")]})
    if owner is not None and actor.role == Role.SALES_MANAGER and owner.team_id != actor.team_id:
        raise ValidationFailed(_("The owner must belong to your team."),
                               fields={"owner": [_("The owner must belong to your team.")]})
    return owner, team or (owner.team if owner else None)


def _sync(party: Party) -> None:
    """Persist derived columns after a contact-point change, without touching the version."""
    _refresh_derived(party)
    vocabulary_add([party.sort_name])
    Party.objects.filter(pk=party.pk).update(
        display_name=party.display_name, sort_name=party.sort_name, email=party.email, phone=party.phone,
        postcode=party.postcode, city=party.city, search_text=party.search_text,
    )


@transaction.atomic
def party_create(*, actor: User, kind: str, email: str = "", phone: str = "",
                 address: AddressInput | None = None, tags: Sequence[str] = (),
                 allow_duplicate: bool = False, **fields: Any) -> Party:
    """Create a party with its first contact points.

    Raises ValidationFailed (field errors) or PossibleDuplicate unless `allow_duplicate`.
    """
    if not policies.can_create_party(actor):
        raise ValidationFailed(_("You may not create customers."))
    unknown = set(fields) - set(PARTY_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={f: [_("Unknown field.")] for f in sorted(unknown)})
    # An empty value is no write: what a creation sets is what it fills in.
    check_party_writes(actor, [name for name, value in fields.items() if value not in (None, "")])
    errors: dict[str, list[str]] = {}
    values = _clean_identity({**fields, "kind": kind}, errors)
    clean_email = clean_phone = ""
    try:
        clean_email = normalize_email(email) if email else ""
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        clean_phone = normalize_phone(phone) if phone else ""
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if address is not None:
        errors.update(_address_errors(address))
    _raise_if(errors)
    values["owner"], values["team"] = _resolve_owner(actor=actor, owner=values.get("owner"), team=values.get("team"))
    if not allow_duplicate:
        candidates = party_find_duplicates(
            user=actor, email=clean_email, phone=clean_phone, siren=values.get("siren", ""),
            name=_display_name(Party(**{k: v for k, v in values.items() if k in {"kind", "first_name", "last_name", "legal_name"}})),
            birth_date=values.get("birth_date"), postcode=address.postcode if address else "",
        )
        if candidates:
            raise PossibleDuplicate(candidates)
    if values.get("stage") == Stage.CUSTOMER and not values.get("customer_since"):
        values["customer_since"] = timezone.localdate()
    party = Party(**values, created_by=actor)
    _refresh_derived(party)
    party.save()
    if clean_email:
        Email.objects.create(party=party, address=clean_email, normalized=email_match_key(clean_email), is_primary=True)
    if clean_phone:
        Phone.objects.create(party=party, number=clean_phone, is_primary=True)
    if address is not None:
        Address.objects.create(party=party, is_primary=True, **_address_values(address))
    if tags:
        party.tags.set(_tags(tags))
    _sync(party)
    events.record(actor=actor, action="party.created", obj=party, party_id=party.pk)
    return party


@transaction.atomic
def party_update(*, party: Party, actor: User, version: int, tags: Sequence[str] | None = None,
                 **changes: Any) -> Party:
    """Apply `changes` if `version` is still current; otherwise raise StaleVersion and write nothing."""
    unknown = set(changes) - set(PARTY_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={f: [_("Unknown field.")] for f in sorted(unknown)})
    # Every field sent is a write, even with the current value: refused as a whole if one is forbidden.
    check_party_writes(actor, changes)
    if "kind" in changes and changes["kind"] != party.kind:
        raise ValidationFailed(_("The kind of a party cannot change."),
                               fields={"kind": [_("The kind of a party cannot change.")]})
    if "owner" in changes and changes["owner"] != party.owner:
        owner = changes["owner"]
        if not policies.can_assign_owner(actor):
            raise ValidationFailed(_("You cannot reassign this customer."),
                                   fields={"owner": [_("You cannot reassign this customer.")]})
        if actor.role == Role.SALES_MANAGER and (owner is None or owner.team_id != actor.team_id):
            raise ValidationFailed(_("The owner must belong to your team."),
                                   fields={"owner": [_("The owner must belong to your team.")]})
        if owner is not None and "team" not in changes:
            changes["team"] = owner.team
    team = changes.get("team")
    if actor.role == Role.SALES_MANAGER and team is not None and team != party.team and team.pk != actor.team_id:
        # a manager would otherwise hand a customer over to another agency, out of their own reach
        raise ValidationFailed(_("The team must be yours."), fields={"team": [_("The team must be yours.")]})
    current = {name: getattr(party, name) for name in PARTY_FIELDS}
    former_name = party.sort_name
    errors: dict[str, list[str]] = {}
    values = _clean_identity({**current, **changes}, errors)
    _raise_if(errors)
    values.setdefault("language", party.language)
    if values.get("parent") is not None and values["parent"].pk == party.pk:
        raise ValidationFailed(_("A company cannot be its own parent."),
                               fields={"parent": [_("A company cannot be its own parent.")]})
    if values.get("stage") == Stage.CUSTOMER and not values.get("customer_since"):
        values["customer_since"] = timezone.localdate()
    changed = events.diff(party, {k: values[k] for k in PARTY_FIELDS})
    for name in PARTY_FIELDS:
        setattr(party, name, values[name])
    _refresh_derived(party)
    row = {name: values[name] for name in PARTY_FIELDS}
    updated = Party.objects.filter(pk=party.pk, version=version).update(
        **row, display_name=party.display_name, sort_name=party.sort_name, search_text=party.search_text,
        version=F("version") + 1, updated_at=timezone.now(),
    )
    if not updated:
        raise StaleVersion(_("This customer was changed by someone else meanwhile. Reload and try again."))
    if tags is not None:
        before = sorted(party.tags.values_list("name", flat=True))
        party.tags.set(_tags(tags))
        after = sorted(party.tags.values_list("name", flat=True))
        if before != after:
            changed["tags"] = [before, after]
    party.refresh_from_db()
    if party.sort_name != former_name:
        vocabulary_add([party.sort_name])
        vocabulary_forget(former_name)
    events.record(actor=actor, action="party.updated", obj=party, party_id=party.pk, changes=changed)
    return party


def party_promote_to_customer(*, party: Party, actor: User | None) -> None:
    """A first contract or purchase makes a suspect or prospect a customer (called by sales)."""
    if party.stage in (Stage.SUSPECT, Stage.PROSPECT, Stage.FORMER):
        old = party.stage
        Party.objects.filter(pk=party.pk).update(
            stage=Stage.CUSTOMER, customer_since=party.customer_since or timezone.localdate(),
            version=F("version") + 1,
        )
        party.refresh_from_db()
        events.record(actor=actor, action="party.updated", obj=party, party_id=party.pk,
                      changes={"stage": [old, Stage.CUSTOMER]})


def party_mark_former(*, party: Party, actor: User | None) -> None:
    """A customer recorded as lost becomes a former customer (called by attrition); a later contract
    or purchase makes them a customer again (`party_promote_to_customer`)."""
    if party.stage == Stage.CUSTOMER:
        Party.objects.filter(pk=party.pk).update(stage=Stage.FORMER, version=F("version") + 1)
        party.refresh_from_db()
        events.record(actor=actor, action="party.updated", obj=party, party_id=party.pk,
                      changes={"stage": [Stage.CUSTOMER, Stage.FORMER]})


def _tags(names: Iterable[str]) -> list[Tag]:
    clean = sorted({n.strip()[:60] for n in names if n and n.strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=clean)}
    return [existing.get(n) or Tag.objects.create(name=n) for n in clean]


def _address_values(a: AddressInput) -> dict[str, Any]:
    return {"kind": a.kind, "line1": a.line1.strip(), "line2": a.line2.strip(),
            "postcode": a.postcode.strip().upper(), "city": a.city.strip(), "country": a.country.upper()}


def _address_errors(a: AddressInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not a.line1.strip():
        errors["line1"] = [_("The street address is required.")]
    if not a.city.strip():
        errors["city"] = [_("The city is required.")]
    if a.country.upper() == "FR" and not (a.postcode.strip().isdigit() and len(a.postcode.strip()) == 5):
        errors["postcode"] = [_("A French postcode has 5 digits.")]
    elif not a.postcode.strip():
        errors["postcode"] = [_("The postcode is required.")]
    return errors


def _set_primary(model: Any, party: Party, row: Any, is_primary: bool) -> None:
    siblings = model.objects.filter(party=party)
    if is_primary or not siblings.exclude(pk=row.pk).exists():
        siblings.exclude(pk=row.pk).update(is_primary=False)
        model.objects.filter(pk=row.pk).update(is_primary=True)
        row.is_primary = True


@transaction.atomic
def email_add(*, party: Party, actor: User, address: str, kind: str = "home", is_primary: bool = False) -> Email:
    clean = normalize_email(address, field="address")
    if party.emails.filter(normalized=email_match_key(clean)).exists():
        raise ValidationFailed(_("This e-mail is already on the file."), fields={"address": [_("This e-mail is already on the file.")]})
    row = Email.objects.create(party=party, address=clean, normalized=email_match_key(clean), kind=kind)
    _set_primary(Email, party, row, is_primary)
    _sync(party)
    events.record(actor=actor, action="email.added", obj=row, party_id=party.pk, changes={"address": [None, clean]})
    return row


@transaction.atomic
def phone_add(*, party: Party, actor: User, number: str, kind: str = "mobile", is_primary: bool = False) -> Phone:
    clean = normalize_phone(number, field="number")
    if party.phones.filter(number=clean).exists():
        raise ValidationFailed(_("This number is already on the file."), fields={"number": [_("This number is already on the file.")]})
    row = Phone.objects.create(party=party, number=clean, kind=kind)
    _set_primary(Phone, party, row, is_primary)
    _sync(party)
    events.record(actor=actor, action="phone.added", obj=row, party_id=party.pk, changes={"number": [None, clean]})
    return row


@transaction.atomic
def address_add(*, party: Party, actor: User, address: AddressInput, is_primary: bool = False) -> Address:
    errors = _address_errors(address)
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    row = Address.objects.create(party=party, **_address_values(address))
    _set_primary(Address, party, row, is_primary)
    _sync(party)
    events.record(actor=actor, action="address.added", obj=row, party_id=party.pk)
    return row


@transaction.atomic
def contact_point_remove(*, party: Party, actor: User, row: Email | Phone | Address) -> None:
    """Remove an e-mail, phone or address of `party`; the oldest remaining one becomes primary."""
    if row.party_id != party.pk:
        raise ValidationFailed(_("This contact point belongs to another customer."))
    model = type(row)
    was_primary = model.objects.filter(pk=row.pk, is_primary=True).exists()
    label = row._meta.model_name
    events.record(actor=actor, action=f"{label}.removed", obj=row, party_id=party.pk)
    row.delete()
    if was_primary:
        first = model.objects.filter(party=party).order_by("id").first()
        if first:
            model.objects.filter(pk=first.pk).update(is_primary=True)
    _sync(party)


@transaction.atomic
def household_member_add(*, party: Party, actor: User, role: str, first_name: str, last_name: str = "",
                         birth_date: dt.date | None = None, member_party: Party | None = None) -> HouseholdMember:
    check_member_write(actor, role=role, birth_date=birth_date)
    errors: dict[str, list[str]] = {}
    if party.kind != PartyKind.PERSON:
        errors["party"] = [_("Only a person has a household.")]
    if not first_name.strip():
        errors["first_name"] = [_("The first name is required.")]
    if birth_date and birth_date > timezone.localdate() + dt.timedelta(days=280):
        errors["birth_date"] = [_("The birth date is too far in the future.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    member = HouseholdMember.objects.create(party=party, role=role, first_name=first_name.strip(),
                                            last_name=last_name.strip(), birth_date=birth_date,
                                            member_party=member_party)
    events.record(actor=actor, action="household_member.added", obj=member, party_id=party.pk)
    return member


@transaction.atomic
def household_member_remove(*, party: Party, actor: User, member: HouseholdMember) -> None:
    if member.party_id != party.pk:
        raise ValidationFailed(_("This member belongs to another household."))
    events.record(actor=actor, action="household_member.removed", obj=member, party_id=party.pk)
    member.delete()


@transaction.atomic
def consent_record(*, party: Party, actor: User | None, channel: str, purpose: str, granted: bool,
                   source: str = ConsentSource.BRANCH, wording: str = "",
                   recorded_at: dt.datetime | None = None) -> ConsentRecord:
    """Append a consent decision; earlier ones stay as its history."""
    when = recorded_at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed(_("A consent cannot be recorded in the future."),
                               fields={"recorded_at": [_("A consent cannot be recorded in the future.")]})
    row = ConsentRecord.objects.create(party=party, channel=channel, purpose=purpose, granted=granted,
                                       source=source, wording=wording.strip(), recorded_at=when,
                                       recorded_by=actor if getattr(actor, "pk", None) else None)
    events.record(actor=actor, action="consent.recorded", obj=row, party_id=party.pk,
                  changes={"channel": channel, "purpose": purpose, "granted": granted})
    return row


@transaction.atomic
def life_event_add(*, party: Party, actor: User, kind: str, date: dt.date, details: str = "",
                   member: HouseholdMember | None = None) -> LifeEvent:
    check_life_event_write(actor, kind=kind)
    if member is not None and member.party_id != party.pk:
        raise ValidationFailed(_("This member belongs to another household."),
                               fields={"member": [_("This member belongs to another household.")]})
    row = LifeEvent.objects.create(party=party, kind=kind, date=date, details=details.strip(),
                                   member=member, recorded_by=actor)
    events.record(actor=actor, action="life_event.added", obj=row, party_id=party.pk,
                  changes={"kind": kind, "date": str(date)})
    return row


@transaction.atomic
def life_event_remove(*, party: Party, actor: User, event: LifeEvent) -> None:
    """Remove a life event recorded by mistake; the history keeps that it was removed."""
    if event.party_id != party.pk:
        raise ValidationFailed(_("This event belongs to another customer."))
    events.record(actor=actor, action="life_event.removed", obj=event, party_id=party.pk,
                  changes={"kind": event.kind, "date": str(event.date)})
    event.delete()


def contact_counts_as_inbound(reaction: str) -> bool:
    """Whether a reaction to a message we sent is a contact coming from the person.

    An e-mail open is not (mail clients and privacy proxies load pixels by themselves); a click or a
    reply is a deliberate act of the person.
    """
    return reaction in {"click", "reply"}


@transaction.atomic
def party_note_contact(*, party: Party, direction: str, occurred_at: dt.datetime,
                       counts_as_inbound: bool = True) -> bool:
    """Move the party's last inbound or outbound contact forward to `occurred_at`; never backwards.

    `direction` is a `ContactDirection`; an inbound event with `counts_as_inbound=False` (an
    e-mail open) changes nothing. Returns whether a date moved. The caller records the contact
    itself (timeline, activity row); this derived date does not bump `version`, so a user editing
    the file at the same time is not refused as stale.
    """
    # Imported here so that this addition leaves the module's shared import block untouched.
    from django.db.models import Q

    from fidelia.parties.models import ContactDirection

    if direction not in ContactDirection.values:
        raise ValidationFailed(_("Unknown contact direction."), fields={"direction": [_("Choose inbound or outbound.")]})
    if direction == ContactDirection.INBOUND and not counts_as_inbound:
        return False
    field = "last_inbound_at" if direction == ContactDirection.INBOUND else "last_outbound_at"
    # A conditional UPDATE keeps the maximum even when two contacts are logged at once.
    moved = (Party.objects.filter(pk=party.pk)
             .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": occurred_at}))
             .update(**{field: occurred_at}))
    if moved:
        setattr(party, field, occurred_at)
    return bool(moved)
