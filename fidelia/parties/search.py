"""What search runs on: the folded `search_text` of a party, and the query normalisation."""
from __future__ import annotations

from collections.abc import Iterable

from fidelia.core.text import digits, fold


def display_name_of(*, kind: str, first_name: str = "", last_name: str = "", legal_name: str = "") -> str:
    """How a party is named everywhere: the legal name of an organisation, "Prénom NOM" of a person."""
    if kind == "organisation":
        return legal_name.strip()
    return f"{first_name.strip()} {last_name.strip().upper()}".strip()


def _phone_forms(e164: str) -> list[str]:
    d = digits(e164)
    forms = [d]
    if e164.startswith("+33") and len(d) == 11:
        forms.append("0" + d[2:])  # national form, as people type it
    return forms


def build_search_text(*, names: Iterable[str], emails: Iterable[str], phones: Iterable[str],
                      identifiers: Iterable[str], places: Iterable[str]) -> str:
    parts: list[str] = [fold(n) for n in names if n]
    parts += [e.lower() for e in emails if e]
    for p in phones:
        if p:
            parts += _phone_forms(p)
    parts += [i for i in identifiers if i]
    parts += [fold(p) for p in places if p]
    return " ".join(dict.fromkeys(x for x in parts if x))


def normalize_query(q: str) -> list[str]:
    """Query tokens as stored: folded words; a number typed with spaces ('06 12 34') becomes one token."""
    stripped = q.strip()
    if stripped and sum(ch.isdigit() for ch in stripped) >= max(4, len(stripped.replace(" ", "")) - 1):
        d = digits(stripped)
        if stripped.startswith("+33") and len(d) >= 3:
            d = "0" + d[2:]
        return [d]
    folded = q.strip().lower()
    return [t for t in fold(folded).split() if t] if "@" not in folded else [folded]
