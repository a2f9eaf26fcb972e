"""The single customer file: parties (persons and organisations) and everything attached to them."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fidelia.core.models import TimeStampedModel, VersionedModel
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


class ContactDirection(models.TextChoices):
    """Who took the initiative of a contact (the values match the timeline's directions)."""

    INBOUND = "inbound", _("from the customer")
    OUTBOUND = "outbound", _("to the customer")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Party(VersionedModel):
    """A person or an organisation, at any lifecycle stage: one customer, one file.

    `email`, `phone`, `postcode` and `city` mirror the primary contact points (kept in sync by
    the services) so lists and search never join; `search_text` is the folded text search runs on.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=PartyKind.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.PROSPECT)
    display_name = models.CharField(_("name"), max_length=200)
    # person
    civility = models.CharField(_("civility"), max_length=4, choices=Civility.choices, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    csp = models.CharField(_("socio-professional category"), max_length=2, choices=Csp.choices, blank=True)
    income_bracket = models.CharField(_("income bracket"), max_length=8, choices=IncomeBracket.choices, blank=True)
    organisation = models.ForeignKey(
        "self", verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="contacts", limit_choices_to={"kind": PartyKind.ORGANISATION},
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    # organisation
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    sector = models.CharField(_("sector (NAF)"), max_length=120, blank=True)
    employees = models.PositiveIntegerField(pgettext_lazy("headcount of a company", "employees"), null=True, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent company"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="subsidiaries",
    )
    # relationship
    preferred_channel = models.CharField(_("preferred channel"), max_length=8, choices=Channel.choices, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FRENCH,
                                db_default=Language.FRENCH)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="portfolio")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team / agency"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="parties")
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="parties")
    notes = models.TextField(_("notes"), blank=True)
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    # mirrors of primary contact points + search
    email = models.CharField(_("e-mail"), max_length=254, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    # Folded display name, so "Élodie" sorts among the E's and not after "Zoé".
    sort_name = models.CharField(max_length=200, editable=False, blank=True, db_default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    erased_at = models.DateTimeField(_("anonymised on"), null=True, blank=True, editable=False)
    # The prospect retention clock runs from the last contact coming from the person (CNIL), not
    # from the last one we made: a mailing sent to a silent prospect must not keep them on file.
    last_inbound_at = models.DateTimeField(_("last contact from the customer"), null=True, blank=True,
                                           editable=False, db_index=True)
    last_outbound_at = models.DateTimeField(_("last contact we made"), null=True, blank=True,
                                            editable=False, db_index=True)
    # Set when this file was merged into another (deduplication): the row stays so the merge can be
    # undone, but lists, search and reads skip it and its page redirects to the survivor.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, editable=False,
                                    related_name="merged_parties", verbose_name=_("merged into"))
    merged_at = models.DateTimeField(_("merged on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["sort_name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["owner", "sort_name", "id"]),
            models.Index(fields=["team", "sort_name", "id"]),
            models.Index(fields=["stage", "sort_name", "id"]),
            models.Index(fields=["sort_name", "id"]),
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["city", "sort_name", "id"]),
            # the list's city filter compares case-insensitively (UPPER(city) = UPPER(%s))
            models.Index(Upper("city"), name="parties_party_city_upper"),
            models.Index(fields=["birth_date"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_person(self) -> bool:
        return self.kind == PartyKind.PERSON


class HouseholdMember(TimeStampedModel):
    """A member of a person's household (foyer): spouse, children with birth dates…"""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="household_members")
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    member_party = models.ForeignKey(Party, verbose_name=_("also a customer"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["role", "birth_date", "id"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Address(TimeStampedModel):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices, default=ContactKind.HOME)
    line1 = models.CharField(_("address"), max_length=200)
    line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=120)
    country = models.CharField(_("country"), max_length=2, default="FR")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.line1}, {self.postcode} {self.city}"


class Phone(TimeStampedModel):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="phones")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices, default=ContactKind.MOBILE)
    number = models.CharField(_("number (E.164)"), max_length=20, db_index=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


class Email(TimeStampedModel):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices, default=ContactKind.HOME)
    address = models.CharField(_("e-mail"), max_length=254)
    normalized = models.CharField(max_length=254, db_index=True, editable=False)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")

    def __str__(self) -> str:
        return self.address


class ConsentRecord(models.Model):
    """Append-only consent history: the current consent for a (channel, purpose) is the latest row."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=12, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=10, choices=ConsentSource.choices)
    wording = models.TextField(_("wording shown to the person"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["party", "channel", "purpose", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.channel}/{self.purpose}: {'granted' if self.granted else 'withdrawn'}"


class LifeEvent(TimeStampedModel):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="life_events")
    kind = models.CharField(_("event"), max_length=24, choices=LifeEventKind.choices)
    date = models.DateField(_("date"))
    details = models.CharField(_("details"), max_length=200, blank=True)
    member = models.ForeignKey(HouseholdMember, verbose_name=_("household member"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="life_events")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("life event")
        verbose_name_plural = _("life events")


class SearchTerm(models.Model):
    """The vocabulary of customers' names, for typo-tolerant search at scale.

    `key` is a folded word, or two adjacent words joined ("legoff" for "le goff"); `phrase` is
    how it appears in `Party.search_text`. A misspelt query word is matched against the keys (a
    small table with a trigram index), then the phrases are searched for exactly.
    """

    key = models.CharField(max_length=100)
    phrase = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "phrase"], name="parties_searchterm_unique")]

    def __str__(self) -> str:
        return self.key
