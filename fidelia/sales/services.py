"""Writes on the catalogue, contracts and transactions."""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core import events
from fidelia.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from fidelia.core.signals import send_after_commit
from fidelia.parties.fields import FieldForbidden, field_rights
from fidelia.parties.models import Party
from fidelia.parties.services import party_promote_to_customer
from fidelia.sales.enums import ContractStatus, LeadSource, LeadStatus, QuoteStatus, StageOutcome
from fidelia.sales.models import (
    Contract,
    Lead,
    LostReason,
    Opportunity,
    OpportunityLine,
    OpportunityStageChange,
    Order,
    PipelineStage,
    Product,
    ProductFamily,
    Quote,
    QuoteLine,
    Transaction,
)
from fidelia.sales.pricing import LineInput, QuoteTotals, quote_totals
from fidelia.sales.signals import contracts_signed, opportunities_created, purchases_recorded

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
    send_after_commit(contracts_signed, party_ids=[party.pk], contract_ids=[contract.pk])
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
    send_after_commit(purchases_recorded, party_ids=[party.pk], transaction_ids=[row.pk])
    return row


def contracts_refresh_status(*, today: dt.date | None = None) -> int:
    """Mark active contracts whose end date has passed as ended; returns how many changed."""
    day = today or timezone.localdate()
    return Contract.objects.filter(status=ContractStatus.ACTIVE, end_date__lt=day).update(
        status=ContractStatus.ENDED, version=F("version") + 1, updated_at=timezone.now()
    )


# --- Sales force automation: leads, opportunities, quotes, orders ------------------------------------

LEAD_FIELDS = ("first_name", "last_name", "company", "email", "phone", "city", "source", "source_detail",
               "status", "interest", "estimated_amount", "message", "owner", "team", "last_contact_at",
               "disqualified_reason")
OPPORTUNITY_FIELDS = ("name", "owner", "team", "amount", "probability", "expected_close", "next_step",
                      "next_step_on")


def _require_pipeline(actor: User | None) -> None:
    if actor is not None and not policies.can_work_pipeline(actor):
        raise ValidationFailed(_("You may not work on the sales pipeline."))


def _stale(what: str) -> StaleVersion:
    return StaleVersion(_("This %(what)s was changed by someone else meanwhile. Reload and try again.")
                        % {"what": what})


def _owner_team(actor: User | None, owner: User | None, team: Any) -> tuple[User | None, Any]:
    """Who owns a new record: the given owner, else the acting rep; the team follows the owner."""
    owner = owner or (actor if actor is not None and actor.role in {"sales_rep", "sales_manager"} else None)
    return owner, team or (owner.team if owner is not None else None)


