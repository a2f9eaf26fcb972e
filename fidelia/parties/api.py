"""REST API of the customer file: parties, contact points, household, consent, life events, search.

Every read goes through the access-checked selectors; anything the caller may not read (or, for a
write, change) answers 404. Updates need the ETag of the version edited (If-Match).
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from fidelia.accounts import policies
from fidelia.accounts.models import Team, User
from fidelia.core.api import (
    IF_MATCH,
    DuplicateCandidateOut,
    PageIn,
    PartyId,
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
from fidelia.core.validation import normalize_email, normalize_phone
from fidelia.parties import selectors, services
from fidelia.parties.fields import (
    FieldForbidden,
    field_rights,
    is_birth_event,
    is_child,
    served_on_file,
)
from fidelia.parties.models import Address, Email, Party, Phone
from fidelia.parties.schemas import (
    AddressAddIn,
    AddressOut,
    ConsentIn,
    ConsentOut,
    DuplicateCheckIn,
    EmailIn,
    EmailOut,
    HouseholdMemberIn,
    HouseholdMemberOut,
    LifeEventIn,
    LifeEventOut,
    PartyCreateIn,
    PartyFiltersIn,
    PartyOut,
    PartyPage,
    PartySearchOut,
    PartyUpdateIn,
    PhoneIn,
    PhoneOut,
    SearchIn,
)
from fidelia.privacy.reads import audit_sensitive_read

router = Router(tags=["Customers"])



def _references(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Replace the ids sent for owner, team, organisation and parent by the rows (422 if unknown)."""
    lookups = {
        "owner": User.objects.filter(is_active=True),
        "team": Team.objects.all(),
        "organisation": selectors.parties_for_user(user),
        "parent": selectors.parties_for_user(user),
    }
    return {name: resolve(qs, data[name], field=name) for name, qs in lookups.items() if name in data}


def _file(request: HttpRequest, response: HttpResponse, pk: int) -> Party:
    """The customer file for `PartyOut` (which leaves out what the caller may not read), with its
    ETag; the sensitive fields it serves are audited once."""
    user = current_user(request)
    party = selectors.party_file(user=user, pk=pk)
    set_etag(response, party.version)
    audit_sensitive_read(user=user, fields=served_on_file(user, party), party_id=party.pk, obj_type="parties.party")
    return party


@router.get("/parties", response={200: PartyPage, **errors(403)}, summary="List customers")
def list_parties(request: HttpRequest, filters: Query[PartyFiltersIn], page: Query[PageIn]) -> dict[str, Any]:
    """Customers the caller may read, filtered and sorted, one page at a time with the total count.

    Filtering on a field the caller may not read (income bracket) is refused: 403 `field_forbidden`."""
    sent = {k: v for k, v in filters.dict().items() if v is not None}
    refused = set(sent) & field_rights(current_user(request)).hidden_party_attrs()
    if refused:
        raise FieldForbidden(refused, _("You may not filter on this field."))
    chosen = selectors.PartyFilters(**sent)
    queryset = selectors.party_list(user=current_user(request), filters=chosen).prefetch_related("tags")
    return paginate(queryset, page)


@router.get("/parties/search", response={200: list[PartySearchOut], **errors()}, summary="Search customers")
def search_parties(request: HttpRequest, params: Query[SearchIn]) -> list[Party]:
    """Type-ahead search: exact matches first, then names with accents, case or typos tolerated."""
    return selectors.party_search(user=current_user(request), q=params.q, limit=params.limit)


@router.get("/parties/duplicates", response={200: list[DuplicateCandidateOut], **errors()},
            summary="Check for duplicates")
def check_duplicates(request: HttpRequest, params: Query[DuplicateCheckIn]) -> list[Any]:
    """Customers that may be the same person or company (same e-mail, phone or SIREN, or a similar
    name with the same birth date or postcode). Outside the caller's portfolio only the fact is shown."""
    email = normalize_email(params.email) if params.email else ""
    phone = normalize_phone(params.phone) if params.phone else ""
    return selectors.party_find_duplicates(
        user=current_user(request), email=email, phone=phone, siren=params.siren.strip(), name=params.name,
        birth_date=params.birth_date, postcode=params.postcode, exclude_pk=params.exclude,
    )


@router.post("/parties", response={201: PartyOut, **errors(403, 409)}, summary="Create a customer",
             openapi_extra=etag_documented(201))
