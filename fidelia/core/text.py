"""Text normalisation used by search and duplicate detection (accents, case, punctuation)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^a-z0-9@.+]+")


def fold(value: str | None) -> str:
    """Lower-case, strip accents and collapse punctuation: 'Élodie  LE-GOFF' -> 'elodie le goff'."""
    if not value:
        return ""
    return _fold(value)


# Names, towns and streets repeat: an import or a duplicate scan folds the same few thousand values
# hundreds of thousands of times (a 100,000-row import called fold 1.4 million times).
@lru_cache(maxsize=131_072)
def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_ALNUM.sub(" ", ascii_only.lower()).split())


def digits(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())