def _check_lead(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not any(str(values.get(k) or "").strip() for k in ("last_name", "company", "email", "phone")):
        errors["last_name"] = [_("Give at least a name, a company, an e-mail or a phone number.")]
    if values.get("source") not in LeadSource.values:
        errors["source"] = [_("Choose a source from the list.")]
    if values.get("status") not in LeadStatus.values:
        errors["status"] = [_("Choose a qualification status from the list.")]
    amount = values.get("estimated_amount")
    if amount is not None and Decimal(amount) < 0:
        errors["estimated_amount"] = [_("The amount cannot be negative.")]
    if values.get("status") == LeadStatus.CONVERTED and not values.get("party"):
        errors["status"] = [_("A lead becomes converted only through the conversion.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)


@transaction.atomic
def lead_create(*, actor: User | None, source: str, owner: User | None = None, team: Any = None,
                **values: Any) -> Lead:
    """Record a lead; `actor=None` is the public web form or an import. Owner defaults to the acting rep."""
    _require_pipeline(actor)
    unknown = set(values) - set(LEAD_FIELDS) - {"consent_granted", "consent_wording", "consent_at", "consent_proof"}
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={f: [_("Unknown field.")] for f in sorted(unknown)})
    owner, team = _owner_team(actor, owner, team)
    data = {"status": LeadStatus.NEW, **values, "source": source, "owner": owner, "team": team}
    for key in ("first_name", "last_name", "company", "email", "phone", "city"):
        data[key] = str(data.get(key) or "").strip()
    _check_lead(data)
    lead = Lead.objects.create(**data)
    events.record(actor=actor, action="lead.created", obj=lead, party_id=None, changes={"source": source})
    return lead


@transaction.atomic
def lead_update(*, lead: Lead, actor: User, version: int, **changes: Any) -> Lead:
    """Change a lead's fields (qualification, owner...); a converted lead is read-only."""
    _require_pipeline(actor)
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationFailed(_("A converted lead cannot be changed: work on the customer file."))
    unknown = set(changes) - set(LEAD_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={f: [_("Unknown field.")] for f in sorted(unknown)})
    values = {**{k: getattr(lead, k) for k in LEAD_FIELDS}, **changes}
    _check_lead(values)
    diff = events.diff(lead, values)
    if not Lead.objects.filter(pk=lead.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    ):
        raise _stale(_("lead"))
    lead.refresh_from_db()
    events.record(actor=actor, action="lead.updated", obj=lead, party_id=None, changes=diff)
    return lead


def _lead_party_fields(lead: Lead) -> dict[str, Any]:
    if lead.company and not lead.last_name:
        return {"kind": "organisation", "legal_name": lead.company}
    return {"kind": "person", "first_name": lead.first_name, "last_name": lead.last_name or lead.company}


@transaction.atomic
def lead_convert(*, lead: Lead, actor: User, version: int, attach_to: Party | None = None,
                 allow_duplicate: bool = False, opportunity_name: str = "", amount: Decimal | None = None,
                 expected_close: dt.date | None = None) -> Opportunity:
    """Turn a lead into a party (new, or `attach_to` an existing one) and an opened opportunity, in one
    transaction. Without `attach_to`, the duplicate check of the party form runs first: PossibleDuplicate
    (409, with the candidates) unless `allow_duplicate`. Consent given on the lead becomes a consent
    record of the party, with its wording and date. Returns the opportunity (its party is the file)."""
    from fidelia.parties.enums import Channel, ConsentPurpose, ConsentSource
    from fidelia.parties.services import consent_record, party_create

    _require_pipeline(actor)
    if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        raise ValidationFailed(_("Only a new, contacted or qualified lead can be converted."))
    if not Lead.objects.filter(pk=lead.pk, version=version).update(
        status=LeadStatus.CONVERTED, version=F("version") + 1, updated_at=timezone.now()
    ):
        raise _stale(_("lead"))
    if attach_to is None:
        # A rep's new party is theirs by rule (party_create); others hand it to the lead's owner.
        ownership = {} if actor.role == "sales_rep" else {"owner": lead.owner or actor}
        party = party_create(actor=actor, email=lead.email, phone=lead.phone, allow_duplicate=allow_duplicate,
                             stage="prospect", **ownership, **_lead_party_fields(lead))
    else:
        party = attach_to
    if lead.consent_granted and lead.email:
        consent_record(party=party, actor=actor, channel=Channel.EMAIL, purpose=ConsentPurpose.PROSPECTING,
                       granted=True, source=ConsentSource.WEB_FORM if lead.source == LeadSource.WEB_FORM else ConsentSource.API,
                       wording=lead.consent_wording, recorded_at=lead.consent_at or lead.created_at)
    opportunity = opportunity_create(
        party=party, actor=actor, owner=lead.owner or actor,
        name=opportunity_name.strip() or (lead.interest.name if lead.interest else _("Lead: %(name)s") % {"name": str(lead)}),
        amount=amount if amount is not None else (lead.estimated_amount or Decimal(0)),
        expected_close=expected_close or timezone.localdate() + dt.timedelta(days=60), lead=lead,
        products=[(lead.interest, 1)] if lead.interest else [],
    )
    Lead.objects.filter(pk=lead.pk).update(party=party, converted_at=timezone.now())
    lead.refresh_from_db()
    events.record(actor=actor, action="lead.converted", obj=lead, party_id=party.pk,
                  changes={"opportunity": opportunity.pk, "attached": attach_to is not None})
    return opportunity


# --- pipeline settings: stages and lost reasons ---

def _require_pipeline_configurer(actor: User) -> None:
    if not policies.can_configure_pipeline(actor):
        raise PermissionDenied(_("You may not configure the pipeline."))


def _open_deals(stage: PipelineStage) -> int:
    return Opportunity.objects.filter(stage=stage).count()


@transaction.atomic
def stage_save(*, actor: User, stage: PipelineStage | None = None, name: str, probability: int, outcome: str,
               position: int, is_active: bool = True) -> PipelineStage:
    """Create (`stage` None) or change a pipeline stage.

    Rules that keep the board and the reports meaningful: a won stage has 100 %, a lost one 0 %;
    a stage holding deals keeps its outcome and stays in use (move its deals first); the pipeline
    keeps at least one open, one won and one lost stage in use. Nothing is written on refusal."""
    _require_pipeline_configurer(actor)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 80:
        errors["name"] = [_("Enter a name of at most 80 characters.")]
    elif PipelineStage.objects.filter(name__iexact=name).exclude(pk=getattr(stage, "pk", None)).exists():
        errors["name"] = [_("Another stage already has this name.")]
    if outcome not in StageOutcome.values:
        errors["outcome"] = [_("Choose an outcome from the list.")]
    if not isinstance(probability, int) or not 0 <= probability <= 100:
        errors["probability"] = [_("Enter a probability between 0 and 100.")]
    elif outcome == StageOutcome.WON and probability != 100:
        errors["probability"] = [_("A won stage has a probability of 100 %.")]
    elif outcome == StageOutcome.LOST and probability != 0:
        errors["probability"] = [_("A lost stage has a probability of 0 %.")]
    if not isinstance(position, int) or not 0 <= position <= 999:
        errors["position"] = [_("Enter a position between 0 and 999.")]
    if stage is not None and not errors:
        deals = _open_deals(stage)
        if deals and outcome != stage.outcome:
            errors["outcome"] = [_("%(count)s opportunities are at this stage: move them before changing its outcome.")
                                 % {"count": deals}]
        if deals and not is_active:
            errors["is_active"] = [_("%(count)s opportunities are at this stage: move them before retiring it.")
                                   % {"count": deals}]
    if not errors:
        for kind in StageOutcome.values:
            others = PipelineStage.objects.filter(is_active=True, outcome=kind).exclude(pk=getattr(stage, "pk", None))
            if not others.exists() and not (is_active and outcome == kind):
                errors["is_active" if stage is not None and stage.outcome == kind else "outcome"] = [
                    _("The pipeline needs at least one stage in use with the outcome “%(outcome)s”.")
                    % {"outcome": StageOutcome(kind).label}]
    if errors:
        raise ValidationFailed(_("The stage was not saved."), fields=errors)
    created = stage is None
    if created:
        code, n = slugify(name)[:36] or "stage", 1
        base = code
        while PipelineStage.objects.filter(code=code).exists():
            n += 1
            code = f"{base}-{n}"
        stage = PipelineStage(code=code)
    before = {"name": stage.name, "probability": stage.probability, "outcome": stage.outcome,
              "position": stage.position, "is_active": stage.is_active}
    stage.name, stage.probability, stage.outcome, stage.position, stage.is_active = (
        name, probability, outcome, position, is_active)
    stage.save()
    after = {"name": name, "probability": probability, "outcome": outcome, "position": position, "is_active": is_active}
    events.record(actor=actor, action="sales.stage_created" if created else "sales.stage_changed", obj=stage,
                  party_id=None, changes={k: v for k, v in after.items() if created or before[k] != v})
    return stage


@transaction.atomic
def lost_reason_save(*, actor: User, reason: LostReason | None = None, label: str,
                     is_active: bool = True) -> LostReason:
    """Create (`reason` None) or rename/retire a lost reason; retired reasons stay on past deals."""
    _require_pipeline_configurer(actor)
    label = (label or "").strip()
    if not label or len(label) > 120:
        raise ValidationFailed(_("The lost reason was not saved."),
                               fields={"label": [_("Enter a label of at most 120 characters.")]})
    if LostReason.objects.filter(label__iexact=label).exclude(pk=getattr(reason, "pk", None)).exists():
        raise ValidationFailed(_("The lost reason was not saved."),
                               fields={"label": [_("Another lost reason already has this label.")]})
    created = reason is None
    reason = reason or LostReason()
    reason.label, reason.is_active = label, is_active
    reason.save()
    events.record(actor=actor, action="sales.lost_reason_created" if created else "sales.lost_reason_changed",
                  obj=reason, party_id=None, changes={"label": label, "is_active": is_active})
    return reason


# --- opportunities ---


def default_stage() -> PipelineStage:
    stage = PipelineStage.objects.filter(is_active=True, outcome=StageOutcome.OPEN).order_by("position", "id").first()
    if stage is None:
        raise ValidationFailed(_("No open pipeline stage is configured."))
    return stage


def _check_opportunity(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not str(values.get("name") or "").strip():
        errors["name"] = [_("The title is required.")]
    if values.get("amount") is None or Decimal(values["amount"]) < 0:
        errors["amount"] = [_("The amount cannot be negative.")]
    probability = values.get("probability")
    if probability is None or not (0 <= int(probability) <= 100):
        errors["probability"] = [_("The probability is a percentage between 0 and 100.")]
    if values.get("expected_close") is None:
        errors["expected_close"] = [_("The expected close date is required.")]
    if values.get("next_step_on") and not str(values.get("next_step") or "").strip():
        errors["next_step"] = [_("Say what the next step is.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)


@transaction.atomic
def opportunity_create(*, party: Party, actor: User | None, name: str, amount: Decimal, expected_close: dt.date,
                       stage: PipelineStage | None = None, owner: User | None = None, team: Any = None,
                       probability: int | None = None, next_step: str = "", next_step_on: dt.date | None = None,
                       lead: Lead | None = None, products: Iterable[tuple[Product, int]] = (),
                       opened_at: dt.datetime | None = None) -> Opportunity:
    """Open an opportunity on `party` at `stage` (the first open stage by default), with its first history row.

    The probability defaults to the stage's; `products` become lines priced from the catalogue.
    """
    _require_pipeline(actor)
    stage = stage or default_stage()
    owner, team = _owner_team(actor, owner or party.owner, team)
    values = {"name": name.strip(), "amount": amount, "probability": stage.probability if probability is None else probability,
              "expected_close": expected_close, "next_step": next_step.strip(), "next_step_on": next_step_on}
    _check_opportunity(values)
    opportunity = Opportunity.objects.create(
        party=party, stage=stage, owner=owner, team=team, lead=lead,
        is_new_business=party.stage != "customer", **values,
        closed_on=timezone.localdate() if stage.outcome != StageOutcome.OPEN else None,
    )
    OpportunityLine.objects.bulk_create([
        OpportunityLine(opportunity=opportunity, product=product, quantity=max(1, int(quantity)), unit_price=product.price)
        for product, quantity in products
    ])
    OpportunityStageChange.objects.create(opportunity=opportunity, from_stage=None, to_stage=stage,
                                          changed_at=opened_at or timezone.now(), changed_by=actor if getattr(actor, "pk", None) else None,
                                          amount=opportunity.amount)
    if opened_at is not None:
        Opportunity.objects.filter(pk=opportunity.pk).update(created_at=opened_at)
    events.record(actor=actor, action="opportunity.created", obj=opportunity, party_id=party.pk,
                  changes={"stage": stage.code, "amount": str(opportunity.amount)})
    send_after_commit(opportunities_created, party_ids=[party.pk], opportunity_ids=[opportunity.pk])
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, actor: User, version: int, **changes: Any) -> Opportunity:
    """Change amount, probability, dates, next step or owner; the stage moves only by `opportunity_move_stage`."""
    _require_pipeline(actor)
    unknown = set(changes) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={f: [_("Unknown field.")] for f in sorted(unknown)})
    values = {**{k: getattr(opportunity, k) for k in OPPORTUNITY_FIELDS}, **changes}
    if "owner" in changes and changes["owner"] is not None and "team" not in changes:
        values["team"] = changes["owner"].team
    _check_opportunity(values)
    diff = events.diff(opportunity, values)
    if not Opportunity.objects.filter(pk=opportunity.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    ):
        raise _stale(_("opportunity"))
    opportunity.refresh_from_db()
    events.record(actor=actor, action="opportunity.updated", obj=opportunity, party_id=opportunity.party_id, changes=diff)
    return opportunity


@transaction.atomic
def opportunity_move_stage(*, opportunity: Opportunity, stage: PipelineStage, actor: User | None, version: int,
                           lost_reason: LostReason | None = None, lost_note: str = "",
                           at: dt.datetime | None = None) -> Opportunity:
    """Move the opportunity to `stage`, refusing a stale `version` (StaleVersion: nothing written).

    The probability becomes the stage's; a won or lost stage closes the deal (closed_on), a lost one
    needs a lost reason; moving back to an open stage reopens it. Writes one stage-history row.
    """
    _require_pipeline(actor)
    if not stage.is_active:
        raise ValidationFailed(_("This stage is no longer in use."), fields={"stage": [_("This stage is no longer in use.")]})
    if stage.outcome == StageOutcome.LOST and lost_reason is None:
        message = _("Say why the opportunity was lost.")
        raise ValidationFailed(message, fields={"lost_reason": [message]})
    when = at or timezone.now()
    previous = opportunity.stage_id
    closed = stage.outcome != StageOutcome.OPEN
    if not Opportunity.objects.filter(pk=opportunity.pk, version=version).update(
        stage=stage, probability=stage.probability, version=F("version") + 1, updated_at=timezone.now(),
        closed_on=when.date() if closed else None,
        lost_reason=lost_reason if stage.outcome == StageOutcome.LOST else None,
        lost_note=lost_note.strip()[:300] if stage.outcome == StageOutcome.LOST else "",
    ):
        raise _stale(_("opportunity"))
    opportunity.refresh_from_db()
    if previous != stage.pk:
        OpportunityStageChange.objects.create(opportunity=opportunity, from_stage_id=previous, to_stage=stage,
                                              changed_at=when, changed_by=actor if getattr(actor, "pk", None) else None,
                                              amount=opportunity.amount)
    events.record(actor=actor, action="opportunity.stage_moved", obj=opportunity, party_id=opportunity.party_id,
                  changes={"stage": [previous, stage.pk]})
    return opportunity


# --- quotes and orders ---


@dataclass(frozen=True)
class QuoteLineInput:
    product: Product
    quantity: int = 1
    discount_rate: Decimal = Decimal(0)
    vat_rate: Decimal = Decimal(20)
    unit_price: Decimal | None = None  # None: the catalogue price
    label: str = ""


def _priced(lines: Sequence[QuoteLineInput]) -> tuple[list[QuoteLine], QuoteTotals]:
    """QuoteLine rows (unsaved) and the totals; field errors name the line (`lines.2.discount_rate`)."""
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = [_("A quote needs at least one line.")]
    rows: list[QuoteLine] = []
    inputs: list[LineInput] = []
    for i, line in enumerate(lines):
        price = line.product.price if line.unit_price is None else Decimal(line.unit_price)
        if line.quantity < 1 or line.quantity > 1_000_000:
            errors[f"lines.{i}.quantity"] = [_("The quantity must be between 1 and 1,000,000.")]
        if not (0 <= Decimal(line.discount_rate) <= 100):
            errors[f"lines.{i}.discount_rate"] = [_("The discount is a percentage between 0 and 100.")]
        if not (0 <= Decimal(line.vat_rate) <= 100):
            errors[f"lines.{i}.vat_rate"] = [_("The VAT rate is a percentage between 0 and 100.")]
        if price < 0:
            errors[f"lines.{i}.unit_price"] = [_("The price cannot be negative.")]
        rows.append(QuoteLine(product=line.product, label=(line.label or line.product.name)[:200], quantity=line.quantity,
                              unit_price=price, discount_rate=line.discount_rate, vat_rate=line.vat_rate, position=i))
        inputs.append(LineInput(quantity=line.quantity, unit_price=price, discount_rate=Decimal(line.discount_rate),
                                vat_rate=Decimal(line.vat_rate)))
    if errors:
        raise ValidationFailed(_("Some lines are not valid."), fields=errors)
    totals = quote_totals(inputs)
    if totals.incl_tax >= Decimal("1e12"):
        raise ValidationFailed(_("The quote total is too large."), fields={"lines": [_("The quote total is too large.")]})
    return rows, totals


def _check_validity(issued_on: dt.date, valid_until: dt.date | None) -> None:
    if valid_until is None or valid_until < issued_on:
        message = _("The validity date must be on or after the issue date.")
        raise ValidationFailed(message, fields={"valid_until": [message]})


def _quote_number(issued_on: dt.date) -> str:
    return f"DV-{issued_on:%Y}-{secrets.token_hex(4).upper()}"


@transaction.atomic
def quote_create(*, party: Party, actor: User | None, lines: Sequence[QuoteLineInput], valid_until: dt.date | None = None,
                 opportunity: Opportunity | None = None, notes: str = "", issued_on: dt.date | None = None) -> Quote:
    """A draft quote for `party` (optionally on one of its opportunities), totals computed by `quote_totals`."""
    _require_pipeline(actor)
    issued = issued_on or timezone.localdate()
    valid_until = valid_until or issued + dt.timedelta(days=30)
    _check_validity(issued, valid_until)
    if opportunity is not None and opportunity.party_id != party.pk:
        message = _("The opportunity belongs to another customer.")
        raise ValidationFailed(message, fields={"opportunity": [message]})
    rows, totals = _priced(lines)
    owner, team = _owner_team(actor, opportunity.owner if opportunity else party.owner, None)
    quote = Quote.objects.create(number=_quote_number(issued), party=party, opportunity=opportunity, owner=owner,
                                 team=team, issued_on=issued, valid_until=valid_until, notes=notes.strip(),
                                 total_excl_tax=totals.excl_tax, total_tax=totals.tax, total_incl_tax=totals.incl_tax)
    for row in rows:
        row.quote = quote
    QuoteLine.objects.bulk_create(rows)
    events.record(actor=actor, action="quote.created", obj=quote, party_id=party.pk,
                  changes={"total_incl_tax": str(totals.incl_tax)})
    return quote


def _bump_quote(quote: Quote, version: int, **values: Any) -> None:
    if not Quote.objects.filter(pk=quote.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    ):
        raise _stale(_("quote"))
    quote.refresh_from_db()


@transaction.atomic
def quote_update(*, quote: Quote, actor: User, version: int, lines: Sequence[QuoteLineInput] | None = None,
                 valid_until: dt.date | None = None, notes: str | None = None) -> Quote:
    """Edit a draft quote (lines replaced as a whole); a sent or decided quote is refused, so is a stale version."""
    _require_pipeline(actor)
    if quote.status != QuoteStatus.DRAFT:
        raise ValidationFailed(_("Only a draft quote can be edited; this one is %(status)s.")
                               % {"status": quote.get_status_display()})
    values: dict[str, Any] = {}
    if valid_until is not None:
        _check_validity(quote.issued_on, valid_until)
        values["valid_until"] = valid_until
    if notes is not None:
        values["notes"] = notes.strip()
    rows: list[QuoteLine] = []
    if lines is not None:
        rows, totals = _priced(lines)
        values.update(total_excl_tax=totals.excl_tax, total_tax=totals.tax, total_incl_tax=totals.incl_tax)
    _bump_quote(quote, version, **values)
    if lines is not None:
        quote.lines.all().delete()
        for row in rows:
            row.quote = quote
        QuoteLine.objects.bulk_create(rows)
    events.record(actor=actor, action="quote.updated", obj=quote, party_id=quote.party_id,
                  changes={k: str(v) for k, v in values.items()})
    return quote


def _party_email(party: Party) -> str:
    row = party.emails.order_by("-is_primary", "id").first()
    return row.address if row else ""


@transaction.atomic
def quote_send(*, quote: Quote, actor: User, version: int, to: str = "") -> Quote:
    """E-mail the quote as a PDF to the customer (`to`, else the primary e-mail), log it in the timeline and
    mark it sent. The message leaves only when the transaction commits; a failure of the SMTP server
    after that is logged, not raised (the quote stays sent and can be sent again)."""
    from fidelia.interactions.enums import Direction, InteractionChannel
    from fidelia.interactions.services import interaction_log
    from fidelia.sales.documents import quote_email, quote_pdf

    _require_pipeline(actor)
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.SENT):
        raise ValidationFailed(_("A decided or expired quote cannot be sent."))
    if quote.valid_until < timezone.localdate():
        raise ValidationFailed(_("This quote has expired: extend its validity before sending it."))
    address = (to or _party_email(quote.party)).strip()
    if not address:
        message = _("The customer has no e-mail address: add one to the customer file.")
        raise ValidationFailed(message, fields={"to": [message]})
    _bump_quote(quote, version, status=QuoteStatus.SENT, sent_at=timezone.now())
    message = quote_email(quote, to=address, pdf=quote_pdf(quote))
    interaction_log(party=quote.party, actor=actor, channel=InteractionChannel.EMAIL, direction=Direction.OUTBOUND,
                    subject=_("Quote %(number)s sent") % {"number": quote.number},
                    report=_("Total incl. VAT %(total)s €, valid until %(date)s.") % {
                        "total": quote.total_incl_tax, "date": quote.valid_until.isoformat()})
    events.record(actor=actor, action="quote.sent", obj=quote, party_id=quote.party_id, changes={"to": address})
    transaction.on_commit(lambda: _deliver(message))
    return quote


def _deliver(message: Any) -> None:
    import logging

    try:
        message.send()
    except OSError:
        logging.getLogger(__name__).exception("quote e-mail not delivered")


@transaction.atomic
def quote_refuse(*, quote: Quote, actor: User, version: int) -> Quote:
    _require_pipeline(actor)
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.SENT):
        raise ValidationFailed(_("This quote is already decided."))
    _bump_quote(quote, version, status=QuoteStatus.REFUSED, decided_at=timezone.now())
    events.record(actor=actor, action="quote.refused", obj=quote, party_id=quote.party_id)
    return quote


@transaction.atomic
def quote_accept(*, quote: Quote, actor: User | None, version: int, on: dt.date | None = None) -> Order:
    """The customer accepts: an Order is created with one contract (product held) and one transaction per
    line, through `contract_create` and `transaction_record`; the opportunity moves to the won stage.
    Refused when the quote is stale, decided, or past its validity date."""
    from fidelia.sales.enums import SalesChannel

    _require_pipeline(actor)
    day = on or timezone.localdate()
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.SENT):
        raise ValidationFailed(_("This quote is already decided."))
    if quote.valid_until < day:
        raise ValidationFailed(_("This quote expired on %(date)s: issue a new one.") % {"date": quote.valid_until})
    _bump_quote(quote, version, status=QuoteStatus.ACCEPTED, decided_at=timezone.now())
    order = Order.objects.create(number=quote.number.replace("DV-", "BC-", 1), quote=quote, party=quote.party,
                                 ordered_on=day, total_excl_tax=quote.total_excl_tax, total_incl_tax=quote.total_incl_tax,
                                 created_by=actor if getattr(actor, "pk", None) else None)
    recorder = actor if actor is not None and field_rights(actor).transactions else None
    lines = list(quote.lines.select_related("product"))
    amounts = quote_totals([LineInput(quantity=ln.quantity, unit_price=ln.unit_price, discount_rate=ln.discount_rate,
                                      vat_rate=ln.vat_rate) for ln in lines]).lines
    contracts, rows = [], []
    for line, amount in zip(lines, amounts, strict=True):
        contracts.append(contract_create(party=quote.party, actor=actor, product=line.product, start_date=day,
                                         annual_amount=amount.net, renewal_date=day.replace(year=day.year + 1)
                                         if not (day.month == 2 and day.day == 29) else day + dt.timedelta(days=365)))
        if amount.net > 0:
            rows.append(transaction_record(party=quote.party, actor=recorder, product=line.product, date=day,
                                           amount=amount.net, channel=SalesChannel.SALES_FORCE, quantity=line.quantity))
    order.contracts.set(contracts)
    order.transactions.set(rows)
    if quote.opportunity_id:
        won = PipelineStage.objects.filter(outcome=StageOutcome.WON, is_active=True).order_by("position").first()
        opportunity = Opportunity.objects.get(pk=quote.opportunity_id)
        if won is not None and opportunity.stage_id != won.pk:
            Opportunity.objects.filter(pk=opportunity.pk).update(amount=quote.total_excl_tax)
            opportunity_move_stage(opportunity=opportunity, stage=won, actor=actor, version=opportunity.version)
    events.record(actor=actor, action="quote.accepted", obj=quote, party_id=quote.party_id,
                  changes={"order": order.number, "contracts": len(contracts)})
    return order


