"""Targets attached to a customer (contact points, household, consents, contracts, transactions,
interactions) and the catalogue (products).

Dependent rows name their customer by the id it has in the same source system
(`party_external_id`, as recorded when the customer was imported), by e-mail or by SIREN; the
customer must be in the importer's writable portfolio (for consents: where they may record one).
Writes go through the owning app's services, one row at a time, except transactions, which take
a bulk path validated by the same rules as `transaction_record` (logs have tens of thousands of lines).
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fidelia.accounts import policies
from fidelia.core.signals import send_after_commit
from fidelia.core.validation import email_match_key
from fidelia.imports.bulk import insert_rows, record_events
from fidelia.imports.enums import RowAction
from fidelia.imports.targets import FieldSpec, RowPlan, Target, run_service
from fidelia.interactions import services as interaction_services
from fidelia.interactions.enums import Direction, InteractionChannel, Outcome
from fidelia.interactions.models import Interaction
from fidelia.parties import services as party_services
from fidelia.parties.enums import (
    Channel,
    ConsentPurpose,
    ConsentSource,
    ContactKind,
    MemberRole,
    Stage,
)
from fidelia.parties.fields import field_rights
from fidelia.parties.models import ConsentRecord, Email, HouseholdMember, Party, Phone
from fidelia.parties.selectors import parties_for_user
from fidelia.privacy.suppression import suppressed_filter
from fidelia.sales import services as sales_services
from fidelia.sales.enums import ContractStatus, ProductKind, SalesChannel
from fidelia.sales.models import Contract, Product, Transaction
from fidelia.sales.signals import purchases_recorded

CENT = Decimal("0.01")


# --- the customer a row belongs to --------------------------------------------------------------

def attach_parties(plans: list[RowPlan], ctx: Any, *, access: str = "write") -> None:
    """Set `plan.party_id` from the row's customer reference, or fail the row (unknown customer,
    or one outside the importer's portfolio, reported alike so existence does not leak)."""
    from fidelia.imports.models import ImportedRecord

    live = [p for p in plans if p.action != RowAction.ERROR]
    ext = {p.values["party_external_id"] for p in live if p.values.get("party_external_id")}
    by_ext = dict(ImportedRecord.objects.filter(source=ctx.source, target="parties", external_id__in=ext)
                  .values_list("external_id", "object_id"))
    missing = {}
    if ctx.constants.get("create_missing_parties"):
        for p in live:
            e = p.values.get("party_external_id")
            if e and e not in by_ext and e not in missing:
                missing[e] = p.row
        if missing and not ctx.dry_run:
            from fidelia.imports.target_parties import create_placeholders

            by_ext.update(create_placeholders(missing, ctx))
    emails = {email_match_key(p.values["party_email"]) for p in live if p.values.get("party_email")}
    by_email = dict(Email.objects.filter(normalized__in=emails).values_list("normalized", "party_id"))
    sirens = {p.values["party_siren"] for p in live if p.values.get("party_siren")}
    by_siren = dict(Party.objects.filter(siren__in=sirens).values_list("siren", "id"))
    wanted: list[tuple[RowPlan, int]] = []
    for p in live:
        pid = (by_ext.get(p.values.get("party_external_id") or "") or by_email.get(email_match_key(p.values.get("party_email") or ""))
               or by_siren.get(p.values.get("party_siren") or ""))
        if pid:
            wanted.append((p, pid))
        elif ctx.dry_run and p.values.get("party_external_id") in missing:
            p.party_id, p.note = 0, _("customer created by this import")
        elif not any(p.values.get(k) for k in ("party_external_id", "party_email", "party_siren")):
            p.fail("party_external_id", _("Map a column naming the customer (id, e-mail or SIREN)."), "")
        else:
            p.fail("party_external_id", _("No customer you may change has this reference."))
    allowed = set(parties_for_user(ctx.actor, access="consent" if access == "consent" else "",
                                   for_write=access == "write")
                  .filter(pk__in={pid for _p, pid in wanted}).values_list("id", flat=True))
    for p, pid in wanted:
        if pid in allowed:
            p.party_id = pid
        else:
            p.fail("party_external_id", _("No customer you may change has this reference."))


def _known_keys(plans: list[RowPlan], ctx: Any, target: str) -> dict[str, int]:
    from fidelia.imports.models import ImportedRecord

    return dict(ImportedRecord.objects.filter(source=ctx.source, target=target,
                                              external_id__in=[p.key for p in plans]).values_list("external_id", "object_id"))


