"""Pure text functions of the SQLite search fallback: accent folding, tokens and light stemming.

PostgreSQL does the real work (`fidelia_fr` = french Snowball + unaccent); without it the stored
`Article.search_text` holds each word folded and stemmed with the small suffix strippers below, so
"réclamations" and "reclamation" both become "reclam", "facturé" and "facturation" "factur".
They are deliberately light (one suffix off, stems of at least 3 letters): over-stemming in a
knowledge base costs more in noise than it gains in recall.
"""
from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")
# Longest first: the first matching suffix is removed, once.
_FR_SUFFIXES = (
    "issements", "issement", "atrices", "atrice", "ateurs", "ateur", "ations", "ation", "ements", "ement",
    "ances", "ance", "ences", "ence", "ismes", "isme", "ables", "able", "istes", "iste", "euses", "euse",
    "ites", "ite", "ives", "ive", "ions", "ion", "ifs", "eux", "ees", "ee", "es", "er", "ez", "if", "e", "s", "x",
)
_EN_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s", "e")
_FR_STOP = frozenset("le la les un une des du de d l et ou a au aux en pour par sur dans mon ma mes son sa "
                     "ses ce cet cette que qui quoi est sont je tu il elle nous vous ils elles ne pas se "
                     "comment quel quelle quels quelles y".split())
_EN_STOP = frozenset("the a an and or of to in on for by is are my your how what i do does can with".split())
MIN_STEM = 3


def fold(text: str) -> str:
    """Lower case without accents or ligatures: "Réclamation Œuvre" → "reclamation oeuvre"."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str, language: str) -> str:
    """One suffix off `word` (already folded), keeping at least MIN_STEM letters."""
    for suffix in _FR_SUFFIXES if language == "fr" else _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return _WORD.findall(fold(text))


def terms(text: str, language: str) -> list[str]:
    """The stemmed search terms of `text`: folded, stop words dropped, each stemmed once."""
    stop = _FR_STOP if language == "fr" else _EN_STOP
    return [stem(w, language) for w in words(text) if w not in stop]


def index_text(title: str, body: str, language: str) -> str:
    """The stored fallback column: " t1 t2 … | b1 b2 … " (title terms, a bar, body terms).
    Leading spaces let a query match word starts with `contains(" term")`."""
    return " " + " ".join(terms(title, language)) + " | " + " ".join(terms(body, language)) + " "


def fallback_score(stored: str, query_terms: list[str]) -> float:
    """Rank of one article in the fallback: a title hit weighs like PostgreSQL's A against B."""
    title, _sep, body = stored.partition("|")
    score = 0.0
    for term in query_terms:
        needle = " " + term
        score += 1.0 * title.count(needle) + 0.1 * min(body.count(needle), 10)
    return score


def query_words(text: str, *, limit: int = 12) -> list[str]:
    """The folded words of a query, for a raw tsquery: only [a-z0-9], so nothing is tsquery syntax."""
    return [w for w in words(text) if len(w) > 1][:limit]