def quotes_expire(*, today: dt.date | None = None) -> int:
    """Draft and sent quotes past their validity become expired; returns how many."""
    day = today or timezone.localdate()
    return Quote.objects.filter(status__in=[QuoteStatus.DRAFT, QuoteStatus.SENT], valid_until__lt=day).update(
        status=QuoteStatus.EXPIRED, version=F("version") + 1, updated_at=timezone.now())


class SpamRefused(ValidationFailed):
    """A web-form submission that looks automated (honeypot filled, filled too fast)."""


@transaction.atomic
def lead_capture_web(*, last_name: str, email: str, consent: bool, proof: dict[str, Any], first_name: str = "",
                     phone: str = "", company: str = "", city: str = "", message: str = "",
                     consent_wording: str = "", source_detail: str = "", honeypot: str = "",
                     started_at: float | None = None, min_fill_seconds: float = 3.0) -> Lead:
    """A lead from the public web form (no user): spam checks, then an unassigned lead that managers
    assign. The consent is stored with its proof (wording shown, time, address, user agent, page)."""
    from email_validator import EmailNotValidError, validate_email

    now = timezone.now()
    if honeypot.strip():
        raise SpamRefused(_("This submission was refused."))
    if started_at is not None and now.timestamp() - started_at < min_fill_seconds:
        raise SpamRefused(_("This form was filled in too quickly; please try again."))
    errors: dict[str, list[str]] = {}
    if not last_name.strip():
        errors["last_name"] = [_("Your name is required.")]
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    if consent and not consent_wording.strip():
        errors["consent_wording"] = [_("Send the consent wording shown to the person.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    return lead_create(actor=None, source=LeadSource.WEB_FORM, first_name=first_name, last_name=last_name, email=email,
                       phone=phone, company=company, city=city, message=message.strip(), source_detail=source_detail,
                       last_contact_at=now, consent_granted=consent,
                       consent_wording=consent_wording.strip() if consent else "", consent_at=now if consent else None,
                       consent_proof={**proof, "at": now.isoformat()} if consent else {})