def _append_only(target: str, access: str = "write") -> Callable[[list[RowPlan], Any], None]:
    """Resolution for records that are only ever added (transactions, interactions, consents…):
    a key already imported is unchanged, anything else is created."""
    def resolve(plans: list[RowPlan], ctx: Any) -> None:
        attach_parties(plans, ctx, access=access)
        known = _known_keys(plans, ctx, target)
        for p in plans:
            if p.action == RowAction.ERROR:
                continue
            if p.key in known:
                p.action, p.object_id = RowAction.UNCHANGED, known[p.key]
            else:
                p.action = RowAction.CREATE
    return resolve


def _per_row(call: Callable[[RowPlan, Party, Any], Any]) -> Callable[[list[RowPlan], Any], None]:
    def write(plans: list[RowPlan], ctx: Any) -> None:
        todo = [p for p in plans if p.action == RowAction.CREATE]
        parties = Party.objects.in_bulk({p.party_id for p in todo})
        for p in todo:
            obj = run_service(p, lambda p=p: call(p, parties[p.party_id], ctx))
            if obj is not None:
                p.object_id = obj.pk
    return write


# --- consents ---------------------------------------------------------------------------------

def consent_check(values: dict[str, Any], plan: RowPlan) -> None:
    """A consent is imported only with its proof: source, date and wording shown to the person."""
    missing = [n for n in ("source", "recorded_at", "wording") if not values.get(n)]
    if missing:
        for name in missing:
            plan.fail(name, _("A consent is imported only when the file proves it: map its source, date and the "
                              "wording shown to the person."))
    if values.get("source") == ConsentSource.IMPORT:
        plan.fail("source", _("“Import” is not where a consent was given: name the original source."))


def _consent_resolve(plans: list[RowPlan], ctx: Any) -> None:
    _append_only("consents", access="consent")(plans, ctx)
    granted = [p for p in plans if p.action == RowAction.CREATE and p.values.get("granted")]
    contacts = dict(Party.objects.filter(pk__in={p.party_id for p in granted}).values_list("id", "email"))
    phones = dict(Party.objects.filter(pk__in={p.party_id for p in granted}).values_list("id", "phone"))
    suppressed = suppressed_filter([v for v in [*contacts.values(), *phones.values()] if v])
    for p in granted:
        if {contacts.get(p.party_id), phones.get(p.party_id)} & suppressed:
            p.action, p.note = RowAction.SKIPPED, _("on the suppression list (the person objected)")


def _consent_write(p: RowPlan, party: Party, ctx: Any) -> ConsentRecord:
    v = p.values
    return party_services.consent_record(party=party, actor=ctx.actor, channel=v["channel"], purpose=v["purpose"],
                                         granted=v["granted"], source=v["source"], wording=v["wording"],
                                         recorded_at=v["recorded_at"])


# --- contact points and household ---------------------------------------------------------------

def _contact_resolve(plans: list[RowPlan], ctx: Any) -> None:
    attach_parties(plans, ctx)
    ids = {p.party_id for p in plans if p.party_id}
    emails = set(Email.objects.filter(party_id__in=ids).values_list("party_id", "normalized"))
    phones = set(Phone.objects.filter(party_id__in=ids).values_list("party_id", "number"))
    for p in plans:
        if p.action == RowAction.ERROR:
            continue
        v = p.values
        if not any(v.get(k) for k in ("email", "phone", "line1")):
            p.fail("email", _("The row holds no e-mail, phone or address."), "")
            continue
        new_email = v.get("email") and (p.party_id, email_match_key(v["email"])) not in emails
        new_phone = v.get("phone") and (p.party_id, v["phone"]) not in phones
        p.action = RowAction.CREATE if new_email or new_phone or v.get("line1") else RowAction.UNCHANGED
        v["_new_email"], v["_new_phone"] = bool(new_email), bool(new_phone)


