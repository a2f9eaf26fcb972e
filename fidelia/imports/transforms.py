"""Value transformations: French dates, decimal commas, phones, civility codes, identifiers.

Each function takes the cell's text and returns the clean value or raises `CellError` with a
message for the user (the engine adds row, column and value).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _

from fidelia.core.errors import ValidationFailed
from fidelia.core.text import fold
from fidelia.core.validation import (
    normalize_email,
    normalize_phone,
    normalize_siren,
    normalize_siret,
)


class CellError(ValueError):
    """A cell whose value cannot be used; str(exc) is the reason shown to the user."""


MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
    "january": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "october": 10,
    "november": 11, "december": 12,
}
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_TEXT_DATE = re.compile(r"^(?:\w+\.?\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{2,4})$")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # 24 → 2024, 85 → 1985: a two-digit year is at most 20 years ahead
        year += 2000 if year <= (dt.date.today().year % 100) + 20 else 1900
    return year


def _make(year: int, month: int, day: int, raw: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date (day %(d)d of month %(m)d in %(y)d).")
                        % {"value": raw, "d": day, "m": month, "y": year}) from None


def parse_date(raw: str) -> dt.date:
    """31/12/2024, 31-12-24, 31.12.2024, 2024-12-31, 20241231, “3 janvier 2024”, “1er mars 24”.

    Day first, as written in France; an ISO date (year first) is read as such.
    """
    text = raw.strip()
    if re.fullmatch(r"\d{8}", text):
        return _make(int(text[:4]), int(text[4:6]), int(text[6:]), raw)
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", text) else text
    match = _NUMERIC_DATE.match(text)
    if match:
        a, b, c = match.groups()
        if len(a) == 4:
            return _make(int(a), int(b), int(c), raw)
        return _make(_year(c), int(b), int(a), raw)
    match = _TEXT_DATE.match(fold(text).replace(",", " ").strip())
    if match:
        day, month_name, year = match.groups()
        month = MONTHS.get(month_name)
        if month:
            return _make(_year(year), month, int(day), raw)
    raise CellError(_("“%(value)s” is not a date (expected e.g. 31/12/2024 or 3 janvier 2024).") % {"value": raw})


def parse_datetime(raw: str) -> dt.datetime:
    """A date with an optional time (HH:MM[:SS]); naive values are in the site's time zone."""
    from django.utils import timezone

    text = raw.strip()
    match = re.match(r"^(.*?)[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$", text)
    day = parse_date(match.group(1) if match else text)
    hour, minute, second = (int(match.group(2)), int(match.group(3)), int(match.group(4) or 0)) if match else (0, 0, 0)
    try:
        naive = dt.datetime.combine(day, dt.time(hour, minute, second))
    except ValueError:
        raise CellError(_("“%(value)s” is not a valid time.") % {"value": raw}) from None
    return timezone.make_aware(naive)


def parse_decimal(raw: str) -> Decimal:
    """1 234,56 / 1.234,56 / 1,234.56 / 1234.56 / 12,5 € → Decimal. Ambiguous mixes are refused."""
    text = re.sub(r"[\s\u00a0\u202f€$]|EUR|USD", "", raw.strip(), flags=re.IGNORECASE)
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    if "," in text and "." in text:
        # the last one is the decimal mark, the other must group thousands by 3
        dec, grp = (",", ".") if text.rfind(",") > text.rfind(".") else (".", ",")
        whole, _sep, frac = text.rpartition(dec)
        if not re.fullmatch(r"-?\d{1,3}(" + re.escape(grp) + r"\d{3})*", whole):
            raise CellError(_("“%(value)s” mixes decimal separators.") % {"value": raw})
        text = whole.replace(grp, "") + "." + frac
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        sep = "," if "," in text else "."
        if not re.fullmatch(r"-?\d{1,3}(" + re.escape(sep) + r"\d{3})+", text):
            raise CellError(_("“%(value)s” is not a number.") % {"value": raw})
        text = text.replace(sep, "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": raw}) from None
    if not value.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": raw})
    return value


