"""The name vocabulary behind typo-tolerant search (see `SearchTerm`)."""
from __future__ import annotations

from collections.abc import Iterable

from django.db import connections

from fidelia.parties.models import Party, SearchTerm

MIN_LENGTH = 3


def terms_of(sort_name: str) -> set[tuple[str, str]]:
    """(key, phrase) pairs of a folded name: each word, and each pair of adjacent words joined."""
    words = [w for w in sort_name.split() if w]
    terms = {(w, w) for w in words if len(w) >= MIN_LENGTH}
    for left, right in zip(words, words[1:], strict=False):
        terms.add((left + right, f"{left} {right}"))
    return {(k[:100], p[:100]) for k, p in terms}


def vocabulary_add(sort_names: Iterable[str]) -> None:
    """Record the terms of these names (services call it when a name is written)."""
    rows = {t for name in sort_names for t in terms_of(name)}
    if rows:
        SearchTerm.objects.bulk_create([SearchTerm(key=k, phrase=p) for k, p in rows], ignore_conflicts=True,
                                       batch_size=1000)


def vocabulary_forget(sort_name: str) -> int:
    """Drop the terms of a former name that no customer's searchable text still contains
    (renaming, erasure), so the vocabulary never outlives the names it came from."""
    removed = 0
    for key, phrase in terms_of(sort_name):
        if not Party.objects.filter(search_text__contains=phrase).exists():
            removed += SearchTerm.objects.filter(key=key, phrase=phrase).delete()[0]
    return removed


def vocabulary_rebuild(*, using: str = "default", party_model: type = Party, term_model: type = SearchTerm) -> None:
    """Recompute the whole vocabulary from the names (after a bulk load; migrations pass their
    historical models)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM parties_searchterm")
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                INSERT INTO parties_searchterm (key, phrase)
                SELECT DISTINCT left(k, 100), left(p, 100) FROM (
                    SELECT w AS k, w AS p
                    FROM parties_party, unnest(string_to_array(sort_name, ' ')) AS w
                    WHERE length(w) >= %s
                    UNION
                    SELECT a.w || b.w, a.w || ' ' || b.w
                    FROM parties_party,
                         unnest(string_to_array(sort_name, ' ')) WITH ORDINALITY AS a(w, i),
                         unnest(string_to_array(sort_name, ' ')) WITH ORDINALITY AS b(w, j)
                    WHERE b.j = a.i + 1 AND a.w <> '' AND b.w <> ''
                ) AS t
                ON CONFLICT DO NOTHING
                """,
                [MIN_LENGTH],
            )
            cursor.execute("ANALYZE parties_searchterm")
            return
    names = party_model.objects.using(using).values_list("sort_name", flat=True).iterator(chunk_size=5000)
    rows = {t for name in names for t in terms_of(name)}
    term_model.objects.using(using).bulk_create([term_model(key=k, phrase=p) for k, p in rows],
                                                ignore_conflicts=True, batch_size=1000)