def _contact_write(p: RowPlan, party: Party, ctx: Any) -> Party:
    v = p.values
    kind = v.get("kind") or ContactKind.HOME
    if v.get("_new_email"):
        party_services.email_add(party=party, actor=ctx.actor, address=v["email"], kind=kind,
                                 is_primary=bool(v.get("is_primary")))
    if v.get("_new_phone"):
        party_services.phone_add(party=party, actor=ctx.actor, number=v["phone"],
                                 kind=v.get("kind") or ContactKind.MOBILE, is_primary=bool(v.get("is_primary")))
    if v.get("line1") and not party.addresses.filter(line1=v["line1"].strip(), postcode=v.get("postcode", "").strip()).exists():
        party_services.address_add(party=party, actor=ctx.actor, is_primary=bool(v.get("is_primary")),
                                   address=party_services.AddressInput(
                                       line1=v["line1"], postcode=v.get("postcode", ""), city=v.get("city", ""),
                                       line2=v.get("line2", ""), country=(v.get("country") or "FR")[:2], kind=kind))
    return party


def _member_write(p: RowPlan, party: Party, ctx: Any) -> HouseholdMember:
    v = p.values
    return party_services.household_member_add(party=party, actor=ctx.actor, role=v["role"], first_name=v["first_name"],
                                               last_name=v.get("last_name", ""), birth_date=v.get("birth_date"))


def _interaction_write(p: RowPlan, party: Party, ctx: Any) -> Interaction:
    v = p.values
    return interaction_services.interaction_log(
        party=party, actor=ctx.actor, channel=v["channel"], direction=v.get("direction") or Direction.INBOUND,
        subject=v["subject"], outcome=v.get("outcome", ""), report=v.get("report", ""), occurred_at=v["occurred_at"])


# --- catalogue and contracts ---------------------------------------------------------------------

def _products_by_code(plans: list[RowPlan]) -> dict[str, Product]:
    return {p.code: p for p in Product.objects.filter(code__in={x.values.get("product_code") for x in plans})}


def _product_resolve(plans: list[RowPlan], ctx: Any) -> None:
    existing = {p.code: p for p in Product.objects.filter(code__in={x.values.get("code") for x in plans})
                .select_related("family")}
    for p in plans:
        if p.action == RowAction.ERROR:
            continue
        product = existing.get(p.values["code"])
        if product is None:
            p.action = RowAction.CREATE
            continue
        p.existing, p.object_id = product, product.pk
        p.changes = {k: p.values[k] for k in ("name", "kind", "price", "margin_rate", "description")
                     if p.values.get(k) not in (None, "") and getattr(product, k) != p.values[k]}
        if p.values.get("family") and p.values["family"] != product.family.name:
            p.changes["family"] = p.values["family"]
        p.action = RowAction.UPDATE if p.changes else RowAction.UNCHANGED


def _product_write(plans: list[RowPlan], ctx: Any) -> None:
    for p in plans:
        if p.action not in (RowAction.CREATE, RowAction.UPDATE):
            continue
        obj = run_service(p, lambda p=p: _product_save(p, ctx))
        if obj is not None:
            p.object_id = obj.pk


def _product_save(p: RowPlan, ctx: Any) -> Product:
    v = dict(p.values if p.action == RowAction.CREATE else p.changes)
    if "family" in v or p.action == RowAction.CREATE:
        v["family"] = sales_services.family_create(actor=ctx.actor, name=v.get("family") or _("Imported"))
    if p.action == RowAction.UPDATE:
        return sales_services.product_update(product=p.existing, actor=ctx.actor, version=p.existing.version, **v)
    v.setdefault("kind", ProductKind.TACTICAL)
    v.setdefault("price", Decimal(0))
    v.setdefault("margin_rate", Decimal(0))
    return sales_services.product_create(actor=ctx.actor, **{k: v[k] for k in sales_services.PRODUCT_FIELDS if k in v})


def _need_products(plans: list[RowPlan]) -> dict[str, Product]:
    products = _products_by_code(plans)
    for p in plans:
        if p.action != RowAction.ERROR and p.values.get("product_code") not in products:
            p.fail("product_code", _("No product has this code: import the catalogue first."))
    return products


def _contract_resolve(plans: list[RowPlan], ctx: Any) -> None:
    attach_parties(plans, ctx)
    products = _need_products(plans)
    refs = {p.values["reference"] for p in plans if p.values.get("reference")}
    existing = {c.reference: c for c in Contract.objects.filter(reference__in=refs)}
    known = _known_keys(plans, ctx, "contracts")
    for p in plans:
        if p.action == RowAction.ERROR:
            continue
        p.values["product"] = products[p.values["product_code"]]
        contract = existing.get(p.values.get("reference") or "") or (
            Contract.objects.filter(pk=known[p.key]).first() if p.key in known else None)
        if contract is None:
            p.action = RowAction.CREATE
            continue
        if contract.party_id != p.party_id:
            p.fail("reference", _("This contract reference belongs to another customer."))
            continue
        p.existing, p.object_id = contract, contract.pk
        p.changes = {k: p.values[k] for k in sales_services.CONTRACT_FIELDS
                     if p.values.get(k) not in (None, "") and getattr(contract, k) != p.values[k]}
        p.action = RowAction.UPDATE if p.changes else RowAction.UNCHANGED


