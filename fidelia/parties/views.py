"""Customer pages: list, type-ahead search, creation with duplicate warning, the 360 file and edits.

Every view reads through `parties_for_user` / `party_get_for_user` (404 for what the user may not
see), writes through the services, and turns a DomainError into form errors — never a 500.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fidelia.accounts import policies
from fidelia.core.errors import DomainError, ValidationFailed
from fidelia.core.htmx import pick_template
from fidelia.core.pagination import CappedPaginator
from fidelia.core.validation import normalize_email, normalize_phone
from fidelia.interactions.forms import InteractionForm
from fidelia.parties import selectors, services
from fidelia.parties.enums import Channel, ConsentPurpose, PartyKind
from fidelia.parties.fields import PARTY_SENSITIVE_ATTRS, field_rights, served_on_file
from fidelia.parties.forms import (
    AddressForm,
    ConsentForm,
    DuplicateProbeForm,
    EmailForm,
    HouseholdMemberForm,
    LifeEventForm,
    PartyCreateForm,
    PartyEditForm,
    PartyFilterForm,
    PhoneForm,
    add_domain_errors,
)
from fidelia.parties.models import Party
from fidelia.privacy.reads import audit_sensitive_read
from fidelia.sales.enums import ContractStatus

# ---------------------------------------------------------------- list and search


def _require_portfolio(request: HttpRequest) -> None:
    """Users who may read no individual party (analysts work on aggregates) get 404, not an empty list."""
    if policies.party_read_filter(request.user) is None:
        raise Http404


@login_required
@require_GET
def party_list(request: HttpRequest) -> HttpResponse:
    """The portfolio the user may read, filtered, sorted and paginated; HTMX gets the rows only."""
    _require_portfolio(request)
    form = PartyFilterForm(request.GET, user=request.user)
    filters = form.filters()
    parties = selectors.party_list(user=request.user, filters=filters)
    page = CappedPaginator(parties, settings.FIDELIA_PAGE_SIZE, cap=settings.FIDELIA_LIST_COUNT_CAP).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "sort": filters.sort,
               "can_create": policies.can_create_party(request.user)}
    template = pick_template(request, "parties/list.html", "parties/partials/list_rows.html")
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@login_required
@require_GET
def organisation_options(request: HttpRequest) -> HttpResponse:
    """`<option>`s of the organisations matching `q`, for the organisation picker of the forms."""
    _require_portfolio(request)
    found = selectors.organisation_options(user=request.user, q=request.GET.get("q", ""))
    return render(request, "parties/partials/organisation_options.html", {"organisations": found})


@login_required
@require_GET
def party_search(request: HttpRequest) -> HttpResponse:
    """Type-ahead fragment (10 results at most); without HTMX, the full list filtered by `q`."""
    _require_portfolio(request)
    q = request.GET.get("q", "").strip()
    if not request.htmx:
        return redirect(f"{reverse('parties:list')}?{urlencode({'q': q})}")
    results = selectors.party_search(user=request.user, q=q, limit=10) if q else []
    return render(request, "parties/partials/search_results.html", {"results": results, "q": q})


# ---------------------------------------------------------------- creation and duplicates


@login_required
@require_GET
def party_duplicates(request: HttpRequest) -> HttpResponse:
    """Fragment listing files that may be the customer being typed in the create form."""
    form = DuplicateProbeForm(request.GET)
    candidates = selectors.party_find_duplicates(user=request.user, **_probe(form)) if form.is_valid() else []
    return render(request, "parties/partials/duplicates.html", {"candidates": candidates})


def _probe(form: DuplicateProbeForm) -> dict[str, Any]:
    """Selector arguments from a half-filled form; malformed e-mails or phones are not probed."""
    d = form.cleaned_data
    email, phone = d.get("email", "").strip(), d.get("phone", "").strip()
    try:
        email = normalize_email(email) if email else ""
    except ValidationFailed:
        email = ""
    try:
        phone = normalize_phone(phone) if phone else ""
    except ValidationFailed:
        phone = ""
    return {"email": email, "phone": phone, "siren": d.get("siren", "").replace(" ", ""),
            "name": form.name(), "birth_date": d.get("birth_date"), "postcode": d.get("postcode", "")}


@login_required
@require_http_methods(["GET", "POST"])
def party_create(request: HttpRequest) -> HttpResponse:
    if not policies.can_create_party(request.user):
        raise Http404
    kind = request.POST.get("kind") or request.GET.get("kind") or PartyKind.PERSON
    if kind not in PartyKind.values:
        kind = PartyKind.PERSON
    # "Add a contact" on an organisation's file arrives with that organisation chosen.
    initial = {"organisation": request.GET.get("organisation")} if request.GET.get("organisation") else {}
    form = PartyCreateForm(request.POST or None, user=request.user, kind=kind, initial=initial)
    candidates: list[selectors.DuplicateCandidate] = []
    if request.method == "POST" and form.is_valid():
        try:
            party = services.party_create(
                actor=request.user, kind=kind, email=form.cleaned_data["email"], phone=form.cleaned_data["phone"],
                address=form.address(), tags=form.tag_names(),
                allow_duplicate=form.cleaned_data["allow_duplicate"], **form.party_values(),
            )
        except services.PossibleDuplicate as exc:
            candidates = exc.candidates
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Customer “%(name)s” created.") % {"name": party.display_name})
            return redirect("parties:detail", pk=party.pk)
    return render(request, "parties/form.html", {"form": form, "kind": kind, "candidates": candidates,
                                                 "creating": True})


# ---------------------------------------------------------------- the 360 file


@login_required
@require_GET
def party_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survivor = selectors.merged_survivor_for_user(user=request.user, pk=pk)
    if survivor is not None:  # a duplicate merged into another file: its links lead there
        return redirect("parties:detail", pk=survivor)
    party = selectors.party_file(user=request.user, pk=pk)
    context = file_context(request, party)
    audit_sensitive_read(user=request.user, fields=served_on_file(request.user, party), party_id=party.pk,
                         obj_type="parties.party")
    return render(request, "parties/detail.html", context)


def file_context(request: HttpRequest, party: Party, *, open_tab: str = "", **forms: Form) -> dict[str, Any]:
    """Everything the 360 page and its section partials render, with blank forms by default.

    `open_tab` names the tab shown first when the page is re-rendered with a form's errors.
    """
    can_write = selectors.parties_for_user(request.user, for_write=True).filter(pk=party.pk).exists()
    members = list(party.household_members.all())
    can_consent = can_write or selectors.parties_for_user(request.user, access="consent").filter(pk=party.pk).exists()
    rights = field_rights(request.user)
    context: dict[str, Any] = {
        "party": party, "can_write": can_write, "can_consent": can_consent, "rights": rights,
        "can_log": policies.can_log_interaction(request.user),
        "interactions": getattr(party, "recent_interactions", None),
        "interaction_count": getattr(party, "interaction_count", None),
        "email_form": EmailForm(prefix="email"), "phone_form": PhoneForm(prefix="phone"),
        "address_form": AddressForm(prefix="address"), "member_form": HouseholdMemberForm(prefix="member"),
        "life_event_form": LifeEventForm(prefix="event", members=members),
        "consent_form": ConsentForm(prefix="consent"),
        "interaction_form": InteractionForm(),
        "can_create": policies.can_create_party(request.user),
        "channels": Channel.choices, "purposes": ConsentPurpose.choices, "open_tab": open_tab,
    }
    context.update(forms)
    if hasattr(party, "recent_transactions"):
        # Totals over rows already loaded for the tabs: no extra query.
        context["active_contracts_total"] = sum(
            (c.annual_amount for c in party.contracts.all() if c.status == ContractStatus.ACTIVE), Decimal(0))
        context["transactions_total"] = sum((t.amount for t in party.recent_transactions), Decimal(0))
    if hasattr(party, "consent_states"):
        context["consent_grid"] = _consent_grid(party.consent_states)
    if hasattr(party, "monthly_purchases"):
        context["purchases_chart"] = _purchases_chart(party.monthly_purchases, margins=rights.margins)
    return context


def _purchases_chart(series: selectors.MonthlySeries, *, margins: bool) -> dict[str, Any] | None:
    """The monthly purchases chart's data, month names in the reader's language; None if empty.

    Without the right to read margins the margin series and its label are left out entirely."""
    if not any(series.amounts):
        return None
    chart: dict[str, Any] = {"months": [date_format(m, "M Y") for m in series.months], "amounts": series.amounts,
                             "labels": {"amount": _("Purchases")}}
    if margins:
        chart["margins"] = series.margins
        chart["labels"]["margin"] = _("Margin")
    return chart


def _consent_grid(states: list[selectors.ConsentState]) -> list[dict[str, Any]]:
    """Rows per channel, cells per purpose, each with the current decision (None: never asked)."""
    by_key = {(s.channel, s.purpose): s for s in states}
    return [{"channel": label, "cells": [by_key.get((channel, purpose)) for purpose, _l in ConsentPurpose.choices]}
            for channel, label in Channel.choices]


@login_required
@require_http_methods(["GET", "POST"])
def party_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit identity and relationship data; a stale `version` is refused and nothing is written."""
    party = selectors.party_get_for_user(user=request.user, pk=pk, for_write=True)
    initial = {name: getattr(party, name) for name in services.PARTY_FIELDS if name != "kind"}
    initial.update(version=party.version, tags=", ".join(party.tags.values_list("name", flat=True)))
    form = PartyEditForm(request.POST or None, user=request.user, kind=party.kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.party_update(party=party, actor=request.user, version=form.cleaned_data["version"],
                                  tags=form.tag_names(), **form.party_values())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("parties:detail", pk=party.pk)
    # the form shows the current values: the sensitive ones it holds are a read
    shown = [f for a, f in PARTY_SENSITIVE_ATTRS.items() if a in form.fields]
    audit_sensitive_read(user=request.user, fields=shown, party_id=party.pk, obj_type="parties.party")
    return render(request, "parties/form.html", {"form": form, "kind": party.kind, "party": party,
                                                 "creating": False})


# ---------------------------------------------------------------- HTMX sections of the 360 page

# section name -> (partial, tab anchor)
SECTIONS = {
    "contacts": ("parties/partials/contact_points.html", "contact"),
    "household": ("parties/partials/household.html", "infos"),
    "life_events": ("parties/partials/life_events.html", "infos"),
    "consents": ("parties/partials/consents.html", "contact"),
}


def _section(request: HttpRequest, pk: int, section: str, **forms: Form) -> HttpResponse:
    """Re-render one section of the file (HTMX). A plain POST goes back to the section's tab, or,
    when a form has errors, gets the whole page with that form so nothing typed is lost."""
    partial, tab = SECTIONS[section]
    if not request.htmx and not forms:
        return redirect(f"{reverse('parties:detail', args=[pk])}#{tab}")
    party = selectors.party_file(user=request.user, pk=pk)
    template = pick_template(request, "parties/detail.html", partial)
    context = file_context(request, party, open_tab=tab, **forms)
    served = served_on_file(request.user, party, section="file" if template == "parties/detail.html" else section)
    audit_sensitive_read(user=request.user, fields=served, party_id=party.pk, obj_type="parties.party")
    return render(request, template, context)


def _write(request: HttpRequest, pk: int, section: str, form: Form, key: str,
           action: Callable[[Party], Any], access: str = "write") -> HttpResponse:
    """The checklist every section write follows: access, validate, call the service, re-render."""
    party = selectors.party_get_for_user(user=request.user, pk=pk, access=access)
    if form.is_valid():
        try:
            action(party)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            return _section(request, pk, section)
    return _section(request, pk, section, **{key: form})


@login_required
@require_POST
def email_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = EmailForm(request.POST, prefix="email")
    return _write(request, pk, "contacts", form, "email_form", lambda party: services.email_add(
        party=party, actor=request.user, **form.cleaned_data))


@login_required
@require_POST
def phone_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = PhoneForm(request.POST, prefix="phone")
    return _write(request, pk, "contacts", form, "phone_form", lambda party: services.phone_add(
        party=party, actor=request.user, **form.cleaned_data))


@login_required
@require_POST
def address_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = AddressForm(request.POST, prefix="address")
    return _write(request, pk, "contacts", form, "address_form", lambda party: services.address_add(
        party=party, actor=request.user, address=form.address(), is_primary=form.cleaned_data["is_primary"]))


@login_required
@require_POST
def contact_point_remove(request: HttpRequest, pk: int, kind: str, row_pk: int) -> HttpResponse:
    """Remove an e-mail, phone or address; the row is looked up among this party's own rows."""
    party = selectors.party_get_for_user(user=request.user, pk=pk, for_write=True)
    related = {"email": party.emails, "phone": party.phones, "address": party.addresses}.get(kind)
    row = related.filter(pk=row_pk).first() if related is not None else None
    if row is None:
        raise Http404
    services.contact_point_remove(party=party, actor=request.user, row=row)
    return _section(request, pk, "contacts")


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = HouseholdMemberForm(request.POST, prefix="member")
    return _write(request, pk, "household", form, "member_form", lambda party: services.household_member_add(
        party=party, actor=request.user, **form.cleaned_data))


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    party = selectors.party_get_for_user(user=request.user, pk=pk, for_write=True)
    member = party.household_members.filter(pk=member_pk).first()
    if member is None:
        raise Http404
    services.household_member_remove(party=party, actor=request.user, member=member)
    return _section(request, pk, "household")


@login_required
@require_POST
def life_event_remove(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    party = selectors.party_get_for_user(user=request.user, pk=pk, for_write=True)
    event = party.life_events.filter(pk=event_pk).first()
    if event is None:
        raise Http404
    services.life_event_remove(party=party, actor=request.user, event=event)
    return _section(request, pk, "life_events")


@login_required
@require_POST
def life_event_add(request: HttpRequest, pk: int) -> HttpResponse:
    party = selectors.party_get_for_user(user=request.user, pk=pk, for_write=True)
    form = LifeEventForm(request.POST, prefix="event", members=list(party.household_members.all()))
    return _write(request, pk, "life_events", form, "life_event_form", lambda p: services.life_event_add(
        party=p, actor=request.user, kind=form.cleaned_data["kind"], date=form.cleaned_data["date"],
        details=form.cleaned_data["details"], member=form.chosen_member()))


@login_required
@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = ConsentForm(request.POST, prefix="consent")
    return _write(request, pk, "consents", form, "consent_form", lambda party: services.consent_record(
        party=party, actor=request.user, **form.cleaned_data), access="consent")