def parse_int(raw: str) -> int:
    value = parse_decimal(raw)
    if value != value.to_integral_value():
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": raw})
    return int(value)


CIVILITY = {
    "m": "mr", "mr": "mr", "monsieur": "mr", "h": "mr", "homme": "mr", "1": "mr", "male": "mr", "sir": "mr",
    "mme": "mrs", "madame": "mrs", "mlle": "mrs", "mademoiselle": "mrs", "f": "mrs", "femme": "mrs",
    "2": "mrs", "mrs": "mrs", "ms": "mrs", "miss": "mrs", "female": "mrs",
}


def parse_civility(raw: str) -> str:
    """M., Mme, Mlle, Monsieur, F, H, 1/2 (INSEE sex code), Mr/Mrs → "mr" / "mrs"."""
    key = fold(raw).strip().rstrip(".").replace(" ", "")
    if key in CIVILITY:
        return CIVILITY[key]
    raise CellError(_("“%(value)s” is not a civility (M., Mme, Mlle, H, F, 1, 2).") % {"value": raw})


TRUE = {"1", "oui", "o", "yes", "y", "true", "vrai", "x"}
FALSE = {"0", "non", "n", "no", "false", "faux"}


def parse_bool(raw: str) -> bool:
    key = fold(raw).strip()
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise CellError(_("“%(value)s” is not yes or no.") % {"value": raw})


def _via(validator, raw: str) -> str:  # type: ignore[no-untyped-def]
    try:
        return validator(raw)
    except ValidationFailed as exc:
        raise CellError(exc.message) from None


# Phones and e-mails are the costly cells (a library parse each): each distinct writing is parsed
# once per process, so the import after its dry run, a resumed run or a file repeating a value
# reuse the result. Only valid values are kept: a refusal is raised afresh, in the reader's language.
CONTACT_CACHE_SIZE = 131_072


@lru_cache(maxsize=CONTACT_CACHE_SIZE)
def _phone(raw: str) -> str:
    return normalize_phone(raw)


@lru_cache(maxsize=CONTACT_CACHE_SIZE)
def _email(raw: str) -> str:
    return normalize_email(raw)


def parse_phone(raw: str) -> str:
    """Any French or international writing → E.164 (French by default)."""
    return _via(_phone, raw)


def parse_email(raw: str) -> str:
    return _via(_email, raw)


def parse_siren(raw: str) -> str:
    return _via(normalize_siren, re.sub(r"\s", "", raw))


def parse_siret(raw: str) -> str:
    return _via(normalize_siret, re.sub(r"\s", "", raw))


def parse_postcode(raw: str) -> str:
    text = raw.strip().upper()
    if re.fullmatch(r"\d{4}", text):  # a spreadsheet dropped the leading zero of 01000
        text = "0" + text
    return text


def parse_text(raw: str) -> str:
    return raw.strip()


def choice_parser(choices: dict[str, str]):  # type: ignore[no-untyped-def]
    """A parser accepting a choice's value or label (folded), e.g. "E-mail" or "email"."""
    table = {fold(str(k)): v for k, v in choices.items()}

    def parse(raw: str) -> str:
        key = fold(raw).strip()
        if key in table:
            return table[key]
        raise CellError(_("“%(value)s” is not one of: %(choices)s.")
                        % {"value": raw, "choices": ", ".join(sorted(set(table.values())))})
    return parse


PARSERS = {
    "text": parse_text, "date": parse_date, "datetime": parse_datetime, "decimal": parse_decimal,
    "int": parse_int, "bool": parse_bool, "phone": parse_phone, "email": parse_email,
    "civility": parse_civility, "siren": parse_siren, "siret": parse_siret, "postcode": parse_postcode,
}
