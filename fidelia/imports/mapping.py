"""Column mapping: suggestions by header name (French and English synonyms) and by content, and
the built-in mapping templates."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from fidelia.core.errors import ValidationFailed
from fidelia.core.text import fold
from fidelia.imports.targets import Target, ensure_registered, get_target
from fidelia.parties.fields import field_rights

PATTERNS = {
    "email": re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE),
    "phone": re.compile(r"^(\+|00)?[\d .\-()]{9,18}$"),
    "date": re.compile(r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}|(19|20)\d{6})$"),
    "siren": re.compile(r"^\d{3} ?\d{3} ?\d{3}$"),
    "siret": re.compile(r"^\d{3} ?\d{3} ?\d{3} ?\d{5}$"),
    "postcode": re.compile(r"^\d{5}$"),
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(text).lower()).strip()


def suggest_mapping(target: Target, headers: Sequence[str], sample: Sequence[Sequence[str]]) -> dict[str, str]:
    """{header: field} for the columns recognised, each field at most once.

    A header equal to a field's name or synonym wins; then the share (≥ 80 %) of non-empty sample
    cells matching a field's content pattern (e-mail, phone, date, SIREN, SIRET, postcode).
    """
    taken: set[str] = set()
    result: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for spec in target.fields:
        for name in (spec.name, str(spec.label), *spec.synonyms):
            by_name.setdefault(_key(name), spec.name)
    for header in headers:
        name = by_name.get(_key(header))
        if name and name not in taken:
            result[header], taken = name, taken | {name}
    for index, header in enumerate(headers):
        if header in result or not header:
            continue
        values = [row[index].strip() for row in sample if index < len(row) and row[index].strip()]
        if len(values) < 2:
            continue
        for spec in target.fields:
            regex = PATTERNS.get(spec.pattern)
            if regex and spec.name not in taken and sum(bool(regex.match(v)) for v in values) >= 0.8 * len(values):
                result[header], taken = spec.name, taken | {spec.name}
                break
    return result


@dataclass(frozen=True)
class BuiltinTemplate:
    name: str
    target: str
    source: str
    mapping: dict[str, str]
    constants: dict[str, Any] = field(default_factory=dict)
    description: str = ""


BUILTIN_TEMPLATES = (
    BuiltinTemplate(
        name="Export CRM générique (FR)", target="parties", source="crm-fr",
        mapping={"Code client": "external_id", "Civilité": "civility", "Prénom": "first_name", "Nom": "last_name",
                 "Date de naissance": "birth_date", "Raison sociale": "legal_name", "SIREN": "siren", "SIRET": "siret",
                 "Email": "email", "Téléphone": "phone", "Adresse": "line1", "Code postal": "postcode", "Ville": "city",
                 "Statut": "stage"},
        description="Code client; Civilité; Prénom; Nom; Date de naissance; Raison sociale; SIREN; SIRET; Email; "
                    "Téléphone; Adresse; Code postal; Ville; Statut"),
    BuiltinTemplate(
        name="HubSpot contacts export", target="parties", source="hubspot",
        mapping={"Record ID": "external_id", "First Name": "first_name", "Last Name": "last_name", "Email": "email",
                 "Phone Number": "phone", "Mobile Phone Number": "phone", "Street Address": "line1", "Postal Code": "postcode",
                 "City": "city", "Country/Region": "country", "Company Name": "legal_name", "Job Title": "job_title",
                 "Lifecycle Stage": "stage"},
        description="Record ID, First Name, Last Name, Email, Phone Number, Street Address, Postal Code, City, "
                    "Job Title, Lifecycle Stage"),
    BuiltinTemplate(
        name="CDNOW transaction log", target="transactions", source="cdnow",
        mapping={"customer_id": "party_external_id", "date": "date", "number_of_cds": "quantity",
                 "dollar_value": "amount"},
        constants={"product_code": "CDNOW-CD", "channel": "web", "create_missing_parties": True},
        description="customer id, date YYYYMMDD, number of CDs, dollar value (whitespace-separated)"),
)


def builtin_template(name: str) -> BuiltinTemplate | None:
    return next((t for t in BUILTIN_TEMPLATES if t.name == name), None)


def check_mapping(target: Target, headers: Sequence[str], mapping: dict[str, str], constants: dict[str, Any],
                  actor: Any) -> dict[str, str]:
    """The mapping without empty choices; ValidationFailed naming each problem (unknown column or
    field, a field mapped twice, a required field missing, a field the user may not write)."""
    ensure_registered()
    errors: dict[str, list[str]] = {}
    clean = {h: f for h, f in mapping.items() if f}
    known = {f.name for f in target.fields}
    for header, name in clean.items():
        if header not in headers:
            errors.setdefault(header, []).append(_("The file has no column “%(col)s”.") % {"col": header})
        if name not in known:
            errors.setdefault(header, []).append(_("“%(field)s” is not a field of this kind of data.") % {"field": name})
    fields = list(clean.values())
    for name in {f for f in fields if fields.count(f) > 1}:
        errors.setdefault(name, []).append(_("Several columns are mapped to “%(field)s”: keep one.") % {"field": name})
    covered = set(fields) | {k for k, v in constants.items() if v not in ("", None)}
    for spec in target.fields:
        if spec.required and spec.name not in covered:
            errors.setdefault(spec.name, []).append(_("Map a column to the required field “%(field)s”.") % {"field": spec.label})
    rights = field_rights(actor)
    for spec in target.fields:
        if spec.sensitive and spec.name in covered and not getattr(rights, spec.sensitive, False):
            errors.setdefault(spec.name, []).append(_("You may not import this field."))
    if errors:
        raise ValidationFailed(_("The column mapping cannot be used."), fields=errors)
    return clean


def target_for(name: str) -> Target:
    ensure_registered()
    return get_target(name)
