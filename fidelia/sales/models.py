"""Catalogue, products held (contracts) and transactions: the data the analytics feed on."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fidelia.core.models import TimeStampedModel, VersionedModel
from fidelia.sales.enums import ContractStatus, ProductKind, SalesChannel


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
