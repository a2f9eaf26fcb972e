"""The kinds of data a file can bring in (targets) and how each is validated and written.

A target declares its fields (type, required, header synonyms in French and English, content
pattern for suggestions) and two batch steps: `resolve` (read-only: create, update, unchanged,
duplicate or skip, per row) and `write` (through the owning app's services, or a bulk path that
validates identically and records the same timeline rows). Leads and opportunities (issue 4) plug
in later with `register(Target(...))`; nothing else changes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.core.errors import DomainError
from fidelia.imports.enums import RowAction
from fidelia.imports.transforms import choice_parser
from fidelia.parties.enums import (
    Channel,
    ConsentPurpose,
    ConsentSource,
    ContactKind,
    IncomeBracket,
    Language,
    MemberRole,
    PartyKind,
    Stage,
)
from fidelia.sales.enums import ContractStatus, ProductKind, SalesChannel


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Any
    kind: str | Callable[[str], Any] = "text"     # a transforms.PARSERS key or a parser
    required: bool = False
    synonyms: tuple[str, ...] = ()                # header names, French and English
    pattern: str = ""                             # content pattern: email, phone, date, siren, postcode…
    sensitive: str = ""                           # the party attribute whose write right it needs


@dataclass
class RowPlan:
    """One file row on its way in."""

    row: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    action: str = ""
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (field, value, message)
    object_id: int | None = None
    party_id: int | None = None
    existing: Any = None
    changes: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    flagged: bool = False

    def fail(self, name: str, message: str, value: str | None = None) -> None:
        self.errors.append((name, self.raw.get(name, "") if value is None else value, str(message)))
        self.action = RowAction.ERROR


@dataclass(frozen=True)
class Target:
    name: str
    label: Any
    fields: tuple[FieldSpec, ...]
    resolve: Callable[[list[RowPlan], Any], None]
    write: Callable[[list[RowPlan], Any], None]
    may_import: Callable[[User], bool] = policies.can_import
    check: Callable[[dict[str, Any], RowPlan], None] | None = None  # cross-field rules, no database
    # Keys (from the raw cells) that make a later row of the same file a duplicate of an earlier one.
    file_keys: Callable[[dict[str, str]], list[str]] | None = None

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


TARGETS: dict[str, Target] = {}


def register(target: Target) -> None:
    TARGETS[target.name] = target


def get_target(name: str) -> Target:
    from fidelia.core.errors import ValidationFailed

    if name not in TARGETS:
        raise ValidationFailed(_("Unknown kind of data “%(name)s”.") % {"name": name},
                               fields={"target": [_("Choose one of: %(names)s.") % {"names": ", ".join(TARGETS)}]})
    return TARGETS[name]


# Fields every target understands: the record's id in the source system, and the party a
# dependent record belongs to.
EXTERNAL_ID = FieldSpec("external_id", gettext_lazy("Id in the source system"), synonyms=(
    "id", "identifiant", "ref", "reference", "référence", "record id", "contact id", "id client", "code client",
    "numero client", "numéro client", "customer id", "customer_id", "n° client", "external id"))
# A dependent record's own id (a transaction number…): "code client" names its customer instead.
RECORD_ID = FieldSpec("external_id", gettext_lazy("Id of the record in the source system"), synonyms=(
    "id", "identifiant", "record id", "external id", "n° transaction", "transaction id", "id transaction"))
PARTY_REF = (
    FieldSpec("party_external_id", gettext_lazy("Customer's id in the source system"), synonyms=(
        "id client", "code client", "customer id", "customer_id", "client", "numero client", "contact id",
        "n° client")),
    FieldSpec("party_email", gettext_lazy("Customer's e-mail"), "email", synonyms=("email client", "customer email")),
    FieldSpec("party_siren", gettext_lazy("Customer's SIREN"), "siren", synonyms=("siren client",)),
)


def _choice(choices: Any, extra: dict[str, str] | None = None) -> Callable[[str], str]:
    table = {**{v: v for v in choices.values}, **{str(label): v for v, label in choices.choices}, **(extra or {})}
    return choice_parser(table)


def _error_of(exc: DomainError) -> list[tuple[str, str]]:
    """(field, message) pairs of a service's refusal."""
    if exc.fields:
        return [(name, msgs[0] if msgs else exc.message) for name, msgs in exc.fields.items()]
    return [("", exc.message)]


def run_service(plan: RowPlan, call: Callable[[], Any]) -> Any:
    """Call a service inside a savepoint; a refusal becomes the row's error, not the batch's."""
    from django.db import transaction

    try:
        with transaction.atomic():
            return call()
    except DomainError as exc:
        for name, message in _error_of(exc):
            plan.fail(name, message)
        return None


# ---------------------------------------------------------------------------------------------
# Registration of the built-in targets; their resolve/write steps live in target_*.py modules.