def create_party(request: HttpRequest, response: HttpResponse, payload: PartyCreateIn) -> Status[Party]:
    """Create a person or an organisation with its first contact points.

    Answers 409 `possible_duplicate` with the candidates unless `allow_duplicate` is true."""
    user = current_user(request)
    if not policies.can_create_party(user):
        raise PermissionDenied(_("You may not create customers."))
    data = payload.dict(exclude={"address"})
    data.update(_references(user, data))
    address = services.AddressInput(**payload.address.dict()) if payload.address else None
    party = services.party_create(actor=user, address=address, **data)
    return Status(201, _file(request, response, party.pk))


@router.get("/parties/{party_id}", response={200: PartyOut, **errors(404)}, summary="Get the customer file",
            openapi_extra=etag_documented())
def get_party(request: HttpRequest, response: HttpResponse, party_id: int = PartyId) -> Party:
    """The single customer file: identity, household, contact points, consent, life events, contracts,
    recent contacts and purchases. The ETag header carries the version to send back in If-Match."""
    return _file(request, response, party_id)


@router.patch("/parties/{party_id}", response={200: PartyOut, **errors(403, 404, 412, 428)},
              summary="Update a customer",
              openapi_extra=etag_documented())
def update_party(request: HttpRequest, response: HttpResponse, payload: PartyUpdateIn,
                 party_id: int = PartyId, if_match: str | None = IF_MATCH) -> Party:
    """Change the fields sent (tags: the whole set). Needs If-Match: 428 without it, 412 if stale."""
    user = current_user(request)
    party = selectors.party_get_for_user(user=user, pk=party_id, for_write=True)
    version = if_match_version(if_match)
    changes = payload.dict(exclude_unset=True)
    tags = changes.pop("tags", None)
    changes.update(_references(user, changes))
    services.party_update(party=party, actor=user, version=version, tags=tags, **changes)
    return _file(request, response, party.pk)


def _party_for_write(request: HttpRequest, party_id: int) -> Party:
    return selectors.party_get_for_user(user=current_user(request), pk=party_id, for_write=True)


@router.post("/parties/{party_id}/emails", response={201: EmailOut, **errors(404)}, summary="Add an e-mail")
def add_email(request: HttpRequest, payload: EmailIn, party_id: int = PartyId) -> Status[Email]:
    """Add an e-mail address; `is_primary` makes it the one shown in lists."""
    party = _party_for_write(request, party_id)
    row = services.email_add(party=party, actor=current_user(request), **payload.dict())
    row.refresh_from_db()
    return Status(201, row)


@router.delete("/parties/{party_id}/emails/{email_id}", response={204: None, **errors(404)},
               summary="Remove an e-mail")
def remove_email(request: HttpRequest, party_id: int = PartyId, email_id: int = RowId) -> Status[None]:
    """Remove an e-mail address; the oldest remaining one becomes primary."""
    party = _party_for_write(request, party_id)
    services.contact_point_remove(party=party, actor=current_user(request),
                                  row=get_object_or_404(Email, party=party, pk=email_id))
    return Status(204, None)


@router.post("/parties/{party_id}/phones", response={201: PhoneOut, **errors(404)}, summary="Add a phone")
def add_phone(request: HttpRequest, payload: PhoneIn, party_id: int = PartyId) -> Status[Phone]:
    """Add a phone number, written the French or international way; stored in E.164."""
    party = _party_for_write(request, party_id)
    row = services.phone_add(party=party, actor=current_user(request), **payload.dict())
    row.refresh_from_db()
    return Status(201, row)


@router.delete("/parties/{party_id}/phones/{phone_id}", response={204: None, **errors(404)},
               summary="Remove a phone")
def remove_phone(request: HttpRequest, party_id: int = PartyId, phone_id: int = RowId) -> Status[None]:
    """Remove a phone number; the oldest remaining one becomes primary."""
    party = _party_for_write(request, party_id)
    services.contact_point_remove(party=party, actor=current_user(request),
                                  row=get_object_or_404(Phone, party=party, pk=phone_id))
    return Status(204, None)


@router.post("/parties/{party_id}/addresses", response={201: AddressOut, **errors(404)},
             summary="Add an address")
def add_address(request: HttpRequest, payload: AddressAddIn, party_id: int = PartyId) -> Status[Address]:
    """Add a postal address (a French postcode has 5 digits)."""
    party = _party_for_write(request, party_id)
    data = payload.dict()
    is_primary = data.pop("is_primary")
    row = services.address_add(party=party, actor=current_user(request),
                               address=services.AddressInput(**data), is_primary=is_primary)
    row.refresh_from_db()
    return Status(201, row)


