"""Duplicate candidates of an import batch: the one-pass name-and-place lookup and the rows left
unscored because nothing on file shares a key with them."""
import datetime as dt
import random

import pytest
from django.utils import translation

from fidelia.dedup.matching import PartyRecord
from fidelia.imports.duplicates import (
    Probe,
    _blocked,
    _pairs_ids,
    _with_candidates,
    find_duplicates,
)
from fidelia.imports.transforms import CellError, _phone, parse_email, parse_phone
from fidelia.parties.services import AddressInput, party_create

BIRTH = dt.date(1980, 12, 31)


@pytest.mark.django_db
def test_name_and_place_pairs_find_exactly_the_parties_sharing_one(personas):
    def person(first, last, *, postcode="", birth=None):
        address = AddressInput(line1="1 rue de la Paix", postcode=postcode, city="Paris") if postcode else None
        return party_create(actor=personas.admin, kind="person", first_name=first, last_name=last,
                            birth_date=birth, address=address, allow_duplicate=True).pk

    by_postcode = person("Jean", "Dupont", postcode="75002")
    by_last_birth = person("Paul", "Martin", birth=BIRTH)
    by_first_birth = person("Sophie", "Durand", birth=BIRTH)
    person("Jean", "Dupont", postcode="69002")           # other place
    person("Luc", "Martin", birth=dt.date(1981, 1, 1))   # other birth date
    person("Dupont", "Sophie", postcode="75002")         # names the other way round: last name Sophie
    found = _pairs_ids({("Dupont", "75002")}, {("Martin", BIRTH), ("Sophie", BIRTH)})
    assert found == {by_postcode, by_last_birth, by_first_birth}
    assert _pairs_ids(set(), set()) == set()


def _record(rng: random.Random, key: int) -> PartyRecord:
    return PartyRecord(key=key, first_name=rng.choice(["Jean", "Élodie", "", "Luc"]),
                       last_name=rng.choice(["Dupont", "LEFÈVRE", "Lefèvre", ""]),
                       name=rng.choice(["", "", "jean dupont"]), birth_date=rng.choice([None, BIRTH, dt.date(1975, 1, 3)]),
                       postcode=rng.choice(["", "75002", "69002"]), email=rng.choice(["", "J@x.fr", "k@x.fr"]),
                       phone=rng.choice(["", "+33612345678"]), siren=rng.choice(["", "732829320"]))


def _probe(rng: random.Random) -> Probe:
    first, last = rng.choice(["Jean", "Elodie", "Luc", "Zoé"]), rng.choice(["Dupont", "Lefevre", "Curie", ""])
    return Probe(first_name=first, last_name=last, sort_name=rng.choice(["", "jean dupont", "zoe curie"]),
                 birth_date=rng.choice([None, BIRTH, dt.date(1990, 5, 5)]), postcode=rng.choice(["", "75002", "13001"]),
                 email=rng.choice(["", "j@x.fr", "z@x.fr"]), phone=rng.choice(["", "+33612345678", "+33700000000"]),
                 siren=rng.choice(["", "732829320", "552100554"]))


def test_rows_left_unscored_are_exactly_those_no_party_is_blocked_with():
    rng = random.Random(9)
    for _round in range(200):
        existing = [_record(rng, k) for k in range(rng.randint(0, 4))]
        probes = [_probe(rng) for _i in range(5)]
        expected = {i for i, p in enumerate(probes) if any(_blocked(p, o) for o in existing)}
        assert _with_candidates(probes, existing) == expected


@pytest.mark.django_db
def test_rows_without_any_candidate_are_not_scored(personas, monkeypatch):
    from fidelia.dedup import matching

    party_create(actor=personas.admin, kind="person", first_name="Jean", last_name="Dupont", birth_date=BIRTH)
    scored: list[str] = []
    link = matching.link
    monkeypatch.setattr(matching, "link", lambda new, existing: scored.extend(r.key for r in new) or link(new, existing))
    found = find_duplicates([Probe(first_name="Jean", last_name="Dupond", sort_name="jean dupond", birth_date=BIRTH),
                             Probe(first_name="Marie", last_name="Curie", sort_name="marie curie", birth_date=BIRTH)])
    assert scored == ["row:0"]
    assert len(found[0]) == 1 and found[1] == []


def test_phones_and_emails_are_parsed_once_but_refusals_are_raised_each_time_in_the_readers_language():
    _phone.cache_clear()
    assert parse_phone("06 98 76 54 32") == parse_phone("06 98 76 54 32") == "+33698765432"
    assert _phone.cache_info().hits == 1
    assert parse_email("Jean@Example.FR") == parse_email("Jean@Example.FR") == "Jean@example.fr"
    with translation.override("en"), pytest.raises(CellError, match="not a valid phone number"):
        parse_phone("06 00")
    with translation.override("fr"), pytest.raises(CellError, match="pas un numéro de téléphone valide"):
        parse_phone("06 00")


@pytest.mark.django_db
def test_among_filters_like_in_with_one_array_parameter(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fidelia.imports.bulk import among
    from fidelia.parties.models import Party

    ids = [party_create(actor=personas.admin, kind="person", first_name="Jean", last_name=name,
                        allow_duplicate=True).pk for name in ("Abel", "Bodin", "Caron")]
    wanted = [ids[0], ids[2], 999_999]
    with CaptureQueriesContext(connection) as queries:
        found = set(Party.objects.filter(among("pk", wanted) | among("siren", [])).values_list("id", flat=True))
    assert found == set(Party.objects.filter(pk__in=wanted).values_list("id", flat=True)) == {ids[0], ids[2]}
    assert not Party.objects.filter(among("last_name", [])).exists()
    if connection.vendor == "postgresql":
        assert "= ANY(" in queries[0]["sql"]
