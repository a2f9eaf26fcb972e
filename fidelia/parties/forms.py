"""Forms of the customer pages. They check types only; the services own every business rule."""
from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fidelia.accounts import policies
from fidelia.accounts.enums import Role
from fidelia.accounts.models import Team, User
from fidelia.core.errors import DomainError
from fidelia.parties.enums import (
    Channel,
    Civility,
    ConsentPurpose,
    ConsentSource,
    ContactKind,
    Csp,
    IncomeBracket,
    Language,
    LifeEventKind,
    MemberRole,
    PartyKind,
    Stage,
)
from fidelia.parties.fields import ASSIGNMENT_ATTRS, field_rights
from fidelia.parties.models import HouseholdMember, Party
from fidelia.parties.selectors import SORTS, PartyFilters, parties_for_user
from fidelia.parties.services import PARTY_FIELDS, AddressInput

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SALES_ROLES = (Role.SALES_REP, Role.SALES_MANAGER)


def _blank(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *[(v, lbl) for v, lbl in choices if v != ""]]


def add_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service's field errors on their fields; its message (and unknown fields) go on top."""
    placed: set[str] = set()
    for name, messages in exc.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
            placed.add(message)
    if exc.message not in placed:
        form.add_error(None, exc.message)


def owner_choices(user: User) -> QuerySet[User]:
    """Users a party may be assigned to by `user`: the team for a manager, every seller for an admin."""
    qs = User.objects.filter(is_active=True, role__in=SALES_ROLES).select_related("team")
    if user.role == Role.SALES_MANAGER:
        qs = qs.filter(team_id=user.team_id)
    return qs.order_by("last_name", "first_name")


class PartyFilterForm(forms.Form):
    """The filters of the customer list (GET); invalid values are ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=_blank(_("All stages"), Stage.choices))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(_("All kinds"), PartyKind.choices))
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    tag = forms.CharField(label=_("Tag"), required=False)
    city = forms.CharField(label=_("City"), required=False)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[(k, k) for k in SORTS])

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.role == Role.SALES_REP:
            del self.fields["owner"], self.fields["team"]
            return
        owners = User.objects.filter(is_active=True, role__in=SALES_ROLES)
        if user.role == Role.SALES_MANAGER:
            owners = owners.filter(team_id=user.team_id)
            del self.fields["team"]
        else:
            self.fields["team"].choices = [("", _("All teams")), *Team.objects.values_list("id", "name")]
        self.fields["owner"].choices = [("", _("All owners")), *(
            (u.pk, str(u)) for u in owners.order_by("last_name", "first_name")
        )]

    def filters(self) -> PartyFilters:
        """The valid filters; a field that does not validate is dropped."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return PartyFilters(**{k: v for k, v in data.items() if k in PartyFilters.__dataclass_fields__})


class OrganisationPicker(forms.Select):
    """Picks an organisation among possibly hundreds of thousands: the select holds only the
    chosen one, and a search box above it fetches matching organisations as the user types
    (HTMX, `parties:organisation_options`). The field's queryset still validates the choice."""

    queryset: QuerySet[Party] | None = None

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        chosen = [v for v in value if v not in ("", None)]
        rows = list(self.queryset.filter(pk__in=chosen)) if chosen and self.queryset is not None else []
        self.choices = [("", "—"), *[(p.pk, p.display_name) for p in rows]]
        return super().optgroups(name, value, attrs)

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        select = super().render(name, value, attrs, renderer)
        target = (attrs or {}).get("id") or f"id_{name}"
        search = format_html(
            '<input type="search" name="q" class="picker__search" autocomplete="off" placeholder="{}" '
            'aria-label="{}" hx-get="{}" hx-trigger="input changed delay:250ms" hx-target="#{}" '
            'hx-swap="innerHTML" hx-include="this">',
            _("Type a company name, SIREN or city…"), _("Search an organisation"),
            reverse("parties:organisation_options"), target,
        )
        return format_html('<div class="picker">{}{}</div>', search, select)