def _register_builtins() -> None:
    from fidelia.imports import target_parties as tp
    from fidelia.imports import target_records as tr

    stage = _choice(Stage, {"client": Stage.CUSTOMER, "ancien client": Stage.FORMER})
    kind = _choice(PartyKind, {"personne": PartyKind.PERSON, "particulier": PartyKind.PERSON, "p": PartyKind.PERSON,
                               "entreprise": PartyKind.ORGANISATION, "societe": PartyKind.ORGANISATION,
                               "company": PartyKind.ORGANISATION, "b2b": PartyKind.ORGANISATION,
                               "b2c": PartyKind.PERSON})
    language = _choice(Language, {"français": Language.FRENCH, "francais": Language.FRENCH, "french": Language.FRENCH,
                                  "fra": Language.FRENCH, "fre": Language.FRENCH, "fr-fr": Language.FRENCH,
                                  "anglais": Language.ENGLISH, "english": Language.ENGLISH, "eng": Language.ENGLISH,
                                  "en-gb": Language.ENGLISH, "en-us": Language.ENGLISH})
    register(Target(
        name="parties", label=gettext_lazy("Customers and prospects (persons, organisations)"),
        fields=(
            EXTERNAL_ID,
            FieldSpec("kind", gettext_lazy("Kind (person / organisation)"), kind, synonyms=("type", "kind", "type de client")),
            FieldSpec("civility", gettext_lazy("Civility"), "civility", synonyms=(
                "civilité", "civilite", "civ", "titre", "salutation", "gender", "genre", "sexe", "title")),
            FieldSpec("first_name", gettext_lazy("First name"), synonyms=("prénom", "prenom", "first name", "firstname", "given name")),
            FieldSpec("last_name", gettext_lazy("Last name"), synonyms=(
                "nom", "nom de famille", "last name", "lastname", "surname", "family name", "nom usage")),
            FieldSpec("birth_date", gettext_lazy("Birth date"), "date", synonyms=(
                "date de naissance", "né le", "ne le", "naissance", "birth date", "birthdate", "date of birth", "dob")),
            FieldSpec("legal_name", gettext_lazy("Company name"), synonyms=(
                "raison sociale", "société", "societe", "entreprise", "company", "company name", "organisation",
                "organization", "dénomination")),
            FieldSpec("siren", gettext_lazy("SIREN"), "siren", synonyms=("siren", "n° siren"), pattern="siren"),
            FieldSpec("siret", gettext_lazy("SIRET"), "siret", synonyms=("siret", "n° siret"), pattern="siret"),
            FieldSpec("vat_number", gettext_lazy("VAT number"), synonyms=("tva", "n° tva", "tva intracommunautaire", "vat", "vat number")),
            FieldSpec("sector", gettext_lazy("Sector (NAF)"), synonyms=("secteur", "naf", "code naf", "ape", "industry")),
            FieldSpec("job_title", gettext_lazy("Job title"), synonyms=("fonction", "poste", "job title", "title")),
            FieldSpec("stage", gettext_lazy("Stage"), stage, synonyms=("statut", "stade", "stage", "lifecycle stage", "cycle de vie")),
            FieldSpec("email", gettext_lazy("E-mail"), "email", synonyms=(
                "email", "e-mail", "courriel", "mail", "adresse email", "adresse e-mail", "email address"), pattern="email"),
            FieldSpec("phone", gettext_lazy("Phone"), "phone", synonyms=(
                "téléphone", "telephone", "tél", "tel", "portable", "mobile", "phone", "phone number", "mobile phone number",
                "gsm"), pattern="phone"),
            FieldSpec("line1", gettext_lazy("Street address"), synonyms=(
                "adresse", "adresse 1", "rue", "street", "street address", "address", "address line 1")),
            FieldSpec("line2", gettext_lazy("Address (continued)"), synonyms=("adresse 2", "complément", "complement d'adresse", "address line 2")),
            FieldSpec("postcode", gettext_lazy("Postcode"), "postcode", synonyms=(
                "code postal", "cp", "postcode", "zip", "postal code", "zip code"), pattern="postcode"),
            FieldSpec("city", gettext_lazy("City"), synonyms=("ville", "commune", "localité", "city", "town")),
            FieldSpec("country", gettext_lazy("Country (ISO code)"), synonyms=("pays", "country", "country code")),
            FieldSpec("notes", gettext_lazy("Notes"), synonyms=("notes", "commentaire", "commentaires", "remarques", "comments")),
            FieldSpec("income_bracket", gettext_lazy("Income bracket"), _choice(IncomeBracket), synonyms=("tranche de revenus", "revenus", "income"),
                      sensitive="income_bracket"),
            FieldSpec("language", gettext_lazy("Language (fr / en)"), language, synonyms=(
                "langue", "language", "lang", "langue de correspondance", "langue parlée", "preferred language",
                "spoken language")),
        ),
        resolve=tp.resolve, write=tp.write, may_import=policies.can_import, check=tp.check,
        file_keys=tp.file_keys,
    ))
    tr.register_record_targets(register, _choice, PARTY_REF, RECORD_ID)


def ensure_registered() -> None:
    if not TARGETS:
        _register_builtins()


CHOICES = {
    "channel": Channel, "purpose": ConsentPurpose, "source": ConsentSource, "contact_kind": ContactKind,
    "role": MemberRole, "product_kind": ProductKind, "contract_status": ContractStatus,
    "sales_channel": SalesChannel,
}
TODAY: Callable[[], dt.date] = timezone.localdate
ZERO = Decimal(0)