@router.delete("/parties/{party_id}/addresses/{address_id}", response={204: None, **errors(404)},
               summary="Remove an address")
def remove_address(request: HttpRequest, party_id: int = PartyId, address_id: int = RowId) -> Status[None]:
    """Remove a postal address; the oldest remaining one becomes primary."""
    party = _party_for_write(request, party_id)
    services.contact_point_remove(party=party, actor=current_user(request),
                                  row=get_object_or_404(Address, party=party, pk=address_id))
    return Status(204, None)


@router.post("/parties/{party_id}/household-members", response={201: HouseholdMemberOut, **errors(403, 404)},
             summary="Add a household member")
def add_household_member(request: HttpRequest, payload: HouseholdMemberIn,
                         party_id: int = PartyId) -> Status[Any]:
    """Add a spouse, child, parent… to a person's household (foyer)."""
    user = current_user(request)
    party = _party_for_write(request, party_id)
    data = payload.dict()
    data["member_party"] = resolve(selectors.parties_for_user(user), data["member_party"], field="member_party")
    member = services.household_member_add(party=party, actor=user, **data)
    if is_child(member) and field_rights(user).children_birth_dates:
        audit_sensitive_read(user=user, fields=["children_birth_dates"], party_id=party.pk,
                             obj_type="parties.householdmember")
    return Status(201, member)


@router.delete("/parties/{party_id}/household-members/{member_id}", response={204: None, **errors(404)},
               summary="Remove a household member")
def remove_household_member(request: HttpRequest, party_id: int = PartyId,
                            member_id: int = RowId) -> Status[None]:
    """Remove a member of the household."""
    party = _party_for_write(request, party_id)
    member = get_object_or_404(party.household_members.all(), pk=member_id)
    services.household_member_remove(party=party, actor=current_user(request), member=member)
    return Status(204, None)


@router.get("/parties/{party_id}/consents", response={200: list[ConsentOut], **errors(404)},
            summary="Consent history")
def list_consents(request: HttpRequest, party_id: int = PartyId) -> Any:
    """Every consent decision of the customer, latest first (the first per channel and purpose holds)."""
    party = selectors.party_get_for_user(user=current_user(request), pk=party_id)
    return party.consents.select_related("recorded_by").order_by("-recorded_at", "-id")


@router.post("/parties/{party_id}/consents", response={201: ConsentOut, **errors(404)},
             summary="Record a consent")
def record_consent(request: HttpRequest, payload: ConsentIn, party_id: int = PartyId) -> Status[Any]:
    """Record that the customer granted or withdrew consent for a channel and purpose.

    Whoever may change the file may record it; so may service agents and the DPO on every file
    they read (a withdrawal heard on the phone is recorded at once)."""
    party = selectors.party_get_for_user(user=current_user(request), pk=party_id, access="consent")
    return Status(201, services.consent_record(party=party, actor=current_user(request), **payload.dict()))


@router.get("/parties/{party_id}/life-events", response={200: list[LifeEventOut], **errors(404)},
            summary="Life events")
def list_life_events(request: HttpRequest, party_id: int = PartyId) -> Any:
    """Birth, marriage, moving house, vehicle purchase…, latest first (a birth's date is a child's
    birth date: left out unless the caller may read those)."""
    user = current_user(request)
    party = selectors.party_get_for_user(user=user, pk=party_id)
    events = list(party.life_events.order_by("-date", "-id"))
    if field_rights(user).children_birth_dates and any(is_birth_event(e) for e in events):
        audit_sensitive_read(user=user, fields=["children_birth_dates"], party_id=party.pk,
                             obj_type="parties.lifeevent")
    return events


@router.post("/parties/{party_id}/life-events", response={201: LifeEventOut, **errors(403, 404)},
             summary="Add a life event")
def add_life_event(request: HttpRequest, payload: LifeEventIn, party_id: int = PartyId) -> Status[Any]:
    """Record an event of the customer's life; it feeds the actions to take."""
    party = _party_for_write(request, party_id)
    data = payload.dict()
    data["member"] = resolve(party.household_members.all(), data["member"], field="member")
    event = services.life_event_add(party=party, actor=current_user(request), **data)
    if is_birth_event(event):  # only those who may read children's birth dates may date a birth
        audit_sensitive_read(user=current_user(request), fields=["children_birth_dates"], party_id=party.pk,
                             obj_type="parties.lifeevent")
    return Status(201, event)