def _contract_write(plans: list[RowPlan], ctx: Any) -> None:
    parties = Party.objects.in_bulk({p.party_id for p in plans if p.party_id})
    for p in plans:
        v = p.values
        if p.action == RowAction.UPDATE:
            obj = run_service(p, lambda p=p: sales_services.contract_update(
                contract=p.existing, actor=ctx.actor, version=p.existing.version, **p.changes))
        elif p.action == RowAction.CREATE:
            extra = {k: v[k] for k in ("end_date", "renewal_date", "status", "annual_amount") if v.get(k) not in (None, "")}
            obj = run_service(p, lambda p=p, v=v, extra=extra: sales_services.contract_create(
                party=parties[p.party_id], actor=ctx.actor, product=v["product"], start_date=v["start_date"],
                reference=v.get("reference", ""), **extra))
        else:
            continue
        if obj is not None:
            p.object_id = obj.pk


# --- transactions (bulk) ---------------------------------------------------------------------------

def transaction_check(values: dict[str, Any], plan: RowPlan) -> None:
    """The rules of `transaction_record`: not in the future, quantity ≥ 1, a non-zero amount."""
    if values.get("date") and values["date"] > timezone.localdate():
        plan.fail("date", _("A transaction cannot be dated in the future."))
    if values.get("quantity") is not None and values["quantity"] < 1:
        plan.fail("quantity", _("The quantity must be at least 1."))
    if values.get("amount") is not None and Decimal(values["amount"]).quantize(CENT) == 0:
        plan.fail("amount", _("The amount cannot be zero."))


def _transaction_resolve(plans: list[RowPlan], ctx: Any) -> None:
    _append_only("transactions")(plans, ctx)
    products = _need_products(plans)
    for p in plans:
        if p.action != RowAction.ERROR:
            p.values["product"] = products[p.values["product_code"]]


def _transaction_write(plans: list[RowPlan], ctx: Any) -> None:
    todo = [p for p in plans if p.action == RowAction.CREATE]
    if not todo:
        return
    actor_id = ctx.actor.pk
    rows = []
    for p in todo:
        v = p.values
        amount = Decimal(v["amount"]).quantize(CENT)
        margin = v.get("margin")
        margin = (amount * v["product"].margin_rate).quantize(CENT) if margin is None else Decimal(margin).quantize(CENT)
        rows.append({"party_id": p.party_id, "product_id": v["product"].pk, "date": v["date"],
                     "quantity": v.get("quantity") or 1, "amount": amount, "margin": margin,
                     "channel": v.get("channel") or SalesChannel.WEB, "recorded_by_id": actor_id, "archived_at": None})
    ids = insert_rows(Transaction, rows, with_ids=True)
    for p, pk in zip(todo, ids, strict=True):
        p.object_id = pk
    record_events([
        {"actor_id": actor_id, "action": "transaction.recorded", "object_type": "sales.transaction", "object_id": pk,
         "party_id": row["party_id"], "changes": {"amount": str(row["amount"]), "product": p.values["product"].code}}
        for p, row, pk in zip(todo, rows, ids, strict=True)], actor=ctx.actor)
    send_after_commit(purchases_recorded, party_ids=[row["party_id"] for row in rows], transaction_ids=ids)
    # A purchase makes a suspect, prospect or former customer a customer (party_promote_to_customer).
    buyers = {row["party_id"] for row in rows if row["amount"] > 0}
    promoted = list(Party.objects.filter(pk__in=buyers, stage__in=[Stage.SUSPECT, Stage.PROSPECT, Stage.FORMER])
                    .values_list("id", "stage", "customer_since"))
    for pid, _stage, since in promoted:
        Party.objects.filter(pk=pid).update(stage=Stage.CUSTOMER, customer_since=since or timezone.localdate(),
                                            version=F("version") + 1)
    record_events([
        {"actor_id": actor_id, "action": "party.updated", "object_type": "parties.party", "object_id": pid,
         "party_id": pid, "changes": {"stage": [stage, Stage.CUSTOMER]}} for pid, stage, _since in promoted],
        actor=ctx.actor)


