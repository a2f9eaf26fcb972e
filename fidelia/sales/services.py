"""Writes on the catalogue, contracts and transactions."""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core import events
from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.parties.fields import FieldForbidden, field_rights
from fidelia.parties.models import Party
from fidelia.parties.services import party_promote_to_customer
from fidelia.sales.enums import ContractStatus
from fidelia.sales.models import Contract, Product, ProductFamily, Transaction

CENT = Decimal("0.01")
PRODUCT_FIELDS = ("code", "name", "family", "kind", "price", "margin_rate", "is_active", "description")
CONTRACT_FIELDS = ("product", "start_date", "end_date", "renewal_date", "status", "annual_amount")


def _require_catalogue_rights(actor: User) -> None:
    if not policies.can_edit_catalogue(actor):
        raise ValidationFailed(_("You may not change the catalogue."))


def _check_margin_write(actor: User, names: Any) -> None:
    """Margin figures (a product's rate, a transaction's margin) are written only by those who may
    read margins; a write naming one otherwise is refused as a whole."""
    if "margin_rate" in names and not field_rights(actor).margins:
        raise FieldForbidden(["margin_rate"])


def _check_product(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not str(values.get("code") or "").strip():
        errors["code"] = [_("The code is required.")]
    if not str(values.get("name") or "").strip():
        errors["name"] = [_("The name is required.")]
    if values.get("price") is not None and Decimal(values["price"]) < 0:
        errors["price"] = [_("The price cannot be negative.")]
    rate = values.get("margin_rate")
    if rate is not None and not (Decimal(0) <= Decimal(rate) <= Decimal(1)):
        errors["margin_rate"] = [_("The margin rate is a share between 0 and 1.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)


@transaction.atomic
def family_create(*, actor: User, name: str, description: str = "") -> ProductFamily:
    _require_catalogue_rights(actor)
    if not name.strip():
        raise ValidationFailed(_("The name is required."), fields={"name": [_("The name is required.")]})
    family, _created = ProductFamily.objects.get_or_create(name=name.strip(), defaults={"description": description})
    return family


@transaction.atomic
def product_create(*, actor: User, **values: Any) -> Product:
    _require_catalogue_rights(actor)
    _check_margin_write(actor, values)
    _check_product(values)
    if Product.objects.filter(code=values["code"].strip()).exists():
        raise ValidationFailed(_("A product with this code exists."), fields={"code": [_("A product with this code exists.")]})
    product = Product.objects.create(**{k: v for k, v in values.items() if k in PRODUCT_FIELDS})
    events.record(actor=actor, action="product.created", obj=product, party_id=None)
    return product


@transaction.atomic
def product_update(*, product: Product, actor: User, version: int, **changes: Any) -> Product:
    _require_catalogue_rights(actor)
    _check_margin_write(actor, changes)
    values = {**{k: getattr(product, k) for k in PRODUCT_FIELDS}, **changes}
    _check_product(values)
    if Product.objects.filter(code=values["code"]).exclude(pk=product.pk).exists():
        raise ValidationFailed(_("A product with this code exists."), fields={"code": [_("A product with this code exists.")]})
    diff = events.diff(product, {k: values[k] for k in PRODUCT_FIELDS})
    if not Product.objects.filter(pk=product.pk, version=version).update(
        **{k: values[k] for k in PRODUCT_FIELDS}, version=F("version") + 1, updated_at=timezone.now()
    ):
        raise StaleVersion(_("This product was changed by someone else meanwhile. Reload and try again."))
    product.refresh_from_db()
    events.record(actor=actor, action="product.updated", obj=product, party_id=None, changes=diff)
    return product


def _check_contract(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    start, end, renewal = values.get("start_date"), values.get("end_date"), values.get("renewal_date")
    if start is None:
        errors["start_date"] = [_("The start date is required.")]
    if start and end and end < start:
        errors["end_date"] = [_("The end date is before the start date.")]
    if start and renewal and renewal < start:
        errors["renewal_date"] = [_("The renewal date is before the start date.")]
    if values.get("annual_amount") is not None and Decimal(values["annual_amount"]) < 0:
        errors["annual_amount"] = [_("The amount cannot be negative.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)


@transaction.atomic
def contract_create(*, party: Party, actor: User, product: Product, start_date: dt.date,
                    reference: str = "", **values: Any) -> Contract:
    """Record a product held by `party`; a prospect holding a product becomes a customer."""
    data = {"product": product, "start_date": start_date, **values}
    _check_contract(data)
    ref = reference.strip() or f"CT-{timezone.localdate():%Y}-{secrets.token_hex(4).upper()}"
    try:
        with transaction.atomic():
            contract = Contract.objects.create(party=party, reference=ref, **data)
    except IntegrityError:
        raise ValidationFailed(_("This reference is already used."), fields={"reference": [_("This reference is already used.")]}) from None
    if contract.status == ContractStatus.ACTIVE:
        party_promote_to_customer(party=party, actor=actor)
    events.record(actor=actor, action="contract.created", obj=contract, party_id=party.pk,
                  changes={"product": product.code, "reference": ref})
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, actor: User, version: int, **changes: Any) -> Contract:
    values = {**{k: getattr(contract, k) for k in CONTRACT_FIELDS}, **changes}
    _check_contract(values)
    diff = events.diff(contract, {k: values[k] for k in CONTRACT_FIELDS})
    if not Contract.objects.filter(pk=contract.pk, version=version).update(
        **{k: values[k] for k in CONTRACT_FIELDS}, version=F("version") + 1, updated_at=timezone.now()
    ):
        raise StaleVersion(_("This contract was changed by someone else meanwhile. Reload and try again."))
    contract.refresh_from_db()
    events.record(actor=actor, action="contract.updated", obj=contract, party_id=contract.party_id, changes=diff)
    return contract


@transaction.atomic
def transaction_record(*, party: Party, actor: User | None, product: Product, date: dt.date, amount: Decimal,
                       channel: str, quantity: int = 1, margin: Decimal | None = None) -> Transaction:
    """Record a purchase (negative amount: a refund). Margin defaults to amount × the product's margin rate.

    A person acting must be allowed to read transactions, and to read margins to set one
    (FieldForbidden otherwise); `actor=None` is the system (imports, demo data).
    """
    if actor is not None:
        rights = field_rights(actor)
        if not rights.transactions:
            raise FieldForbidden(["transactions"], _("You may not record transactions."))
        if margin is not None and not rights.margins:
            raise FieldForbidden(["margin"])
    errors: dict[str, list[str]] = {}
    if date > timezone.localdate():
        errors["date"] = [_("A transaction cannot be dated in the future.")]
    if quantity < 1:
        errors["quantity"] = [_("The quantity must be at least 1.")]
    amount = Decimal(amount).quantize(CENT)
    if amount == 0:
        errors["amount"] = [_("The amount cannot be zero.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    if margin is None:
        margin = (amount * product.margin_rate).quantize(CENT)
    row = Transaction.objects.create(party=party, product=product, date=date, quantity=quantity, amount=amount,
                                     margin=Decimal(margin).quantize(CENT), channel=channel,
                                     recorded_by=actor if getattr(actor, "pk", None) else None)
    if amount > 0:
        party_promote_to_customer(party=party, actor=actor)
    events.record(actor=actor, action="transaction.recorded", obj=row, party_id=party.pk,
                  changes={"amount": str(amount), "product": product.code})
    return row


def contracts_refresh_status(*, today: dt.date | None = None) -> int:
    """Mark active contracts whose end date has passed as ended; returns how many changed."""
    day = today or timezone.localdate()
    return Contract.objects.filter(status=ContractStatus.ACTIVE, end_date__lt=day).update(
        status=ContractStatus.ENDED, version=F("version") + 1, updated_at=timezone.now()
    )
