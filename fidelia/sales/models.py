"""Catalogue, products held (contracts) and transactions: the data the analytics feed on."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel, VersionedModel
from fidelia.sales.enums import (
    ContractStatus,
    LeadSource,
    LeadStatus,
    OrderStatus,
    ProductKind,
    QuoteStatus,
    SalesChannel,
    StageOutcome,
)


class ProductFamily(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product family")
        verbose_name_plural = _("product families")

    def __str__(self) -> str:
        return self.name


class Product(VersionedModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    family = models.ForeignKey(ProductFamily, verbose_name=_("family"), on_delete=models.PROTECT,
                               related_name="products")
    kind = models.CharField(_("strategic or tactical"), max_length=10, choices=ProductKind.choices)
    price = models.DecimalField(_("price (€)"), max_digits=12, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0"))])
    margin_rate = models.DecimalField(
        _("margin rate"), max_digits=5, decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the price that is margin, between 0 and 1."),
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["family__name", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class Contract(VersionedModel):
    """A product or service held by a party (subscription, policy, account…)."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="contracts")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="contracts")
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    renewal_date = models.DateField(_("renewal date"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ContractStatus.choices,
                              default=ContractStatus.ACTIVE)
    annual_amount = models.DecimalField(_("annual amount (€)"), max_digits=12, decimal_places=2,
                                        default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    # Legal archiving: an ended contract, or one of an erased customer, is kept as proof only, with
    # restricted access (the DPO), until the contract retention policy deletes it.
    archived_at = models.DateTimeField(_("archived on"), null=True, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [models.Index(fields=["party", "status"])]

    def __str__(self) -> str:
        return self.reference


class Transaction(TimeStampedModel):
    """A purchase (or refund, negative amount) by a party: date, amount, margin, product, channel."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="transactions")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="transactions")
    date = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    margin = models.DecimalField(_("margin (€)"), max_digits=12, decimal_places=2)
    channel = models.CharField(_("channel"), max_length=16, choices=SalesChannel.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    # Set when the customer is erased: the row stays for the accounting duty (10 years), nothing personal.
    archived_at = models.DateTimeField(_("archived on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        indexes = [models.Index(fields=["party", "-date"]), models.Index(fields=["date"])]


# --- Sales force automation: leads, opportunities, pipeline, quotes, orders ---


class Lead(VersionedModel):
    """A *piste*: someone who showed interest, not yet a party. Converted into a party + an opportunity.

    Personal data: kept 36 months from the last contact when never converted (retention line `sales_leads`).
    """

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True,
                                     help_text=_("Campaign, event, referrer or file the lead came from."))
    status = models.CharField(_("qualification"), max_length=14, choices=LeadStatus.choices,
                              default=LeadStatus.NEW, db_index=True)
    interest = models.ForeignKey(Product, verbose_name=_("product of interest"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    estimated_amount = models.DecimalField(_("estimated amount (€)"), max_digits=12, decimal_places=2,
                                           null=True, blank=True, validators=[MinValueValidator(Decimal("0"))])
    message = models.TextField(_("message"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="leads")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team / agency"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="leads")
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    disqualified_reason = models.CharField(_("disqualification reason"), max_length=200, blank=True)
    # Consent captured with the lead (web form): what was shown, when, and the proof (IP, user agent, page).
    consent_granted = models.BooleanField(_("consents to prospecting"), default=False)
    consent_wording = models.TextField(_("consent wording shown"), blank=True)
    consent_at = models.DateTimeField(_("consent given on"), null=True, blank=True)
    consent_proof = models.JSONField(_("consent proof"), default=dict, blank=True)
    party = models.ForeignKey("parties.Party", verbose_name=_("converted into"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="leads")
    converted_at = models.DateTimeField(_("converted on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["team", "status"])]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.company or self.email or f"#{self.pk}"


class PipelineStage(models.Model):
    """A configurable column of the pipeline: order, default probability and outcome (open/won/lost)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0,
                                                   validators=[MaxValueValidator(100)])
    outcome = models.CharField(_("outcome"), max_length=6, choices=StageOutcome.choices, default=StageOutcome.OPEN)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline stage")
        verbose_name_plural = _("pipeline stages")

    def __str__(self) -> str:
        return self.name


class LostReason(models.Model):
    label = models.CharField(_("label"), max_length=120, unique=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")

    def __str__(self) -> str:
        return self.label


class Opportunity(VersionedModel):
    """A deal in progress with a party: stage, amount, probability, expected close and next step."""

    party = models.ForeignKey("parties.Party", verbose_name=_("customer"), on_delete=models.CASCADE,
                              related_name="opportunities")
    name = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="opportunities")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team / agency"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="opportunities")
    stage = models.ForeignKey(PipelineStage, verbose_name=_("stage"), on_delete=models.PROTECT,
                              related_name="opportunities")
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                 validators=[MinValueValidator(Decimal("0"))])
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0,
                                                   validators=[MaxValueValidator(100)])
    expected_close = models.DateField(_("expected close"), db_index=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step on"), null=True, blank=True)
    lost_reason = models.ForeignKey(LostReason, verbose_name=_("lost reason"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="opportunities")
    lost_note = models.CharField(_("lost note"), max_length=300, blank=True)
    lead = models.ForeignKey(Lead, verbose_name=_("lead"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="opportunities")
    # True when the party was not yet a customer when the deal opened: "new business" in the reports.
    is_new_business = models.BooleanField(_("new prospect"), default=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["expected_close", "id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [models.Index(fields=["stage", "owner"]), models.Index(fields=["team", "stage"]),
                   models.Index(fields=["party", "stage"])]

    def __str__(self) -> str:
        return self.name

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount * self.probability / Decimal(100)).quantize(Decimal("0.01"))


class OpportunityLine(models.Model):
    """A product the opportunity is about (what the quote will be built from)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price (€)"), max_digits=12, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["id"]
        verbose_name = _("opportunity line")
        verbose_name_plural = _("opportunity lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class OpportunityStageChange(models.Model):
    """Full stage history, one row per move (the first row is the creation, from_stage empty)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(PipelineStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(PipelineStage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("changed at"), db_index=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    amount = models.DecimalField(_("amount at the time (€)"), max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.from_stage_id} → {self.to_stage_id}"


class Quote(VersionedModel):
    """A *devis*: priced lines from the catalogue, valid until a date; accepting it creates an Order."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    party = models.ForeignKey("parties.Party", verbose_name=_("customer"), on_delete=models.CASCADE,
                              related_name="quotes")
    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="quotes")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="quotes")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team / agency"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="quotes")
    status = models.CharField(_("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT,
                              db_index=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    notes = models.TextField(_("notes"), blank=True)
    # Totals are stored (computed by the pure function on every line change) so lists need no sum.
    total_excl_tax = models.DecimalField(_("total excl. VAT (€)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total_tax = models.DecimalField(_("VAT (€)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total_incl_tax = models.DecimalField(_("total incl. VAT (€)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["team", "status"])]

    def __str__(self) -> str:
        return self.number


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("label"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price excl. VAT (€)"), max_digits=12, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0"))])
    discount_rate = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0"),
                                        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("20"),
                                   validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return self.label


class Order(TimeStampedModel):
    """What an accepted quote became: the contracts and transactions it created point back here."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    quote = models.OneToOneField(Quote, verbose_name=_("quote"), on_delete=models.PROTECT, related_name="order")
    party = models.ForeignKey("parties.Party", verbose_name=_("customer"), on_delete=models.CASCADE,
                              related_name="orders")
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED)
    ordered_on = models.DateField(_("ordered on"))
    total_excl_tax = models.DecimalField(_("total excl. VAT (€)"), max_digits=14, decimal_places=2)
    total_incl_tax = models.DecimalField(_("total incl. VAT (€)"), max_digits=14, decimal_places=2)
    contracts = models.ManyToManyField(Contract, verbose_name=_("contracts"), blank=True, related_name="orders")
    transactions = models.ManyToManyField(Transaction, verbose_name=_("transactions"), blank=True,
                                          related_name="orders")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-ordered_on", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return self.number
