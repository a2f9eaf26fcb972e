"""Validation of identifiers and contact points with well-kept libraries.

Each function returns the normalised value or raises ValidationFailed naming the field.
"""
from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from fidelia.core.errors import ValidationFailed


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def normalize_phone(raw: str, *, field: str = "phone", region: str = "FR") -> str:
    """Parse a phone number written the French or international way; return E.164 (+33612345678)."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise _fail(field, _("“%(value)s” is not a phone number.") % {"value": raw}) from None
    if not phonenumbers.is_valid_number(parsed):
        raise _fail(field, _("“%(value)s” is not a valid phone number.") % {"value": raw})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """Display form: national for French numbers (06 12 34 56 78), international otherwise."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 33 else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, fmt)


def normalize_email(raw: str, *, field: str = "email") -> str:
    """Validate the syntax (no DNS lookup) and return the normalised address, domain lower-cased."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        # The library explains in English only; the reader gets a message in their language.
        raise _fail(field, _("“%(value)s” is not a valid e-mail address (expected: name@domain.fr).")
                    % {"value": raw}) from None
    return result.normalized


def email_match_key(address: str) -> str:
    """Key for duplicate detection: the whole address lower-cased."""
    return address.strip().lower()


def normalize_siren(raw: str, *, field: str = "siren") -> str:
    try:
        return fr_siren.validate(raw)
    except stdnum_errors.ValidationError:
        raise _fail(field, _("“%(value)s” is not a valid SIREN (9 digits with a valid check digit).")
                    % {"value": raw}) from None


def normalize_siret(raw: str, *, field: str = "siret") -> str:
    try:
        return fr_siret.validate(raw)
    except stdnum_errors.ValidationError:
        raise _fail(field, _("“%(value)s” is not a valid SIRET (14 digits with a valid check digit).")
                    % {"value": raw}) from None


def normalize_vat(raw: str, *, field: str = "vat_number") -> str:
    try:
        return eu_vat.validate(raw)
    except stdnum_errors.ValidationError:
        raise _fail(field, _("“%(value)s” is not a valid EU VAT number.") % {"value": raw}) from None