class PartyForm(forms.Form):
    """Identity and relationship fields of a person or an organisation (create and edit)."""

    PERSON_ONLY = ("civility", "first_name", "last_name", "birth_date", "csp", "income_bracket",
                   "organisation", "job_title")
    ORGANISATION_ONLY = ("legal_name", "siren", "siret", "vat_number", "sector", "employees", "parent")

    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.PROSPECT)
    civility = forms.ChoiceField(label=_("Civility"), choices=Civility.choices, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE_INPUT)
    csp = forms.ChoiceField(label=_("Socio-professional category"), choices=_blank("—", Csp.choices), required=False)
    income_bracket = forms.ChoiceField(label=_("Income bracket"), choices=_blank("—", IncomeBracket.choices),
                                       required=False)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Party.objects.none(), required=False,
                                          empty_label="—", widget=OrganisationPicker)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=20, required=False)
    vat_number = forms.CharField(label=_("VAT number"), max_length=20, required=False)
    sector = forms.CharField(label=_("Sector (NAF)"), max_length=120, required=False)
    employees = forms.IntegerField(label=pgettext_lazy("headcount of a company", "Employees"), min_value=0, required=False)
    parent = forms.ModelChoiceField(label=_("Parent company"), queryset=Party.objects.none(), required=False,
                                    empty_label="—", widget=OrganisationPicker)
    preferred_channel = forms.ChoiceField(label=_("Preferred channel"), choices=_blank("—", Channel.choices),
                                          required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.FRENCH, required=False,
                                 help_text=_("The language campaigns, surveys and letters are written in."))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False,
                                   empty_label="—")
    team = forms.ModelChoiceField(label=_("Team / agency"), queryset=Team.objects.all(), required=False,
                                  empty_label="—")
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    customer_since = forms.DateField(label=_("Customer since"), required=False, widget=DATE_INPUT)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        drop = self.ORGANISATION_ONLY if kind == PartyKind.PERSON else self.PERSON_ONLY
        for name in drop:
            del self.fields[name]
        organisations = parties_for_user(user).filter(kind=PartyKind.ORGANISATION).only("id", "display_name")
        for name in ("organisation", "parent"):
            if name in self.fields:
                self.fields[name].queryset = organisations
                self.fields[name].widget.queryset = organisations
        if policies.can_assign_owner(user):
            self.fields["owner"].queryset = owner_choices(user)
        else:
            del self.fields["owner"], self.fields["team"]
        # Fields the user may not read are not offered; one sent anyway (a crafted POST) is an
        # error in `clean`, never silently dropped.
        withheld = set(field_rights(user).hidden_party_attrs())
        if not policies.can_assign_owner(user):
            withheld |= set(ASSIGNMENT_ATTRS)
        for name in withheld & set(self.fields):
            del self.fields[name]
        self.withheld_sent = sorted(n for n in withheld if self.data.get(n) not in (None, ""))
        if kind == PartyKind.PERSON:
            self.fields["last_name"].required = True
        else:
            self.fields["legal_name"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.withheld_sent:
            self.add_error(None, _("You may not change these fields: %(fields)s.")
                           % {"fields": ", ".join(self.withheld_sent)})
        return data

    def party_values(self) -> dict[str, Any]:
        """Cleaned fields as the services take them (`tags` as a list of names)."""
        return {k: v for k, v in self.cleaned_data.items() if k in PARTY_FIELDS}

    def tag_names(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class PartyCreateForm(PartyForm):
    """Creation adds the first contact points and the duplicate override."""

    email = forms.CharField(label=_("E-mail"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    line1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    line2 = forms.CharField(label=_("Address (continued)"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    allow_duplicate = forms.BooleanField(label=_("This is a different customer: create anyway"), required=False)

    def address(self) -> AddressInput | None:
        d = self.cleaned_data
        if not any(d.get(k) for k in ("line1", "line2", "postcode", "city")):
            return None
        return AddressInput(line1=d["line1"], line2=d["line2"], postcode=d["postcode"], city=d["city"])


class PartyEditForm(PartyForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DuplicateProbeForm(forms.Form):
    """What the create form sends on blur to look for an existing file."""

    kind = forms.CharField(required=False)
    first_name = forms.CharField(required=False)
    last_name = forms.CharField(required=False)
    legal_name = forms.CharField(required=False)
    birth_date = forms.DateField(required=False)
    email = forms.CharField(required=False)
    phone = forms.CharField(required=False)
    siren = forms.CharField(required=False)
    postcode = forms.CharField(required=False)

    def name(self) -> str:
        d = self.cleaned_data
        if d.get("kind") == PartyKind.ORGANISATION:
            return d.get("legal_name", "")
        return f"{d.get('first_name', '')} {d.get('last_name', '')}".strip()


class EmailForm(forms.Form):
    address = forms.CharField(label=_("E-mail"), max_length=254, widget=forms.EmailInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices, initial=ContactKind.HOME)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)


class PhoneForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=30, widget=forms.TextInput(attrs={"type": "tel"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices, initial=ContactKind.MOBILE)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)


class AddressForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices, initial=ContactKind.HOME)
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address (continued)"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=120)
    country = forms.CharField(label=_("Country"), max_length=2, initial="FR")
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def address(self) -> AddressInput:
        d = self.cleaned_data
        return AddressInput(line1=d["line1"], line2=d["line2"], postcode=d["postcode"], city=d["city"],
                            country=d["country"] or "FR", kind=d["kind"])


class HouseholdMemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE_INPUT)


class LifeEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=LifeEventKind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    details = forms.CharField(label=_("Details"), max_length=200, required=False)
    member = forms.TypedChoiceField(label=_("Household member"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, members: list[HouseholdMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.pk: m for m in members}
        self.fields["member"].choices = [("", "—"), *((m.pk, str(m)) for m in members)]

    def chosen_member(self) -> HouseholdMember | None:
        return self.members.get(self.cleaned_data.get("member"))


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    granted = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
        choices=[("1", _("Granted")), ("0", _("Withdrawn"))], initial="1",
    )
    source = forms.ChoiceField(label=_("Source"), choices=ConsentSource.choices, initial=ConsentSource.BRANCH)
    wording = forms.CharField(label=_("Wording shown to the person"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