def _may_record_transactions(user: Any) -> bool:
    return policies.can_import(user) and field_rights(user).transactions


def _may_edit_catalogue(user: Any) -> bool:
    return policies.can_import(user) and policies.can_edit_catalogue(user)


def register_record_targets(register: Callable[[Target], None], choice: Callable[..., Any],
                            party_ref: tuple[FieldSpec, ...], external_id: FieldSpec) -> None:
    channel = choice(Channel, {"mail": Channel.EMAIL, "courriel": Channel.EMAIL, "telephone": Channel.PHONE,
                               "courrier": Channel.POST, "postal": Channel.POST})
    purpose = choice(ConsentPurpose, {"prospection": ConsentPurpose.PROSPECTING, "marketing": ConsentPurpose.PROSPECTING,
                                      "partenaires": ConsentPurpose.PARTNERS})
    source = choice(ConsentSource, {"formulaire": ConsentSource.WEB_FORM, "web": ConsentSource.WEB_FORM,
                                    "agence": ConsentSource.BRANCH, "papier": ConsentSource.PAPER,
                                    "telephone": ConsentSource.PHONE})
    L = gettext_lazy  # noqa: N806
    register(Target(
        name="contact_points", label=L("Contact points (e-mails, phones, addresses)"),
        fields=(external_id, *party_ref,
                FieldSpec("email", L("E-mail"), "email", synonyms=("email", "e-mail", "courriel", "mail"), pattern="email"),
                FieldSpec("phone", L("Phone"), "phone", synonyms=("téléphone", "telephone", "tel", "mobile", "phone"), pattern="phone"),
                FieldSpec("line1", L("Street address"), synonyms=("adresse", "rue", "street", "address")),
                FieldSpec("line2", L("Address (continued)"), synonyms=("adresse 2", "complément")),
                FieldSpec("postcode", L("Postcode"), "postcode", synonyms=("code postal", "cp", "zip", "postcode"), pattern="postcode"),
                FieldSpec("city", L("City"), synonyms=("ville", "city", "commune")),
                FieldSpec("country", L("Country (ISO code)"), synonyms=("pays", "country")),
                FieldSpec("kind", L("Kind (home, work, mobile…)"), choice(ContactKind, {"domicile": "home", "travail": "work",
                                                                                        "pro": "work", "perso": "home"}),
                          synonyms=("type", "kind")),
                FieldSpec("is_primary", L("Primary"), "bool", synonyms=("principal", "primary"))),
        resolve=_contact_resolve, write=_per_row(_contact_write)))
    register(Target(
        name="household_members", label=L("Household members"),
        fields=(external_id, *party_ref,
                FieldSpec("role", L("Role"), choice(MemberRole, {"conjoint": "spouse", "epoux": "spouse", "epouse": "spouse",
                                                                 "enfant": "child", "parent": "parent"}),
                          required=True, synonyms=("lien", "rôle", "role", "relation")),
                FieldSpec("first_name", L("First name"), required=True, synonyms=("prénom", "prenom", "first name")),
                FieldSpec("last_name", L("Last name"), synonyms=("nom", "last name")),
                FieldSpec("birth_date", L("Birth date"), "date", synonyms=("date de naissance", "birth date"), pattern="date")),
        resolve=_append_only("household_members"), write=_per_row(_member_write)))
    register(Target(
        name="consents", label=L("Consents (with their proof)"),
        fields=(external_id, *party_ref,
                FieldSpec("channel", L("Channel"), channel, required=True, synonyms=("canal", "channel")),
                FieldSpec("purpose", L("Purpose"), purpose, required=True, synonyms=("finalité", "finalite", "purpose")),
                FieldSpec("granted", L("Granted (yes/no)"), "bool", required=True, synonyms=("consentement", "opt-in", "optin", "granted", "accord")),
                FieldSpec("source", L("Source (where it was given)"), source, synonyms=("source", "origine", "collecte")),
                FieldSpec("recorded_at", L("Date given"), "datetime", synonyms=("date", "date du consentement", "recorded at", "date recueil"), pattern="date"),
                FieldSpec("wording", L("Wording shown to the person"), synonyms=("texte", "libellé", "mention", "wording"))),
        resolve=_consent_resolve, write=_per_row(_consent_write), check=consent_check))
    register(Target(
        name="products", label=L("Products (catalogue)"), may_import=_may_edit_catalogue,
        fields=(FieldSpec("code", L("Code"), required=True, synonyms=("code", "code produit", "sku", "référence produit", "product code")),
                FieldSpec("name", L("Name"), required=True, synonyms=("libellé", "libelle", "nom", "désignation", "name", "product")),
                FieldSpec("family", L("Family"), synonyms=("famille", "gamme", "family", "category", "catégorie")),
                FieldSpec("kind", L("Strategic or tactical"), choice(ProductKind, {"strategique": "strategic", "tactique": "tactical"}),
                          synonyms=("type", "nature")),
                FieldSpec("price", L("Price (€)"), "decimal", synonyms=("prix", "tarif", "price", "prix ttc")),
                FieldSpec("margin_rate", L("Margin rate (0–1)"), "decimal", synonyms=("taux de marge", "marge", "margin rate")),
                FieldSpec("description", L("Description"), synonyms=("description",))),
        resolve=_product_resolve, write=_product_write))
    register(Target(
        name="contracts", label=L("Contracts (products held)"),
        fields=(*party_ref,
                FieldSpec("reference", L("Contract reference"), synonyms=("référence contrat", "n° contrat", "contrat", "contract", "reference")),
                FieldSpec("product_code", L("Product code"), required=True, synonyms=("code produit", "produit", "product code", "product")),
                FieldSpec("start_date", L("Start date"), "date", required=True, synonyms=("date de début", "date d'effet", "début", "start date"), pattern="date"),
                FieldSpec("end_date", L("End date"), "date", synonyms=("date de fin", "fin", "end date")),
                FieldSpec("renewal_date", L("Renewal date"), "date", synonyms=("date de renouvellement", "échéance", "renewal date")),
                FieldSpec("status", L("Status"), choice(ContractStatus, {"actif": "active", "resilie": "cancelled", "termine": "ended"}),
                          synonyms=("statut", "état", "status")),
                FieldSpec("annual_amount", L("Annual amount (€)"), "decimal", synonyms=("montant annuel", "prime", "cotisation", "annual amount"))),
        resolve=_contract_resolve, write=_contract_write))
    register(Target(
        name="transactions", label=L("Transactions (purchases)"), may_import=_may_record_transactions,
        fields=(external_id, *party_ref,
                FieldSpec("product_code", L("Product code"), required=True, synonyms=("code produit", "produit", "product code", "sku")),
                FieldSpec("date", L("Date"), "date", required=True, synonyms=("date", "date d'achat", "date de la transaction", "order date"), pattern="date"),
                FieldSpec("quantity", L("Quantity"), "int", synonyms=("quantité", "quantite", "qté", "qty", "quantity", "number_of_cds")),
                FieldSpec("amount", L("Amount (€)"), "decimal", required=True, synonyms=("montant", "montant ttc", "amount", "total", "dollar_value")),
                FieldSpec("margin", L("Margin (€)"), "decimal", synonyms=("marge", "margin"), sensitive="margins"),
                FieldSpec("channel", L("Channel"), choice(SalesChannel, {"agence": "branch", "internet": "web", "magasin": "point_of_sale"}),
                          synonyms=("canal", "channel"))),
        resolve=_transaction_resolve, write=_transaction_write, check=transaction_check))
    register(Target(
        name="interactions", label=L("Interactions (contact history)"), may_import=lambda u: policies.can_import(u) and policies.can_log_interaction(u),
        fields=(external_id, *party_ref,
                FieldSpec("occurred_at", L("Date"), "datetime", required=True, synonyms=("date", "date du contact", "date de l'échange"), pattern="date"),
                FieldSpec("channel", L("Channel"), choice(InteractionChannel, {"telephone": "phone", "visite": "visit", "courrier": "letter"}),
                          required=True, synonyms=("canal", "channel", "type")),
                FieldSpec("direction", L("Direction"), choice(Direction, {"entrant": "inbound", "sortant": "outbound"}), synonyms=("sens", "direction")),
                FieldSpec("subject", L("Subject"), required=True, synonyms=("objet", "sujet", "subject")),
                FieldSpec("outcome", L("Outcome"), choice(Outcome), synonyms=("résultat", "resultat", "issue", "outcome")),
                FieldSpec("report", L("Report"), synonyms=("compte rendu", "compte-rendu", "notes", "report"))),
        resolve=_append_only("interactions"), write=_per_row(_interaction_write)))
