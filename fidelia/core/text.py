"""Text normalisation used by search and duplicate detection (accents, case, punctuation)."""
from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9@.+]+")


def fold(value: str | None) -> str:
    """Lower-case, strip accents and collapse punctuation: 'Élodie  LE-GOFF' -> 'elodie le goff'."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_ALNUM.sub(" ", ascii_only.lower()).split())


def digits(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())
